"""Telegram Desktop "machine-readable JSON" exports, read as a stream.

Two layouts exist: a single chat's export (``result.json`` is one chat object: ``name``, ``type``,
``id``, ``messages``) and a full-account export (``result.json`` holds ``chats.list`` and
``left_chats.list``, each a list of such chat objects). Either may be a folder, a ZIP of it (with
``result.json`` at any depth), or ``result.json`` alone. Media paths in the JSON are relative to the
folder that holds ``result.json``.

A busy chat's ``result.json`` runs to hundreds of megabytes, so it is never loaded whole: the JSON is
read as ``ijson`` events, and only one message at a time is built into a dict. The chat header
(``name``, ``type``, ``id``) comes before ``messages`` in real exports; if it does not, that chat's
messages are held until the header is known, because every chat must be sent before its messages.

Choices that affect what is stored (bump ``VERSION`` when one changes):

- A message's ``key`` is its Telegram id, which Telegram never reuses within a chat, so two exports
  of the same chat give the same key for the same message.
- ``text`` is the export's ``text`` flattened: plain pieces and entity texts joined; a ``text_link``
  (a word linked to a URL) is written as ``word (URL)`` so the hidden address is searchable. An
  empty poll message gets its question and answers as text. A service message with no text reads
  ``[service: <action>] by <actor>`` plus its title and members, if any.
- Older exports have only ``date`` (the exporting computer's wall clock): those need the zone that
  computer was set to, and the import stops with a calm error if none was given rather than guess.
- ``reply_to`` is set only for replies within the same chat; a reply to another chat's message
  (``reply_to_peer_id``) is kept in ``details`` instead, so it is never linked to the wrong message.
- ``ImportedMedia.media_type`` is the export's ``mime_type`` when it gives one (what a viewer
  needs), else Telegram's own ``media_type``; both are also in ``details``. Thumbnails are not media.
- When a ZIP or folder holds several ``result.json`` files, the shallowest one is read (ties: first
  by name) and the others are reported as problems, to be imported separately.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import ijson

from vault.errors import InvalidInput
from vault.imports.parsers import timeutil
from vault.imports.parsers.records import (
    TIME_UNKNOWN,
    ImportedChat,
    ImportedMedia,
    ImportedMessage,
    ImportProblem,
    RawTime,
)
from vault.imports.parsers.source import ExportSource, safe_name

IMPORTER = "telegram"
VERSION = "1"

RESULT_NAME = "result.json"
MAX_DEPTH = 64  # real exports nest about 8 deep; far deeper is a hostile or broken file
DETECT_BYTES = 64 * 1024
_BOM = b"\xef\xbb\xbf"

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

_TELEGRAM_HINT = re.compile(
    rb'"(?:date_unixtime|from_id|actor_id|text_entities|personal_information)"\s*:'
    rb'|"type"\s*:\s*"(?:personal_chat|private_group|private_supergroup|public_supergroup'
    rb"|public_channel|private_channel|saved_messages|bot_chat|replies)\""
)
_CONTAINER_HINT = re.compile(rb'"(?:messages|chats|personal_information)"\s*:')

_STARTS = ("start_map", "start_array")
_ENDS = ("end_map", "end_array")
_SCALARS = ("null", "boolean", "integer", "double", "number", "string")


def _damaged(name: str) -> InvalidInput:
    return InvalidInput(
        f"{name} is damaged or cut short, so it cannot be read as a Telegram export. "
        "Export the chat again from Telegram Desktop and import the new copy."
    )


# ---- finding result.json -------------------------------------------------------------------


def _candidates(source: ExportSource) -> list[str]:
    """The result.json members, shallowest first; for a lone file, that file if it is JSON."""
    if source.kind == "file":
        return [n for n in source.names() if n.lower().endswith(".json")]
    names = source.find(RESULT_NAME)
    return sorted(names, key=lambda n: (n.count("/"), n))


def _head(source: ExportSource, name: str) -> bytes:
    with source.open(name) as stream:
        data = b""
        while len(data) < DETECT_BYTES:
            chunk = stream.read(DETECT_BYTES - len(data))
            if not chunk:
                break
            data += chunk
    return data


def detect(source: ExportSource) -> bool:
    """A result.json whose first 64 KiB reads like a Telegram export (cheap; nothing parsed)."""
    names = _candidates(source)
    if not names:
        return False
    try:
        head = _head(source, names[0])
    except InvalidInput:
        return False
    head = head.removeprefix(_BOM).lstrip()
    return (
        head.startswith(b"{")
        and _CONTAINER_HINT.search(head) is not None
        and _TELEGRAM_HINT.search(head) is not None
    )


# ---- the event stream ----------------------------------------------------------------------


class _Events:
    """ijson events of one file, with JSON errors turned into a calm InvalidInput and depth capped."""

    def __init__(self, stream: io.BufferedIOBase, name: str) -> None:
        self._name = name
        self._it = self._generate(stream)

    def _generate(self, stream: io.BufferedIOBase) -> Iterator[tuple[str, Any]]:
        depth = 0
        try:
            for event, value in ijson.basic_parse(stream, use_float=True):
                if event in _STARTS:
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise InvalidInput(
                            f"{self._name} nests deeper than any Telegram export ({MAX_DEPTH} "
                            "levels), so it was refused. Export the chat again from Telegram Desktop."
                        )
                elif event in _ENDS:
                    depth -= 1
                yield event, value
        except (ijson.JSONError, UnicodeDecodeError):
            raise _damaged(self._name) from None

    def next(self) -> tuple[str, Any]:
        try:
            return next(self._it)
        except StopIteration:
            raise _damaged(self._name) from None

    def finish(self) -> None:
        """Read to the end, so trailing garbage or a cut-off file is still noticed."""
        for _ in self._it:
            raise _damaged(self._name)

    def map_keys(self) -> Iterator[str]:
        """The keys of the map whose ``start_map`` was just read; the caller reads each value."""
        while True:
            event, value = self.next()
            if event == "end_map":
                return
            if event != "map_key":
                raise _damaged(self._name)
            yield str(value)

    def skip(self, event: str) -> None:
        """Consume the rest of a value that began with ``event``."""
        if event not in _STARTS:
            return
        depth = 1
        while depth:
            event, _ = self.next()
            if event in _STARTS:
                depth += 1
            elif event in _ENDS:
                depth -= 1

    def build(self, event: str, value: Any) -> Any:
        """The whole value that began with ``event`` (one message: small), as Python objects."""
        builder = ijson.ObjectBuilder()
        builder.event(event, value)
        if event in _STARTS:
            depth = 1
            while depth:
                event, value = self.next()
                if event in _STARTS:
                    depth += 1
                elif event in _ENDS:
                    depth -= 1
                builder.event(event, value)
        return builder.value


# ---- parsing -------------------------------------------------------------------------------


class _Parser:
    def __init__(self, source: ExportSource, name: str, timezone: str | None) -> None:
        self.source = source
        self.name = name
        self.base = name.rpartition("/")[0]
        self.timezone = timezone
        self.chat_count = 0

    def run(self, events: _Events) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
        event, _ = events.next()
        if event != "start_map":
            raise self._not_telegram()
        found = False
        for item in self._chat_map(events, top=True):
            found = True
            yield item
        events.finish()
        if not found:
            raise self._not_telegram()

    def _not_telegram(self) -> InvalidInput:
        return InvalidInput(
            f"{self.name} holds no Telegram chats. Export the chats again from Telegram Desktop "
            "(Settings › Advanced › Export Telegram data, format: machine-readable JSON)."
        )

    def _chat_map(
        self, events: _Events, *, top: bool
    ) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
        """One chat object (or the top level, which is a chat in a single-chat export)."""
        header: dict[str, Any] = {}
        chat: ImportedChat | None = None
        had_messages = False
        held: list[Any] = []  # messages seen before the chat's id (not in real exports)
        seen: set[str] = set()
        for key in events.map_keys():
            event, value = events.next()
            if key in ("name", "type", "id") and event in _SCALARS:
                header[key] = value
            elif key == "messages" and event == "start_array":
                had_messages = True
                if chat is None and header.get("id") is not None:
                    chat = self._chat(header)
                    yield chat
                while True:
                    event, value = events.next()
                    if event == "end_array":
                        break
                    raw = events.build(event, value)
                    if chat is None:
                        held.append(raw)
                    else:
                        yield self._message(raw, chat.key, seen)
            elif top and key in ("chats", "left_chats") and event == "start_map":
                yield from self._section(events, key)
            else:
                events.skip(event)
        if chat is None and (had_messages or not top):
            if header.get("id") is None:
                self.chat_count += 1
                yield ImportProblem(
                    where=f"{self.name}, chat {self.chat_count}",
                    what=f"This chat has no id, so its {len(held)} messages were not imported.",
                )
                return
            chat = self._chat(header)
            yield chat
        if chat is not None:
            for raw in held:
                yield self._message(raw, chat.key, seen)

    def _section(
        self, events: _Events, section: str
    ) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
        """``chats`` or ``left_chats`` of a full-account export: ``{about, list: [chat, ...]}``."""
        for key in events.map_keys():
            event, _ = events.next()
            if key != "list" or event != "start_array":
                events.skip(event)
                continue
            while True:
                event, _ = events.next()
                if event == "end_array":
                    break
                if event != "start_map":
                    events.skip(event)
                    yield ImportProblem(
                        where=f"{self.name}, {section}",
                        what="An entry in the chat list is not a chat; it was skipped.",
                    )
                    continue
                yield from self._chat_map(events, top=False)

    def _chat(self, header: dict[str, Any]) -> ImportedChat:
        self.chat_count += 1
        kind = header.get("type")
        kind = kind if isinstance(kind, str) else ""
        title = header.get("name")
        if not isinstance(title, str) or not title:
            title = "Saved Messages" if kind == "saved_messages" else "(unnamed chat)"
        return ImportedChat(key=_id_text(header["id"]), title=title, platform="telegram", kind=kind)

    # ---- one message -----------------------------------------------------------------------

    def _message(self, raw: Any, chat_key: str, seen: set[str]) -> ImportedMessage | ImportProblem:
        where = f"{self.name}, chat {chat_key}"
        if not isinstance(raw, dict):
            return ImportProblem(
                where, "An entry in the message list is not a message; it was skipped."
            )
        msg_id = raw.get("id")
        if not isinstance(msg_id, (int, str)) or isinstance(msg_id, bool) or msg_id == "":
            return ImportProblem(where, "A message has no id, so it was skipped.")
        key = _id_text(msg_id)
        where = f"{where}, message {key}"
        if key in seen:
            return ImportProblem(
                where, "The export lists this message twice; only the first copy was imported."
            )
        seen.add(key)

        service = raw.get("type") == "service"
        sender_name = _text_value(raw.get("from"))
        sender_id = _text_value(raw.get("from_id"))
        if service or (not sender_name and not sender_id):
            sender_name = sender_name or _text_value(raw.get("actor"))
            sender_id = sender_id or _text_value(raw.get("actor_id"))

        time = self._time(raw.get("date_unixtime"), raw.get("date"))
        edited: RawTime | None = None
        if raw.get("edited_unixtime") is not None or raw.get("edited") is not None:
            edited = self._time(raw.get("edited_unixtime"), raw.get("edited"))

        text = flatten_text(raw.get("text"))
        if not text and isinstance(raw.get("poll"), dict):
            text = _poll_text(raw["poll"])
        if service and not text:
            text = _service_text(raw, sender_name)

        reply_to = ""
        reply_id = raw.get("reply_to_message_id")
        if reply_id is not None and raw.get("reply_to_peer_id") is None:
            reply_to = _id_text(reply_id)

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
            forwarded_from=_text_value(raw.get("forwarded_from")),
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
                f"{self.name} comes from an older Telegram Desktop that wrote times in the "
                "exporting computer's local time. Import again with --timezone set to the zone that "
                "computer was set to (e.g. Asia/Baku)."
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
            tg_type = _text_value(raw.get("media_type"))
            mime = _text_value(raw.get("mime_type"))
            role = _ROLES.get(tg_type, "file")
            yield self._one_media(file, role, _text_value(raw.get("file_name")), mime or tg_type)
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


# ---- text helpers --------------------------------------------------------------------------


def flatten_text(value: Any) -> str:
    """The export's ``text`` (a string, or a list of strings and entity objects) as plain text."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return ""
    parts: list[str] = []
    for piece in value:
        if isinstance(piece, str):
            parts.append(piece)
        elif isinstance(piece, dict):
            text = piece.get("text")
            text = text if isinstance(text, str) else ""
            parts.append(text)
            href = piece.get("href")
            if piece.get("type") == "text_link" and isinstance(href, str) and href and href != text:
                parts.append(f" ({href})")
    return "".join(parts)


def _poll_text(poll: dict[str, Any]) -> str:
    lines = [_text_value(poll.get("question"))]
    answers = poll.get("answers")
    if isinstance(answers, list):
        lines += [_text_value(a.get("text")) for a in answers if isinstance(a, dict)]
    return "\n".join(line for line in lines if line)


def _service_text(raw: dict[str, Any], actor: str) -> str:
    text = f"[service: {_text_value(raw.get('action')) or 'unknown'}]"
    if actor:
        text += f" by {actor}"
    title = raw.get("title")
    if isinstance(title, str) and title:
        text += f": {title}"
    members = raw.get("members")
    if isinstance(members, list):
        names = [m for m in members if isinstance(m, str) and m]
        if names:
            text += f" (members: {', '.join(names)})"
    return text


def _text_value(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _id_text(value: Any) -> str:
    """A Telegram id as text; ``use_float`` never turns ids into floats, but a file could."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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


# ---- entry point ---------------------------------------------------------------------------


def parse(
    source: ExportSource, *, timezone: str | None = None, **options: Any
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    """Chats and their messages from a Telegram Desktop JSON export, streamed."""
    if timezone is not None:
        timeutil.zone(timezone)  # a mistyped zone fails now, not halfway through
    names = _candidates(source)
    if not names:
        raise InvalidInput(
            "This export has no result.json, so it is not a Telegram Desktop JSON export. "
            "Export again choosing 'Machine-readable JSON', or pick the right importer."
        )
    name = names[0]
    for other in names[1:]:
        yield ImportProblem(
            where=other,
            what=f"The export holds more than one result.json; only {name} was read. "
            "Import the other one separately.",
        )
    with source.open(name) as raw_stream:
        stream = io.BufferedReader(raw_stream, buffer_size=1 << 16)
        if stream.peek(3)[:3] == _BOM:
            stream.read(3)
        yield from _Parser(source, name, timezone).run(_Events(stream, name))
