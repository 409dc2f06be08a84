"""Reading one JSON file of the export: capped in size and depth, damage reported calmly.

A Meta export comes from outside and may be damaged, cut short or hostile, so every message file
is read through ``load_json``: one that cannot be read refuses the whole export (nothing is
imported) with a message saying what to do, rather than importing part of a thread.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from vault.errors import EvaultError, InvalidInput
from vault.i18n import _
from vault.imports.parsers.source import ExportSource

MAX_FILE_BYTES = 256 << 20  # Meta splits threads at 10,000 messages; no real file comes near this
MAX_DEPTH = 64  # real message files nest 5 deep; anything past this is not an export
HEAD_BYTES = 64 << 10  # how much of a JSON file is read to tell whether it is an E2EE chat


def load_json(source: ExportSource, name: str) -> Any:
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
            _(
                "{name} is not valid JSON (it is damaged or cut short). Download the export from Meta"
                " again and retry; nothing was imported."
            ).format(name=name)
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
    return _(
        "{name} inside the export is damaged and cannot be unpacked. Download the export from"
        " Meta again and retry; nothing was imported."
    ).format(name=name)


def _too_deep(name: str) -> str:
    return _(
        "{name} is nested far deeper than any Meta export, so it was refused; nothing was imported."
    ).format(name=name)


def file_head(source: ExportSource, name: str) -> bytes:
    try:
        with source.open(name) as stream:
            return stream.read(HEAD_BYTES) or b""
    except (EvaultError, zlib.error):
        return b""
