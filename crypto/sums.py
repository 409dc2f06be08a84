"""SHA256SUMS: the `sha256sum -c` list that both bundle signatures cover.

Written strictly ("<64 lower-case hex>  <name>\\n", sorted by name) and read strictly: a reader
refuses anything else, so there is exactly one valid byte form for a given set of files.
"""

from __future__ import annotations

import re

from crypto.errors import FormatError

_LINE_RE = re.compile(r"^([0-9a-f]{64})  ([\x21-\x7e][\x20-\x7e]*)$")


def format_sums(entries: dict[str, str]) -> bytes:
    """``entries`` maps member name → SHA-256 hex."""
    lines = []
    for name in sorted(entries):
        digest = entries[name]
        if not _LINE_RE.match(f"{digest}  {name}") or "\n" in name:
            raise ValueError(f"cannot list {name!r} in SHA256SUMS")
        lines.append(f"{digest}  {name}\n")
    return "".join(lines).encode("ascii")


def parse_sums(data: bytes, *, max_bytes: int) -> dict[str, str]:
    """Parse a SHA256SUMS file written by :func:`format_sums`; raise :class:`FormatError`."""
    if len(data) > max_bytes:
        raise FormatError("SHA256SUMS is larger than allowed.")
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise FormatError("SHA256SUMS contains characters that are not allowed.") from None
    if not text.endswith("\n"):
        raise FormatError("SHA256SUMS is not complete (it does not end with a new line).")
    entries: dict[str, str] = {}
    for number, line in enumerate(text[:-1].split("\n"), start=1):
        match = _LINE_RE.match(line)
        if not match:
            raise FormatError(f"Line {number} of SHA256SUMS is not in the expected form.")
        digest, name = match.groups()
        if name in entries:
            raise FormatError(f"SHA256SUMS lists {name} twice.")
        entries[name] = digest
    if list(entries) != sorted(entries):
        raise FormatError("SHA256SUMS is not sorted by name.")
    return entries
