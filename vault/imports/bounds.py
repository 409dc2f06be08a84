"""Text from an export made safe to store and to sign: no lone surrogates, and a bound on length.

Every item an import adds gets an ``item.created`` custody event carrying its metadata, and a
custody event is capped (``crypto.constants.MAX_CUSTODY_BODY_BYTES``, 256 KiB). The sender, the
recipients or a chat title are chosen by whoever wrote the export, so an e-mail with a Cc of a
million addresses must not make its event too large and stop the whole import. Each such field is
cut to a bound here, ``…`` marks the cut, and the event says which fields were cut and how long
each was (``"cut": {"recipient": 1200345}``, in characters). Nothing is
lost: the item's original (the message exactly as exported, or the file) keeps the whole value;
only these derived fields are shortened, as the design allows ("text is normalised only in
derived fields, never in the stored original").

JSON may hold a lone UTF-16 surrogate (``"\\ud800"``), and file names the system could not decode
arrive as lone surrogates too. Such a string cannot be stored as UTF-8 (the database, canonical
JSON), so derived fields show it as U+FFFD; the original keeps it as exported.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from typing import Any, TypeVar

FIELD_MAX = 1000  # characters: a sender, an id, a chat title, a file name, a time as written
RECIPIENTS_MAX = 4000  # about a hundred addresses
CUT_MARK = "…"

_SURROGATE = re.compile("[\ud800-\udfff]")
T = TypeVar("T")


_ESCAPED_SURROGATE = re.compile(r"\\ud[89a-f][0-9a-f]{2}")


def clean(text: str) -> str:
    """``text`` with every lone surrogate shown as U+FFFD (unchanged, and not copied, if none)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def clean_value(value: T, *, keep: frozenset[str] = frozenset()) -> T:
    """``value`` (strings, lists, tuples, dicts, dataclass records) with every string cleaned.
    Dataclass fields named in ``keep`` are left as they are (a message's ``raw``, a file key).
    What holds no lone surrogate is returned as it is, not copied."""
    if not _ESCAPED_SURROGATE.search(repr(value)):
        # ``repr`` writes every lone surrogate as ``\udXXX``: none there, none anywhere (one
        # C-level pass instead of a Python walk over every field of every message record).
        return value
    return _clean_walk(value, keep=keep)


def _clean_walk(value: T, *, keep: frozenset[str] = frozenset()) -> T:
    result: Any = value
    if isinstance(value, str):
        result = clean(value)
    elif isinstance(value, list | tuple):
        items = [_clean_walk(v, keep=keep) for v in value]
        if any(a is not b for a, b in zip(items, value, strict=True)):
            result = items if isinstance(value, list) else tuple(items)
    elif isinstance(value, dict):
        pairs = [(_clean_walk(k), _clean_walk(v, keep=keep)) for k, v in value.items()]
        if any(
            a[0] is not k or a[1] is not v for a, (k, v) in zip(pairs, value.items(), strict=True)
        ):
            result = dict(pairs)
    elif is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in fields(value):
            if f.name in keep:
                continue
            old = getattr(value, f.name)
            new = _clean_walk(old, keep=keep)
            if new is not old:
                changes[f.name] = new
        if changes:
            result = replace(value, **changes)
    return result  # type: ignore[no-any-return]


class Cuts:
    """The fields of one item that were cut, for its custody event."""

    def __init__(self) -> None:
        self.lengths: dict[str, int] = {}

    def bound(self, name: str, text: str, limit: int = FIELD_MAX) -> str:
        """``text`` cleaned and, if longer than ``limit`` characters, cut (and ``name`` noted)."""
        text = clean(text)
        if len(text) <= limit:
            return text
        self.lengths[name] = max(len(text), self.lengths.get(name, 0))
        return text[: limit - len(CUT_MARK)] + CUT_MARK

    def details(self) -> dict[str, dict[str, int]]:
        """``{"cut": {field: its whole length}}`` for the event's details, or nothing when no
        field was cut."""
        return {"cut": dict(sorted(self.lengths.items()))} if self.lengths else {}
