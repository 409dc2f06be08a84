#!/usr/bin/env python3
"""Render the one-page quick cards for workshops to HTML (and, with --pdf, to PDF).

    python3 docs/print_quick_cards.py --out /tmp/cards          # HTML only
    python3 docs/print_quick_cards.py --out /tmp/cards --pdf    # HTML and PDF (needs chromium)

Cards: docs/quick-card.md (English), docs/az/quick-card.md, docs/ru/quick-card.md. Each becomes
a self-contained HTML file (no external fonts, pictures or scripts: nothing is fetched) sized for
one A4 page in two columns. With --pdf, chromium prints each one to PDF in headless mode; if
poppler's `pdfinfo` is there too, the body text starts at 9.8 pt and is made smaller, down to 9 pt,
until the card fits one page (a card that still does not fit is reported: shorten its text).

Only the standard library is needed. If the `markdown` module happens to be installed it is
used; otherwise the small subset the cards use (headings, paragraphs, lists, bold, italic, code,
links) is converted here.

The output folder must be outside the repository: printed cards are not committed.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

markdown: ModuleType | None
try:  # optional: used when installed, never required
    import markdown
except ImportError:
    markdown = None

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
CARDS = {  # language code -> Markdown source
    "en": DOCS / "quick-card.md",
    "az": DOCS / "az" / "quick-card.md",
    "ru": DOCS / "ru" / "quick-card.md",
}

CSS = """
@page { size: A4; margin: 6mm 8mm 6mm 8mm; }
* { box-sizing: border-box; }
html { font-size: %(font_size)spt; }
body {
  margin: 0;
  font-family: "DejaVu Sans Condensed", "Liberation Sans Narrow", "Arial Narrow", "DejaVu Sans",
    "Liberation Sans", "Noto Sans", Arial, sans-serif;
  line-height: 1.18;
  color: #000;
  -webkit-print-color-adjust: exact;
  print-color-adjust: exact;
}
h1 {
  font-size: 13pt;
  margin: 0 0 1mm 0;
  padding-bottom: 0.6mm;
  border-bottom: 0.6pt solid #000;
}
.intro { margin: 0 0 1.8mm 0; }
.intro p { margin: 0 0 0.8mm 0; }
.cols { column-count: 2; column-gap: 5mm; column-rule: 0.4pt solid #999; }
h2 {
  font-size: 1.08em;
  margin: 1.8mm 0 0.6mm 0;
  padding: 0.2mm 1.2mm;
  background: #e6e6e6;
  break-after: avoid;
  page-break-after: avoid;
}
.cols > h2:first-child { margin-top: 0; }
p { margin: 0 0 1mm 0; }
ul, ol { margin: 0 0 1mm 0; padding-left: 3.6mm; }
li { margin: 0 0 0.25mm 0; break-inside: avoid; page-break-inside: avoid; }
code {
  font-family: "DejaVu Sans Mono", "Liberation Mono", Consolas, monospace;
  font-size: 0.9em;
  background: #f0f0f0;
  padding: 0 0.5mm;
}
.nb { white-space: nowrap; }
a { color: inherit; text-decoration: none; }
em { font-style: italic; }
@media screen {
  body { width: 190mm; margin: 10mm auto; }
}
"""
# Body text sizes tried in turn (with --pdf and pdfinfo) until the card fits one page. Below 9 pt
# a card is hard to read: then the text itself must be shortened.
FONT_SIZES = (9.8, 9.6, 9.4, 9.2, 9.0)


# --- The small Markdown subset ---------------------------------------------------------------


def _inline(text: str) -> str:
    """Code spans first (their content is left alone), then links, bold and italic."""
    out = []
    for index, piece in enumerate(re.split(r"`([^`]*)`", text)):
        if index % 2:
            # A command may wrap between its words, never inside one (not at a path's "-").
            words = re.sub(
                r"\S+",
                lambda m: f'<span class="nb">{m.group(0)}</span>',
                html.escape(piece, quote=False),
            )
            out.append(f"<code>{words}</code>")
            continue
        part = html.escape(piece, quote=False)
        part = re.sub(
            r"\[([^\]]+)\]\(([^)\s]+)\)",
            lambda m: f'<a href="{html.escape(m.group(2))}">{m.group(1)}</a>',
            part,
        )
        part = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", part)
        part = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", part)
        out.append(part)
    return "".join(out)


def markdown_subset(source: str) -> str:
    """Headings, paragraphs, '-' and '1.' lists (an indented line continues the item)."""
    blocks: list[str] = []
    paragraph: list[str] = []
    list_kind: str | None = None
    item: list[str] = []
    items: list[str] = []

    def end_item() -> None:
        if item:
            items.append(f"<li>{_inline(' '.join(item))}</li>")
            item.clear()

    def end_list() -> None:
        nonlocal list_kind
        end_item()
        if list_kind:
            blocks.append(f"<{list_kind}>" + "".join(items) + f"</{list_kind}>")
        items.clear()
        list_kind = None

    def end_paragraph() -> None:
        if paragraph:
            blocks.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()

    for raw in source.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        heading = re.match(r"(#{1,6})\s+(.*)", line)
        bullet = re.match(r"[-*]\s+(.*)", line)
        number = re.match(r"\d+[.)]\s+(.*)", line)
        if not stripped:
            end_paragraph()
            end_item()
            continue
        if heading:
            end_paragraph()
            end_list()
            level = len(heading.group(1))
            blocks.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif bullet or number:
            end_paragraph()
            kind = "ul" if bullet else "ol"
            if list_kind != kind:
                end_list()
                list_kind = kind
            end_item()
            item.append((bullet or number).group(1))
        elif list_kind and (line.startswith(" ") or item):
            item.append(stripped)  # continuation of the current list item
        else:
            end_list()
            paragraph.append(stripped)
    end_paragraph()
    end_list()
    return "\n".join(blocks)


def to_html_body(source: str) -> str:
    if markdown is None:
        return markdown_subset(source)
    return str(markdown.markdown(source))


# --- Page ------------------------------------------------------------------------------------


def render_card(source: str, lang: str, font_size: float = FONT_SIZES[0]) -> str:
    """The title and the lines before the first section span the page; sections flow in 2 columns."""
    body = to_html_body(source)
    title_match = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    title = re.sub(r"<[^>]+>", "", title_match.group(1)) if title_match else "Quick card"
    first_section = body.find("<h2")
    if first_section == -1:
        head, sections = body, ""
    else:
        head, sections = body[:first_section], body[first_section:]
    h1_end = head.find("</h1>")
    if h1_end != -1:
        h1_end += len("</h1>")
        head = head[:h1_end] + '\n<div class="intro">' + head[h1_end:] + "</div>"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n"
        f"<style>{CSS % {'font_size': font_size}}</style>\n</head>\n<body>\n{head}\n"
        f'<div class="cols">\n{sections}\n</div>\n</body>\n</html>\n'
    )


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(chromium: str, page: Path, pdf: Path) -> None:
    # A throw-away profile: nothing is left in the user's own browser settings.
    with tempfile.TemporaryDirectory(prefix="evault-card-profile-") as profile:
        subprocess.run(  # noqa: S603 (chromium found on PATH, arguments built here)
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                "--print-to-pdf-no-header",
                f"--print-to-pdf={pdf}",
                page.as_uri(),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )


def page_count(pdf: Path) -> int | None:
    """Pages of the PDF, if poppler's pdfinfo is installed."""
    pdfinfo = shutil.which("pdfinfo")
    if not pdfinfo:
        return None
    result = subprocess.run(  # noqa: S603 (pdfinfo found on PATH)
        [pdfinfo, str(pdf)], capture_output=True, text=True, check=False
    )
    found = re.search(r"^Pages:\s+(\d+)", result.stdout, re.M)
    return int(found.group(1)) if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "evault-quick-cards",
        help="folder for the HTML (and PDF) files; must be outside the repository",
    )
    parser.add_argument("--pdf", action="store_true", help="also print each card to PDF (chromium)")
    parser.add_argument(
        "--lang", action="append", choices=sorted(CARDS), help="only this card (repeatable)"
    )
    args = parser.parse_args(argv)

    out = args.out.expanduser().resolve()
    if out == REPO or REPO in out.parents:
        print(f"Choose a folder outside the repository ({REPO}) for --out.", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)

    chromium = find_chromium() if args.pdf else None
    if args.pdf and not chromium:
        print("chromium was not found: writing HTML only.", file=sys.stderr)

    status = 0
    for lang in args.lang or sorted(CARDS):
        source_path = CARDS[lang]
        if not source_path.is_file():
            print(f"{lang}: {source_path.relative_to(REPO)} does not exist yet, skipped.")
            continue
        source = source_path.read_text(encoding="utf-8")
        page = out / f"quick-card-{lang}.html"
        pdf = out / f"quick-card-{lang}.pdf"
        # Without chromium and pdfinfo nothing can be measured: the smallest size is the safe one.
        can_measure = bool(chromium and shutil.which("pdfinfo"))
        sizes = FONT_SIZES if can_measure else FONT_SIZES[-1:]
        pages = None
        for size in sizes:
            page.write_text(render_card(source, lang, size), "utf-8")
            if not chromium:
                break
            print_pdf(chromium, page, pdf)
            pages = page_count(pdf)
            if pages == 1:
                break
        print(f"{lang}: {page} ({size} pt)")
        if chromium:
            note = "" if pages is None else f" ({pages} page{'s' if pages != 1 else ''})"
            print(f"{lang}: {pdf}{note}")
            if pages is not None and pages != 1:
                print(
                    f"{lang}: the card does not fit one page even at {size} pt; shorten it.",
                    file=sys.stderr,
                )
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
