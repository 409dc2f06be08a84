"""What an imported message becomes in the vault: its original bytes and their media type, a
title, the reported time of sending, and the details the parser read beside the text.

Pure functions (no database, nothing of the run that calls them), so the rules for what is kept
of a message, byte for byte where the export allows, can be read in one place.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from vault.imports.bounds import Cuts, clean
from vault.imports.parsers.records import TIME_FROM_DECLARED_ZONE, ImportedChat, ImportedMessage


def _json_default(value: object) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(type(value).__name__)


def details_json(details: dict[str, Any]) -> str:
    """What the parser read beside the text (headers, reactions, ...); attachment bytes are items."""
    kept = {k: v for k, v in details.items() if k != "attachments"}
    attachments = details.get("attachments")
    if isinstance(attachments, list):
        kept["attachments"] = [
            {k: v for k, v in a.items() if k != "data"} for a in attachments if isinstance(a, dict)
        ]
    return json.dumps(kept, ensure_ascii=False, default=_json_default, sort_keys=True)


def raw_bytes(raw: Any) -> bytes:
    """The message's original as stored: bytes as they were, text as UTF-8, JSON re-serialised
    (the export file itself is kept byte for byte as the provenance item).

    JSON may hold a lone UTF-16 surrogate (``"\\ud800"``), which no UTF-8 can carry: it is written
    back as that same JSON escape, so the stored JSON still reads as exactly what was exported.
    Every other character is written as before, so the bytes (and hash) of a message without one
    are unchanged. Text from a file is UTF-8 already; one that held undecodable bytes gets them back.
    """
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        try:
            return raw.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return raw.encode("utf-8", "backslashreplace")
    text = json.dumps(raw, ensure_ascii=False, default=_json_default)
    # Inside a JSON string a backslash the text holds is written "\\", so "\\udXXX" is unambiguous.
    return text.encode("utf-8", "backslashreplace")


def raw_media_type(raw: Any) -> str:
    if isinstance(raw, bytes):
        return "message/rfc822"
    if isinstance(raw, str):
        return "text/plain; charset=utf-8"
    return "application/json"


def message_title(message: ImportedMessage) -> str:
    if message.subject:
        text = message.subject
    else:
        text = next((line.strip() for line in message.text.splitlines() if line.strip()), "")
    if not text:
        roles = [m.role for m in message.media]
        text = f"[{', '.join(roles)}]" if roles else f"[{message.kind}]"
    text = clean(text)
    return text if len(text) <= 80 else text[:79] + "…"


def _utc_moment(text: str) -> datetime:
    """``YYYY-MM-DDTHH:MM:SSZ`` as an aware datetime; ``fromisoformat`` where the text has exactly
    that shape (several times cheaper than ``strptime``, which stays for anything else)."""
    shape = text[4] + text[7] + text[10] + text[13] + text[16] + text[19] if len(text) == 20 else ""
    if shape == "--T::Z" and text.isascii():
        try:
            return datetime.fromisoformat(text[:19]).replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def reported_time(message: ImportedMessage) -> tuple[str | None, str | None]:
    """(time text, zone) for the item's "happened" fields: the local time in the declared zone
    when the export gave a local time, else the UTC instant; (None, None) when unknown."""
    time = message.time
    if time.utc is None:
        return None, None
    moment = _utc_moment(time.utc)
    if time.source == TIME_FROM_DECLARED_ZONE and time.zone:
        local = moment.astimezone(ZoneInfo(time.zone)).replace(tzinfo=None)
        return local.isoformat(), time.zone
    return moment.isoformat().replace("+00:00", "Z"), None


def import_details(
    import_id: str, importer: str, chat: ImportedChat, message: ImportedMessage, cuts: Cuts
) -> dict[str, Any]:
    """The import's fields of a message's creation record (docs/format.md §7.4), bounded."""
    details: dict[str, Any] = {
        "import_id": import_id,
        "importer": importer,
        "chat": cuts.bound("chat", chat.key),
        "message_key": cuts.bound("message_key", message.key),
        "time_raw": cuts.bound("time_raw", message.time.raw),
        "time_source": message.time.source,
    }
    if message.transformations:
        details["transformations"] = [
            cuts.bound("transformations", t) for t in message.transformations
        ]
    return {**details, **cuts.details()}


def import_fields(
    chat: ImportedChat, message: ImportedMessage, missing_media: list[dict[str, str]]
) -> tuple[Any, ...]:
    """The ``import_messages`` values between ``import_id`` and ``leaf``, in column order."""
    return (
        chat.platform,
        chat.key,
        chat.title,
        message.key,
        message.sender_name,
        message.sender_id,
        message.time.raw,
        message.time.utc,
        message.time.source,
        message.time.zone,
        message.kind,
        message.reply_to,
        message.forwarded_from,
        message.edited.raw if message.edited is not None else None,
        json.dumps(missing_media, ensure_ascii=False) if missing_media else "[]",
        json.dumps(list(message.transformations), ensure_ascii=False)
        if message.transformations
        else "[]",
        details_json(message.details),
    )
