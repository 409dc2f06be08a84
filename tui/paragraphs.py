"""Paragraphs filled to an 80-column terminal (the width the app and the guides are made for)."""

from __future__ import annotations

import re
import unicodedata
from typing import TextIO

WIDTH = 79  # one column spare: some terminals wrap a line that fills the last column
_SPACES = re.compile(r"[ \t\n\x0b\x0c\r]+")  # where textwrap breaks: ASCII white space only


def fill(text: str, *, first: str = "", hang: str = "") -> str:
    """``text`` after ``first`` on its first line, the next lines indented by ``hang``, filled at
    spaces to :data:`WIDTH` columns; a word longer than a line is kept whole, never cut.

    Columns, not characters, are counted: an emoji or a Chinese or Japanese character takes two
    columns of a terminal and a combining accent none, so a line of threats with emoji fills
    the same 80 columns as one without (``textwrap`` counts characters)."""
    words = [w for w in _SPACES.split(text) if w]
    if not words:
        return ""
    lines: list[str] = []
    line, used = first + words[0], columns(first) + columns(words[0])
    for word in words[1:]:
        size = columns(word)
        if used + 1 + size > WIDTH:
            lines.append(line)
            line, used = hang + word, columns(hang) + size
        else:
            line, used = f"{line} {word}", used + 1 + size
    lines.append(line)
    return "\n".join(lines)


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes (East Asian wide and full-width characters two,
    combining marks and zero-width characters none)."""
    if text.isascii():
        return len(text)
    return sum(
        0
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf")
        else 2
        if unicodedata.east_asian_width(c) in ("W", "F")
        else 1
        for c in text
    )


def for_terminal(stream: TextIO, text: str, *, first: str = "", hang: str = "  ") -> str:
    """``text`` filled (:func:`fill`) when ``stream`` is a terminal, where a person reads it;
    one line otherwise, so a script that reads messages line by line gets each one whole."""
    if text.strip() and is_terminal(stream):  # (fill drops ``first`` for no text)
        return fill(text, first=first, hang=hang)
    return first + text


def is_terminal(stream: TextIO) -> bool:
    """Whether a person reads ``stream`` on a terminal (not a pipe or a file)."""
    isatty = getattr(stream, "isatty", None)
    return isatty is not None and bool(isatty())


def lines_for_terminal(stream: TextIO, text: str) -> str:
    """``text`` with each of its lines filled on a terminal (:func:`for_terminal`), except lines
    that start with a space: those hold a key, a code or an aligned list and are kept as they
    are. In a pipe, ``text`` unchanged."""
    return "\n".join(
        line if not line or line[0].isspace() else for_terminal(stream, line, hang="")
        for line in text.split("\n")
    )
