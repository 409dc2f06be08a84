"""Paragraphs filled to an 80-column terminal (the width the app and the guides are made for)."""

from __future__ import annotations

import textwrap

WIDTH = 79  # one column spare: some terminals wrap a line that fills the last column


def fill(text: str, *, first: str = "", hang: str = "") -> str:
    """``text`` after ``first`` on its first line, the next lines indented by ``hang``, filled at
    spaces to :data:`WIDTH` columns; a word longer than a line is kept whole, never cut."""
    return textwrap.fill(
        text,
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=hang,
        break_long_words=False,
        break_on_hyphens=False,
    )
