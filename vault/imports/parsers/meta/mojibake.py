"""Meta's encoding fault ("mojibake"): detected per export, repaired only where it is provable.

Meta writes the UTF-8 bytes of non-ASCII text as ``\\u00XX`` escapes, so after JSON parsing
"Привет" reads "ÐŸÑ€Ð¸Ð²ÐµÑ‚". That is repaired only where it is detectable (see
``repair_mojibake``) and only in an export that shows the fault; every repaired message says so in
``transformations`` and keeps the unrepaired object in ``raw``, because evidence must show what the
platform really handed over.
"""

from __future__ import annotations

from typing import Any

MOJIBAKE_NOTE = "mojibake-repaired: text decoded as UTF-8 from Latin-1 code points"


def repair_mojibake(text: str) -> str:
    """``text`` read back as UTF-8 when it is provably UTF-8 bytes shown as Latin-1, else as is.

    Provable means: nothing above U+00FF (real mojibake never has it), something above U+007F, and
    the Latin-1 bytes decode as strict UTF-8. A genuine "café" fails the last test and stays.
    """
    if text.isascii() or max(text) > "\u00ff":
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return text


class Mojibake:
    """Whether one export shows Meta's encoding fault, decided from the first text that can tell.

    A file with any character above U+00FF was written correctly (mojibake only ever holds
    U+0000-U+00FF); a file whose non-ASCII strings decode as UTF-8 was not. Until a file tells,
    nothing is repaired, which is safe: such files hold nothing repairable.
    """

    def __init__(self) -> None:
        self.present: bool | None = None

    def observe(self, obj: Any) -> None:
        if self.present is not None:
            return
        repairable = False
        stack = [obj]
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                if node.isascii():
                    continue
                if max(node) > "\u00ff":
                    self.present = False
                    return
                if not repairable and repair_mojibake(node) != node:
                    repairable = True
            elif isinstance(node, dict):
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
        if repairable:
            self.present = True


class Fixer:
    """Repairs the strings of one message and remembers whether it changed any."""

    def __init__(self, mojibake: Mojibake) -> None:
        self._on = mojibake.present is True
        self.changed = False

    def __call__(self, value: Any) -> str:
        if not isinstance(value, str):
            return ""
        if not self._on:
            return value
        fixed = repair_mojibake(value)
        if fixed != value:
            self.changed = True
        return fixed

    def transformations(self) -> tuple[str, ...]:
        return (MOJIBAKE_NOTE,) if self.changed else ()
