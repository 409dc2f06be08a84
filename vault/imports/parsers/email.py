"""E-mail: single ``.eml`` messages and ``.mbox`` mailboxes (Thunderbird, Gmail Takeout, mutt).

An e-mail is evidence as bytes: its headers carry the route it took (``Received``), the sending
domain's signature (``DKIM-Signature``) and the receiving server's verdict (``Authentication-
Results``). So ``raw`` is the message exactly as in the file, every header is kept in order, and
nothing is verified here (DKIM needs DNS and the vault is offline): an expert can verify from
``raw`` later, and the vault must not have changed a byte of it.

Choices, so the lead and ``docs/format.md`` can state them:

- mbox ``raw`` is the exact slice of the file after the envelope (``From ``) line, up to but not
  including the one blank line that closes the message in the mbox (that blank line belongs to the
  mbox format, as in Python's ``mailbox``; it is dropped at the end of the file too, so a message
  keeps the same bytes when a later export appends more mail after it). The envelope line goes to
  ``details["mbox_from_line"]`` and the slice's byte offset to ``details["mbox_offset"]``.
- A message starts at a line beginning ``From `` that is the file's first non-blank line, or that
  follows a blank line and looks like an envelope line (it carries a clock time, ``hh:mm``), so an
  unquoted "From here ..." in a body (mboxo) does not split a message. ``>From `` quoting is kept
  in ``raw``; the text and attachments are read with one ``>`` removed (mboxrd), noted in
  ``transformations``.
- mbox files are streamed in 256 KiB blocks cut at line breaks, twice (first the headers only, to
  find duplicate Message-IDs; then message by message), never read whole. A message over ``MAX_MESSAGE_BYTES`` becomes
  an ``ImportProblem`` and the rest of the mailbox is still read: one huge mail must not cost the
  defender the whole mailbox. A lone ``.eml`` over the cap is ``InvalidInput``.
- Header values (``details["headers"]``) are decoded from the file's bytes as UTF-8 when they are
  valid UTF-8 (RFC 6532), otherwise as latin-1 (one character per byte, nothing lost); folding is
  kept as written. The surfaced copies (``received``, ``authentication_results``, ...) are unfolded.
- ``Date`` with an offset is an absolute time. ``-0000`` is UTC too (RFC 5322 section 3.3: UTC,
  local zone not known). A date without any zone is read in the declared zone, else unknown.
- ``key`` is the Message-ID (without ``<>``) when it occurs once in its chat, else
  ``sha256(raw)[:24]``. A byte-identical copy of a message in the same chat is reported and kept once.
- Attachments are not files in the export, so ``ImportedMedia.path`` is None and the decoded bytes
  travel in ``details["attachments"]`` (same order as ``media``). Every non-text leaf part counts
  (also inline images without a file name: they may be the threat itself), as do text parts marked
  ``attachment`` and nested ``message/rfc822`` (as ``.eml``, its bytes as in the file).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from vault.errors import InvalidInput
from vault.imports.parsers import timeutil
from vault.imports.parsers.records import (
    TIME_FROM_EXPORT,
    TIME_UNKNOWN,
    ImportedChat,
    ImportedMedia,
    ImportedMessage,
    ImportProblem,
    RawTime,
)
from vault.imports.parsers.source import ExportSource

IMPORTER = "email"
VERSION = "1"

MAX_MESSAGE_BYTES = 256 << 20  # Gmail refuses mail over 25-50 MB; this leaves room for any real one
MAX_ATTACHMENT_BYTES = 256 << 20  # decoded size of one attachment
MAX_DEPTH = 32  # nested multiparts; deeper ones are not real mail
MAX_PARTS = 10_000  # MIME parts in one message
EML_CHAT = "email"  # the chat that loose .eml files go into

_HEAD_PEEK = 1 << 20  # bytes read to find a Message-ID (first pass) or to sniff a file
_BLOCK = 256 << 10  # bytes read at once from an mbox
_LINE_CHUNK = 1 << 20  # a line longer than this is passed on in pieces (it cannot be a separator)

_HEADER_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]+:")  # a field name and colon (RFC 5322 2.2)
_ENVELOPE = re.compile(rb"From \S+ .*\d:\d\d")  # "From sender Tue Nov 14 08:00:00 2023"
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")
_MSG_ID = re.compile(r"<([^<>\s]+)>")
_MINUS_ZERO = re.compile(r"-0000\s*(\([^)]*\)\s*)?$")
_UNSAFE_NAME = re.compile(r"[/\\]")

# Headers that make a block of "Name: value" lines an e-mail, not just any text with colons.
_MAIL_HEADERS = frozenset(
    {"from", "received", "return-path", "date", "message-id", "delivered-to", "subject", "to"}
)
_ANCHOR_HEADERS = frozenset({"from", "received", "return-path", "date", "message-id"})
_EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/pgp-signature": ".asc",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
    "image/gif": ".gif",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "message/rfc822": ".eml",
    "text/calendar": ".ics",
    "text/html": ".html",
    "text/plain": ".txt",
    "video/mp4": ".mp4",
}


# ---- entry points ----------------------------------------------------------------------------


def detect(source: ExportSource) -> bool:
    """An mbox, a folder/ZIP that is mostly ``.eml`` files, or a lone file that looks like mail.

    "Mostly": a chat export (Telegram ``files/``) may hold one forwarded ``.eml`` among its media;
    that is the other importer's export, not ours.
    """
    names = [n for n in source.names() if not _skipped(n)]
    if any(_is_mbox(n) for n in names):
        return True
    emls = sum(1 for n in names if _is_eml(n))
    if emls:
        return 2 * emls >= len(names)
    if source.kind != "file" or not names:
        return False
    head = _peek(source, names[0], 64 << 10)
    return _sniff_mbox(head) or _sniff_eml(head)


def parse(
    source: ExportSource, *, timezone: str | None = None, **options: object
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    """Loose ``.eml`` files first (one chat, ``email``), then each mbox as its own chat."""
    if timezone is not None:
        timeutil.zone(timezone)  # a mistyped zone fails before anything is read
    if source.kind == "file":
        name = source.names()[0]
        if _is_mbox(name) or (not _is_eml(name) and _sniff_mbox(_peek(source, name, _HEAD_PEEK))):
            yield from _parse_mbox(source, name, timezone, single=True)
        else:
            yield from _parse_emls(source, [name], timezone, single=True)
        return
    emls = [n for n in source.names() if _is_eml(n)]
    mboxes = [n for n in source.names() if _is_mbox(n)]
    if not emls and not mboxes:
        raise InvalidInput(
            f"{source.path.name} holds no .eml or .mbox files. Save the messages as .eml files "
            "or export the mailbox as mbox, then try again."
        )
    if emls:
        yield from _parse_emls(source, emls, timezone, single=False)
    for name in mboxes:
        yield from _parse_mbox(source, name, timezone, single=False)


# ---- .eml ------------------------------------------------------------------------------------


def _parse_emls(
    source: ExportSource, names: list[str], timezone: str | None, *, single: bool
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    """Each file is one message; all of them form the chat ``email``."""
    counts: Counter[str] = Counter()
    for name in names:
        if source.members[name].size <= MAX_MESSAGE_BYTES:
            head = _peek(source, name, _HEAD_PEEK)
            message_id = _message_id(_read_head(head, 0, len(head), envelope=True).fields)
            if message_id:
                counts[message_id] += 1
    used: set[str] = set()
    chat_sent = False
    for name in names:
        if source.members[name].size > MAX_MESSAGE_BYTES:
            what = f"is larger than {MAX_MESSAGE_BYTES >> 20} MiB, more than any real e-mail"
            if single:
                raise InvalidInput(f"{name} {what}; it was refused.")
            yield ImportProblem(name, f"This file {what}; it was skipped.")
            continue
        raw = source.read(name, MAX_MESSAGE_BYTES)
        result = _message(
            raw,
            chat_key=EML_CHAT,
            where=name,
            counts=counts,
            used=used,
            timezone=timezone,
            extra={"source_member": name},
            mbox=False,
        )
        if single and isinstance(result, ImportProblem):
            raise InvalidInput(
                f"{name} does not look like an e-mail message. Save the mail again as .eml "
                "(or export the mailbox as mbox) and try again."
            )
        if isinstance(result, ImportedMessage) and not chat_sent:
            yield ImportedChat(key=EML_CHAT, title=EML_CHAT, platform="email", kind="eml")
            chat_sent = True
        yield result


# ---- mbox ------------------------------------------------------------------------------------


class _NotMbox(Exception):
    """The file does not start with an envelope line."""


@dataclass(frozen=True)
class _Cut:
    """One message as cut out of an mbox."""

    index: int  # 1-based position in the mbox
    from_line: bytes  # envelope line, without its line ending
    offset: int  # byte offset of the message's first byte in the file
    data: bytes | None  # None when the message is over the cap


def _split_mbox(stream: io.RawIOBase, *, head_only: bool) -> Iterator[_Cut]:
    """Cut an mbox into messages, reading it block by block; ``head_only`` keeps just the headers.

    Blocks are cut at their last line break, so every region handed to the cutter is whole lines
    (a line longer than ``_LINE_CHUNK`` is passed on in pieces and can never be a separator).
    """
    cutter = _MboxCutter(head_only)
    carry = b""
    while True:
        chunk = stream.read(_BLOCK) or b""
        data = carry + chunk if carry else chunk
        if not chunk:
            if data:
                yield from cutter.feed(data)
            break
        last = data.rfind(b"\n")
        if last >= 0:
            carry = data[last + 1 :]
            yield from cutter.feed(data[: last + 1])
        elif len(data) > _LINE_CHUNK:
            carry = b""
            cutter.feed_partial(data)
        else:
            carry = data
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
        return before and _ENVELOPE.match(region, at) is not None

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
        if self.size > MAX_MESSAGE_BYTES:
            self.over = True
            self.buf = bytearray()
        elif not self.head_only:
            self.buf += piece
        elif not self.head_done:
            self.buf += piece
            self.head_done = (
                len(self.buf) > _HEAD_PEEK
                or b"\n\n" in self.buf
                or b"\n\r\n" in self.buf
                or self.buf.startswith((b"\n", b"\r\n"))
            )

    def _cut(self) -> _Cut:
        if self.over:
            return _Cut(self.index, self.from_line, self.start, None)
        data = bytes(self.buf)
        self.buf = bytearray()
        if not self.head_only:
            if data == b"\r\n" or data.endswith(b"\n\r\n"):
                data = data[:-2]
            elif data == b"\n" or data.endswith(b"\n\n"):
                data = data[:-1]
        return _Cut(self.index, self.from_line, self.start, data)


def _ends_with_blank_line(region: bytes) -> bool:
    return region in (b"\n", b"\r\n") or region.endswith((b"\n\n", b"\n\r\n"))


def _parse_mbox(
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
                    message_id = _message_id(_read_head(piece.data, 0, len(piece.data)).fields)
                    if message_id:
                        counts[message_id] += 1
    except _NotMbox:
        if single:
            raise InvalidInput(
                f'{name} is not an mbox mailbox (it does not start with a "From " line). '
                "Export the mailbox again as mbox, or save the messages as .eml files."
            ) from None
        yield ImportProblem(name, 'This file is not an mbox mailbox (no "From " line); skipped.')
        return
    if not total:
        if single:
            raise InvalidInput(f"{name} holds no messages; there is nothing to import.")
        yield ImportProblem(name, "This mailbox holds no messages.")
        return
    yield ImportedChat(key=name, title=name, platform="email", kind="mbox")
    used: set[str] = set()
    with source.open(name) as stream:
        for piece in _split_mbox(stream, head_only=False):
            where = f"{name}, message {piece.index}"
            if piece.data is None:
                yield ImportProblem(
                    where,
                    f"This message is larger than {MAX_MESSAGE_BYTES >> 20} MiB, more than any "
                    "real e-mail; it was skipped.",
                )
                continue
            yield _message(
                piece.data,
                chat_key=name,
                where=where,
                counts=counts,
                used=used,
                timezone=timezone,
                extra={
                    "source_member": name,
                    "mbox_from_line": _text(piece.from_line),
                    "mbox_index": piece.index,
                    "mbox_offset": piece.offset,
                },
                mbox=True,
            )


# ---- one message -----------------------------------------------------------------------------


@dataclass
class _Head:
    """A header block: fields in order (name, value as written) and where the body starts."""

    fields: list[tuple[str, str]]
    body_start: int
    envelope: bytes | None = None


def _read_head(buf: bytes, start: int, end: int, *, envelope: bool = False) -> _Head:
    """Header fields of the part at ``buf[start:end]``, as the stdlib parser would find them."""
    fields: list[tuple[str, str]] = []
    name: str | None = None
    value: list[bytes] = []
    pos = start
    found_envelope: bytes | None = None
    while pos < end:
        newline = buf.find(b"\n", pos, end)
        line_end = end if newline < 0 else newline + 1
        line = buf[pos:line_end]
        if envelope and pos == start and line.startswith(b"From "):
            found_envelope = line.rstrip(b"\r\n")
            pos = line_end
            continue
        if line in (b"\n", b"\r\n"):
            pos = line_end
            break
        if line[:1] in (b" ", b"\t") and name is not None:
            value.append(line)
            pos = line_end
            continue
        match = _HEADER_LINE.match(line)
        if match is None:
            break  # no blank line before the body: the body starts here (as in the stdlib)
        if name is not None:
            fields.append((name, _field_value(b"".join(value))))
        name = line[: match.end() - 1].decode("ascii")
        value = [line[match.end() :]]
        pos = line_end
    if name is not None:
        fields.append((name, _field_value(b"".join(value))))
    return _Head(fields, pos, found_envelope)


def _message(
    raw: bytes,
    *,
    chat_key: str,
    where: str,
    counts: Counter[str],
    used: set[str],
    timezone: str | None,
    extra: dict[str, Any],
    mbox: bool,
) -> ImportedMessage | ImportProblem:
    """One message's record, or a problem when it is not mail or cannot be read."""
    buf = raw
    transformations: list[str] = []
    if mbox and _QUOTED_FROM.search(raw):
        buf = _QUOTED_FROM.sub(rb"\1", raw)
        transformations.append("mboxrd-unquoted: '>From ' lines read with one '>' removed")
    head = _read_head(buf, 0, len(buf), envelope=not mbox)
    if not {n.lower() for n, _ in head.fields} & _MAIL_HEADERS:
        return ImportProblem(where, "This does not look like an e-mail message; it was skipped.")
    try:
        return _build(raw, buf, head, chat_key, counts, used, timezone, extra, transformations)
    except _Duplicate:
        return ImportProblem(
            where, "This message is an exact copy of an earlier one here; it was kept once."
        )
    except (ValueError, LookupError, IndexError, RecursionError):
        return ImportProblem(where, "This message could not be read (damaged MIME structure).")


class _Duplicate(Exception):
    """The message's key was already used in this chat (a byte-identical copy)."""


def _build(
    raw: bytes,
    buf: bytes,
    head: _Head,
    chat_key: str,
    counts: Counter[str],
    used: set[str],
    timezone: str | None,
    extra: dict[str, Any],
    transformations: list[str],
) -> ImportedMessage:
    fields = head.fields
    message_id = _message_id(fields)
    if message_id is not None and counts.get(message_id, 0) == 1:
        key = message_id
    else:
        key = hashlib.sha256(raw).hexdigest()[:24]
    if key in used:
        raise _Duplicate
    used.add(key)

    subject = _decode_words(_first(fields, "subject") or "").strip()
    senders = _addresses(fields, "from")
    sender_name, sender_id = senders[0] if senders else ("", "")
    to, cc = _addresses(fields, "to"), _addresses(fields, "cc")
    in_reply_to = _unfold(_first(fields, "in-reply-to") or "").strip()
    replied = _MSG_ID.findall(in_reply_to)

    walker = _Walker(buf)
    walker.walk(fields, head.body_start, len(buf), depth=0, want_text=True)
    if walker.from_html:
        transformations.append("text-from-html: HTML parts read as text with the tags removed")
    body = "\n\n".join(walker.texts)
    text = "\n\n".join(part for part in (subject, body) if part)

    details: dict[str, Any] = {
        "headers": [[n, v] for n, v in fields],
        "message_id": _unfold(_first(fields, "message-id") or "").strip(),
        "in_reply_to": in_reply_to,
        "references": _MSG_ID.findall(_unfold(_first(fields, "references") or "")),
        "return_path": _unfold(_first(fields, "return-path") or "").strip(),
        "reply_to": [list(pair) for pair in _addresses(fields, "reply-to")],
        "received": [_unfold(v).strip() for v in _all(fields, "received")],
        "authentication_results": [
            _unfold(v).strip() for v in _all(fields, "authentication-results")
        ],
        "dkim_signature": _dkim(fields),
        "from": [list(pair) for pair in senders],
        "to": [list(pair) for pair in to],
        "cc": [list(pair) for pair in cc],
        "date": _unfold(_first(fields, "date") or "").strip(),
        "attachments": walker.files,
        **extra,
    }
    if head.envelope is not None:
        details["mbox_from_line"] = _text(head.envelope)
    if walker.notes:
        details["parse_notes"] = walker.notes
    return ImportedMessage(
        chat_key=chat_key,
        key=key,
        sender_name=sender_name,
        sender_id=sender_id,
        time=_date(_first(fields, "date"), timezone),
        text=text,
        raw=raw,
        kind="email",
        reply_to=replied[0] if replied else "",
        media=tuple(walker.media),
        subject=subject,
        recipients=tuple(addr for _, addr in to + cc if addr),
        transformations=tuple(transformations),
        details=details,
    )


# ---- MIME ------------------------------------------------------------------------------------


@dataclass
class _Walker:
    """Walks the MIME tree over byte offsets into one buffer, so nested parts keep exact bytes."""

    buf: bytes
    texts: list[str] = field(default_factory=list)
    media: list[ImportedMedia] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    from_html: bool = False
    parts: int = 0

    def walk(
        self,
        fields: list[tuple[str, str]],
        start: int,
        end: int,
        *,
        depth: int,
        want_text: bool,
        default_type: str = "text/plain",
    ) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            if self.parts == MAX_PARTS + 1:
                self.notes.append(f"more than {MAX_PARTS} MIME parts; the rest were not read")
            return
        mime = _mime(fields, default_type)
        ctype = mime.get_content_type()
        if ctype.startswith("multipart/"):
            self._multipart(mime, ctype, start, end, depth=depth, want_text=want_text)
            return
        data = self.buf[start:end]
        encoding = str(mime.get("content-transfer-encoding", "")).strip().lower()
        if ctype in ("message/rfc822", "message/global"):
            nested = _decode_transfer(data, encoding)
            self._attach(mime, ctype, nested, _nested_name(nested))
            return
        if mime.get_content_disposition() != "attachment" and ctype in ("text/plain", "text/html"):
            if want_text:
                content = _decode_text(_decode_transfer(data, encoding), mime.get_content_charset())
                if ctype == "text/html":
                    content = _html_to_text(content)
                    self.from_html = True
                content = content.replace("\r\n", "\n").replace("\r", "\n").strip()
                if content:
                    self.texts.append(content)
            return
        self._attach(mime, ctype, _decode_transfer(data, encoding), "")

    def _multipart(
        self, mime: Message, ctype: str, start: int, end: int, *, depth: int, want_text: bool
    ) -> None:
        if depth >= MAX_DEPTH:
            self.notes.append(f"MIME parts nested deeper than {MAX_DEPTH}; they were not read")
            return
        boundary = mime.get_boundary()
        ranges = _split_multipart(self.buf, start, end, boundary) if boundary else []
        if not ranges:
            self.notes.append(f"{ctype} without any parts; its body was read as text")
            if want_text and (content := _decode_text(self.buf[start:end], None).strip()):
                self.texts.append(content)
            return
        child_default = "message/rfc822" if ctype == "multipart/digest" else "text/plain"
        children = [(_read_head(self.buf, s, e), e) for s, e in ranges]
        preferred: int | None = None
        if ctype == "multipart/alternative":
            types = [
                _mime(h.fields, child_default).get_content_type() for h, _ in children
            ]  # prefer plain text; fall back to HTML, then to a nested multipart
            for wanted in ("text/plain", "text/html", "multipart/"):
                preferred = next((i for i, t in enumerate(types) if t.startswith(wanted)), None)
                if preferred is not None:
                    break
        for i, (head, child_end) in enumerate(children):
            self.walk(
                head.fields,
                head.body_start,
                child_end,
                depth=depth + 1,
                want_text=want_text and preferred in (None, i),
                default_type=child_default,
            )

    def _attach(self, mime: Message, ctype: str, data: bytes, fallback: str) -> None:
        filename = mime.get_filename()
        name = _decode_words(str(filename)) if filename else fallback
        name = _clean_name(name) or f"attachment-{len(self.media) + 1}{_EXTENSIONS.get(ctype, '')}"
        note = "decoded from the e-mail; its bytes are in details['attachments']"
        if len(data) > MAX_ATTACHMENT_BYTES:
            note = f"larger than {MAX_ATTACHMENT_BYTES >> 20} MiB; not extracted"
            data = b""
        self.media.append(ImportedMedia("attachment", name, None, ctype, note))
        self.files.append({"name": name, "media_type": ctype, "data": data})


def _split_multipart(buf: bytes, start: int, end: int, boundary: str) -> list[tuple[int, int]]:
    """Byte ranges of the parts between ``--boundary`` lines (RFC 2046 5.1.1).

    The line break before a boundary line belongs to the boundary, not to the part. A missing
    closing boundary ends the last part at the end of the body, as the stdlib parser does.
    """
    delimiter = b"--" + boundary.encode("utf-8")
    ranges: list[tuple[int, int]] = []
    part_start: int | None = None
    pos = start
    while (i := buf.find(delimiter, pos, end)) >= 0:
        pos = i + 1
        if i > start and buf[i - 1] not in (10, 13):
            continue
        j = i + len(delimiter)
        closing = buf.startswith(b"--", j, end)
        k = j + 2 if closing else j
        while k < end and buf[k] in (32, 9):
            k += 1
        if k < end and buf[k] not in (10, 13):
            continue
        if part_start is not None:
            part_end = i
            if buf.endswith(b"\r\n", part_start, part_end):
                part_end -= 2
            elif part_end > part_start and buf[part_end - 1] in (10, 13):
                part_end -= 1
            ranges.append((part_start, part_end))
        if closing:
            return ranges
        if buf.startswith(b"\r\n", k, end):
            k += 2
        elif k < end:
            k += 1
        part_start = pos = k
    if part_start is not None:
        ranges.append((part_start, end))
    return ranges


def _mime(fields: list[tuple[str, str]], default_type: str) -> Message:
    """A header-only stdlib ``Message``, for its Content-Type/-Disposition parameter parsing."""
    mime = Message()
    if default_type != "text/plain":
        mime.set_default_type(default_type)
    for name, value in fields:
        if name.lower().startswith("content-"):
            mime[name] = _unfold(value)
    return mime


def _decode_transfer(data: bytes, encoding: str) -> bytes:
    """Undo base64 / quoted-printable; anything else (7bit, 8bit, binary, unknown) is as is."""
    if encoding == "base64":
        try:
            return binascii.a2b_base64(data)
        except binascii.Error:
            cleaned = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
            if len(cleaned) % 4 == 1:
                cleaned = cleaned[:-1]
            return base64.b64decode(cleaned + b"=" * (-len(cleaned) % 4))
    if encoding == "quoted-printable":
        return binascii.a2b_qp(data)
    return data


def _decode_text(data: bytes, charset: str | None) -> str:
    """Bytes of a text part in its declared charset; undeclared: UTF-8, else latin-1."""
    if charset and charset not in ("us-ascii", "ascii"):
        try:
            return data.decode(charset, "replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


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


def _html_to_text(html: str) -> str:
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


def _nested_name(data: bytes) -> str:
    """``<subject>.eml`` for an attached message without a file name."""
    subject = _decode_words(_first(_read_head(data, 0, len(data)).fields, "subject") or "")
    return f"{_clean_name(subject)[:80].strip() or 'message'}.eml"


def _clean_name(name: str) -> str:
    """A file name with no path separators or control characters (it may become a file later)."""
    name = _UNSAFE_NAME.sub("_", name)
    return "".join("_" if unicodedata.category(ch) == "Cc" else ch for ch in name).strip()[:255]


# ---- header values ---------------------------------------------------------------------------


def _text(data: bytes) -> str:
    """Header bytes as text: UTF-8 when valid (RFC 6532), else latin-1 (lossless)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _field_value(value: bytes) -> str:
    return _text(value.lstrip(b" \t").rstrip(b"\r\n"))


def _unfold(value: str) -> str:
    return _FOLD.sub("", value)


def _first(fields: list[tuple[str, str]], name: str) -> str | None:
    return next((v for n, v in fields if n.lower() == name), None)


def _all(fields: list[tuple[str, str]], name: str) -> list[str]:
    return [v for n, v in fields if n.lower() == name]


def _message_id(fields: list[tuple[str, str]]) -> str | None:
    """The Message-ID without ``<>``; None when absent, empty or absurdly long."""
    value = _unfold(_first(fields, "message-id") or "").strip()
    match = _MSG_ID.search(value)
    found = match.group(1) if match else (value.split() or [""])[0]
    return found if 0 < len(found) <= 998 else None


def _addresses(fields: list[tuple[str, str]], name: str) -> list[tuple[str, str]]:
    """(decoded display name, address as written) for every address in the named headers."""
    values = [_unfold(v) for v in _all(fields, name)]
    pairs = getaddresses(values) if values else []
    return [(_decode_words(n).strip(), a.strip()) for n, a in pairs if n or a]


def _dkim(fields: list[tuple[str, str]]) -> dict[str, Any]:
    """Whether the message is DKIM-signed, and by whom (d=) with which key (s=). Not verified."""
    signatures = []
    for value in _all(fields, "dkim-signature"):
        tags: dict[str, str] = {}
        for item in _unfold(value).split(";"):
            tag, sep, tag_value = item.partition("=")
            if sep:
                tags[tag.strip().lower()] = "".join(tag_value.split())
        signatures.append({"d": tags.get("d", ""), "s": tags.get("s", "")})
    return {"present": bool(signatures), "signatures": signatures}


def _decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded; plain text around them kept.

    Adjacent words in one charset are joined as bytes before decoding, because mailers split a
    UTF-8 character across two words; whitespace between encoded words is dropped (RFC 2047 6.2).
    """
    value = _unfold(value)
    out: list[str] = []
    pending = bytearray()  # grows in place: a hostile header may hold a million words
    charset = ""
    pos = 0
    after_word = False

    def flush() -> None:
        if pending:
            try:
                out.append(pending.decode(charset, "replace"))
            except LookupError:
                out.append(pending.decode("utf-8", "replace"))
            pending.clear()

    for match in _ENCODED_WORD.finditer(value):
        gap = value[pos : match.start()]
        if not (after_word and not gap.strip()):
            flush()
            out.append(gap)
        pos = match.end()
        word_charset, kind, payload = match.group(1).lower(), match.group(2), match.group(3)
        try:
            if kind in "bB":
                data = base64.b64decode(payload + "=" * (-len(payload) % 4))
            else:
                data = binascii.a2b_qp(payload.encode("ascii", "replace"), header=True)
        except (binascii.Error, ValueError):
            flush()
            out.append(match.group(0))
            after_word = False
            continue
        if word_charset != charset:
            flush()
            charset = word_charset
        pending += data
        after_word = True
    flush()
    out.append(value[pos:])
    return "".join(out)


def _date(value: str | None, timezone: str | None) -> RawTime:
    """The Date header: an offset makes it absolute; no zone at all needs the declared zone."""
    if value is None:
        return RawTime("", None, TIME_UNKNOWN)
    raw = _unfold(value).strip()
    try:
        moment = parsedate_to_datetime(raw)
        if moment.tzinfo is not None:
            return RawTime(raw, timeutil.format_z(moment), TIME_FROM_EXPORT)
        if _MINUS_ZERO.search(raw):
            return RawTime(raw, timeutil.format_z(moment.replace(tzinfo=UTC)), TIME_FROM_EXPORT)
        return timeutil.from_local(raw, moment, timezone)
    except (TypeError, ValueError, IndexError, OverflowError):
        return RawTime(raw, None, TIME_UNKNOWN)


# ---- names and sniffing ----------------------------------------------------------------------


def _skipped(name: str) -> bool:
    """macOS resource forks (``__MACOSX/``, ``._x.eml``) are not mail."""
    base = name.rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or base.startswith("._")


def _is_eml(name: str) -> bool:
    return name.lower().endswith(".eml") and not _skipped(name)


def _is_mbox(name: str) -> bool:
    return name.lower().endswith(".mbox") and not _skipped(name)


def _peek(source: ExportSource, name: str, size: int) -> bytes:
    chunks: list[bytes] = []
    left = size
    with source.open(name) as stream:
        while left > 0 and (chunk := stream.read(left)):
            chunks.append(chunk)
            left -= len(chunk)
    return b"".join(chunks)


def _sniff_eml(head: bytes) -> bool:
    """Starts with a header line, and the header block has the fields every mail has."""
    if _HEADER_LINE.match(head) is None:
        return False
    names = {n.lower() for n, _ in _read_head(head, 0, len(head)).fields}
    return bool(names & _ANCHOR_HEADERS) and len(names & _MAIL_HEADERS) >= 2


def _sniff_mbox(head: bytes) -> bool:
    """A ``From `` envelope line followed by a mail header block."""
    if not head.startswith(b"From "):
        return False
    newline = head.find(b"\n")
    return newline >= 0 and _sniff_eml(head[newline + 1 :])
