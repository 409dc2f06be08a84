"""``evault check``: prove nothing in the vault was altered, and name precisely what was.

Checks, in order: SQLCipher's per-page HMACs (every page of the file), SQLite's structural integrity,
the search index, every original re-hashed against its recorded SHA-256, the custody chain (links,
hashes, signatures), the agreement between items and their custody events, each item's metadata
against the replay of its metadata events, and the MAC of vault.keys. Notes (not problems): a vault
on read-only media, and an export that started and never completed (``vault.custody.exports``).
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import sqlcipher3

from crypto import custody as fmt
from crypto import sealing
from crypto.errors import FormatError
from vault.custody import commitments
from vault.custody import log as custody
from vault.custody.chainwords import chain_finding
from vault.custody.exports import unfinished_exports
from vault.custody.models import CheckReport, Finding
from vault.errors import Cancelled, VaultDamaged
from vault.evidence import intake, packed
from vault.evidence.intake import Progress
from vault.evidence.items import ITEM_COLUMNS, ITEM_FROM, metadata_snapshot, rows_to_items
from vault.i18n import N_, _
from vault.store import keytrust
from vault.store.db import Connection
from vault.store.keychange import KeyRing

CHECK_STOPPED = N_("The check was stopped before it finished; nothing was changed.")
SQLITE_READONLY = 8  # the primary result code of "attempt to write a readonly database"
READ_ONLY_NOTE = N_(
    "The vault is on read-only media (a write-protected stick or card, or a read-only folder): "
    "everything was checked by reading only, and nothing could be changed."
)


def run_check(
    conn: Connection,
    public_key: bytes,
    vault_id: str,
    keyring: KeyRing,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> CheckReport:
    report = CheckReport()
    _check_storage(conn, report)
    _check_contents(conn, report, progress, cancel)
    try:
        events = custody.all_events(conn)
    except sqlcipher3.Error as exc:
        report.problems.append(
            Finding(N_("The custody log could not be read ({error})."), error=str(exc))
        )
        events = None
    if events is not None:
        report.events_checked = len(events)
        for problem in fmt.check_chain(events, public_key, vault_id=vault_id):
            report.problems.append(chain_finding(problem.seq, problem.message))
        try:
            imported = commitments.check(conn, events, vault_id)  # format-2 imports (§7.7)
            _check_item_history(conn, events, imported.created, report)
            _check_disclosures(conn, events, report)
            report.problems.extend(imported.problems)
            _check_metadata(conn, events, imported.bodies, report)
        except sqlcipher3.Error as exc:
            report.problems.append(
                Finding(
                    N_("The items could not be compared with the custody log ({error})."),
                    error=str(exc),
                )
            )
        report.notes.extend(unfinished_exports(events))
    _check_keys_file(conn, keyring, report)
    return report


def _check_keys_file(conn: Connection, keyring: KeyRing, report: CheckReport) -> None:
    """vault.keys as it is on disk now: its MAC over every slot and key event (docs/format.md §2.4)."""
    try:
        problems, notes = keytrust.check_keys_file(keyring, conn)
    except sqlcipher3.Error as exc:
        report.problems.append(
            Finding(
                N_("vault.keys could not be compared with the database ({error})."), error=str(exc)
            )
        )
        return
    report.problems.extend(problems)
    report.notes.extend(notes)


def _check_storage(conn: Connection, report: CheckReport) -> None:
    try:
        rows = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        for (message,) in rows:
            report.problems.append(
                Finding(
                    N_("vault.db: encrypted page damaged or altered ({message})."), message=message
                )
            )
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        if [r[0] for r in rows] != ["ok"]:
            for (message,) in rows[:20]:
                report.problems.append(
                    Finding(N_("vault.db structure: {message}."), message=message)
                )
    except sqlcipher3.Error as exc:
        report.problems.append(
            Finding(N_("vault.db could not be read completely ({error})."), error=str(exc))
        )
        return
    try:
        conn.execute("INSERT INTO search (search) VALUES ('integrity-check')")
    except sqlcipher3.Error as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF != SQLITE_READONLY:
            report.problems.append(
                Finding(N_("The search index could not be checked ({error})."), error=str(exc))
            )
        else:
            # FTS5's own check is a command written as an INSERT, which a read-only file refuses.
            # SQLite 3.44 and later run the same check inside PRAGMA integrity_check, above.
            report.notes.append(Finding(READ_ONLY_NOTE))
            if _sqlite_version(conn) < (3, 44):
                report.notes.append(
                    Finding(N_("The search index could not be checked on read-only media."))
                )


def _sqlite_version(conn: Connection) -> tuple[int, ...]:
    (text,) = conn.execute("SELECT sqlite_version()").fetchone()
    return tuple(int(part) for part in str(text).split(".")[:2])


def _check_contents(
    conn: Connection, report: CheckReport, progress: Progress | None, cancel: threading.Event | None
) -> None:
    try:
        items = conn.execute(
            "SELECT i.id, i.sha256, i.size, i.content_id, c.sha256, c.size, c.chunk_count"
            " FROM items i LEFT JOIN contents c ON c.id = i.content_id"
            " WHERE i.deleted_at IS NULL ORDER BY i.rowid"
        ).fetchall()
        # An imported message of format 2 keeps its original packed (§7.7): its own SHA-256
        # and size stand in for a content row's, and its single part is its packed place.
        packed_at: dict[str, intake.Part] = {
            str(r[0]): (str(r[1]), int(r[2]))
            for r in conn.execute(
                "SELECT item_id, import_id, leaf FROM import_messages WHERE leaf IS NOT NULL"
            ).fetchall()
        }
        total = sum(int(r[2]) for r in items)
    except sqlcipher3.Error as exc:
        report.problems.append(
            Finding(N_("The list of items could not be read ({error})."), error=str(exc))
        )
        return
    done = 0
    blocks = packed.BlockReader(conn)
    for item_id, sha, size, content_id, content_hash, content_length, chunks_stored in items:
        content_sha, content_size, chunk_count = content_hash, content_length, chunks_stored
        if cancel is not None and cancel.is_set():
            raise Cancelled(_(CHECK_STOPPED))
        report.items_checked += 1
        place = packed_at.get(item_id)
        if content_id is None and place is not None:
            content_sha, content_size, chunk_count = sha, size, 1
        if (content_id is None and place is None) or content_sha is None:
            report.problems.append(
                Finding(N_("Item {item_id}: its stored content is missing."), item_id=item_id)
            )
            continue
        digest = hashlib.sha256()
        length = 0
        try:
            rows: list[intake.Part] = (
                [place]
                if content_id is None and place is not None
                else list(intake.iter_content(conn, int(content_id)))
            )
            if len(rows) != chunk_count:
                report.problems.append(
                    Finding(
                        N_("Item {item_id}: parts of its stored content are missing."),
                        item_id=item_id,
                    )
                )
            for chunk_row in rows:
                chunk = intake.read_chunk(conn, chunk_row, blocks)
                digest.update(chunk)
                length += len(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
        except (sqlcipher3.Error, VaultDamaged) as exc:
            report.problems.append(
                Finding(
                    N_("Item {item_id}: its content could not be read ({error})."),
                    item_id=item_id,
                    error=str(exc),
                )
            )
            continue
        report.bytes_checked += length
        actual = digest.hexdigest()
        if actual != sha or actual != content_sha or length != size or length != content_size:
            report.problems.append(
                Finding(
                    N_(
                        "Item {item_id}: the stored bytes no longer match the SHA-256 recorded when it was "
                        "added (recorded {recorded}, now {now})."
                    ),
                    item_id=item_id,
                    recorded=sha,
                    now=actual,
                )
            )


def _check_item_history(
    conn: Connection,
    events: list[fmt.SignedEvent],
    imported: dict[str, str],
    report: CheckReport,
) -> None:
    """Every item must have a creation event (or, imported in format 2, a creation record:
    ``imported``) with its SHA-256; every deletion a tombstone."""
    created: dict[str, str] = {}
    deleted: set[str] = set()
    for event in events:
        try:
            body = event.parsed()
        except FormatError:  # already reported by check_chain
            continue
        item = body.get("item")
        if not isinstance(item, dict):
            continue
        if body.get("type") == custody.ITEM_CREATED:
            created[str(item.get("id"))] = str(item.get("sha256"))
        elif body.get("type") == custody.ITEM_DELETED:
            deleted.add(str(item.get("id")))
    created.update(imported)
    rows = conn.execute("SELECT id, sha256, deleted_at FROM items").fetchall()
    for item_id, sha, deleted_at in rows:
        if item_id not in created:
            report.problems.append(
                Finding(
                    N_("Item {item_id}: it has no creation event in the custody log."),
                    item_id=item_id,
                )
            )
        elif created[item_id] != sha:
            report.problems.append(
                Finding(
                    N_(
                        "Item {item_id}: its recorded SHA-256 differs from the one in its creation event."
                    ),
                    item_id=item_id,
                )
            )
        if deleted_at is not None and item_id not in deleted:
            report.problems.append(
                Finding(
                    N_("Item {item_id}: it was deleted without a custody tombstone."),
                    item_id=item_id,
                )
            )
        if deleted_at is None and item_id in deleted:
            report.problems.append(
                Finding(
                    N_("Item {item_id}: the log says it was deleted, but it is still here."),
                    item_id=item_id,
                )
            )
    present = {str(r[0]) for r in rows}
    for item_id in sorted(created.keys() - present):
        # Deletion keeps a tombstone row, so a logged item can never legitimately vanish.
        report.problems.append(
            Finding(
                N_("Item {item_id}: the custody log records it, but it is missing from the vault."),
                item_id=item_id,
            )
        )


def _check_disclosures(
    conn: Connection, events: list[fmt.SignedEvent], report: CheckReport
) -> None:
    """Every kept detail must open its event's signed commitment (docs/format.md §5.6); a sealed
    event of an item still in the vault must have its details kept."""
    kept = custody.disclosures(conn)
    live = {str(r[0]) for r in conn.execute("SELECT id FROM items WHERE deleted_at IS NULL")}
    by_seq = {e.seq: e for e in events}
    for seq, (salt, details) in sorted(kept.items()):
        event = by_seq.get(seq)
        try:
            body = event.parsed() if event is not None else None
            if body is None:
                raise FormatError("no such event")
            sealing.open_body(body, salt, details)
        except FormatError:
            report.problems.append(
                Finding(
                    N_(
                        "Custody event {seq}: the details kept beside it do not match what it signed."
                    ),
                    seq=seq,
                )
            )
    for event in events:
        try:
            body = event.parsed()
        except FormatError:
            continue
        item = body.get("item")
        sealed = sealing.sealed_commitment(body.get("details")) is not None
        if sealed and event.seq not in kept and isinstance(item, dict) and item.get("id") in live:
            report.problems.append(
                Finding(
                    N_("Custody event {seq}: the details it sealed are missing from the vault."),
                    seq=event.seq,
                )
            )


def _check_metadata(
    conn: Connection,
    events: list[fmt.SignedEvent],
    records: dict[int, list[dict[str, Any]]],
    report: CheckReport,
) -> None:
    """Replay each item's metadata changes over its creation snapshot; compare with the table.

    A title, sender, time or tag changed without a custody event shows up here.
    """
    bodies = commitments.with_records(custody.opened_bodies(conn, events), records)
    replayed = fmt.replay_metadata(bodies)
    cursor = conn.execute(
        f"SELECT {ITEM_COLUMNS} FROM {ITEM_FROM} WHERE i.deleted_at IS NULL ORDER BY i.rowid"  # noqa: S608
    )
    while rows := cursor.fetchmany(500):  # tags and message fields read 500 items at a time
        for item in rows_to_items(conn, rows):
            expected = replayed.get(item.id)
            if expected is None:
                continue  # no creation event: reported by _check_item_history
            actual = metadata_snapshot(item)
            changed = sorted(k for k in actual if actual.get(k) != expected.get(k))
            if changed:
                report.problems.append(
                    Finding(
                        N_("Item {item_id}: its {fields} changed without a custody event."),
                        item_id=item.id,
                        fields=", ".join(changed),
                    )
                )
