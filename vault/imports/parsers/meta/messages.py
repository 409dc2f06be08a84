"""One message as a record: the DYI fields, and what the E2EE schema shares with them.

Meta gives messages no id, so keys are derived here (time plus a hash of who, what and which
files); media uris are resolved to members of the export; Messenger's own notices become service
messages. The E2EE schema (``e2ee``) maps its own field names onto the same helpers.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from vault.custody.models import Finding
from vault.i18n import N_
from vault.imports.parsers import timeutil
from vault.imports.parsers.meta.mojibake import Fixer, Mojibake
from vault.imports.parsers.records import ImportedMedia, ImportedMessage, ImportProblem
from vault.imports.parsers.source import ExportSource, safe_name

# Media lists of a DYI message and the role each becomes.
_MEDIA_FIELDS = (
    ("photos", "photo"),
    ("videos", "video"),
    ("audio_files", "audio"),
    ("files", "file"),
    ("gifs", "gif"),
)

SERVICE_TYPES = frozenset({"call", "unsubscribe", "subscribe"})

# Generic messages that are really notices Messenger wrote itself (English-language exports).
NOTICE = re.compile(
    r"^(?:You are now connected on Messenger"
    r"|You can now (?:message and call|call|message) each other.*"
    r"|Say hi to your new Facebook friend.*"
    r"|.+ named the group .+"
    r"|.+ changed the group (?:photo|name).*"
    r"|.+ (?:added|removed) .+ (?:to|from) the group"
    r"|.+ left the group"
    r"|.+ set (?:the|your|his|her|their|its) (?:own )?nickname.*"
    r"|.+ changed the (?:chat )?theme.*"
    r"|.+ set the (?:quick reaction|emoji) to .+"
    r"|.+ (?:started|joined|ended) (?:a |the )?(?:video chat|video call|call|audio call))\.?$"
)


@dataclass
class Context:
    """What every message of one thread needs besides itself."""

    source: ExportSource
    chat_key: str
    folder: str  # the thread folder's member path
    roots: tuple[str, ...]  # folders a media uri may be relative to, most likely first
    mojibake: Mojibake
    profile_urls: dict[str, str]
    thread_details: dict[str, Any]
    seen: dict[str, int] = field(default_factory=dict)
    thread_name: str = ""  # the thread folder's own name (its uris name it: inbox/NAME/photos/..)

    def unique(self, key: str) -> str:
        """Exact duplicates (same time, sender, text, media) get ":2", ":3" in time order."""
        count = self.seen.get(key, 0) + 1
        self.seen[key] = count
        return key if count == 1 else f"{key}:{count}"


def message_timestamp(message: Any, key: str) -> int | None:
    if not isinstance(message, dict):
        return None
    value = message.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        return int(value)
    return None


def bad_message(name: str, index: int) -> ImportProblem:
    return ImportProblem(
        where=Finding(N_("{where}, message {key}"), where=name, key=index + 1),
        what=Finding(
            N_(
                "This message is not an object with a timestamp, so it could not be read; it was "
                "skipped."
            )
        ),
    )


def participant_names(value: Any, fix: Fixer) -> tuple[str, ...]:
    """Participant names from ``[{"name": ...}]`` (DYI) or ``["..."]`` (E2EE)."""
    if not isinstance(value, list):
        return ()
    names = []
    for item in value:
        raw = item.get("name") if isinstance(item, dict) else item
        if isinstance(raw, str):
            names.append(fix(raw))
    return tuple(names)


def derive_key(stamp: int, sender: str, content: str, uris: list[str]) -> str:
    """Meta gives messages no id: time plus a hash of who, what and which files.

    The hash reads the repaired text, so an export Meta writes correctly later yields the same
    keys as today's mojibake one.
    """
    payload = sender + "\n" + content + "".join("\n" + uri for uri in uris)
    digest = hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{stamp}:{digest[:16]}"


def read_media(context: Context, role: str, item: Any, uris: list[str]) -> ImportedMedia | None:
    if not isinstance(item, dict):
        return None
    uri = item.get("uri")
    if not isinstance(uri, str) or not uri:
        return None
    uris.append(uri)
    name = uri.rstrip("/").rsplit("/", 1)[-1]
    if uri.lower().startswith(("http://", "https://")):
        return ImportedMedia(role, name, None, note="The export links to this file online.")
    path = _resolve(context, uri)
    if path is None:
        return ImportedMedia(role, name, None, note="Named in the export but not included in it.")
    return ImportedMedia(role, name, path)


_SECTION_TAIL = re.compile(
    r"(?:^|/)messages/(?:inbox|archived_threads|filtered_threads|message_requests|e2ee_cutover)/"
    r"(?P<tail>.+)$"
)


def _resolve(context: Context, uri: str) -> str | None:
    """The member a media uri names: against the folder holding the layout folder, then others."""
    candidates = [root + uri for root in context.roots]
    thread = context.thread_name or context.folder.rsplit("/", 1)[-1]
    prefix = f"{context.folder}/" if context.folder else ""
    if thread and f"/{thread}/" in "/" + uri:
        candidates.append(prefix + ("/" + uri).split(f"/{thread}/", 1)[1])
    if context.folder:
        candidates.append(f"{context.folder}/{uri}")
    if tail := _SECTION_TAIL.search(uri):  # a section folder (inbox) imported on its own
        candidates.append(tail["tail"])
    for candidate in candidates:
        name = safe_name(candidate)
        if name is not None and context.source.exists(name):
            return name
    return None


def dyi_message(message: dict[str, Any], stamp: int, context: Context) -> ImportedMessage:
    fix = Fixer(context.mojibake)
    raw_content = message.get("content")
    sender = fix(message.get("sender_name"))
    content = fix(raw_content)
    raw_type = message.get("type")
    message_type = raw_type if isinstance(raw_type, str) else "Generic"

    uris: list[str] = []
    media: list[ImportedMedia] = []
    for key, role in _MEDIA_FIELDS:
        items = message.get(key)
        for item in items if isinstance(items, list) else ():
            found = read_media(context, role, item, uris)
            if found is not None:
                media.append(found)
    sticker = read_media(context, "sticker", message.get("sticker"), uris)
    if sticker is not None:
        media.append(sticker)

    details: dict[str, Any] = {"type": message_type}
    share = message.get("share")
    if isinstance(share, dict):
        details["share"] = _fixed_share(share, fix)
    duration = message.get("call_duration")
    if duration is not None:
        details["call_duration"] = duration
    details["is_unsent"] = message.get("is_unsent") is True
    reactions = read_reactions(message.get("reactions"), "reaction", "actor", fix)
    if reactions:
        details["reactions"] = reactions
    if message.get("is_geoblocked_for_viewer") is True:
        details["is_geoblocked_for_viewer"] = True
    details.update(context.thread_details)
    url = profile_url(context, sender, message.get("sender_name"))
    if url:
        details["sender_profile_url"] = url

    if message_type.lower() in SERVICE_TYPES or (
        message_type == "Generic"
        and not media
        and not isinstance(share, dict)
        and NOTICE.match(content) is not None
    ):
        kind = "service"
    else:
        kind = "message"
    return ImportedMessage(
        chat_key=context.chat_key,
        key=context.unique(derive_key(stamp, sender, content, uris)),
        sender_name=sender,
        sender_id="",
        time=timeutil.from_unix_ms(stamp),
        text=dyi_text(message, fix),
        raw=message,
        kind=kind,
        media=tuple(media),
        transformations=fix.transformations(),
        details=details,
    )


def dyi_text(message: dict[str, Any], fix: Fixer) -> str:
    """The text of one message of a DYI export as the import reads it: its content, a shared
    link and its text, a call, an unsent mark (also read from a stored original by
    ``vault.imports.readable``)."""
    content = fix(message.get("content"))
    raw_type = message.get("type")
    parts = [content] if content else []
    share = message.get("share")
    if isinstance(share, dict):
        share_fixed = _fixed_share(share, fix)
        for part in (share_fixed.get("link"), share_fixed.get("share_text")):
            if isinstance(part, str) and part and part not in parts:
                parts.append(part)
    duration = message.get("call_duration")
    if raw_type == "Call":
        parts.append(f"[call, {duration} s]" if isinstance(duration, int) else "[call]")
    if message.get("is_unsent") is True:
        parts.append("[unsent message]")
    return "\n".join(parts)


def _fixed_share(share: dict[str, Any], fix: Fixer) -> dict[str, Any]:
    return {k: fix(v) if isinstance(v, str) else v for k, v in share.items()}


def profile_url(context: Context, sender: str, raw_sender: Any) -> str:
    """The URL the user attached for this sender, by the name as shown or as exported."""
    url = context.profile_urls.get(sender)
    if url is None and isinstance(raw_sender, str):
        url = context.profile_urls.get(raw_sender)
    return url or ""


def read_reactions(value: Any, what: str, who: str, fix: Fixer) -> list[dict[str, str]]:
    if not isinstance(value, list):
        return []
    return [
        {"reaction": fix(item.get(what)), "actor": fix(item.get(who))}
        for item in value
        if isinstance(item, dict)
    ]
