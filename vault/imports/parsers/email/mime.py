"""The MIME tree of one message: its text, its attachments, and the limits on reading it.

The tree is walked over byte offsets into the one buffer that holds the message, so a nested part
(an attached ``.eml``) keeps exactly the bytes it has in the file. Hostile nesting and part counts
are capped (``limits``): what lies past a cap is noted in ``details["parse_notes"]``, not read.

Choices, so the lead and ``docs/format.md`` can state them:

- Attachments are not files in the export, so ``ImportedMedia.path`` is None and the decoded bytes
  travel in ``details["attachments"]`` (same order as ``media``). Every non-text leaf part counts
  (also inline images without a file name: they may be the threat itself), as do text parts marked
  ``attachment`` and nested ``message/rfc822`` (as ``.eml``, its bytes as in the file).
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from vault.imports.parsers.email import limits
from vault.imports.parsers.email.headers import decode_words, first_value, read_head, unfold
from vault.imports.parsers.email.html_text import html_to_text
from vault.imports.parsers.records import ImportedMedia

_UNSAFE_NAME = re.compile(r"[/\\]")
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


@dataclass
class Walker:
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
        if self.parts > limits.MAX_PARTS:
            if self.parts == limits.MAX_PARTS + 1:
                self.notes.append(
                    f"more than {limits.MAX_PARTS} MIME parts; the rest were not read"
                )
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
                    content = html_to_text(content)
                    self.from_html = True
                content = content.replace("\r\n", "\n").replace("\r", "\n").strip()
                if content:
                    self.texts.append(content)
            return
        self._attach(mime, ctype, _decode_transfer(data, encoding), "")

    def _multipart(
        self, mime: Message, ctype: str, start: int, end: int, *, depth: int, want_text: bool
    ) -> None:
        if depth >= limits.MAX_DEPTH:
            self.notes.append(
                f"MIME parts nested deeper than {limits.MAX_DEPTH}; they were not read"
            )
            return
        boundary = mime.get_boundary()
        ranges = _split_multipart(self.buf, start, end, boundary) if boundary else []
        if not ranges:
            self.notes.append(f"{ctype} without any parts; its body was read as text")
            if want_text and (content := _decode_text(self.buf[start:end], None).strip()):
                self.texts.append(content)
            return
        child_default = "message/rfc822" if ctype == "multipart/digest" else "text/plain"
        children = [(read_head(self.buf, s, e), e) for s, e in ranges]
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
        name = decode_words(str(filename)) if filename else fallback
        name = _clean_name(name) or f"attachment-{len(self.media) + 1}{_EXTENSIONS.get(ctype, '')}"
        note = "decoded from the e-mail; its bytes are in details['attachments']"
        kept: bytes | None = data
        if len(data) > limits.MAX_ATTACHMENT_BYTES:
            # Not extracted (the message's stored original still holds it): reported as missing.
            note = f"larger than {limits.MAX_ATTACHMENT_BYTES >> 20} MiB; not extracted"
            kept = None
        self.media.append(ImportedMedia("attachment", name, None, ctype, note))
        self.files.append({"name": name, "media_type": ctype, "data": kept})


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
            mime[name] = unfold(value)
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


def _nested_name(data: bytes) -> str:
    """``<subject>.eml`` for an attached message without a file name."""
    subject = decode_words(first_value(read_head(data, 0, len(data)).fields, "subject") or "")
    return f"{_clean_name(subject)[:80].strip() or 'message'}.eml"


def _clean_name(name: str) -> str:
    """A file name with no path separators or control characters (it may become a file later)."""
    name = _UNSAFE_NAME.sub("_", name)
    return "".join("_" if unicodedata.category(ch) == "Cc" else ch for ch in name).strip()[:255]
