"""Facebook, Messenger and Instagram message exports ("Download Your Information", and E2EE chats).

Meta's DYI archive keeps each conversation in a thread folder, ``<section>/<name_id>/``, holding
``message_1.json``, ``message_2.json``, ... with the newest messages first. The folder that holds
the sections has moved over the years (``messages/``, ``your_activity_across_facebook/messages/``,
``your_facebook_activity/messages/``, ``your_instagram_activity/messages/``), and a downloaded zip
often wraps everything in one more top folder, so threads are found by the shape of their path, not
by a fixed prefix. Messenger's separate download of end-to-end-encrypted chats uses another schema
(camelCase keys, one file per thread) and is recognised by its keys.

Meta writes the UTF-8 bytes of non-ASCII text as ``\\u00XX`` escapes, so after JSON parsing
"Привет" reads "ÐŸÑ€Ð¸Ð²ÐµÑ‚". That is repaired only where it is detectable (see
``repair_mojibake``) and only in an export that shows the fault; every repaired message says so in
``transformations`` and keeps the unrepaired object in ``raw``, because evidence must show what the
platform really handed over.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from vault.errors import EvaultError, InvalidInput
from vault.imports.parsers import timeutil
from vault.imports.parsers.records import (
    ImportedChat,
    ImportedMedia,
    ImportedMessage,
    ImportProblem,
)
from vault.imports.parsers.source import ExportSource, safe_name

IMPORTER = "meta"
VERSION = "1"

MAX_FILE_BYTES = 256 << 20  # Meta splits threads at 10,000 messages; no real file comes near this
BATCH_BYTES = 8 << 20  # a thread's files are read together (and sorted as one) up to this size
MAX_DEPTH = 64  # real message files nest 5 deep; anything past this is not an export
HEAD_BYTES = 64 << 10  # how much of a JSON file is read to tell whether it is an E2EE chat
DETECT_JSON_LIMIT = 20  # JSON files whose head detect() reads before giving up

MOJIBAKE_NOTE = "mojibake-repaired: text decoded as UTF-8 from Latin-1 code points"

SECTIONS = ("inbox", "archived_threads", "filtered_threads", "message_requests", "e2ee_cutover")

_THREAD_FILE = re.compile(
    r"^(?P<base>(?:[^/]+/)*?)"
    r"(?P<layout>your_activity_across_facebook/messages|your_facebook_activity/messages"
    r"|your_instagram_activity/messages|messages)/"
    r"(?P<section>" + "|".join(SECTIONS) + r")/"
    r"(?P<thread>[^/]+)/message_(?P<n>[0-9]{1,6})\.json$"
)

# Media lists of a DYI message and the role each becomes.
_MEDIA_FIELDS = (
    ("photos", "photo"),
    ("videos", "video"),
    ("audio_files", "audio"),
    ("files", "file"),
    ("gifs", "gif"),
)

_SERVICE_TYPES = frozenset({"call", "unsubscribe", "subscribe"})

# Generic messages that are really notices Messenger wrote itself (English-language exports).
_NOTICE = re.compile(
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


# ---- mojibake ---------------------------------------------------------------------------------


def repair_mojibake(text: str) -> str:
    """``text`` read back as UTF-8 when it is provably UTF-8 bytes shown as Latin-1, else as is.

    Provable means: nothing above U+00FF (real mojibake never has it), something above U+007F, and
    the Latin-1 bytes decode as strict UTF-8. A genuine "café" fails the last test and stays.
    """
    if text.isascii() or max(text) > "\u00ff":
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return text


class _Mojibake:
    """Whether one export shows Meta's encoding fault, decided from the first text that can tell.

    A file with any character above U+00FF was written correctly (mojibake only ever holds
    U+0000-U+00FF); a file whose non-ASCII strings decode as UTF-8 was not. Until a file tells,
    nothing is repaired, which is safe: such files hold nothing repairable.
    """

    def __init__(self) -> None:
        self.present: bool | None = None

    def observe(self, obj: Any) -> None:
        if self.present is not None:
            return
        repairable = False
        stack = [obj]
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                if node.isascii():
                    continue
                if max(node) > "\u00ff":
                    self.present = False
                    return
                if not repairable and repair_mojibake(node) != node:
                    repairable = True
            elif isinstance(node, dict):
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
        if repairable:
            self.present = True


class _Fixer:
    """Repairs the strings of one message and remembers whether it changed any."""

    def __init__(self, mojibake: _Mojibake) -> None:
        self._on = mojibake.present is True
        self.changed = False

    def __call__(self, value: Any) -> str:
        if not isinstance(value, str):
            return ""
        if not self._on:
            return value
        fixed = repair_mojibake(value)
        if fixed != value:
            self.changed = True
        return fixed

    def transformations(self) -> tuple[str, ...]:
        return (MOJIBAKE_NOTE,) if self.changed else ()


# ---- reading files ----------------------------------------------------------------------------


def _load_json(source: ExportSource, name: str) -> Any:
    """One JSON member, parsed; damaged, absurdly deep or oversized files refuse the export."""
    try:
        data = source.read(name, MAX_FILE_BYTES)
    except zlib.error:  # a damaged deflate stream; ExportSource does not translate this one
        raise InvalidInput(_damaged(name)) from None
    try:
        obj = json.loads(data)
    except RecursionError:
        raise InvalidInput(_too_deep(name)) from None
    except ValueError:
        raise InvalidInput(
            f"{name} is not valid JSON (it is damaged or cut short). Download the export from "
            "Meta again and retry; nothing was imported."
        ) from None
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidInput(_too_deep(name))
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return obj


def _damaged(name: str) -> str:
    return (
        f"{name} inside the export is damaged and cannot be unpacked. Download the export from "
        "Meta again and retry; nothing was imported."
    )


def _too_deep(name: str) -> str:
    return f"{name} is nested far deeper than any Meta export, so it was refused; nothing was imported."


def _head(source: ExportSource, name: str) -> bytes:
    try:
        with source.open(name) as stream:
            return stream.read(HEAD_BYTES) or b""
    except (EvaultError, zlib.error):
        return b""


def _looks_e2ee(head: bytes) -> bool:
    """Messenger's E2EE download uses camelCase keys no DYI file has."""
    return b'"threadName"' in head or (b'"senderName"' in head and b'"timestamp"' in head)


# ---- finding threads --------------------------------------------------------------------------


@dataclass
class _Thread:
    base: str  # folder holding the layout folder ("" or "facebook-jdoe-2024-01-02/")
    layout: str  # "messages", "your_activity_across_facebook/messages", ...
    section: str
    name: str
    files: list[tuple[int, str]] = field(default_factory=list)  # (N of message_N.json, member)

    @property
    def folder(self) -> str:
        return f"{self.base}{self.layout}/{self.section}/{self.name}"


def _find_threads(source: ExportSource) -> list[_Thread]:
    threads: dict[str, _Thread] = {}
    for name in source.names():
        match = _THREAD_FILE.match(name)
        if match is None:
            continue
        base, layout, section, thread = match.group("base", "layout", "section", "thread")
        folder = f"{base}{layout}/{section}/{thread}"
        entry = threads.setdefault(folder, _Thread(base, layout, section, thread))
        entry.files.append((int(match.group("n")), name))
    return [threads[k] for k in sorted(threads)]


def _find_e2ee(source: ExportSource, taken: set[str]) -> list[str]:
    return [
        name
        for name in source.names()
        if name.lower().endswith(".json") and name not in taken and _looks_e2ee(_head(source, name))
    ]


def detect(source: ExportSource) -> bool:
    """True for a DYI export with message threads, or Messenger's E2EE chats download."""
    names = source.names()
    if any(_THREAD_FILE.match(name) for name in names):
        return True
    candidates = [n for n in names if n.lower().endswith(".json")][:DETECT_JSON_LIMIT]
    return any(_looks_e2ee(_head(source, name)) for name in candidates)


def _platform(source: ExportSource, thread: _Thread) -> str:
    """Instagram or Facebook: from the layout folder, else from names around the old layout."""
    if thread.layout.startswith("your_instagram_activity"):
        return "instagram"
    if thread.layout != "messages":
        return "facebook"
    hint = f"{thread.base} {source.path.name}".lower()
    if "instagram" in hint:
        return "instagram"
    if "facebook" in hint:
        return "facebook"
    for name in source.names():
        if not name.startswith(thread.base):
            continue
        rest = name[len(thread.base) :].lower()
        if rest.startswith("messages/"):
            continue
        if "followers_and_following" in rest or "instagram" in rest:
            return "instagram"
    return "facebook"


# ---- parsing ----------------------------------------------------------------------------------


def parse(
    source: ExportSource, *, timezone: str | None = None, **options: Any
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    """Chats and their messages, oldest first within each chat.

    Meta's times are absolute (Unix milliseconds), so ``timezone`` is not needed. ``options`` may
    hold ``profile_urls``: sender name -> profile URL the user attached, kept with each message.
    """
    del timezone
    profile_urls = _profile_urls(options.get("profile_urls"))
    threads = _find_threads(source)
    taken = {name for thread in threads for _, name in thread.files}
    e2ee = _find_e2ee(source, taken)
    if not threads and not e2ee:
        raise InvalidInput(
            f"{source.path.name} does not look like a Facebook, Messenger or Instagram messages "
            "export (no messages/inbox/.../message_1.json was found). Choose the unzipped "
            "'Download Your Information' folder or its zip, in JSON format."
        )
    mojibake = _Mojibake()
    platforms: dict[tuple[str, str], str] = {}
    for thread in threads:
        place = (thread.base, thread.layout)
        if place not in platforms:
            platforms[place] = _platform(source, thread)
        yield from _parse_thread(source, thread, platforms[place], mojibake, profile_urls)
    e2ee_mojibake = _Mojibake()
    used: set[str] = set()
    for name in e2ee:
        yield from _parse_e2ee(source, name, e2ee_mojibake, profile_urls, used)


def _profile_urls(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput("Profile links must be given as pairs of a sender name and a URL.")
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def _batches(source: ExportSource, files: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    """The thread's files oldest first (highest N first), grouped up to ``BATCH_BYTES``.

    A small thread is read whole and sorted as one; a huge one is read a file at a time, relying on
    Meta's order (message_1 newest), so memory stays at one file's worth.
    """
    batches: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    size = 0
    for n, name in sorted(files, reverse=True):
        member_size = source.members[name].size
        if current and size + member_size > BATCH_BYTES:
            batches.append(current)
            current, size = [], 0
        current.append((n, name))
        size += member_size
    batches.append(current)
    return batches


@dataclass
class _Context:
    """What every message of one thread needs besides itself."""

    source: ExportSource
    chat_key: str
    folder: str  # the thread folder's member path
    roots: tuple[str, ...]  # folders a media uri may be relative to, most likely first
    mojibake: _Mojibake
    profile_urls: dict[str, str]
    thread_details: dict[str, Any]
    seen: dict[str, int] = field(default_factory=dict)

    def unique(self, key: str) -> str:
        """Exact duplicates (same time, sender, text, media) get ":2", ":3" in time order."""
        count = self.seen.get(key, 0) + 1
        self.seen[key] = count
        return key if count == 1 else f"{key}:{count}"


def _parse_thread(
    source: ExportSource,
    thread: _Thread,
    platform: str,
    mojibake: _Mojibake,
    profile_urls: dict[str, str],
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    context: _Context | None = None
    for batch in _batches(source, thread.files):
        entries: list[tuple[int, Any]] = []
        problems: list[ImportProblem] = []
        header: dict[str, Any] = {}
        for _, name in batch:  # highest N (oldest) first
            obj = _load_json(source, name)
            messages = obj.get("messages") if isinstance(obj, dict) else None
            if not isinstance(messages, list):
                raise InvalidInput(
                    f"{name} is not a message file as Meta writes them (it has no list of "
                    "messages); nothing was imported."
                )
            mojibake.observe(obj)
            header = obj  # the last one read is the newest file: its title is the current one
            # Files list newest first; walking each backwards keeps Meta's order for equal times.
            for index in range(len(messages) - 1, -1, -1):
                message = messages[index]
                stamp = _timestamp(message, "timestamp_ms")
                if stamp is None:
                    problems.append(_bad_message(name, index))
                else:
                    entries.append((stamp, message))
        entries.sort(key=lambda entry: entry[0])
        if context is None:
            context = _thread_context(source, thread, header, mojibake, profile_urls)
            yield _thread_chat(thread, header, platform, context.chat_key, mojibake)
        yield from problems
        for stamp, message in entries:
            yield _dyi_message(message, stamp, context)


def _timestamp(message: Any, key: str) -> int | None:
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


def _bad_message(name: str, index: int) -> ImportProblem:
    return ImportProblem(
        where=f"{name}, message {index + 1}",
        what="This message is not an object with a timestamp, so it could not be read; it was skipped.",
    )


def _thread_context(
    source: ExportSource,
    thread: _Thread,
    header: dict[str, Any],
    mojibake: _Mojibake,
    profile_urls: dict[str, str],
) -> _Context:
    thread_path = header.get("thread_path")
    chat_key = (
        thread_path
        if isinstance(thread_path, str) and thread_path.strip()
        else f"{thread.section}/{thread.name}"
    )
    details: dict[str, Any] = {}
    if isinstance(header.get("is_still_participant"), bool):
        details["is_still_participant"] = header["is_still_participant"]
    layout_parent = thread.layout[: -len("messages")]  # "" or "your_activity_across_facebook/"
    roots = tuple(dict.fromkeys((thread.base, thread.base + layout_parent, "")))
    return _Context(
        source=source,
        chat_key=chat_key,
        folder=thread.folder,
        roots=roots,
        mojibake=mojibake,
        profile_urls=profile_urls,
        thread_details=details,
    )


def _names(value: Any, fix: _Fixer) -> tuple[str, ...]:
    """Participant names from ``[{"name": ...}]`` (DYI) or ``["..."]`` (E2EE)."""
    if not isinstance(value, list):
        return ()
    names = []
    for item in value:
        raw = item.get("name") if isinstance(item, dict) else item
        if isinstance(raw, str):
            names.append(fix(raw))
    return tuple(names)


def _thread_chat(
    thread: _Thread, header: dict[str, Any], platform: str, chat_key: str, mojibake: _Mojibake
) -> ImportedChat:
    fix = _Fixer(mojibake)
    participants = _names(header.get("participants"), fix)
    title = fix(header.get("title")) or ", ".join(participants) or thread.name
    thread_type = header.get("thread_type")
    return ImportedChat(
        key=chat_key,
        title=title,
        platform=platform,
        kind=thread_type if isinstance(thread_type, str) else thread.section,
        participants=participants,
        section=thread.section,
    )


def _derive_key(stamp: int, sender: str, content: str, uris: list[str]) -> str:
    """Meta gives messages no id: time plus a hash of who, what and which files.

    The hash reads the repaired text, so an export Meta writes correctly later yields the same
    keys as today's mojibake one.
    """
    payload = sender + "\n" + content + "".join("\n" + uri for uri in uris)
    digest = hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{stamp}:{digest[:16]}"


def _media(context: _Context, role: str, item: Any, uris: list[str]) -> ImportedMedia | None:
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


def _resolve(context: _Context, uri: str) -> str | None:
    """The member a media uri names: against the folder holding the layout folder, then others."""
    candidates = [root + uri for root in context.roots]
    if context.folder:
        marker = "/" + context.folder.rsplit("/", 1)[-1] + "/"
        if marker in "/" + uri:
            candidates.append(context.folder + "/" + ("/" + uri).split(marker, 1)[1])
        candidates.append(f"{context.folder}/{uri}")
    for candidate in candidates:
        name = safe_name(candidate)
        if name is not None and context.source.exists(name):
            return name
    return None


def _dyi_message(message: dict[str, Any], stamp: int, context: _Context) -> ImportedMessage:
    fix = _Fixer(context.mojibake)
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
            found = _media(context, role, item, uris)
            if found is not None:
                media.append(found)
    sticker = _media(context, "sticker", message.get("sticker"), uris)
    if sticker is not None:
        media.append(sticker)

    parts = [content] if content else []
    details: dict[str, Any] = {"type": message_type}
    share = message.get("share")
    if isinstance(share, dict):
        share_fixed = {k: fix(v) if isinstance(v, str) else v for k, v in share.items()}
        details["share"] = share_fixed
        for part in (share_fixed.get("link"), share_fixed.get("share_text")):
            if isinstance(part, str) and part and part not in parts:
                parts.append(part)
    duration = message.get("call_duration")
    if message_type == "Call":
        parts.append(f"[call, {duration} s]" if isinstance(duration, int) else "[call]")
    if duration is not None:
        details["call_duration"] = duration
    unsent = message.get("is_unsent") is True
    details["is_unsent"] = unsent
    if unsent:
        parts.append("[unsent message]")
    reactions = _reactions(message.get("reactions"), "reaction", "actor", fix)
    if reactions:
        details["reactions"] = reactions
    if message.get("is_geoblocked_for_viewer") is True:
        details["is_geoblocked_for_viewer"] = True
    details.update(context.thread_details)
    url = _profile_url(context, sender, message.get("sender_name"))
    if url:
        details["sender_profile_url"] = url

    if message_type.lower() in _SERVICE_TYPES or (
        message_type == "Generic"
        and not media
        and not isinstance(share, dict)
        and _NOTICE.match(content) is not None
    ):
        kind = "service"
    else:
        kind = "message"
    return ImportedMessage(
        chat_key=context.chat_key,
        key=context.unique(_derive_key(stamp, sender, content, uris)),
        sender_name=sender,
        sender_id="",
        time=timeutil.from_unix_ms(stamp),
        text="\n".join(parts),
        raw=message,
        kind=kind,
        media=tuple(media),
        transformations=fix.transformations(),
        details=details,
    )


def _profile_url(context: _Context, sender: str, raw_sender: Any) -> str:
    """The URL the user attached for this sender, by the name as shown or as exported."""
    url = context.profile_urls.get(sender)
    if url is None and isinstance(raw_sender, str):
        url = context.profile_urls.get(raw_sender)
    return url or ""


def _reactions(value: Any, what: str, who: str, fix: _Fixer) -> list[dict[str, str]]:
    if not isinstance(value, list):
        return []
    return [
        {"reaction": fix(item.get(what)), "actor": fix(item.get(who))}
        for item in value
        if isinstance(item, dict)
    ]


# ---- E2EE chats download ----------------------------------------------------------------------


def _parse_e2ee(
    source: ExportSource,
    name: str,
    mojibake: _Mojibake,
    profile_urls: dict[str, str],
    used: set[str],
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    obj = _load_json(source, name)
    messages = obj.get("messages") if isinstance(obj, dict) else None
    if not isinstance(messages, list):
        yield ImportProblem(
            where=name,
            what="This file looks like an encrypted-chats file but holds no list of messages; it was skipped.",
        )
        return
    mojibake.observe(obj)
    stem = name.rsplit("/", 1)[-1][: -len(".json")]
    chat_key = f"e2ee/{stem}"
    if chat_key in used:
        chat_key = f"e2ee/{name[: -len('.json')]}"
    used.add(chat_key)
    fix = _Fixer(mojibake)
    participants = _names(obj.get("participants"), fix)
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
    context = _Context(
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
        stamp = _timestamp(message, "timestamp")
        if stamp is None:
            yield _bad_message(name, index)
        else:
            entries.append((stamp, message))
    entries.sort(key=lambda entry: entry[0])
    for stamp, message in entries:
        yield _e2ee_message(message, stamp, context)


def _e2ee_message(message: dict[str, Any], stamp: int, context: _Context) -> ImportedMessage:
    fix = _Fixer(context.mojibake)
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
        found = _media(context, _EXTENSION_ROLES.get(extension, "file"), item, uris)
        if found is not None:
            media.append(found)
    parts = [content] if content else []
    unsent = message.get("isUnsent") is True
    if unsent:
        parts.append("[unsent message]")
    details: dict[str, Any] = {"type": message_type, "is_unsent": unsent}
    reactions = _reactions(message.get("reactions"), "reaction", "actor", fix)
    if reactions:
        details["reactions"] = reactions
    url = _profile_url(context, sender, message.get("senderName"))
    if url:
        details["sender_profile_url"] = url
    service = message_type.lower() in _SERVICE_TYPES or (
        not media and _NOTICE.match(content) is not None
    )
    return ImportedMessage(
        chat_key=context.chat_key,
        key=context.unique(_derive_key(stamp, sender, content, uris)),
        sender_name=sender,
        sender_id="",
        time=timeutil.from_unix_ms(stamp),
        text="\n".join(parts),
        raw=message,
        kind="service" if service else "message",
        media=tuple(media),
        transformations=fix.transformations(),
        details=details,
    )
