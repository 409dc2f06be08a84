"""Telegram Desktop "machine-readable JSON" exports, read as a stream.

Two layouts exist: a single chat's export (``result.json`` is one chat object: ``name``, ``type``,
``id``, ``messages``) and a full-account export (``result.json`` holds ``chats.list`` and
``left_chats.list``, each a list of such chat objects). Either may be a folder, a ZIP of it (with
``result.json`` at any depth), or ``result.json`` alone. Media paths in the JSON are relative to the
folder that holds ``result.json``.

A busy chat's ``result.json`` runs to hundreds of megabytes, so it is never loaded whole: the JSON is
read as ``ijson`` events (``events``), and only one message at a time is built into a dict. The chat
header (``name``, ``type``, ``id``) comes before ``messages`` in real exports; if it does not, that
chat's messages are read in a second pass over the file, once the header is known, because every
chat must be sent before its messages (``chats``). Both passes must read the same bytes: if the
file changed in between, the import stops and keeps nothing.

This module is the parser's entry (``VERSION``, ``detect``, ``parse``) and finds ``result.json``.
Choices that affect what is stored are written down where they are made (``messages``: keys, times,
replies, media; ``text``: the searchable text; and the one below); bump ``VERSION`` when one
changes.

- When a ZIP or folder holds several ``result.json`` files, the shallowest one is read (ties: first
  by name) and the others are reported as problems, to be imported separately.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from collections.abc import Iterator
from typing import Any

from vault.custody.models import Finding
from vault.errors import InvalidInput
from vault.i18n import N_, _
from vault.imports.parsers import timeutil
from vault.imports.parsers.records import ImportedChat, ImportedMessage, ImportProblem
from vault.imports.parsers.source import ExportSource
from vault.imports.parsers.telegram.chats import Parser
from vault.imports.parsers.telegram.events import Events
from vault.imports.parsers.telegram.text import flatten_text

__all__ = ["IMPORTER", "VERSION", "detect", "flatten_text", "parse"]

IMPORTER = "telegram"
VERSION = "1"

RESULT_NAME = "result.json"
DETECT_BYTES = 64 * 1024
_BOM = b"\xef\xbb\xbf"

_TELEGRAM_HINT = re.compile(
    rb'"(?:date_unixtime|from_id|actor_id|text_entities|personal_information)"\s*:'
    rb'|"type"\s*:\s*"(?:personal_chat|private_group|private_supergroup|public_supergroup'
    rb"|public_channel|private_channel|saved_messages|bot_chat|replies)\""
)
_CONTAINER_HINT = re.compile(rb'"(?:messages|chats|personal_information)"\s*:')


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


def parse(
    source: ExportSource, *, timezone: str | None = None, **options: Any
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    """Chats and their messages from a Telegram Desktop JSON export, streamed."""
    if timezone is not None:
        timeutil.zone(timezone)  # a mistyped zone fails now, not halfway through
    names = _candidates(source)
    if not names:
        raise InvalidInput(
            _(
                "This export has no result.json, so it is not a Telegram Desktop JSON export. "
                "Export again choosing 'Machine-readable JSON', or pick the right importer."
            )
        )
    name = names[0]
    for other in names[1:]:
        yield ImportProblem(
            where=other,
            what=Finding(
                N_(
                    "The export holds more than one result.json; only {name} was read. "
                    "Import the other one separately."
                ),
                name=name,
            ),
        )
    parser = Parser(source, name, timezone)
    first = hashlib.sha256()
    with _events(source, name, first) as events:
        yield from parser.run(events)
    if not parser.late:
        return
    second = hashlib.sha256()
    with _events(source, name, second) as events:
        yield from parser.run_late(events)
    if second.digest() != first.digest():
        raise InvalidInput(
            _(
                "{name} changed while it was being read. Nothing was imported; import it again once "
                "nothing else is writing to it."
            ).format(name=name)
        )


@contextlib.contextmanager
def _events(source: ExportSource, name: str, digest: Any) -> Iterator[Events]:
    """The JSON events of ``name``, hashing every byte read into ``digest``."""
    with source.open(name) as raw_stream:
        stream = io.BufferedReader(_Hashing(raw_stream, digest), buffer_size=1 << 16)
        if stream.peek(3)[:3] == _BOM:
            stream.read(3)
        yield Events(stream, name)


class _Hashing(io.RawIOBase):
    """Passes a stream's bytes through, hashing them on the way."""

    def __init__(self, raw: io.RawIOBase, digest: Any) -> None:
        super().__init__()
        self._raw = raw
        self._digest = digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._raw.read(len(view)) or b""
        view[: len(data)] = data
        self._digest.update(data)
        return len(data)
