"""Telling mail files apart: by their names (``.eml``, ``.mbox``), and by their first bytes.

Kept apart because ``detect`` must be cheap (names and the first bytes only), and because an mbox
saved without its extension (``Inbox``) is still a mailbox: the same sniffing decides how a lone
file is read.
"""

from __future__ import annotations

from vault.imports.parsers.email.headers import HEADER_LINE, MAIL_HEADERS, read_head
from vault.imports.parsers.source import ExportSource

_ANCHOR_HEADERS = frozenset({"from", "received", "return-path", "date", "message-id"})


def skipped(name: str) -> bool:
    """macOS resource forks (``__MACOSX/``, ``._x.eml``) are not mail."""
    base = name.rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or base.startswith("._")


def is_eml(name: str) -> bool:
    return name.lower().endswith(".eml") and not skipped(name)


def is_mbox(name: str) -> bool:
    return name.lower().endswith(".mbox") and not skipped(name)


def peek(source: ExportSource, name: str, size: int) -> bytes:
    chunks: list[bytes] = []
    left = size
    with source.open(name) as stream:
        while left > 0 and (chunk := stream.read(left)):
            chunks.append(chunk)
            left -= len(chunk)
    return b"".join(chunks)


def sniff_eml(head: bytes) -> bool:
    """Starts with a header line, and the header block has the fields every mail has."""
    if HEADER_LINE.match(head) is None:
        return False
    names = {n.lower() for n, _ in read_head(head, 0, len(head)).fields}
    return bool(names & _ANCHOR_HEADERS) and len(names & MAIL_HEADERS) >= 2


def sniff_mbox(head: bytes) -> bool:
    """A ``From `` envelope line (after a UTF-8 BOM, if any) followed by a mail header block."""
    head = head.removeprefix(b"\xef\xbb\xbf")
    if not head.startswith(b"From "):
        return False
    newline = head.find(b"\n")
    return newline >= 0 and sniff_eml(head[newline + 1 :])
