"""The documents ``evault verify`` reads whole, and the exporter's promise never to write one
longer than it reads (docs/format.md §6).

A bundle of 20,000 imported messages once had a manifest of 18.8 MB while verify read at most
16 MiB: the exporter wrote a bundle that its own verifier called "not an evidence bundle". Both
sides now use the one cap, ``layout.MAX_DOCUMENT_BYTES``: verify reads no longer document, and
with the functions here the exporter refuses, before it writes anything when the items' own
fields already say so and otherwise as each document is made, with the same calm sentence; the
partial file is removed and nothing is recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from vault.bundle import layout
from vault.errors import InvalidInput
from vault.evidence.items import metadata_snapshot
from vault.evidence.models import Item
from vault.i18n import _

# Fixed fields of a manifest entry (id, SHA-256, size, kind, paths, keys): about 300 bytes; the
# estimate errs low, so it never refuses a bundle that would have fitted.
ENTRY_FIXED_BYTES = 300
_MB = 1_000_000


def too_long(document: str, size: int, items: int) -> InvalidInput:
    return InvalidInput(
        _(
            "These {count} items are too many for one bundle: its {document} would be {size} MB, "
            "more than the {limit} MB that evault verify reads. Export a case or a part of the "
            "items at a time. Nothing was written."
        ).format(
            count=f"{items:,}",
            document=document,
            size=f"{size / _MB:,.0f}",
            limit=f"{layout.MAX_DOCUMENT_BYTES / _MB:,.0f}",
        )
    )


def check_estimate(items: Iterable[Item], count: int) -> int:
    """Refuse at once when the items' metadata alone would make the manifest too long; else
    the bytes of the items' originals (read in the same pass)."""
    cap = layout.MAX_DOCUMENT_BYTES
    total = 0
    originals = 0
    for item in items:
        snapshot = json.dumps(metadata_snapshot(item), ensure_ascii=False, separators=(",", ":"))
        total += len(snapshot.encode("utf-8", "surrogatepass")) + ENTRY_FIXED_BYTES
        originals += item.size
        if total > cap:
            raise too_long(layout.MANIFEST, total, count)
    return originals


def check(name: str, data: bytes, items: int) -> bytes:
    if len(data) > layout.MAX_DOCUMENT_BYTES:
        raise too_long(name, len(data), items)
    return data


def capped(name: str, parts: Iterable[bytes], items: int) -> Iterator[bytes]:
    """``parts`` as they come, refused once they pass the cap (a streamed document)."""
    total = 0
    for part in parts:
        total += len(part)
        if total > layout.MAX_DOCUMENT_BYTES:
            raise too_long(name, total, items)
        yield part
