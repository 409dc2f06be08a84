"""A bundle for a lawyer in Baku or Moscow: report.html, VERIFY.txt and the certificate in
Azerbaijani or Russian (``--report-lang``, one report per language when several are asked),
``evault verify`` speaking the lawyer's language (``--lang``) with the same exit codes, and
``--json`` staying English. Real vaults, real bundles, the real sha256sum and minisign."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from crypto.fingerprint import fingerprint
from tests.bundle.support import (
    flip,
    make_sample,
    manifest_of,
    member,
    replace,
    rewrite,
    tool,
    unzip_to,
)
from tests.cli.runner import Runner, run_main
from tests.conftest import PASSPHRASE
from vault import language, set_language
from vault.bundle import layout

AZ_MONTHS = [
    "yanvar",
    "fevral",
    "mart",
    "aprel",
    "may",
    "iyun",
    "iyul",
    "avqust",
    "sentyabr",
    "oktyabr",
    "noyabr",
    "dekabr",
]
RU_MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]


@dataclass
class Setup:
    root: Path
    run: Runner
    fingerprint: str
    az: Path  # export --all --report-lang az
    ru: Path  # export --all --report-lang ru
    both: Path  # export --all --report-lang az,en


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    root = tmp_path_factory.mktemp("bundle-language")
    sample = make_sample(root, "case.evault")
    fp = fingerprint(sample.vault.public_key)
    sample.vault.close()  # the CLI opens it itself
    pw = root / "pass.txt"
    pw.write_text(PASSPHRASE + "\n", encoding="utf-8")
    run = Runner(sample.folder, pw)
    bundles = {}
    for name, langs in (("az", "az"), ("ru", "ru"), ("both", "az,en")):
        out = root / f"{name}.zip"
        code, _out, err = run(
            "--lang", "en", "export", "--all", "--out", str(out), "--report-lang", langs
        )
        assert code == 0, err
        bundles[name] = out
    yield Setup(root, run, fp, bundles["az"], bundles["ru"], bundles["both"])
    set_language("en")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.headings: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_heading = tag in ("h1", "h2")

    def handle_endtag(self, tag: str) -> None:
        self._in_heading = False

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self._in_heading and data.strip():
            self.headings.append(data.strip())


def _parse(html: bytes) -> _Text:
    parser = _Text()
    parser.feed(html.decode("utf-8"))
    return parser


def _text(html: bytes) -> str:
    return " ".join(" ".join(_parse(html).parts).split())


def test_an_azerbaijani_report(setup: Setup) -> None:
    html = member(setup.az, layout.REPORT)
    assert b'<html lang="az">' in html
    parsed = _parse(html)
    assert "Necə yoxlamalı" in parsed.headings
    assert "Zaman xətti (saxlama zənciri)" in parsed.headings
    assert "How to verify" not in parsed.headings
    text = _text(html)
    assert "Bu hesabat" in text and "ə" in text and "ı" in text
    # When the bundle was made: the day in Azerbaijani words with its zone, then the ISO time.
    created = manifest_of(setup.az)["created"]
    day, clock = created[:10], created[11:19]
    found = re.search(rf"(\d+) (\w+) \d{{4}}, {clock} UTC \({day} {clock} UTC\)", text)
    assert found is not None, text[:2000]
    assert found.group(2) in AZ_MONTHS
    # The evidence's own words are never translated.
    assert "Səni tapacağıq" in text or "həssas" in text


def test_an_azerbaijani_verify_txt(setup: Setup) -> None:
    data = member(setup.az, layout.VERIFY)
    text = data.decode("utf-8")  # not ASCII: Azerbaijani letters, UTF-8 without a BOM
    assert not data.startswith(b"\xef\xbb\xbf")
    assert text.startswith("BU SÜBUT PAKETİNİ NECƏ YOXLAMALI\n")
    assert "1-Cİ ADDIM" in text
    assert "sha256sum -c SHA256SUMS" in text  # commands stay as typed
    assert all(len(line) <= 100 for line in text.splitlines())
    assert "\r" not in text


def test_a_russian_report_and_verify_txt(setup: Setup) -> None:
    html = member(setup.ru, layout.REPORT)
    assert b'<html lang="ru">' in html
    parsed = _parse(html)
    assert "Как проверить" in parsed.headings
    assert "Хронология (цепочка хранения)" in parsed.headings
    text = _text(html)
    found = re.search(r"(\d+) (\w+) \d{4} г\., \d\d:\d\d:\d\d UTC", text)
    assert found is not None, text[:2000]
    assert found.group(2) in RU_MONTHS
    verify_txt = member(setup.ru, layout.VERIFY).decode("utf-8")
    assert verify_txt.startswith("КАК ПРОВЕРИТЬ ЭТОТ ПАКЕТ ДОКАЗАТЕЛЬСТВ\n")
    assert "ШАГ 3." in verify_txt
    assert all(len(line) <= 100 for line in verify_txt.splitlines())


def test_a_bilingual_bundle_has_one_report_per_language(setup: Setup) -> None:
    names = zipfile.ZipFile(setup.both).namelist()
    assert {layout.REPORT, layout.VERIFY, "report.en.html", "VERIFY.en.txt"} <= set(names)
    first = member(setup.both, layout.REPORT)
    english = member(setup.both, "report.en.html")
    assert b'<html lang="az">' in first and b'<html lang="en">' in english
    assert "Necə yoxlamalı" in _parse(first).headings
    assert "How to verify" in _parse(english).headings
    # Each names the other, so a lawyer finds the one her court reads.
    assert "report.en.html" in _text(first)
    assert "report.html" in _text(english)
    # English VERIFY text is ASCII, exactly as before; both are covered by SHA256SUMS.
    member(setup.both, "VERIFY.en.txt").decode("ascii")
    sums = member(setup.both, layout.SUMS).decode("ascii")
    for name in (layout.REPORT, layout.VERIFY, "report.en.html", "VERIFY.en.txt"):
        assert f"  {name}\n" in sums
    code, out, err = run_main(
        ["--lang", "en", "verify", str(setup.both), "--key", setup.fingerprint]
    )
    assert code == 0, out + err
    assert "\nVERIFIED: all" in out


def test_the_default_is_the_language_evault_speaks_now(setup: Setup, tmp_path: Path) -> None:
    """The app's export (no languages given) writes in the app's language, and leaves it so."""
    code, _out, err = setup.run("--lang", "ru", "export", "--all", "--out", str(tmp_path / "b.zip"))
    assert code == 0, err
    assert b'<html lang="ru">' in member(tmp_path / "b.zip", layout.REPORT)
    assert language() == "ru"
    set_language("en")


def test_an_unknown_report_language_is_refused(setup: Setup, tmp_path: Path) -> None:
    out = tmp_path / "x.zip"
    code, _out, err = setup.run(
        "--lang", "en", "export", "--all", "--out", str(out), "--report-lang", "de"
    )
    assert code == 2
    assert "cannot write a report in 'de'" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_verify_speaks_azerbaijani_with_the_same_exit_codes(setup: Setup) -> None:
    code, out, err = run_main(["--lang", "az", "verify", str(setup.ru), "--key", setup.fingerprint])
    assert code == 0, out + err
    assert "TƏSDİQLƏNDİ: hamısı keçdi" in out
    assert re.search(r"^keçdi +ZIP quruluşu: ", out, re.MULTILINE)
    assert "Saxlama zənciri" in out
    assert "VERIFIED" not in out

    code, out, _err = run_main(["--lang", "az", "verify", str(setup.ru)])
    assert code == 4
    assert "FAYLLAR TOXUNULMAZDIR, İMZALAYAN TƏSDİQLƏNMƏYİB" in out
    set_language("en")


def test_verify_speaks_russian_about_a_changed_file(setup: Setup, tmp_path: Path) -> None:
    target = manifest_of(setup.az)["items"][1]["path"]
    changed = rewrite(
        setup.az,
        tmp_path / "changed.zip",
        lambda ms: replace(ms, target, flip(dict(ms)[target], 3)),
    )
    code, out, err = run_main(["--lang", "ru", "verify", str(changed), "--key", setup.fingerprint])
    assert code == 1
    assert "НЕ ПОДТВЕРЖДЕНО" in out
    assert re.search(rf"^ОШИБКА +{re.escape(target)} ", out, re.MULTILINE)
    assert "файл изменён: его SHA-256 теперь" in out
    assert "Traceback" not in err
    # --json stays English whatever the language: scripts read it.
    code, out, _err = run_main(["--lang", "ru", "verify", str(changed), "--json"])
    assert code == 1
    data = json.loads(out)
    assert {c["name"] for c in data["checks"]} >= {"ZIP structure", "Chain of custody"}
    problems = [p for item in data["items"] for p in item["problems"]]
    assert any(p.startswith("the file was changed: its SHA-256 is now ") for p in problems)
    set_language("en")


def test_a_russian_certificate(setup: Setup, tmp_path: Path) -> None:
    certificate = tmp_path / "certificate.html"
    code, _out, err = run_main(
        [
            "--lang",
            "ru",
            "verify",
            str(setup.az),
            "--key",
            setup.fingerprint,
            "--certificate",
            str(certificate),
        ]
    )
    assert code == 0, err
    html = certificate.read_bytes()
    assert b'<html lang="ru">' in html
    text = _text(html)
    assert "Справка о проверке пакета доказательств" in text
    assert "Результат: ПРОЙДЕНА" in text
    assert "Цепочка хранения" in text  # a check's name, translated on the certificate
    set_language("en")


@pytest.mark.slow
def test_stock_tools_check_a_russian_bundle(setup: Setup, tmp_path: Path) -> None:
    folder = unzip_to(setup.ru, tmp_path / "x")
    sums = tool("sha256sum", "-c", layout.SUMS, cwd=folder)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    assert b"report.html: OK" in sums.stdout and b"VERIFY.txt: OK" in sums.stdout
    signed = tool("minisign", "-Vm", layout.SUMS, "-p", layout.KEY_MINISIGN, cwd=folder)
    assert signed.returncode == 0, signed.stdout + signed.stderr
    assert b"Signature and comment signature verified" in signed.stdout + signed.stderr
