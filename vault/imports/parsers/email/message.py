"""One message's record, from its exact bytes: whether it is mail at all, its key, its fields.

Both kinds of file end here (a ``.eml`` is one message, an mbox is cut into them), so a message
reads the same whichever file it came in. ``raw`` is always the bytes as in the file; a message
that is not mail or cannot be read becomes an ``ImportProblem``, never a failed import.

Choices, so the lead and ``docs/format.md`` can state them:

- ``key`` is the Message-ID (without ``<>``) when it occurs once in its chat, else
  ``sha256(raw)[:24]``. A byte-identical copy of a message in the same chat is reported and kept
  once.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Any

from vault.custody.models import Finding
from vault.i18n import N_
from vault.imports.parsers.email.headers import (
    MAIL_HEADERS,
    MSG_ID,
    Head,
    addresses,
    all_values,
    decode_words,
    dkim,
    first_value,
    header_text,
    message_id,
    parse_date,
    read_head,
    unfold,
)
from vault.imports.parsers.email.mime import Walker
from vault.imports.parsers.records import ImportedMessage, ImportProblem

_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def read_message(
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
    head = read_head(buf, 0, len(buf), envelope=not mbox)
    if not {n.lower() for n, _ in head.fields} & MAIL_HEADERS:
        return ImportProblem(
            where, Finding(N_("This does not look like an e-mail message; it was skipped."))
        )
    try:
        return _build(raw, buf, head, chat_key, counts, used, timezone, extra, transformations)
    except _Duplicate:
        return ImportProblem(
            where,
            Finding(N_("This message is an exact copy of an earlier one here; it was kept once.")),
        )
    except (ValueError, LookupError, IndexError, RecursionError):
        return ImportProblem(
            where, Finding(N_("This message could not be read (damaged MIME structure)."))
        )


class _Duplicate(Exception):
    """The message's key was already used in this chat (a byte-identical copy)."""


def _build(
    raw: bytes,
    buf: bytes,
    head: Head,
    chat_key: str,
    counts: Counter[str],
    used: set[str],
    timezone: str | None,
    extra: dict[str, Any],
    transformations: list[str],
) -> ImportedMessage:
    fields = head.fields
    found_id = message_id(fields)
    if found_id is not None and counts.get(found_id, 0) == 1:
        key = found_id
    else:
        key = hashlib.sha256(raw).hexdigest()[:24]
    if key in used:
        raise _Duplicate
    used.add(key)

    subject = decode_words(first_value(fields, "subject") or "").strip()
    senders = addresses(fields, "from")
    sender_name, sender_id = senders[0] if senders else ("", "")
    to, cc = addresses(fields, "to"), addresses(fields, "cc")
    in_reply_to = unfold(first_value(fields, "in-reply-to") or "").strip()
    replied = MSG_ID.findall(in_reply_to)

    walker = Walker(buf)
    walker.walk(fields, head.body_start, len(buf), depth=0, want_text=True)
    if walker.from_html:
        transformations.append("text-from-html: HTML parts read as text with the tags removed")
    body = "\n\n".join(walker.texts)
    text = "\n\n".join(part for part in (subject, body) if part)

    details: dict[str, Any] = {
        "headers": [[n, v] for n, v in fields],
        "message_id": unfold(first_value(fields, "message-id") or "").strip(),
        "in_reply_to": in_reply_to,
        "references": MSG_ID.findall(unfold(first_value(fields, "references") or "")),
        "return_path": unfold(first_value(fields, "return-path") or "").strip(),
        "reply_to": [list(pair) for pair in addresses(fields, "reply-to")],
        "received": [unfold(v).strip() for v in all_values(fields, "received")],
        "authentication_results": [
            unfold(v).strip() for v in all_values(fields, "authentication-results")
        ],
        "dkim_signature": dkim(fields),
        "from": [list(pair) for pair in senders],
        "to": [list(pair) for pair in to],
        "cc": [list(pair) for pair in cc],
        "date": unfold(first_value(fields, "date") or "").strip(),
        "attachments": walker.files,
        **extra,
    }
    if head.envelope is not None:
        details["mbox_from_line"] = header_text(head.envelope)
    if walker.notes:
        details["parse_notes"] = walker.notes
    return ImportedMessage(
        chat_key=chat_key,
        key=key,
        sender_name=sender_name,
        sender_id=sender_id,
        time=parse_date(first_value(fields, "date"), timezone),
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
