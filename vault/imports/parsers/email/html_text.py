"""HTML mail read as text, so a message sent only as HTML is still searchable by its words.

Crude on purpose: the words and the line breaks at block elements, nothing hidden (scripts,
styles), no links followed. The HTML itself stays untouched in ``raw``; a message whose text came
from here says so in its ``transformations``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _HtmlText(HTMLParser):
    """Crude HTML to text: the words, line breaks at block elements, no scripts or styles."""

    _BREAKS = frozenset(
        {"br", "p", "div", "li", "tr", "table", "blockquote", "pre", "hr", "h1", "h2", "h3"}
        | {"h4", "h5", "h6", "section", "article", "header", "footer", "ul", "ol"}
    )
    _HIDDEN = frozenset({"script", "style", "title", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag in self._BREAKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self._BREAKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
        text = "".join(parser.out)
    except AssertionError:  # the stdlib's _markupbase still asserts on some bad markup
        text = re.sub(r"<[^>]*>", " ", html)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
