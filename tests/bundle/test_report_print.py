"""report.html printed by a real browser: headless Chromium prints it on A4 and on Letter, and the
PDF's words are read back with poppler's ``pdftotext``.

What a lawyer puts before a court is the printed page, so this checks the page, not the markup:
each group of the fingerprint and each long word or number is one word on paper (never broken
across lines), nothing is printed outside the page's margins or shrunk to fit, several items share
a page, the message texts are printed, and a sensitive text only when the exporter chose so.

Chromium and poppler-utils are system packages. Without them the test skips, except in CI, where
``EVAULT_REQUIRE_CHROMIUM=1`` (set by .ci/run, which installs both) makes it fail instead.
docs/print_report.py prints the same way, for looking at the pages. All people are fictional.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, fast_kdf
from vault import MessageFields, Metadata, Vault
from vault.bundle import layout
from vault.i18n import _, document_language

pytestmark = pytest.mark.slow

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120
PAPERS = {"A4": (595.0, 842.0), "letter": (612.0, 792.0)}  # points
MARGIN = 14 / 25.4 * 72  # report.html's side margin, 14 mm, in points

# Long words and numbers (no hyphens, no "fi"/"fl" a font could join) that must stay whole.
LONG_WORDS = (
    "məsuliyyətsizliklərinizdən",  # Azerbaijani, 26 letters
    "человеконенавистнический",  # Russian, 24 letters
    "incomprehensibilities",  # English, 21 letters
    "40817810099910004312",  # a (fictional) account number, 20 digits
    "2026-03-09",  # a date
)
MESSAGE = (
    "Bu sənin son şansındır: məsuliyyətsizliklərinizdən danışacağıq. "
    "Hesab 40817810099910004312 bizə məlumdur.\n"
    "Это человеконенавистнический текст, и ты за него ответишь.\n"
    "Your incomprehensibilities will cost you. Delete everything by Friday."
)
# A token longer than any line (an address pasted into a threat): it must wrap, not widen the page.
LONG_TOKEN = "https://fictional.example.invalid/" + "x7" * 80
SENSITIVE_TEXT = "Zq7731 the fictional private photographs are described here"
NOTES = 6  # short notes, so that several items fit on one page


@dataclass
class Printed:
    pages: list[str]  # the text of each page (pdftotext -layout)
    words: list[list[tuple[str, float, float, float, float]]]  # per page: word, x0, y0, x1, y1
    size: tuple[float, float]  # the first page's width and height, in points

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.pages).split())

    def tokens(self) -> set[str]:
        return {w for page in self.words for w, *_ in page}


# ---------------------------------------------------------------------------- the tools


def _tools() -> tuple[str, str, str]:
    """Chromium, pdftotext and pdfinfo; skip without them (fail in CI, where they must be)."""
    browser = next((found for b in BROWSERS if (found := shutil.which(b))), None)
    pdftotext, pdfinfo = shutil.which("pdftotext"), shutil.which("pdfinfo")
    if browser is None or pdftotext is None or pdfinfo is None:
        problem = "headless Chromium and poppler-utils are needed to print report.html"
        if os.environ.get("EVAULT_REQUIRE_CHROMIUM") == "1":
            pytest.fail(f"{problem}; EVAULT_REQUIRE_CHROMIUM=1 asks for the printed check")
        pytest.skip(f"{problem} (apt-get install chromium poppler-utils); CI runs this test")
    return browser, pdftotext, pdfinfo


class _Words(HTMLParser):
    """The words of ``pdftotext -bbox`` (an XHTML page of <page> and <word> elements)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pages: list[list[tuple[str, float, float, float, float]]] = []
        self.sizes: list[tuple[float, float]] = []
        self._box: tuple[float, float, float, float] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: float(v or 0) for k, v in attrs if k in {"xmin", "ymin", "xmax", "ymax"}}
        if tag == "page":
            values = dict(attrs)
            self.sizes.append((float(values["width"] or 0), float(values["height"] or 0)))
            self.pages.append([])
        elif tag == "word":
            self._box = (a["xmin"], a["ymin"], a["xmax"], a["ymax"])

    def handle_data(self, data: str) -> None:
        if self._box is not None:
            self.pages[-1].append((data, *self._box))
            self._box = None


def _print(html: bytes, paper: str, folder: Path) -> Printed:
    browser, pdftotext, _ = _tools()
    folder.mkdir(parents=True)
    page = folder / "report.html"
    # As a browser set to that paper prints it: report.html itself forces no paper size.
    page.write_bytes(
        html.replace(b"</head>", f"<style>@page {{ size: {paper}; }}</style></head>".encode(), 1)
    )
    pdf = folder / "report.pdf"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={pdf}",
            "--no-pdf-header-footer",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )
    layout_text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, timeout=TIMEOUT
    ).stdout.decode("utf-8")
    bbox = subprocess.run(
        [pdftotext, "-bbox", str(pdf), "-"], check=True, capture_output=True, timeout=TIMEOUT
    ).stdout.decode("utf-8")
    words = _Words()
    words.feed(bbox)
    pages = layout_text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    assert len(pages) == len(words.pages) >= 1
    return Printed(pages, words.pages, words.sizes[0])


# ---------------------------------------------------------------------------- the bundles


@dataclass
class Bundles:
    default: bytes  # report.html of a bundle exported as a defender does by default
    sensitive: bytes  # … and with include_sensitive_text
    fingerprint: str
    folder: Path
    translated: dict[str, bytes]  # the default bundle's report in Russian and Azerbaijani


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bundles]:
    _tools()
    root = tmp_path_factory.mktemp("print")
    vault, _ = Vault.create(root / "v.evault", PASSPHRASE, kdf=fast_kdf)
    with vault:
        vault.add_message(
            MESSAGE,
            Metadata(
                title="Threat: məsuliyyətsizliklərinizdən (fictional)",
                platform="Telegram",
                sender_handle="@fictional_sender_with_a_long_handle_40817810099910004312",
                sender_id="+994 00 000 00 07",
                occurred="2026-03-09T21:38:00",
                occurred_tz="Asia/Baku",
                case="Fictional case",
            ),
            MessageFields(recipient="Fictional defender", sent="2026-03-09T21:38:00"),
        )
        vault.add_message(
            f"See {LONG_TOKEN} now.",
            Metadata(title=f"Link {LONG_TOKEN[:60]}", description=f"Pasted: {LONG_TOKEN}"),
        )
        vault.add_message(SENSITIVE_TEXT, Metadata(title="Private (fictional)", sensitive=True))
        for n in range(NOTES):
            vault.add_note(f"Short note {n}: a grey car again.", Metadata(title=f"Note {n}"))
        picture = root / ("Screenshot 2026-03-09 at 21.41.17 " + "very long name " * 8 + ".png")
        picture.write_bytes(b"\x89PNG\r\n\x1a\n fictional")
        vault.add_file(picture, Metadata(platform="Telegram"))
        fingerprint = vault.identity()["fingerprint"]
        reports = []
        for name, sensitive in (("default", False), ("sensitive", True)):
            out = root / f"{name}.zip"
            vault.export_bundle(
                out,
                everything=True,
                note=f"For counsel: {LONG_TOKEN}",
                include_sensitive_text=sensitive,
            )
            with zipfile.ZipFile(out) as zf:
                reports.append(zf.read(layout.REPORT))
        out = root / "translated.zip"
        vault.export_bundle(out, everything=True, languages=["ru", "az"])
        with zipfile.ZipFile(out) as zf:
            translated = {"ru": zf.read(layout.REPORT), "az": zf.read("report.az.html")}
    yield Bundles(reports[0], reports[1], fingerprint, root, translated)


@pytest.fixture(scope="module", params=sorted(PAPERS))
def printed(request: pytest.FixtureRequest, bundles: Bundles) -> tuple[str, Printed]:
    paper: str = request.param
    return paper, _print(bundles.default, paper, bundles.folder / f"default-{paper}")


# ---------------------------------------------------------------------------- the checks


def test_the_pages_have_the_paper_size(printed: tuple[str, Printed]) -> None:
    paper, result = printed
    width, height = result.size
    assert abs(width - PAPERS[paper][0]) < 2 and abs(height - PAPERS[paper][1]) < 2
    assert 2 <= len(result.pages) <= 12


def test_the_fingerprint_groups_and_long_words_are_never_broken(
    printed: tuple[str, Printed], bundles: Bundles
) -> None:
    _, result = printed
    tokens = result.tokens()
    groups = bundles.fingerprint.split()
    assert len(groups) == 6
    for group in groups:
        assert group in tokens, group  # one word on paper: five digits together
    assert bundles.fingerprint in result.text  # and the six groups in order, on one line
    for word in LONG_WORDS:
        found = {t for t in tokens if word in t}
        assert found, f"{word} is broken or missing"
    # Words of the message appear whole wherever a line ends, in every paper size.
    message_words = {w.strip(".,:") for w in MESSAGE.split()}
    printed_words = {t.strip(".,:") for t in tokens}
    assert message_words <= printed_words, message_words - printed_words


def test_the_message_text_is_printed(printed: tuple[str, Printed]) -> None:
    _, result = printed
    text = result.text
    for line in MESSAGE.splitlines():
        assert " ".join(line.split()) in text, line
    assert "Short note 5: a grey car again." in text


def test_nothing_is_outside_the_margins_or_shrunk(printed: tuple[str, Printed]) -> None:
    _, result = printed
    width, _ = result.size
    for number, page in enumerate(result.words, start=1):
        for word, x0, _y0, x1, _y1 in page:
            assert x0 >= MARGIN - 1 and x1 <= width - MARGIN + 1, (number, word, x0, x1)
    # Chromium shrinks a page whose content is too wide: the 10 pt body text would be smaller.
    assert LONG_TOKEN in "".join(w for page in result.words for w, *_ in page)  # wrapped, whole
    first = result.words[0]
    body = [y1 - y0 for w, _x0, y0, _x1, y1 in first if w in {"This", "report", "evidence"}]
    assert body and min(body) > 11, body


def test_several_items_share_a_page(printed: tuple[str, Printed]) -> None:
    _, result = printed
    headings = [len(re.findall(r"^Item \d+: ", page, flags=re.M)) for page in result.pages]
    assert sum(headings) == 3 + NOTES + 1  # every item has its heading, once
    assert max(headings) >= 3, headings


def test_the_sensitive_text_is_printed_only_when_chosen(
    printed: tuple[str, Printed], bundles: Bundles
) -> None:
    paper, default = printed
    assert "Zq7731" not in default.text
    assert "Text withheld: marked sensitive; the exact text is in evidence/0003-" in default.text
    chosen = _print(bundles.sensitive, paper, bundles.folder / f"sensitive-{paper}")
    assert SENSITIVE_TEXT in chosen.text
    assert "Text withheld" not in chosen.text


@pytest.mark.parametrize("lang", ["ru", "az"])
def test_translated_field_names_are_never_broken(bundles: Bundles, lang: str) -> None:
    """The second column of names (Sensitive, Platform, Recipient, Size, Tags) is narrow: in
    Russian "Деликатный" and "Получатель" were cut into "Деликатн / ый" on paper."""
    result = _print(bundles.translated[lang], "A4", bundles.folder / f"translated-{lang}")
    with document_language(lang):
        names = [_(n) for n in ("Sensitive", "Platform", "Recipient", "Size", "Tags")]
    tokens = result.tokens()
    for name in names:
        for word in name.split():
            assert word in tokens, f"{word!r} is broken on paper"
