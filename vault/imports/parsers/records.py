"""What an importer reads out of a platform export, before anything is stored.

Parsers (``telegram``, ``meta``, ``whatsapp``, ``email``) turn an export into a stream of these
records; ``vault.imports.pipeline`` stores them in one transaction. Keeping the two apart means a parser can
be tested on its own, on fixtures, without a vault, and that no parser ever touches the database.

Times keep what the export said (``raw``) beside the UTC time we derived and where that came from,
because a court may ask how "14.11.23, 12:00" became "2023-11-14T08:00:00Z".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Where a normalised UTC time came from.
TIME_FROM_EXPORT = "export-utc"  # the export gave an absolute time (unix time, offset, Z)
TIME_FROM_DECLARED_ZONE = "declared-timezone"  # a local time read in the zone the user declared
TIME_UNKNOWN = "unknown"  # no usable time (missing or unparseable); raw kept


@dataclass(frozen=True)
class RawTime:
    """A timestamp as exported, and the UTC instant we read it as (None when unknown)."""

    raw: str
    utc: str | None  # RFC 3339 UTC with "Z", seconds precision, e.g. "2023-11-14T08:00:00Z"
    source: str  # one of TIME_FROM_*
    zone: str = ""  # IANA zone declared for a local time ("" when not needed)


@dataclass(frozen=True)
class ImportedMedia:
    """A file the export says belongs to a message.

    ``path`` is the member's normalised path inside the export (see ``ExportSource``) when the file
    is really there; ``None`` when the export only names it (Telegram "File not included", WhatsApp
    "<Media omitted>", a name that is not in the zip). A named-but-absent file is recorded, never
    invented.
    """

    role: str  # "photo", "video", "voice", "audio", "sticker", "file", "attachment", "gif"
    name: str  # file name as the export gives it
    path: str | None
    media_type: str = ""  # as the export states it, if it does
    note: str = ""  # e.g. the export's own placeholder text


@dataclass(frozen=True)
class ImportedChat:
    """A conversation (chat, channel, group, thread, mailbox). Sent before its messages."""

    key: str  # stable id of the chat on its platform (Telegram chat id, Meta thread path, ...)
    title: str
    platform: str  # "telegram", "facebook", "messenger", "instagram", "whatsapp", "email"
    kind: str = ""  # as the export names it: "personal_chat", "private_channel", "inbox", ...
    participants: tuple[str, ...] = ()
    section: str = (
        ""  # Meta: "inbox", "archived_threads", "filtered_threads", "message_requests", "e2ee"
    )


@dataclass(frozen=True)
class ImportedMessage:
    """One message, with everything the export said about it.

    ``raw`` is the message exactly as exported: the JSON object (Telegram, Meta), the lines of the
    chat file (WhatsApp), the message bytes (e-mail, as ``bytes``). It is what gets stored as the
    item's content; ``text`` is only the flattened, searchable reading of it.
    """

    chat_key: str
    key: str  # stable within the chat across exports of it (message id; derived when none exists)
    sender_name: str
    sender_id: str  # stable platform id where the export has one (Telegram from_id), else ""
    time: RawTime
    text: str
    raw: Any  # dict / list / str / bytes, as exported
    kind: str = "message"  # "message", "service" (joined, pinned, call, ...), "email"
    reply_to: str = ""  # key of the message replied to
    forwarded_from: str = ""
    edited: RawTime | None = None
    media: tuple[ImportedMedia, ...] = ()
    subject: str = ""  # e-mail subject (decoded)
    recipients: tuple[str, ...] = ()
    transformations: tuple[str, ...] = ()  # e.g. "mojibake-repaired: latin-1 -> utf-8"
    details: dict[str, Any] = field(default_factory=dict)  # importer-specific extras (headers, ...)


@dataclass(frozen=True)
class ImportProblem:
    """Something in the export we could not use; the import continues and reports it."""

    where: str  # e.g. "result.json, message 1043" (never the message text)
    what: str  # one calm sentence
