"""Print a bundle's report.html on A4 and on Letter, to look at the pages a lawyer would print.

Run from the project folder, with the project installed (for example in its virtualenv):

    python docs/print_report.py                    # a demo bundle, printed into ./report-print/
    python docs/print_report.py --out DIR          # somewhere else (DIR must not exist yet)
    python docs/print_report.py --bundle FILE.zip  # the report of an existing (unencrypted) bundle

It needs headless Chromium (``chromium``, ``chromium-browser`` or ``google-chrome``) and
``pdftoppm`` from poppler-utils (Debian/Ubuntu: ``apt-get install chromium poppler-utils``).

Without ``--bundle`` it builds a throwaway demo vault in a temporary folder: the demo vault of
``evault demo`` (vault.host.demo) plus a few items a report must cope with: long messages in
Azerbaijani, Russian and English (one longer than the report prints), a message marked sensitive,
a hostile one (markup and a right-to-left override), a file with a very long name, and an imported
Telegram chat. Everything is invented; no real person, account or number is involved. The bundle
is exported twice: as a defender exports by default (sensitive texts withheld) and with
``include_sensitive_text``. The temporary folder is removed at the end.

The output folder then holds, for each bundle (``default``, ``sensitive``) and each paper size
(``a4``, ``letter``): the HTML printed (report.html with an ``@page { size: … }`` rule added, so
the paper size does not depend on the browser's locale), the PDF, its text (``pdftotext -layout``,
if installed) and one PNG per page. The script prints where they are and how many pages each
size took. Then look at the PNGs: nothing may be cut off at the edge, no word or number broken
across lines (hashes and long paths may break), several items on a page.

This is a tool for looking, not a test; tests/bundle/test_report_print.py checks the printed text.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw

from crypto.kdf import Argon2Params
from vault import ImportOptions, MessageFields, Metadata, Vault
from vault.host.demo import DEMO_PASSPHRASE, create_demo

PAPERS = {"a4": "A4", "letter": "letter"}
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120
CASE = "DEMO — Threats after the article (fictional)"
# The demo vault protects nothing and is deleted at the end: a quick key derivation will do.
QUICK_KDF = Argon2Params(memory_kib=8192, iterations=1, parallelism=1)

LONG_AZ = (
    "Salam. Bu mesajı sənə son dəfə yazıram. Məqaləni sil, yoxsa məsuliyyətsizliklərinizdən "
    "danışacağıq. Hesab nömrən 40817810099910004312 bizə məlumdur, telefonun +994 00 000 00 07, "
    "evin Nizami küçəsi 000-dadır. Uşaqların hansı məktəbə getdiyini də bilirik.\n\n"
    "Sabah saat 09:30-da redaksiyanın qarşısında olacağıq. Tək gəl. Heç kimə demə.\n"
)
LONG_RU = (
    "Здравствуй. Мы читали твою статью про строительную компанию. Ты пишешь "
    "человеконенавистнические вещи, и за это придётся ответить. Номер твоего паспорта "
    "AZE00000000 и счёт 40817810099910004312 у нас. Подумай о своей семье.\n"
    "Последнее предупреждение: удали всё до пятницы, 13 марта 2026 года, 23:59.\n"
)
LONG_EN = (
    "We have been following you since the hearing on 4 March. You park the grey car at the "
    "corner every morning at 08:15 and your daughter leaves school at 13:40. Delete the article "
    "and the posts about the company, all of them, or the photographs go to everyone you work "
    "with. Reference for your records: case-2026-0312-intimidation-unbreakable-identifier-0001.\n"
)


def _picture(text: str) -> bytes:
    img = Image.new("RGB", (480, 200), "white")
    ImageDraw.Draw(img).text((16, 16), text, fill="black")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _telegram_export(folder: Path) -> Path:
    """A small Telegram Desktop export (result.json), invented."""
    base = 1772740800  # 2026-03-05T20:00:00Z
    texts = [
        "Yazılarını dayandır, yoxsa peşman olacaqsan.",
        "Мы знаем, где ты живёшь. Не выходи из дома после 22:00.",
        "This is the last warning. 40817810099910004312 — you know what this number is.",
    ]
    messages = [
        {
            "id": n,
            "type": "message",
            "date": "2026-03-06T00:00:00",
            "date_unixtime": str(base + 60 * n),
            "from": "Demo Naməlum Şəxs",
            "from_id": "user5550001111",
            "text": text,
        }
        for n, text in enumerate(texts, start=1)
    ]
    chat = {"name": "Demo Naməlum Şəxs", "type": "personal_chat", "id": 5550001111}
    folder.mkdir(parents=True)
    data = {**chat, "messages": messages}
    (folder / "result.json").write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    return folder


def _add_report_cases(vault: Vault, work: Path) -> None:
    """The items every printed report must cope with (all invented)."""
    meta = Metadata(case=CASE, platform="Telegram", tags=("demo", "print-test"))
    vault.add_message(
        LONG_AZ + "\n" + LONG_RU + "\n" + LONG_EN,
        Metadata(
            title="DEMO: long threat in three languages (fictional)",
            platform="Telegram",
            sender_handle="@demo_troll_with_a_rather_long_handle_2026",
            sender_id="+994 00 000 00 07",
            case=CASE,
            tags=("demo", "threat", "doxxing"),
        ),
        MessageFields(recipient="Demo Journalist", sent="2026-03-09T21:38:00", sent_tz="Asia/Baku"),
    )
    paragraphs = [f"{n:03d}. {LONG_EN}" for n in range(1, 90)]
    vault.add_message(
        "".join(paragraphs),
        Metadata(title="DEMO: a very long e-mail, longer than the report prints", case=CASE),
        MessageFields(recipient="Demo Journalist"),
    )
    vault.add_message(
        "Sensitive text: the sender describes the (fictional) private photographs in detail. "
        "SENSITIVE-MARKER-7731",
        Metadata(
            title="DEMO: sensitive message (fictional)",
            sensitive=True,
            platform="Facebook Messenger",
            sender_handle="Demo Anonim",
            case=CASE,
        ),
    )
    vault.add_message(
        "<script>alert('report')</script> Harmless? invoice\u202egnp.exe \x1b[2J end.\n"
        "Line two stays in order.",
        Metadata(title="DEMO: hostile text with markup and a right-to-left override", case=CASE),
    )
    vault.add_note("Short note.\nTwo lines.", Metadata(title="DEMO: short note", case=CASE))
    long_name = (
        "Screenshot 2026-03-09 at 21.41.17 — Telegram — @demo_troll_01 — threat about the article "
        "and the school (copy 2).png"
    )
    picture = work / long_name
    picture.write_bytes(_picture("DEMO - FICTIONAL SCREENSHOT"))
    vault.add_file(picture, Metadata(case=CASE, platform="Telegram", tags=meta.tags))
    vault.import_export(
        "telegram",
        _telegram_export(work / "ChatExport_2026-03-10"),
        ImportOptions(timezone="Asia/Baku", case=CASE, tags=("demo", "imported")),
    )


def build_demo_bundles(work: Path) -> dict[str, Path]:
    """The demo vault, exported as a defender would by default and with sensitive texts."""
    demo = create_demo(work / "Demo.evault", kdf=lambda: QUICK_KDF)
    bundles = {"default": work / "default.zip", "sensitive": work / "sensitive.zip"}
    with Vault.open(demo.path, passphrase=DEMO_PASSPHRASE) as vault:
        _add_report_cases(vault, work)
        vault.export_bundle(bundles["default"], everything=True, note="Printed by print_report")
        vault.export_bundle(bundles["sensitive"], everything=True, include_sensitive_text=True)
    return bundles


def find_browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("Headless Chromium is needed (apt-get install chromium).")


def with_paper(html: bytes, size: str) -> bytes:
    """report.html with a fixed paper size, as a browser set to that paper would print it."""
    rule = f"<style>@page {{ size: {size}; }}</style>\n</head>".encode("ascii")
    return html.replace(b"</head>", rule, 1)


def print_pdf(browser: str, html: Path, pdf: Path) -> None:
    """Print ``html`` to ``pdf`` with headless Chromium, without network or a profile left over."""
    with tempfile.TemporaryDirectory(prefix="evault-chromium-") as profile:
        subprocess.run(  # noqa: S603 - a browser found on PATH, fixed arguments
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                f"--print-to-pdf={pdf}",
                "--no-pdf-header-footer",
                html.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT,
        )
    if not pdf.is_file():
        raise SystemExit(f"Chromium wrote no PDF for {html}.")


def print_report(browser: str, bundle: Path, name: str, out: Path) -> list[str]:
    """Print the bundle's report on each paper size; returns one summary line per size."""
    with zipfile.ZipFile(bundle) as zf:
        report = zf.read("report.html")
    lines = []
    for paper, size in PAPERS.items():
        folder = out / f"{name}-{paper}"
        folder.mkdir(parents=True)
        html = folder / "report.html"
        html.write_bytes(with_paper(report, size))
        pdf = folder / "report.pdf"
        print_pdf(browser, html, pdf)
        if shutil.which("pdftotext"):
            subprocess.run(["pdftotext", "-layout", pdf, folder / "report.txt"], check=True)  # noqa: S603, S607
        if shutil.which("pdftoppm") is None:
            raise SystemExit("pdftoppm is needed (apt-get install poppler-utils).")
        subprocess.run(["pdftoppm", "-r", "60", "-png", pdf, folder / "page"], check=True)  # noqa: S603, S607
        pages = sorted(folder.glob("page-*.png"))
        lines.append(f"{name:9} {paper:6} {len(pages):3} pages  {folder}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=Path("report-print"), help="output folder")
    parser.add_argument("--bundle", type=Path, help="print this bundle's report instead")
    args = parser.parse_args(argv)
    out: Path = args.out
    if out.exists():
        raise SystemExit(f"{out} already exists; choose another --out or remove it.")
    browser = find_browser()
    out.mkdir(parents=True)
    if args.bundle is not None:
        lines = print_report(browser, args.bundle, "bundle", out)
    else:
        with tempfile.TemporaryDirectory(prefix="evault-print-") as tmp:
            bundles = build_demo_bundles(Path(tmp))
            lines = []
            for name, bundle in bundles.items():
                lines += print_report(browser, bundle, name, out)
    print("Printed report.html (PDF, text and one PNG per page):")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
