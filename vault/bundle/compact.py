"""What a bundle's writer keeps of every item until the end, kept small (issue 18: export memory).

The manifest lists every item, and report.html reads every item and every custody body, but they
can only be written after the evidence. Held as Python dicts they cost about 15 KB per item (a
20,000-item export peaked at 355 MiB, most of it these dicts and the manifest built whole). Here
each manifest entry is kept as its canonical JSON (about 0.7 KB) and turned back into a dict only
while it is being read; a custody body is made again from its signed bytes each time it is read;
and the manifest is written as a stream of canonical pieces whose bytes are exactly those of
``canonical_json`` of the whole (RFC 8785 sorts keys; every value is canonical by itself, so the
whole is the pieces joined in key order).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar, overload

from crypto.canonical import canonical_json

T = TypeVar("T")

ITEMS_KEY = "items"


class Lazy(Sequence[T]):
    """A read-only sequence whose values are made when read (``make(index)``), never kept."""

    def __init__(self, count: int, make: Callable[[int], T]) -> None:
        self._count = count
        self._make = make

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return self._make(index)

    def __iter__(self) -> Iterator[T]:
        for index in range(self._count):
            yield self._make(index)


class Entries(Lazy[dict[str, Any]]):
    """The manifest's ``items``, in order, each kept as its canonical JSON bytes."""

    def __init__(self) -> None:
        self._data: list[bytes] = []
        super().__init__(0, self._entry)

    def append(self, entry: dict[str, Any]) -> None:
        self._data.append(canonical_json(entry))
        self._count = len(self._data)

    def _entry(self, index: int) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self._data[index])
        return value

    def canonical_parts(self) -> Iterator[bytes]:
        """The canonical JSON of the list of entries, in pieces (one per entry)."""
        if not self._data:
            yield b"[]"
            return
        for index, data in enumerate(self._data):
            yield (b"[" if index == 0 else b",") + data
        yield b"]"


def manifest_parts(manifest: dict[str, Any], entries: Entries) -> Iterator[bytes]:
    """``canonical_json(manifest)`` with ``manifest["items"]`` as ``entries``, in pieces.

    The keys before ``items`` in RFC 8785's order (every key here is ASCII, where that order is
    Python's) are written as one canonical object, then the entries one by one, then the keys
    after. tests/bundle/test_compact.py compares the joined pieces with ``canonical_json`` of the
    whole."""
    if not all(isinstance(name, str) and name.isascii() for name in manifest):
        raise ValueError("manifest keys are ASCII strings")
    before = canonical_json({k: v for k, v in manifest.items() if k < ITEMS_KEY})
    after = canonical_json({k: v for k, v in manifest.items() if k > ITEMS_KEY})
    items_key = json.dumps(ITEMS_KEY).encode("ascii") + b":"
    yield (b"{" if before == b"{}" else before[:-1] + b",") + items_key
    yield from entries.canonical_parts()
    yield b"}" if after == b"{}" else b"," + after[1:]


def as_sequence(value: Any) -> Sequence[Any]:
    """A manifest's ``items`` (a list, or :class:`Entries` while a bundle is written), or ()."""
    return value if isinstance(value, (list, Lazy)) else ()
