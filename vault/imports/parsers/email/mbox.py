"""mbox mailboxes (Thunderbird, Gmail Takeout, mutt): cut into messages, streamed, one chat each.

A mailbox runs to gigabytes, so it is never read whole, and its separator rules decide which bytes
belong to which message: that is evidence, so the rules are spelled out here.

Choices, so the lead and ``docs/format.md`` can state them:

- mbox ``raw`` is the exact slice of the file after the envelope (``From ``) line, up to but not
  including the one blank line that closes the message in the mbox (that blank line belongs to the
  mbox format, as in Python's ``mailbox``; it is dropped at the end of the file too, so a message
  keeps the same bytes when a later export appends more mail after it). The envelope line goes to
  ``details["mbox_from_line"]`` and the slice's byte offset to ``details["mbox_offset"]``.
- A message starts at a line beginning ``From `` that is the file's first non-blank line (after a
  UTF-8 BOM, which is skipped), or that looks like an envelope line (it carries a clock time,
  ``hh:mm``, or is ``From -`` or ``From address`` alone) and either follows a blank line or is
  followed by a header line (mboxcl files, cut by Content-Length, have no blank line before it).
  So an unquoted "From here ..." in a body (mboxo) does not split a message. ``>From `` quoting is kept
  in ``raw``; the text and attachments are read with one ``>`` removed (mboxrd), noted in
  ``transformations``.
- mbox files are streamed in 256 KiB blocks cut at line breaks, twice (first the headers only, to
  find duplicate Message-IDs; then message by message), never read whole. A message over
  ``MAX_MESSAGE_BYTES`` becomes an ``ImportProblem`` and the rest of the mailbox is still read: one
  huge mail must not cost the defender the whole mailbox.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from vault.custody.models import Finding
from vault.errors import InvalidInput
from vault.i18n import N_, _
from vault.imports.parsers.email import limits
from vault.imports.parsers.email.headers import HEADER_LINE, header_text, message_id, read_head
from vault.imports.parsers.email.message import read_message
from vault.imports.parsers.records import ImportedChat, ImportedMessage, ImportProblem
from vault.imports.parsers.source import ExportSource

_BLOCK = 256 << 10  # bytes read at once from an mbox
_LINE_CHUNK = 1 << 20  # a line longer than this is passed on in pieces (it cannot be a separator)

# Envelope lines as mail programs write them: "From sender Tue Nov 14 08:00:00 2023", Netscape's
# "From - " with or without a date, Gmail Takeout's "From 1844347792267117879@xxx" without one.
# "From Russia with love" (a body line left unquoted) is none of these.
_ENVELOPE = re.compile(rb"From (?:-|\S+ [^\n]*\d:\d\d|\S+@\S+[ \t]*(?:\r?\n|$))")
_BOM = b"\xef\xbb\xbf"


def parse_mbox(
    source: ExportSource, name: str, timezone: str | None, *, single: bool
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    """One mbox is one chat, keyed by its member name."""
    counts: Counter[str] = Counter()
    total = 0
    try:
        with source.open(name) as stream:
            for piece in _split_mbox(stream, head_only=True):
                total += 1
                if piece.data is not None:
                    found_id = message_id(read_head(piece.data, 0, len(piece.data)).fields)
                    if found_id:
                        counts[found_id] += 1
    except _NotMbox:
        if single:
            raise InvalidInput(
                _(
                    '{name} is not an mbox mailbox (it does not start with a "From " line). Export the '
                    "mailbox again as mbox, or save the messages as .eml files."
                ).format(name=name)
            ) from None
        yield ImportProblem(
            name, Finding(N_('This file is not an mbox mailbox (no "From " line); skipped.'))
        )
        return
    if not total:
        if single:
            raise InvalidInput(
                _("{name} holds no messages; there is nothing to import.").format(name=name)
            )
        yield ImportProblem(name, Finding(N_("This mailbox holds no messages.")))
        return
    yield ImportedChat(key=name, title=name, platform="email", kind="mbox")
    used: set[str] = set()
    with source.open(name) as stream:
        for piece in _split_mbox(stream, head_only=False):
            where = Finding(N_("{where}, message {key}"), where=name, key=piece.index)
            if piece.data is None:
                yield ImportProblem(
                    where,
                    Finding.ngettext(
                        "This message is larger than {n} MiB, more than any real e-mail; it was "
                        "skipped.",
                        "This message is larger than {n} MiB, more than any real e-mail; it was "
                        "skipped.",
                        limits.MAX_MESSAGE_BYTES >> 20,
                    ),
                )
                continue
            if piece.kept:
                yield ImportProblem(
                    where,
                    Finding.ngettext(
                        "{n} line(s) in this message start like the envelope line of a new "
                        'message ("From ...") but are neither after a blank line nor before a '
                        "header line; they were kept as part of this message.",
                        "{n} line(s) in this message start like the envelope line of a new "
                        'message ("From ...") but are neither after a blank line nor before a '
                        "header line; they were kept as part of this message.",
                        piece.kept,
                    ),
                )
            yield read_message(
                piece.data,
                chat_key=name,
                where=where,
                counts=counts,
                used=used,
                timezone=timezone,
                extra={
                    "source_member": name,
                    "mbox_from_line": header_text(piece.from_line),
                    "mbox_index": piece.index,
                    "mbox_offset": piece.offset,
                },
                mbox=True,
            )


# ---- cutting ---------------------------------------------------------------------------------


class _NotMbox(Exception):
    """The file does not start with an envelope line."""


@dataclass(frozen=True)
class _Cut:
    """One message as cut out of an mbox."""

    index: int  # 1-based position in the mbox
    from_line: bytes  # envelope line, without its line ending
    offset: int  # byte offset of the message's first byte in the file
    data: bytes | None  # None when the message is over the cap
    kept: int = 0  # lines inside it that look like an envelope but were not taken as one


def _split_mbox(stream: io.RawIOBase, *, head_only: bool) -> Iterator[_Cut]:
    """Cut an mbox into messages, reading it block by block; ``head_only`` keeps just the headers.

    Blocks are cut at their last line break, so every region handed to the cutter is whole lines
    (a line longer than ``_LINE_CHUNK`` is passed on in pieces and can never be a separator).
    """
    cutter = _MboxCutter(head_only)
    carry = b""
    chunk = stream.read(_BLOCK) or b""
    if chunk.startswith(_BOM):  # a BOM before the first envelope line is no part of any message
        chunk = chunk[len(_BOM) :] or stream.read(_BLOCK) or b""
        cutter.offset = len(_BOM)
    while True:
        data = carry + chunk if carry else chunk
        if not chunk:
            if data:
                cutter.lookahead = b""
                yield from cutter.feed(data)
            break
        last = data.rfind(b"\n")
        if last >= 0:
            carry = data[last + 1 :]
            cutter.lookahead = carry  # the start of the line after the region
            yield from cutter.feed(data[: last + 1])
        elif len(data) > _LINE_CHUNK:
            carry = b""
            cutter.feed_partial(data)
        else:
            carry = data
        chunk = stream.read(_BLOCK) or b""
    yield from cutter.finish()


class _MboxCutter:
    """The mbox separator rules, applied to regions of whole lines (see ``_split_mbox``)."""

    def __init__(self, head_only: bool) -> None:
        self.head_only = head_only
        self.offset = 0  # file offset of the next region's first byte
        self.index = 0  # messages started so far
        self.prev_blank = False  # the line before the next region is blank
        self.continuation = False  # the next region starts inside a line
        self.from_line = b""
        self.start = 0
        self.buf = bytearray()
        self.size = 0
        self.over = False
        self.head_done = False
        self.lookahead = b""  # the first bytes after the region being fed (the next line)
        self.kept = 0

    def feed(self, region: bytes) -> Iterator[_Cut]:
        pos = 0
        end = len(region)
        while pos < end:
            sep = self._next_separator(region, pos)
            if sep < 0:
                self._content(region[pos:])
                break
            self._content(region[pos:sep])
            newline = region.find(b"\n", sep)
            line_end = end if newline < 0 else newline + 1
            if self.index:
                yield self._cut()
            self.index += 1
            self.from_line = region[sep:line_end].rstrip(b"\r\n")
            self.start = self.offset + line_end
            self.buf = bytearray()
            self.size = 0
            self.over = self.head_done = False
            self.kept = 0
            pos = line_end
        self.prev_blank = _ends_with_blank_line(region) and not (
            self.continuation and region.find(b"\n") == end - 1
        )
        self.continuation = False
        self.offset += end

    def feed_partial(self, piece: bytes) -> None:
        """A piece of one overlong line: content only."""
        self._content(piece)
        self.offset += len(piece)
        self.prev_blank = False
        self.continuation = True

    def finish(self) -> Iterator[_Cut]:
        if self.index:
            yield self._cut()

    def _next_separator(self, region: bytes, pos: int) -> int:
        """Where the next envelope line starts in ``region`` at or after ``pos``, or -1."""
        at = pos if pos or not self.continuation else 1
        while True:
            if at == pos and region.startswith(b"From ", pos):
                candidate = pos
            else:
                found = region.find(b"\nFrom ", max(at - 1, pos))
                if found < 0:
                    return -1
                candidate = found + 1
            if self._is_separator(region, candidate):
                return candidate
            if self.index and _ENVELOPE.match(region, candidate):
                self.kept += 1  # "From - ..." inside a body: kept in it, and said (parse_mbox)
            at = candidate + 1

    def _is_separator(self, region: bytes, at: int) -> bool:
        if not self.index:
            return True  # the first envelope line: only blank lines may come before it
        if at == 0:
            before = self.prev_blank
        else:
            line_start = region.rfind(b"\n", 0, at - 1) + 1
            before = region[line_start:at] in (b"\n", b"\r\n") and not (
                line_start == 0 and self.continuation
            )
        if _ENVELOPE.match(region, at) is None:
            return False
        return before or HEADER_LINE.match(self._line_after(region, at)) is not None

    def _line_after(self, region: bytes, at: int) -> bytes:
        """The start of the line after the one at ``at`` (from the next region at the end)."""
        newline = region.find(b"\n", at)
        if newline < 0:
            return b""
        return region[newline + 1 : newline + 200] if newline + 1 < len(region) else self.lookahead

    def _content(self, piece: bytes) -> None:
        if not piece:
            return
        if not self.index:
            if piece.strip(b"\r\n"):
                raise _NotMbox
            return
        self.size += len(piece)
        if self.over:
            return
        if self.size > limits.MAX_MESSAGE_BYTES:
            self.over = True
            self.buf = bytearray()
        elif not self.head_only:
            self.buf += piece
        elif not self.head_done:
            self.buf += piece
            self.head_done = (
                len(self.buf) > limits.HEAD_PEEK
                or b"\n\n" in self.buf
                or b"\n\r\n" in self.buf
                or self.buf.startswith((b"\n", b"\r\n"))
            )

    def _cut(self) -> _Cut:
        if self.over:
            return _Cut(self.index, self.from_line, self.start, None, self.kept)
        data = bytes(self.buf)
        self.buf = bytearray()
        if not self.head_only:
            if data == b"\r\n" or data.endswith(b"\n\r\n"):
                data = data[:-2]
            elif data == b"\n" or data.endswith(b"\n\n"):
                data = data[:-1]
        return _Cut(self.index, self.from_line, self.start, data, self.kept)


def _ends_with_blank_line(region: bytes) -> bool:
    return region in (b"\n", b"\r\n") or region.endswith((b"\n\n", b"\n\r\n"))
