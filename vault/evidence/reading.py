"""Reading evidence back: listing, search, and the original bytes (each read is a custody event).

Originals are streamed chunk by chunk; a whole video never sits in memory. Exporting to a file
writes owner-only under a hidden partial name, checks the SHA-256, then renames
(``vault.host.outputs``), so a failure never leaves a partial file under the real name.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from vault.custody import log as custody
from vault.errors import Cancelled, EvaultError, InvalidInput
from vault.evidence import intake
from vault.evidence.items import (
    ITEM_COLUMNS,
    ITEM_FROM,
    load_item,
    resolve_id,
    row_to_item,
    rows_to_items,
)
from vault.evidence.models import Item
from vault.evidence.search import fts_expression
from vault.host.outputs import Output, write_failed
from vault.i18n import N_, _
from vault.store.session import Session, now_text, transaction, translate

HASH_MISMATCH = N_(
    "The stored copy does not match its recorded file code (SHA-256), so it was not written "
    "out. Run 'evault check' to see what is wrong."
)


def list_items(session: Session, *, include_deleted: bool) -> list[Item]:
    where = "" if include_deleted else " WHERE i.deleted_at IS NULL"
    rows = session.conn.execute(
        f"SELECT {ITEM_COLUMNS} FROM {ITEM_FROM}{where} ORDER BY i.rowid"  # noqa: S608
    ).fetchall()
    return [row_to_item(session.conn, r) for r in rows]


def get_item(session: Session, item_id: str, *, include_deleted: bool) -> Item:
    conn = session.conn
    return load_item(conn, resolve_id(conn, item_id, include_deleted=include_deleted))


def search(session: Session, query: str, *, limit: int) -> list[Item]:
    """Items whose title, text or metadata contain every word typed (folded, prefix match),
    the most recently added first.

    Newest first, not by relevance: ranking must score every hit before the first can be
    shown (44 ms for a word in a third of 100,000 messages), while the index hands out hits by
    row id and the query stops after ``limit`` of them (issue 18, docs/performance.md).
    """
    expression = fts_expression(query, session.conn)
    if expression is None:
        return []
    rows = session.conn.execute(
        f"SELECT {ITEM_COLUMNS} FROM search s CROSS JOIN items i ON i.rowid = s.rowid"  # noqa: S608
        " LEFT JOIN cases c ON c.id = i.case_id"
        " WHERE search MATCH ? AND i.deleted_at IS NULL ORDER BY s.rowid DESC LIMIT ?",
        (expression, limit),
    ).fetchall()
    return rows_to_items(session.conn, rows)


def content_rows(session: Session, item_id: str) -> tuple[Item, list[intake.Part]]:
    """The item and where its original is (its chunks' row ids, or its packed place), in order."""
    conn = session.conn
    item = load_item(conn, resolve_id(conn, item_id))
    return item, intake.item_parts(conn, item.id)


def record(
    session: Session,
    event_type: str,
    item: Item,
    now: datetime | None,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record a read of an item in its own transaction."""
    with transaction(session.conn):
        session.event(event_type, now_text(now), item=item, reason=reason, details=details)


def iter_chunks(
    session: Session, chunk_rows: list[intake.Part], lock: threading.RLock
) -> Iterator[bytes]:
    """Yield chunks one at a time, holding ``lock`` only while reading each one."""
    for chunk_row in chunk_rows:
        with lock:
            try:
                chunk = intake.read_chunk(session.conn, chunk_row)
            except Exception as exc:
                raise translate(exc) from None
        yield chunk


def export_content(
    session: Session,
    item_id: str,
    destination: Path,
    *,
    lock: threading.RLock,
    reason: str | None,
    overwrite: bool,
    progress: Callable[[int, int | None], None] | None,
    cancel: threading.Event | None,
    now: datetime | None,
) -> Item:
    if destination.exists() and (destination.is_dir() or not overwrite):
        raise InvalidInput(
            _("{destination} already exists. Choose another name.").format(destination=destination)
        )
    item, chunk_rows = content_rows(session, item_id)
    digest = hashlib.sha256()
    try:
        with Output(destination, replace=overwrite, write_back=True) as out:
            done = 0
            for chunk in iter_chunks(session, chunk_rows, lock):
                if cancel is not None and cancel.is_set():
                    raise Cancelled(_("Stopped. No partial copy was left behind."))
                digest.update(chunk)
                out.file.write(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(done, item.size)
            if digest.hexdigest() != item.sha256:
                raise EvaultError(_(HASH_MISMATCH))
            out.publish()
    except FileExistsError:
        raise InvalidInput(
            _("{destination} already exists. Choose another name.").format(destination=destination)
        ) from None
    except OSError as exc:
        raise write_failed(destination, exc) from None
    except BaseException as exc:
        raise translate(exc) from None
    record(
        session,
        custody.ITEM_EXPORTED,
        item,
        now,
        reason=reason,
        details={"destination": destination.name},
    )
    return item
