"""Appending to and reading the custody log inside ``vault.db`` (format: docs/format.md §5).

Events are appended in the same transaction as the change they record, so a change never exists
without its event and an event never exists without its change. An item event's details are
sealed (§5.6, :mod:`crypto.sealing`): the signed body commits to them by a salted hash, and the
details and salt are kept in ``custody_disclosures``, from where a purge removes them.
"""

from __future__ import annotations

import base64
import os
import uuid
from typing import Any

from crypto import constants as c
from crypto import custody as fmt
from crypto import sealing
from crypto.canonical import canonical_json, parse_canonical
from crypto.errors import FormatError
from crypto.identity import SigningKey
from vault.custody.models import CustodyRecord
from vault.store.db import Connection

VAULT_CREATED = "vault.created"
ITEM_CREATED = "item.created"
ITEM_METADATA_CHANGED = "item.metadata_changed"
ITEM_VIEWED = "item.viewed"
ITEM_EXPORTED = "item.exported"
ITEM_DELETED = "item.deleted"
CASE_CREATED = "case.created"
CASE_RENAMED = "case.renamed"
BUNDLE_EXPORT_STARTED = "bundle.export_started"  # written, about to get its name (§5)
BUNDLE_EXPORTED = "bundle.exported"


def head(conn: Connection) -> tuple[int, str | None, str]:
    """(last seq, its hash, its time) or (0, None, "") for an empty log."""
    row = conn.execute("SELECT seq, hash, time FROM custody ORDER BY seq DESC LIMIT 1").fetchone()
    if row is None:
        return 0, None, ""
    return int(row[0]), str(row[1]), str(row[2])


def append(
    conn: Connection,
    key: SigningKey,
    *,
    vault_id: str,
    event_type: str,
    time: str,
    item: dict[str, str] | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    event_id: str | None = None,
    related: list[str] | None = None,
    sealed: bool = True,
) -> fmt.SignedEvent:
    """Sign and insert one event; the caller owns the transaction.

    ``related`` names further items the event concerns (an export of several items), so that
    ``evault log ID`` and bundles find it for each of them. The details of an event about an
    item are sealed unless ``sealed`` is False (a purge's own tombstone says only that).
    """
    seq, prev, last_time = head(conn)
    details = dict(details or {})
    if time < last_time:
        # A borrowed computer's clock can be wrong. Keep the log ordered and say so in the event.
        details["clock_reported"] = time
        time = last_time
    event_id = event_id or str(uuid.uuid4())
    disclosure: tuple[bytes, bytes] | None = None
    if sealed and item is not None and details and seals_details(conn):
        salt = os.urandom(c.SEALED_SALT_BYTES)
        kept = canonical_json(details)  # once: committed to, and kept beside the event
        disclosure = (salt, kept)
        details = {sealing.SEALED: sealing.commitment_of_canonical(kept, salt)}
    event = fmt.make_event(
        key,
        seq=seq + 1,
        event_id=event_id,
        event_type=event_type,
        time=time,
        vault_id=vault_id,
        item=item,
        reason=reason,
        details=details,
        prev=prev,
    )
    conn.execute(
        "INSERT INTO custody (seq, id, time, body, hash, signature) VALUES (?, ?, ?, ?, ?, ?)",
        (event.seq, event_id, time, event.body, event.hash, event.signature),
    )
    if disclosure is not None:
        conn.execute(
            "INSERT INTO custody_disclosures (seq, salt, details) VALUES (?, ?, ?)",
            (event.seq, disclosure[0], disclosure[1]),
        )
    named = ([item["id"]] if item is not None else []) + list(related or [])
    conn.executemany(
        "INSERT OR IGNORE INTO custody_items (item_id, seq) VALUES (?, ?)",
        [(item_id, event.seq) for item_id in dict.fromkeys(named)],
    )
    return event


def all_events(conn: Connection) -> list[fmt.SignedEvent]:
    rows = conn.execute("SELECT seq, body, hash, signature FROM custody ORDER BY seq").fetchall()
    return [fmt.SignedEvent(int(r[0]), bytes(r[1]), str(r[2]), bytes(r[3])) for r in rows]


def events_for_item(conn: Connection, item_id: str) -> list[fmt.SignedEvent]:
    return events_for_items(conn, [item_id])


def events_for_items(conn: Connection, item_ids: list[str]) -> list[fmt.SignedEvent]:
    """Every event naming any of ``item_ids``, once each, in order (for a format-2 imported
    message, the import event that commits to its creation record, §7.7)."""
    from vault.custody.commitments import import_event_seqs  # noqa: PLC0415 - evidence below

    seqs: set[int] = import_event_seqs(conn, item_ids)
    for item_id in item_ids:
        rows = conn.execute("SELECT seq FROM custody_items WHERE item_id = ?", (item_id,))
        seqs.update(int(r[0]) for r in rows.fetchall())
    return [e for e in (event_at(conn, s) for s in sorted(seqs)) if e is not None]


def event_at(conn: Connection, seq: int) -> fmt.SignedEvent | None:
    r = conn.execute(
        "SELECT seq, body, hash, signature FROM custody WHERE seq = ?", (seq,)
    ).fetchone()
    return None if r is None else fmt.SignedEvent(int(r[0]), bytes(r[1]), str(r[2]), bytes(r[3]))


def known_event_ids(conn: Connection, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT id FROM custody WHERE id IN ({marks})", ids).fetchall()  # noqa: S608
    return {str(r[0]) for r in rows}


Disclosure = tuple[bytes, Any]  # (salt, details) of a sealed event


def seals_details(conn: Connection) -> bool:
    """Whether the database keeps sealed details (migration 6; always, once a vault is open)."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'custody_disclosures'"
    ).fetchone()
    return found is not None


def disclosures(conn: Connection, seqs: list[int] | None = None) -> dict[int, Disclosure]:
    """The kept details of sealed events (all, or those of ``seqs``), by seq."""
    if not seals_details(conn):
        return {}
    if seqs is None:
        rows = conn.execute("SELECT seq, salt, details FROM custody_disclosures").fetchall()
    else:
        rows = []
        for seq in seqs:
            rows += conn.execute(
                "SELECT seq, salt, details FROM custody_disclosures WHERE seq = ?", (seq,)
            ).fetchall()
    found: dict[int, Disclosure] = {}
    for seq, salt, details in rows:
        try:
            found[int(seq)] = (
                bytes(salt),
                parse_canonical(bytes(details), max_bytes=c.MAX_CUSTODY_BODY_BYTES),
            )
        except FormatError:
            found[int(seq)] = (bytes(salt), None)  # damaged: check says so
    return found


def opened(event: fmt.SignedEvent, disclosure: Disclosure | None) -> dict[str, Any]:
    """The event's body with its sealed details opened where they were kept and match; else the
    body as signed (a purged event keeps only its commitment). FormatError if unreadable."""
    body = event.parsed()
    if disclosure is None or sealing.sealed_commitment(body.get("details")) is None:
        return body
    try:
        return sealing.open_body(body, disclosure[0], disclosure[1])
    except FormatError:
        return body


def opened_bodies(conn: Connection, events: list[fmt.SignedEvent]) -> list[dict[str, Any]]:
    """:func:`opened` for each readable event (unreadable ones are left out: check reports them)."""
    kept = disclosures(conn, [e.seq for e in events])
    bodies = []
    for event in events:
        try:
            bodies.append(opened(event, kept.get(event.seq)))
        except FormatError:
            continue
    return bodies


def forget_details(conn: Connection, item_id: str) -> int:
    """Drop the kept details of every event about ``item_id`` (a purge); how many were dropped."""
    cur = conn.execute(
        "DELETE FROM custody_disclosures WHERE seq IN"
        " (SELECT seq FROM custody_items WHERE item_id = ?)",
        (item_id,),
    )
    return int(cur.rowcount)


def cleartext_events(conn: Connection, item_id: str) -> int:
    """How many events about ``item_id`` carry details in the clear (signed before sealing
    existed): a purge cannot remove what a signed body holds."""
    count = 0
    for event in events_for_item(conn, item_id):
        try:
            body = event.parsed()
        except FormatError:
            continue
        details = body.get("details")
        item = body.get("item")
        named = isinstance(item, dict) and item.get("id") == item_id
        in_clear = details and sealing.sealed_commitment(details) is None
        if named and in_clear and details != PURGED_DETAILS:
            count += 1
    return count


PURGED_DETAILS = {"purged": True}  # an item.deleted event of a purge: nothing else to say


def to_record(event: fmt.SignedEvent, disclosure: Disclosure | None = None) -> CustodyRecord:
    body = opened(event, disclosure)
    item = body.get("item") or {}
    return CustodyRecord(
        seq=event.seq,
        id=str(body.get("id")),
        type=str(body.get("type")),
        time=str(body.get("time")),
        item_id=item.get("id"),
        item_sha256=item.get("sha256"),
        reason=body.get("reason"),
        details=dict(body.get("details") or {}),
        hash=event.hash,
        prev=body.get("prev"),
        signature=base64.b64encode(event.signature).decode("ascii"),
    )
