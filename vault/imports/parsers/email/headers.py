"""Header blocks and header values: reading fields as written, decoding them, and the Date.

The headers are the part of an e-mail an expert reads first (the route, the signatures, the
verdicts), so they are read from the file's bytes here, exactly as the stdlib parser would find
them, and kept as written; only the copies surfaced for people are decoded and unfolded.

Choices, so the lead and ``docs/format.md`` can state them:

- Header values (``details["headers"]``) are decoded from the file's bytes as UTF-8 when they are
  valid UTF-8 (RFC 6532), otherwise as latin-1 (one character per byte, nothing lost); folding is
  kept as written. The surfaced copies (``received``, ``authentication_results``, ...) are unfolded.
- ``Date`` with an offset is an absolute time. ``-0000`` is UTC too (RFC 5322 section 3.3: UTC,
  local zone not known). A date without any zone is read in the declared zone, else unknown.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from vault.imports.parsers import timeutil
from vault.imports.parsers.records import TIME_FROM_EXPORT, TIME_UNKNOWN, RawTime

HEADER_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]+:")  # a field name and colon (RFC 5322 2.2)
MSG_ID = re.compile(r"<([^<>\s]+)>")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")
_MINUS_ZERO = re.compile(r"-0000\s*(\([^)]*\)\s*)?$")

# Headers that make a block of "Name: value" lines an e-mail, not just any text with colons.
MAIL_HEADERS = frozenset(
    {"from", "received", "return-path", "date", "message-id", "delivered-to", "subject", "to"}
)


# ---- header blocks ---------------------------------------------------------------------------


@dataclass
class Head:
    """A header block: fields in order (name, value as written) and where the body starts."""

    fields: list[tuple[str, str]]
    body_start: int
    envelope: bytes | None = None


def read_head(buf: bytes, start: int, end: int, *, envelope: bool = False) -> Head:
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
        match = HEADER_LINE.match(line)
        if match is None:
            break  # no blank line before the body: the body starts here (as in the stdlib)
        if name is not None:
            fields.append((name, _field_value(b"".join(value))))
        name = line[: match.end() - 1].decode("ascii")
        value = [line[match.end() :]]
        pos = line_end
    if name is not None:
        fields.append((name, _field_value(b"".join(value))))
    return Head(fields, pos, found_envelope)


# ---- header values ---------------------------------------------------------------------------


def header_text(data: bytes) -> str:
    """Header bytes as text: UTF-8 when valid (RFC 6532), else latin-1 (lossless)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _field_value(value: bytes) -> str:
    return header_text(value.lstrip(b" \t").rstrip(b"\r\n"))


def unfold(value: str) -> str:
    return _FOLD.sub("", value)


def first_value(fields: list[tuple[str, str]], name: str) -> str | None:
    return next((v for n, v in fields if n.lower() == name), None)


def all_values(fields: list[tuple[str, str]], name: str) -> list[str]:
    return [v for n, v in fields if n.lower() == name]


def message_id(fields: list[tuple[str, str]]) -> str | None:
    """The Message-ID without ``<>``; None when absent, empty or absurdly long."""
    value = unfold(first_value(fields, "message-id") or "").strip()
    match = MSG_ID.search(value)
    found = match.group(1) if match else (value.split() or [""])[0]
    return found if 0 < len(found) <= 998 else None


def addresses(fields: list[tuple[str, str]], name: str) -> list[tuple[str, str]]:
    """(decoded display name, address as written) for every address in the named headers."""
    values = [unfold(v) for v in all_values(fields, name)]
    pairs = getaddresses(values) if values else []
    return [(decode_words(n).strip(), a.strip()) for n, a in pairs if n or a]


def dkim(fields: list[tuple[str, str]]) -> dict[str, Any]:
    """Whether the message is DKIM-signed, and by whom (d=) with which key (s=). Not verified."""
    signatures = []
    for value in all_values(fields, "dkim-signature"):
        tags: dict[str, str] = {}
        for item in unfold(value).split(";"):
            tag, sep, tag_value = item.partition("=")
            if sep:
                tags[tag.strip().lower()] = "".join(tag_value.split())
        signatures.append({"d": tags.get("d", ""), "s": tags.get("s", "")})
    return {"present": bool(signatures), "signatures": signatures}


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded; plain text around them kept.

    Adjacent words in one charset are joined as bytes before decoding, because mailers split a
    UTF-8 character across two words; whitespace between encoded words is dropped (RFC 2047 6.2).
    """
    value = unfold(value)
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


def parse_date(value: str | None, timezone: str | None) -> RawTime:
    """The Date header: an offset makes it absolute; no zone at all needs the declared zone."""
    if value is None:
        return RawTime("", None, TIME_UNKNOWN)
    raw = unfold(value).strip()
    try:
        moment = parsedate_to_datetime(raw)
        if not timeutil.plausible(moment.replace(tzinfo=moment.tzinfo or UTC)):
            return RawTime(raw, None, TIME_UNKNOWN)
        if moment.tzinfo is not None:
            return RawTime(raw, timeutil.format_z(moment), TIME_FROM_EXPORT)
        if _MINUS_ZERO.search(raw):
            return RawTime(raw, timeutil.format_z(moment.replace(tzinfo=UTC)), TIME_FROM_EXPORT)
        return timeutil.from_local(raw, moment, timezone)
    except (TypeError, ValueError, IndexError, OverflowError):
        return RawTime(raw, None, TIME_UNKNOWN)
