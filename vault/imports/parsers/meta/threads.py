"""DYI message threads: found by the shape of their path, read oldest first, one chat each.

A thread's messages are spread over ``message_1.json``, ``message_2.json``, ... (newest first), so
they are put in time order here; a huge thread is read a file at a time so memory stays bounded.
Whether a thread is Facebook or Instagram is read from the folders and names around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from vault.errors import InvalidInput
from vault.i18n import _
from vault.imports.parsers.meta.json_files import load_json
from vault.imports.parsers.meta.messages import (
    Context,
    bad_message,
    dyi_message,
    message_timestamp,
    participant_names,
)
from vault.imports.parsers.meta.mojibake import Fixer, Mojibake
from vault.imports.parsers.records import ImportedChat, ImportedMessage, ImportProblem
from vault.imports.parsers.source import ExportSource

BATCH_BYTES = 8 << 20  # a thread's files are read together (and sorted as one) up to this size

SECTIONS = ("inbox", "archived_threads", "filtered_threads", "message_requests", "e2ee_cutover")

THREAD_FILE = re.compile(
    r"^(?P<base>(?:[^/]+/)*?)"
    r"(?P<layout>your_activity_across_facebook/messages|your_facebook_activity/messages"
    r"|your_instagram_activity/messages|messages)/"
    r"(?P<section>" + "|".join(SECTIONS) + r")/"
    r"(?P<thread>[^/]+)/message_(?P<n>[0-9]{1,6})\.json$"
)


@dataclass
class Thread:
    base: str  # folder holding the layout folder ("" or "facebook-jdoe-2024-01-02/")
    layout: str  # "messages", "your_activity_across_facebook/messages", ...
    section: str
    name: str
    files: list[tuple[int, str]] = field(default_factory=list)  # (N of message_N.json, member)
    place: str | None = None  # the thread folder's member path when chosen on its own ("" = top)

    @property
    def folder(self) -> str:
        if self.place is not None:
            return self.place
        return f"{self.base}{self.layout}/{self.section}/{self.name}"


# A thread chosen on its own: a lone message_N.json, a thread folder (its files at the top), or a
# section folder such as inbox (its threads one level down), as docs/cli.md promises.
LOOSE_FILE = re.compile(r"^(?:(?P<thread>[^/]+)/)?message_(?P<n>[0-9]{1,6})\.json$")


def loose_threads(source: ExportSource) -> list[Thread]:
    """Threads of a source that is part of a DYI tree: its folder names stand for the path
    Meta would have given them (the thread's name, and its section when the folder says it)."""
    own = source.path.parent if source.kind == "file" else source.path
    own_name = own.stem if source.kind == "zip" else own.name
    threads: dict[str, Thread] = {}
    for name in source.names():
        match = LOOSE_FILE.match(name)
        if match is None:
            continue
        if match["thread"] is None:  # the thread itself: a lone file or the thread's folder
            place, thread, section = "", own_name, own.parent.name
        else:  # a section folder (inbox, ...) holding threads
            place, thread, section = match["thread"], match["thread"], own_name
        section = section if section in SECTIONS else "inbox"
        entry = threads.setdefault(place, Thread("", "messages", section, thread, place=place))
        entry.files.append((int(match["n"]), name))
    return [threads[k] for k in sorted(threads)]


def find_threads(source: ExportSource) -> list[Thread]:
    """The DYI threads of an export; a part of a tree (one thread, one section) when no
    whole tree is found."""
    threads: dict[str, Thread] = {}
    for name in source.names():
        match = THREAD_FILE.match(name)
        if match is None:
            continue
        base, layout, section, thread = match.group("base", "layout", "section", "thread")
        folder = f"{base}{layout}/{section}/{thread}"
        entry = threads.setdefault(folder, Thread(base, layout, section, thread))
        entry.files.append((int(match.group("n")), name))
    if not threads:
        return loose_threads(source)
    return [threads[k] for k in sorted(threads)]


def platform_of(source: ExportSource, thread: Thread) -> str:
    """Instagram or Facebook: from the layout folder, else from names around the old layout."""
    if thread.layout.startswith("your_instagram_activity"):
        return "instagram"
    if thread.place is not None:  # part of a tree: the folders above it are all there is to go by
        return "instagram" if "instagram" in str(source.path).lower() else "facebook"
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


def parse_thread(
    source: ExportSource,
    thread: Thread,
    platform: str,
    mojibake: Mojibake,
    profile_urls: dict[str, str],
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    context: Context | None = None
    for batch in _batches(source, thread.files):
        entries: list[tuple[int, Any]] = []
        problems: list[ImportProblem] = []
        header: dict[str, Any] = {}
        for _number, name in batch:  # highest N (oldest) first
            obj = load_json(source, name)
            messages = obj.get("messages") if isinstance(obj, dict) else None
            if not isinstance(messages, list):
                raise InvalidInput(
                    _(
                        "{name} is not a message file as Meta writes them (it has no list of messages); "
                        "nothing was imported."
                    ).format(name=name)
                )
            mojibake.observe(obj)
            header = obj  # the last one read is the newest file: its title is the current one
            # Files list newest first; walking each backwards keeps Meta's order for equal times.
            for index in range(len(messages) - 1, -1, -1):
                message = messages[index]
                stamp = message_timestamp(message, "timestamp_ms")
                if stamp is None:
                    problems.append(bad_message(name, index))
                else:
                    entries.append((stamp, message))
        entries.sort(key=lambda entry: entry[0])
        if context is None:
            context = _thread_context(source, thread, header, mojibake, profile_urls)
            yield _thread_chat(thread, header, platform, context.chat_key, mojibake)
        yield from problems
        for stamp, message in entries:
            yield dyi_message(message, stamp, context)


def _thread_context(
    source: ExportSource,
    thread: Thread,
    header: dict[str, Any],
    mojibake: Mojibake,
    profile_urls: dict[str, str],
) -> Context:
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
    return Context(
        source=source,
        chat_key=chat_key,
        folder=thread.folder,
        thread_name=thread.name,
        roots=roots,
        mojibake=mojibake,
        profile_urls=profile_urls,
        thread_details=details,
    )


def _thread_chat(
    thread: Thread, header: dict[str, Any], platform: str, chat_key: str, mojibake: Mojibake
) -> ImportedChat:
    fix = Fixer(mojibake)
    participants = participant_names(header.get("participants"), fix)
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
