"""One Telegram message as a record: its key, sender, time, text, reply, details and media.

Choices that affect what is stored (bump ``VERSION`` when one changes):

- A message's ``key`` is its Telegram id, which Telegram never reuses within a chat, so two exports
  of the same chat give the same key for the same message.
- Older exports have only ``date`` (the exporting computer's wall clock): those need the zone that
  computer was set to, and the import stops with a calm error if none was given rather than guess.
- ``reply_to`` is set only for replies within the same chat; a reply to another chat's message
  (``reply_to_peer_id``) is kept in ``details`` instead, so it is never linked to the wrong message.
- ``ImportedMedia.media_type`` is the export's ``mime_type`` when it gives one (what a viewer
  needs), else Telegram's own ``media_type``; both are also in ``details``. Thumbnails are not media.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from vault.custody.models import Finding
from vault.errors import InvalidInput
from vault.i18n import N_, _
from vault.imports.parsers import timeutil
from vault.imports.parsers.records import (
    TIME_UNKNOWN,
    ImportedMedia,
    ImportedMessage,
    ImportProblem,
    RawTime,
)
from vault.imports.parsers.source import ExportSource, safe_name
from vault.imports.parsers.telegram.text import (
    flatten_text,
    id_text,
    poll_text,
    service_text,
    text_value,
)

_ROLES = {
    "photo": "photo",
    "voice_message": "voice",
    "video_file": "video",
    "video_message": "video",
    "animation": "gif",
    "sticker": "sticker",
    "audio_file": "audio",
}

# Small extras worth keeping beside the message (the whole object is in ``raw`` anyway).
_DETAIL_KEYS = (
    "via_bot",
    "media_type",
    "mime_type",
    "duration_seconds",
    "action",
    "members",
    "title",
    "message_id",
    "inviter",
    "discard_reason",
    "saved_from",
    "author",
    "forwarded_from_id",
    "reply_to_peer_id",
    "sticker_emoji",
    "performer",
    "width",
    "height",
    "file_size",
    "photo_file_size",
    "self_destruct_period_seconds",
    "contact_information",
    "location_information",
    "live_location_period_seconds",
    "place_name",
    "address",
    "poll",
    "game_title",
    "boosts",
)
_DETAIL_BUDGET = 4000  # characters; a value larger than this stays only in ``raw``


class MessageReader:
    """Turns the message objects of one ``result.json`` into records."""

    def __init__(self, source: ExportSource, name: str, timezone: str | None) -> None:
        self.source = source
        self.name = name
        self.base = name.rpartition("/")[0]
        self.timezone = timezone

    def read(self, raw: Any, chat_key: str, seen: set[str]) -> ImportedMessage | ImportProblem:
        # Where a problem is: made only when there is one (two sentences made for every message
        # cost a twentieth of a big import).
        def where() -> Finding:
            return Finding(N_("{name}, chat {chat}"), name=self.name, chat=chat_key)

        if not isinstance(raw, dict):
            return ImportProblem(
                where(),
                Finding(N_("An entry in the message list is not a message; it was skipped.")),
            )
        msg_id = raw.get("id")
        if not isinstance(msg_id, (int, str)) or isinstance(msg_id, bool) or msg_id == "":
            return ImportProblem(where(), Finding(N_("A message has no id, so it was skipped.")))
        key = id_text(msg_id)
        if key in seen:
            return ImportProblem(
                Finding(N_("{where}, message {key}"), where=where(), key=key),
                Finding(
                    N_("The export lists this message twice; only the first copy was imported.")
                ),
            )
        seen.add(key)

        service = raw.get("type") == "service"
        sender_name, sender_id = _sender(raw, service)

        time = self._time(raw.get("date_unixtime"), raw.get("date"))
        edited: RawTime | None = None
        if raw.get("edited_unixtime") is not None or raw.get("edited") is not None:
            edited = self._time(raw.get("edited_unixtime"), raw.get("edited"))

        text = _text(raw, service, sender_name)

        reply_to = ""
        reply_id = raw.get("reply_to_message_id")
        if reply_id is not None and raw.get("reply_to_peer_id") is None:
            reply_to = id_text(reply_id)

        details = {k: raw[k] for k in _DETAIL_KEYS if k in raw and _small(raw[k])}
        if reply_id is not None and not reply_to:
            details["reply_to_message_id"] = reply_id

        return ImportedMessage(
            chat_key=chat_key,
            key=key,
            sender_name=sender_name,
            sender_id=sender_id,
            time=time,
            text=text,
            raw=raw,
            kind="service" if service else "message",
            reply_to=reply_to,
            forwarded_from=text_value(raw.get("forwarded_from")),
            edited=edited,
            media=tuple(self._media(raw)),
            details=details,
        )

    def _time(self, unix: Any, local: Any) -> RawTime:
        """``*_unixtime`` when exported (absolute); else the wall-clock ``date`` in the declared zone."""
        if unix is not None and not isinstance(unix, (bool, dict, list)):
            return timeutil.from_unix(unix)
        if not isinstance(local, str) or not local:
            return RawTime("", None, TIME_UNKNOWN)
        if self.timezone is None:
            raise InvalidInput(
                _(
                    "{name} comes from an older Telegram Desktop that wrote times in the exporting "
                    "computer's local time. Import again with --timezone set to the zone that computer "
                    "was set to (e.g. Asia/Baku)."
                ).format(name=self.name)
            )
        try:
            moment: datetime | None = datetime.fromisoformat(local)
        except ValueError:
            moment = None
        return timeutil.from_local(local, moment, self.timezone)

    def _media(self, raw: dict[str, Any]) -> Iterator[ImportedMedia]:
        photo = raw.get("photo")
        if isinstance(photo, str) and photo:
            yield self._one_media(photo, "photo", "", "")
        file = raw.get("file")
        if isinstance(file, str) and file:
            tg_type = text_value(raw.get("media_type"))
            mime = text_value(raw.get("mime_type"))
            role = _ROLES.get(tg_type, "file")
            yield self._one_media(file, role, text_value(raw.get("file_name")), mime or tg_type)
        vcard = raw.get("contact_vcard")
        if isinstance(vcard, str) and vcard:
            yield self._one_media(vcard, "file", "", "text/vcard")

    def _one_media(self, path: str, role: str, file_name: str, media_type: str) -> ImportedMedia:
        if path.startswith("("):  # Telegram's own placeholder, e.g. "(File not included. ...)"
            return ImportedMedia(role, file_name, None, media_type, note=path)
        name = file_name or path.replace("\\", "/").rpartition("/")[2]
        member = safe_name(f"{self.base}/{path}" if self.base else path)
        if member is None or not self.source.exists(member):
            return ImportedMedia(role, name, None, media_type, note="not in the export")
        return ImportedMedia(role, name, member, media_type)


def message_text(raw: dict[str, Any]) -> str:
    """The text of one message object as the import read it (what a person reads), e.g. from a
    message's stored original (``vault.imports.readable``)."""
    service = raw.get("type") == "service"
    return _text(raw, service, _sender(raw, service)[0])


def _sender(raw: dict[str, Any], service: bool) -> tuple[str, str]:
    sender_name = text_value(raw.get("from"))
    sender_id = text_value(raw.get("from_id"))
    if service or (not sender_name and not sender_id):
        sender_name = sender_name or text_value(raw.get("actor"))
        sender_id = sender_id or text_value(raw.get("actor_id"))
    return sender_name, sender_id


def _text(raw: dict[str, Any], service: bool, sender_name: str) -> str:
    text = flatten_text(raw.get("text"))
    if not text and isinstance(raw.get("poll"), dict):
        text = poll_text(raw["poll"])
    if service and not text:
        text = service_text(raw, sender_name)
    return text


def _small(value: Any) -> bool:
    """True if ``value`` fits the details budget (bounded walk; never sizes a huge value fully)."""
    budget = _DETAIL_BUDGET
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            budget -= len(item) + 2
        elif isinstance(item, dict):
            budget -= 2 + 4 * len(item)
            for k, v in item.items():
                budget -= len(str(k))
                stack.append(v)
        elif isinstance(item, list):
            budget -= 2 + len(item)
            stack.extend(item)
        else:
            budget -= 8
        if budget < 0:
            return False
    return True
