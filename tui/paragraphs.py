"""Paragraphs filled to an 80-column terminal (the width the app and the guides are made for)."""

from __future__ import annotations

import textwrap
from typing import TextIO

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


def for_terminal(stream: TextIO, text: str, *, first: str = "", hang: str = "  ") -> str:
    """``text`` filled (:func:`fill`) when ``stream`` is a terminal, where a person reads it;
    one line otherwise, so a script that reads messages line by line gets each one whole."""
    isatty = getattr(stream, "isatty", None)
    if text.strip() and isatty is not None and isatty():  # (fill drops ``first`` for no text)
        return fill(text, first=first, hang=hang)
    return first + text
