"""Untrusted text made safe for a terminal: the one function every front end prints through.

Titles, sender names, chat titles, case names, file names and bundle ids come from the people
threatening the defender, or from a forger: a bundle whose title holds ``ESC[2J`` and a redrawn fake
report, or OSC 52 (write the clipboard) and OSC 0 (the window title), would otherwise be obeyed by the
terminal. So every control character (C0, DEL, C1), every bidirectional override, embedding,
isolate and mark (which reorder what is shown, e.g. U+202E), and the line and paragraph separators
are shown visibly as ``\\x1b`` or ``\\u202e``: the text stays readable and nothing in it can act.

A line (a title, a name) also shows its own newlines, tabs and carriage returns as ``\\n``, ``\\t``
and ``\\r``, so it cannot fake a line of the report. A block (a message, an error sentence) keeps
its newlines and tabs. For JSON, the same characters become ``\\uXXXX`` escapes: the same string to
a program, inert on a screen.
"""

from __future__ import annotations

import re
from typing import TextIO

# C0 controls, DEL, C1 controls, Arabic letter mark, LRM/RLM, line and paragraph separators,
# LRE/RLE/PDF/LRO/RLO, LRI/RLI/FSI/PDI, and the interlinear annotation controls.
_UNSAFE = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufff9-\ufffb"
_LINE_RE = re.compile(f"[{_UNSAFE}]")
_BLOCK_RE = re.compile(f"(?![\n\t])[{_UNSAFE}]")
_JSON_RE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufff9-\ufffb]"
)
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_text(text: str, *, multiline: bool = False) -> str:
    """``text`` with every character that could act on a terminal shown visibly instead.

    ``multiline`` keeps newlines and tabs (a message, a paragraph of ours); otherwise they are shown
    too, so a value printed on one line stays on one line.
    """
    if text.isprintable():  # the usual case: nothing to replace
        return text
    return (_BLOCK_RE if multiline else _LINE_RE).sub(_visible, text)


def json_text(serialized: str) -> str:
    """JSON text with DEL, C1 and bidi controls written as ``\\uXXXX`` (``json.dumps`` already
    escapes C0): the same value for a program, nothing a terminal would act on."""
    return _JSON_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", serialized)


class SafeStream:
    """A text stream that passes everything written through :func:`terminal_text` (newlines and
    tabs kept): whatever a command prints, no escape byte reaches the terminal. ``raw`` is the
    stream underneath, for the program's own control of the line (a progress line's ``\\r``)."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        return self.raw.write(terminal_text(text, multiline=True))

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        isatty = getattr(self.raw, "isatty", None)
        try:
            return bool(isatty()) if isatty is not None else False
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        return self.raw.fileno()
