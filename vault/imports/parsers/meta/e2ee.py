"""Messenger's download of end-to-end-encrypted chats: its own schema, one file per thread.

The files carry camelCase keys no DYI file has, which is how they are recognised (wherever they
sit in the export); each file is one chat, keyed ``e2ee/<file stem>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vault.custody.models import Finding
from vault.i18n import N_
from vault.imports.parsers import timeutil
from vault.imports.parsers.meta.json_files import file_head, load_json
from vault.imports.parsers.meta.messages import (
    NOTICE,
    SERVICE_TYPES,
    Context,
    bad_message,
    derive_key,
    message_timestamp,
    participant_names,
    profile_url,
    read_media,
    read_reactions,
)
from vault.imports.parsers.meta.mojibake import Fixer, Mojibake
from vault.imports.parsers.records import (
    ImportedChat,
    ImportedMedia,
    ImportedMessage,
    ImportProblem,
)
from vault.imports.parsers.source import ExportSource

_EXTENSION_ROLES = {
    "jpg": "photo",
    "jpeg": "photo",
    "png": "photo",
    "webp": "photo",
    "heic": "photo",
    "gif": "gif",
    "mp4": "video",
    "mov": "video",
    "webm": "video",
    "m4a": "audio",
    "aac": "audio",
    "mp3": "audio",
    "ogg": "audio",
    "opus": "audio",
    "wav": "audio",
}


def looks_e2ee(head: bytes) -> bool:
    """Messenger's E2EE download uses camelCase keys no DYI file has."""
    return b'"threadName"' in head or (b'"senderName"' in head and b'"timestamp"' in head)


def find_e2ee(source: ExportSource, taken: set[str]) -> list[str]:
    return [
        name
        for name in source.names()
        if name.lower().endswith(".json")
        and name not in taken
        and looks_e2ee(file_head(source, name))
    ]


def parse_e2ee(
    source: ExportSource,
    name: str,
    mojibake: Mojibake,
    profile_urls: dict[str, str],
    used: set[str],
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    obj = load_json(source, name)
    messages = obj.get("messages") if isinstance(obj, dict) else None
    if not isinstance(messages, list):
        yield ImportProblem(
            where=name,
            what=Finding(
                N_(
                    "This file looks like an encrypted-chats file but holds no list of messages; "
                    "it was skipped."
                )
            ),
        )
        return
    mojibake.observe(obj)
    stem = name.rsplit("/", 1)[-1][: -len(".json")]
    chat_key = f"e2ee/{stem}"
    if chat_key in used:
        chat_key = f"e2ee/{name[: -len('.json')]}"
    used.add(chat_key)
    fix = Fixer(mojibake)
    participants = participant_names(obj.get("participants"), fix)
    title = fix(obj.get("threadName")) or ", ".join(participants) or stem
    yield ImportedChat(
        key=chat_key,
        title=title,
        platform="messenger",
        participants=participants,
        section="e2ee",
    )
    folder = name.rsplit("/", 1)[0] if "/" in name else ""
    top = name.split("/", 1)[0] + "/" if "/" in name else ""
    roots = tuple(dict.fromkeys((f"{folder}/" if folder else "", top, "")))
    context = Context(
        source=source,
        chat_key=chat_key,
        folder=folder,
        roots=roots,
        mojibake=mojibake,
        profile_urls=profile_urls,
        thread_details={},
    )
    entries: list[tuple[int, Any]] = []
    for index, message in enumerate(messages):
        stamp = message_timestamp(message, "timestamp")
        if stamp is None:
            yield bad_message(name, index)
        else:
            entries.append((stamp, message))
    entries.sort(key=lambda entry: entry[0])
    for stamp, message in entries:
        yield _e2ee_message(message, stamp, context)


def _e2ee_message(message: dict[str, Any], stamp: int, context: Context) -> ImportedMessage:
    fix = Fixer(context.mojibake)
    sender = fix(message.get("senderName"))
    content = fix(message.get("text"))
    raw_type = message.get("type")
    message_type = raw_type if isinstance(raw_type, str) else ""
    uris: list[str] = []
    media: list[ImportedMedia] = []
    items = message.get("media")
    for item in items if isinstance(items, list) else ():
        uri = item.get("uri") if isinstance(item, dict) else None
        extension = uri.rsplit(".", 1)[-1].lower() if isinstance(uri, str) and "." in uri else ""
        found = read_media(context, _EXTENSION_ROLES.get(extension, "file"), item, uris)
        if found is not None:
            media.append(found)
    unsent = message.get("isUnsent") is True
    details: dict[str, Any] = {"type": message_type, "is_unsent": unsent}
    reactions = read_reactions(message.get("reactions"), "reaction", "actor", fix)
    if reactions:
        details["reactions"] = reactions
    url = profile_url(context, sender, message.get("senderName"))
    if url:
        details["sender_profile_url"] = url
    service = message_type.lower() in SERVICE_TYPES or (
        not media and NOTICE.match(content) is not None
    )
    return ImportedMessage(
        chat_key=context.chat_key,
        key=context.unique(derive_key(stamp, sender, content, uris)),
        sender_name=sender,
        sender_id="",
        time=timeutil.from_unix_ms(stamp),
        text=e2ee_text(message, fix),
        raw=message,
        kind="service" if service else "message",
        media=tuple(media),
        transformations=fix.transformations(),
        details=details,
    )


def e2ee_text(message: dict[str, Any], fix: Fixer) -> str:
    """The text of one message of an end-to-end encrypted chat's export as the import reads it
    (also read from a stored original by ``vault.imports.readable``)."""
    content = fix(message.get("text"))
    parts = [content] if content else []
    if message.get("isUnsent") is True:
        parts.append("[unsent message]")
    return "\n".join(parts)
