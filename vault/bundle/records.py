"""The creation records and import statements a bundle carries for messages imported in format 2
(docs/format.md §7.7, "In a bundle"), on the writing side.

Such a message has no ``item.created`` event of its own: its import's one signed
``import.completed`` event commits to its creation record through the import statement. So that
a lawyer can follow that commitment with ``sha256sum`` and ``grep`` (and ``evault verify`` can
replay the item's metadata from it), the bundle carries the record of every exported message as
``imports/<k>/<leaf>.json`` and, once per import, the statement as ``imports/<k>.statement``;
``k`` numbers the bundle's imports 1, 2… in the order of their events.

Nothing is written that the vault does not still commit to: each record must hash to its line
of the kept statement, and the statement must hash to what the signed event says. A vault where
that no longer holds is damaged, and exporting from it would hand the lawyer a bundle that fails;
it is refused with the advice to run ``evault check`` instead, as a changed original is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from crypto import import_statement as fmt
from crypto.errors import FormatError
from vault.bundle import layout
from vault.custody import commitments
from vault.custody import log as custody
from vault.errors import EvaultError
from vault.evidence import packed
from vault.i18n import _
from vault.store.db import Connection


@dataclass(frozen=True)
class BundledImport:
    """One import whose statement the bundle carries."""

    number: int  # k
    commitment: commitments.Commitment
    statement_sha256: str  # as its signed event commits to it

    @property
    def name(self) -> str:
        return layout.statement_name(self.number)


@dataclass(frozen=True)
class BundledRecord:
    """One exported message's creation record."""

    item_id: str
    name: str  # imports/<k>/<leaf>.json
    record: bytes
    leaf: int
    import_number: int
    event_seq: int


@dataclass
class Records:
    """What a bundle of some items carries under ``imports/`` (nothing for most bundles)."""

    imports: list[BundledImport] = field(default_factory=list)
    by_item: dict[str, BundledRecord] = field(default_factory=dict)

    def by_seq(self) -> dict[int, list[BundledRecord]]:
        """The records by the seq of the import event that commits to them, in item order."""
        found: dict[int, list[BundledRecord]] = {}
        for bundled in self.by_item.values():
            found.setdefault(bundled.event_seq, []).append(bundled)
        return found

    def example(self) -> tuple[str, int, str, str] | None:
        """(record member, leaf, statement member, record hash) of the first record, for the
        stock-tool commands of VERIFY.txt; None when the bundle carries none."""
        for bundled in self.by_item.values():
            return (
                bundled.name,
                bundled.leaf,
                layout.statement_name(bundled.import_number),
                fmt.record_hash(bundled.record).hex(),
            )
        return None


def report_body(bundled: BundledRecord) -> dict[str, Any]:
    """A record as the ``item.created`` body the report reads, marked with the seq of its
    import's event and its member's name (made again each time: a bundle's records as dicts
    would cost kilobytes each)."""
    body = fmt.reread_record(bundled.record).body()  # parsed strictly once, by ``gather``
    body["seq"] = bundled.event_seq
    body["creation_record"] = bundled.name
    return body


def _damaged(item_id: str) -> EvaultError:
    return EvaultError(
        _(
            "Item {id} no longer matches what its import committed to, so no bundle was made. "
            "Run 'evault check' to see what is wrong."
        ).format(id=item_id)
    )


def _committed_sha256(conn: Connection, found: commitments.Commitment) -> str | None:
    """``statement_sha256`` of the import's signed ``import.completed`` event."""
    event = custody.event_at(conn, found.event_seq)
    try:
        body = event.parsed() if event is not None else {}
    except FormatError:
        return None
    details = body.get("details")
    committed = details.get("messages_committed") if isinstance(details, dict) else None
    if body.get("type") != commitments.IMPORT_COMPLETED or not isinstance(committed, dict):
        return None
    digest = committed.get("statement_sha256")
    return digest if isinstance(digest, str) else None


def gather(conn: Connection, vault_id: str, item_ids: list[str]) -> Records:
    """The records and statements a bundle of ``item_ids`` carries, checked against the vault's
    commitments (EvaultError if the vault no longer holds them)."""
    creations = []
    blocks = packed.BlockReader(conn)  # an import's messages come in order: a block inflated once
    for item_id in item_ids:
        creation = commitments.creation_of(conn, item_id, blocks)
        if creation is not None and creation.record:
            creations.append(creation)
    records = Records()
    if not creations:
        return records
    numbers: dict[str, int] = {}
    for creation in sorted(creations, key=lambda c: (c.event_seq, c.import_id)):
        if creation.import_id in numbers:
            continue
        found = commitments.commitment(conn, creation.import_id)
        committed = None if found is None else _committed_sha256(conn, found)
        if (
            found is None
            or committed is None
            or fmt.statement_sha256(vault_id, found.import_id, found.hashes) != committed
        ):
            raise _damaged(creation.item_id)
        numbers[creation.import_id] = len(records.imports) + 1
        records.imports.append(BundledImport(len(records.imports) + 1, found, committed))
    by_import = {b.commitment.import_id: b for b in records.imports}
    for creation in creations:
        bundled_import = by_import[creation.import_id]
        hashes = bundled_import.commitment.hashes
        if not (
            0 < creation.leaf <= len(hashes)
            and fmt.record_hash(creation.record) == hashes[creation.leaf - 1]
        ):
            raise _damaged(creation.item_id)
        try:
            creation.parsed()  # the report reads it; the vault wrote it, so this only fails
        except FormatError:  # if it was damaged (and 'check' says how)
            raise _damaged(creation.item_id) from None
        records.by_item[creation.item_id] = BundledRecord(
            item_id=creation.item_id,
            name=layout.record_name(bundled_import.number, creation.leaf),
            record=creation.record,
            leaf=creation.leaf,
            import_number=bundled_import.number,
            event_seq=creation.event_seq,
        )
    return records


def statement_lines(vault_id: str, bundled: BundledImport) -> Iterator[bytes]:
    """The statement's lines, made again from the kept hashes (never held whole)."""
    return fmt.statement_lines(vault_id, bundled.commitment.import_id, bundled.commitment.hashes)


def statement_size(vault_id: str, bundled: BundledImport) -> int:
    return sum(len(line) for line in statement_lines(vault_id, bundled))


def check_statement_digest(digest: str, bundled: BundledImport) -> None:
    """The statement just written hashes to what the signed event commits to."""
    if digest != bundled.statement_sha256:
        raise EvaultError(
            _(
                "An import's messages no longer match what its custody event committed to, so "
                "no bundle was made. Run 'evault check' to see what is wrong."
            )
        )
