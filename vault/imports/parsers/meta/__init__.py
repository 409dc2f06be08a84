"""Facebook, Messenger and Instagram message exports ("Download Your Information", and E2EE chats).

Meta's DYI archive keeps each conversation in a thread folder, ``<section>/<name_id>/``, holding
``message_1.json``, ``message_2.json``, ... with the newest messages first. The folder that holds
the sections has moved over the years (``messages/``, ``your_activity_across_facebook/messages/``,
``your_facebook_activity/messages/``, ``your_instagram_activity/messages/``), and a downloaded zip
often wraps everything in one more top folder, so threads are found by the shape of their path, not
by a fixed prefix. Messenger's separate download of end-to-end-encrypted chats uses another schema
(camelCase keys, one file per thread) and is recognised by its keys.

Meta writes non-ASCII text as mojibake; ``mojibake`` says when and how it is repaired.

This module is the parser's entry (``VERSION``, ``detect``, ``parse``). The rest, by concept:
``threads`` (finding DYI threads and reading their files in order), ``e2ee`` (the E2EE chats
download), ``messages`` (one message as a record, and what both schemas share), ``mojibake``
(Meta's encoding fault and its repair), ``json_files`` (reading one JSON file, capped).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from vault.errors import InvalidInput
from vault.i18n import _
from vault.imports.parsers.meta.e2ee import find_e2ee, looks_e2ee, parse_e2ee
from vault.imports.parsers.meta.json_files import file_head
from vault.imports.parsers.meta.mojibake import MOJIBAKE_NOTE, Mojibake, repair_mojibake
from vault.imports.parsers.meta.threads import (
    THREAD_FILE,
    find_threads,
    loose_threads,
    parse_thread,
    platform_of,
)
from vault.imports.parsers.records import ImportedChat, ImportedMessage, ImportProblem
from vault.imports.parsers.source import ExportSource

__all__ = ["IMPORTER", "MOJIBAKE_NOTE", "VERSION", "detect", "parse", "repair_mojibake"]

IMPORTER = "meta"
VERSION = "2"

DETECT_JSON_LIMIT = 20  # JSON files whose head detect() reads before giving up


def detect(source: ExportSource) -> bool:
    """True for a DYI export with message threads, or Messenger's E2EE chats download."""
    names = source.names()
    if any(THREAD_FILE.match(name) for name in names) or loose_threads(source):
        return True
    candidates = [n for n in names if n.lower().endswith(".json")][:DETECT_JSON_LIMIT]
    return any(looks_e2ee(file_head(source, name)) for name in candidates)


def parse(
    source: ExportSource, *, timezone: str | None = None, **options: Any
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    """Chats and their messages, oldest first within each chat.

    Meta's times are absolute (Unix milliseconds), so ``timezone`` is not needed. ``options`` may
    hold ``profile_urls``: sender name -> profile URL the user attached, kept with each message.
    """
    del timezone
    profile_urls = _profile_urls(options.get("profile_urls"))
    threads = find_threads(source)
    taken = {name for thread in threads for _number, name in thread.files}
    e2ee = find_e2ee(source, taken)
    if not threads and not e2ee:
        raise InvalidInput(
            _(
                "{name} does not look like a Facebook, Messenger or Instagram messages export (no "
                "messages/inbox/.../message_1.json was found). Choose the unzipped 'Download Your "
                "Information' folder or its zip, in JSON format."
            ).format(name=source.path.name)
        )
    mojibake = Mojibake()
    platforms: dict[tuple[str, str], str] = {}
    for thread in threads:
        place = (thread.base, thread.layout)
        if place not in platforms:
            platforms[place] = platform_of(source, thread)
        yield from parse_thread(source, thread, platforms[place], mojibake, profile_urls)
    e2ee_mojibake = Mojibake()
    used: set[str] = set()
    for name in e2ee:
        yield from parse_e2ee(source, name, e2ee_mojibake, profile_urls, used)


def _profile_urls(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput(_("Profile links must be given as pairs of a sender name and a URL."))
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
