"""Imported messages' creation records and the import statements that commit to them (import
format 2, docs/format.md §7.7), read back for the log, ``check``, proofs of time and bundles.

A message imported in format 2 has no ``item.created`` event of its own. Its creation record says
what that event would have said; the record's hash is line ``leaf`` of its import's statement, and
the import's signed ``import.completed`` event commits to the statement. Everything that asks for
an item's creation asks here when the log has no event for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from crypto import import_statement as fmt
from crypto.custody import SignedEvent
from crypto.errors import FormatError
from vault.custody.models import CustodyRecord, Finding
from vault.errors import VaultDamaged
from vault.evidence import packed
from vault.i18n import N_
from vault.store.db import Connection

HASH_BYTES = 32
IMPORT_COMPLETED = "import.completed"


@dataclass(frozen=True)
class Commitment:
    """One format-2 import: its signed event and the hashes of its messages' records."""

    import_id: str
    event_seq: int
    hashes: list[bytes]

    def statement(self, vault_id: str) -> bytes:
        return fmt.statement(vault_id, self.import_id, self.hashes)


@dataclass(frozen=True)
class Creation:
    """An imported message's creation: where its record is, and the record (b"" once purged)."""

    item_id: str
    import_id: str
    leaf: int
    event_seq: int
    record: bytes

    def parsed(self) -> fmt.Record:
        return fmt.parse_record(self.record)

    def to_record(self) -> CustodyRecord:
        """The creation as a line of ``evault log``: at its import event's place in the log,
        with the record's hash and no signature of its own (the import event's covers it)."""
        parsed = self.parsed()
        return CustodyRecord(
            seq=self.event_seq,
            id=f"{self.import_id}/{self.leaf}",
            type=fmt.RECORD_TYPE,
            time=parsed.time,
            item_id=parsed.item_id,
            item_sha256=parsed.item_sha256,
            reason=None,
            details=dict(parsed.details),
            hash=fmt.record_hash(self.record).hex(),
            prev=None,
            signature="",
        )


def _split(blob: bytes | None) -> list[bytes]:
    data = bytes(blob or b"")
    return [data[i : i + HASH_BYTES] for i in range(0, len(data), HASH_BYTES)]


def commitments(conn: Connection) -> list[Commitment]:
    if not packed.available(conn):
        return []
    rows = conn.execute(
        "SELECT id, event_seq, record_hashes FROM imports WHERE format = 2 ORDER BY event_seq"
    ).fetchall()
    return [Commitment(str(r[0]), int(r[1] or 0), _split(r[2])) for r in rows]


def commitment(conn: Connection, import_id: str) -> Commitment | None:
    row = conn.execute(
        "SELECT id, event_seq, record_hashes FROM imports WHERE id = ? AND format = 2",
        (import_id,),
    ).fetchone()
    return None if row is None else Commitment(str(row[0]), int(row[1] or 0), _split(row[2]))


def creation_of(
    conn: Connection, item_id: str, blocks: packed.BlockReader | None = None
) -> Creation | None:
    """The creation of a format-2 imported message; None for any other item. ``blocks``: a
    reader that keeps the last decompressed block, for callers asking of many in a row."""
    if not packed.available(conn):
        return None
    row = conn.execute(
        "SELECT m.import_id, m.leaf, i.event_seq FROM import_messages m"
        " JOIN imports i ON i.id = m.import_id"
        " WHERE m.item_id = ? AND m.leaf IS NOT NULL AND i.format = 2",
        (item_id,),
    ).fetchone()
    if row is None:
        return None
    reader = blocks if blocks is not None else packed.BlockReader(conn)
    entry = reader.entry(str(row[0]), int(row[1]))
    record = entry[0] if entry is not None else b""
    return Creation(item_id, str(row[0]), int(row[1]), int(row[2] or 0), record)


def import_event_seqs(conn: Connection, item_ids: list[str]) -> set[int]:
    """The ``import.completed`` events that created these items in format 2 (they name them
    through the statement, not through ``custody_items``)."""
    seqs: set[int] = set()
    if not packed.available(conn):
        return seqs
    for item_id in item_ids:
        row = conn.execute(
            "SELECT i.event_seq FROM import_messages m JOIN imports i ON i.id = m.import_id"
            " WHERE m.item_id = ? AND m.leaf IS NOT NULL AND i.format = 2",
            (item_id,),
        ).fetchone()
        if row is not None and row[0] is not None:
            seqs.add(int(row[0]))
    return seqs


def all_creations(conn: Connection) -> Iterator[Creation]:
    """Every message of every format-2 import, in log order, with its record — b"" for one
    deleted for good, whose line in the statement then opens for nobody, as a purged event's
    commitment (``item_id`` is "" where the vault holds no item at that line)."""
    for found in commitments(conn):
        items = dict(
            conn.execute(
                "SELECT leaf, item_id FROM import_messages WHERE import_id = ?",
                (found.import_id,),
            ).fetchall()
        )
        for leaf, (record, _original) in packed.iter_entries(conn, found.import_id):
            yield Creation(str(items.get(leaf, "")), found.import_id, leaf, found.event_seq, record)


def iter_creations(conn: Connection) -> Iterator[Creation]:
    """Every kept creation record of every format-2 import, in log order."""
    return (creation for creation in all_creations(conn) if creation.record)


def with_records(
    bodies: list[dict[str, Any]], records: dict[int, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Event bodies in order with each import's creation records just before its event."""
    merged: list[dict[str, Any]] = []
    for body in bodies:
        seq = body.get("seq")
        if isinstance(seq, int) and seq in records:
            merged.extend(records[seq])
        merged.append(body)
    return merged


@dataclass
class Reading:
    """What ``check`` found in one pass over every format-2 import's records: each record is
    inflated, hashed and parsed once (they were three passes, each parsing every record)."""

    problems: list[Finding] = field(default_factory=list)
    created: dict[str, str] = field(default_factory=dict)  # item id -> SHA-256 it was created with
    bodies: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # by import event seq


def check(conn: Connection, events: list[SignedEvent], vault_id: str) -> Reading:
    """Every format-2 import against its signed event: the event commits to the statement made
    from the kept hashes; every kept record hashes to its line, names its import, line and
    vault, and the item at that line; every message still in the vault has its record.

    Also gathered on the way, for the rest of ``check``: the SHA-256 each item was created with
    (a record purged with its message leaves the item's own, which its line stands for), and the
    readable records as ``item.created`` bodies by the seq of the import event that commits to
    them (replayed just before it: the records were written before the event)."""
    reading = Reading()
    by_seq = {e.seq: e for e in events}
    for found in commitments(conn):
        event = by_seq.get(found.event_seq)
        committed: Any = None
        try:
            body = event.parsed() if event is not None else {}
            if body.get("type") == IMPORT_COMPLETED:
                details = body.get("details") or {}
                committed = details.get("messages_committed")
        except FormatError:
            pass
        expected = {
            "format": 2,
            "count": len(found.hashes),
            "statement_sha256": fmt.statement_sha256(vault_id, found.import_id, found.hashes),
        }
        if committed != expected:
            reading.problems.append(
                Finding(
                    N_(
                        "Import {import_id}: its messages no longer match what its custody "
                        "event {seq} committed to."
                    ),
                    import_id=found.import_id,
                    seq=found.event_seq,
                )
            )
        _read_records(conn, found, vault_id, reading)
    return reading


def _read_records(conn: Connection, found: Commitment, vault_id: str, reading: Reading) -> None:
    problems = reading.problems
    rows = conn.execute(
        "SELECT m.leaf, m.item_id, i.sha256, i.deleted_at FROM import_messages m"
        " JOIN items i ON i.id = m.item_id WHERE m.import_id = ? AND m.leaf IS NOT NULL",
        (found.import_id,),
    ).fetchall()
    items = {int(r[0]): (str(r[1]), str(r[2]), r[3] is None) for r in rows}
    bodies = reading.bodies.setdefault(found.event_seq, [])
    seen: set[int] = set()
    try:
        entries = list(packed.iter_entries(conn, found.import_id))
    except VaultDamaged:
        entries = []
        problems.append(
            Finding(
                N_("Import {import_id}: some of its messages' stored records are damaged."),
                import_id=found.import_id,
            )
        )
    for leaf, (record, _original) in entries:
        item = items.get(leaf)
        if not record:  # deleted for good: its statement line stands for it
            if item is not None:
                reading.created.setdefault(item[0], item[1])
            continue
        seen.add(leaf)
        ok = 0 < leaf <= len(found.hashes) and fmt.record_hash(record) == found.hashes[leaf - 1]
        try:
            parsed = fmt.parse_record(record)
        except FormatError:
            parsed = None
        if parsed is not None:
            reading.created[parsed.item_id] = parsed.item_sha256
            bodies.append(parsed.body())
            ok = ok and (parsed.vault_id, parsed.import_id, parsed.leaf) == (
                vault_id,
                found.import_id,
                leaf,
            )
            ok = ok and item is not None and (parsed.item_id, parsed.item_sha256) == item[:2]
        if not ok:
            problems.append(
                Finding(
                    N_(
                        "Import {import_id}: the creation record of message {leaf} does not "
                        "match what the import committed to."
                    ),
                    import_id=found.import_id,
                    leaf=leaf,
                )
            )
    for leaf, (item_id, _sha, live) in sorted(items.items()):
        if live and leaf not in seen:
            problems.append(
                Finding(
                    N_("Item {item_id}: its creation record is missing from the vault."),
                    item_id=item_id,
                )
            )
