"""What earlier imports left behind: the list of imports, and the messages of a chat that an
earlier export had and a later one no longer has (deleted since, which is evidence too).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from vault.imports.parsers.records import ImportedChat
from vault.store.db import Connection
from vault.store.session import Session


def chat_imported_before(conn: Connection, chat: ImportedChat) -> bool:
    """Whether an earlier import brought messages of ``chat``. When none did (the first import of
    a chat) its messages need no look-up for an earlier copy, one per message saved."""
    row = conn.execute(
        "SELECT 1 FROM import_messages WHERE platform = ? AND chat_key = ? LIMIT 1",
        (chat.platform, chat.key),
    ).fetchone()
    return row is not None


def earlier_copy(conn: Connection, chat: ImportedChat, key: str) -> tuple[str, str] | None:
    """(item id, SHA-256) of the latest stored copy of message ``key`` of ``chat``, if any."""
    row = conn.execute(
        "SELECT m.item_id, i.sha256 FROM import_messages m JOIN items i ON i.id = m.item_id"
        " WHERE m.platform = ? AND m.chat_key = ? AND m.message_key = ?"
        " AND i.deleted_at IS NULL ORDER BY i.rowid DESC LIMIT 1",
        (chat.platform, chat.key, key),
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


def find_missing(
    session: Session,
    import_id: str,
    chat: ImportedChat,
    keys: set[str],
    span: tuple[str | None, str | None],
) -> list[dict[str, str]]:
    """Messages of ``chat`` that earlier imports stored and this one (``import_id``, which saw
    the message ``keys``) no longer has. Only within the time ``span`` this export covers: a
    message from outside it is missing because the export is shorter, not evidence of deletion."""
    first, last = span
    rows = session.conn.execute(
        "SELECT m.item_id, m.message_key, m.time_utc, m.sender_name FROM import_messages m"
        " JOIN items i ON i.id = m.item_id"
        " WHERE m.platform = ? AND m.chat_key = ? AND m.import_id != ?"
        " AND i.deleted_at IS NULL ORDER BY m.time_utc",
        (chat.platform, chat.key, import_id),
    ).fetchall()
    reported: set[str] = set()
    missing: list[dict[str, str]] = []
    for item_id, key, time_utc, sender in rows:
        if key in keys or key in reported:
            continue
        outside = (
            time_utc is not None
            and first is not None
            and last is not None
            and not first <= time_utc <= last
        )
        if outside:
            continue  # outside the span this export covers: not evidence of deletion
        reported.add(key)
        missing.append(
            {
                "chat": chat.title,
                "item_id": str(item_id),
                "time": str(time_utc or ""),
                "sender": str(sender),
            }
        )
    return missing


def iter_imports(session: Session) -> Iterator[dict[str, Any]]:
    """Every import, newest first, with its stored summary."""
    rows = session.conn.execute(
        "SELECT id, importer, importer_version, source_name, source_kind, source_sha256,"
        " source_item_id, settings, summary, created FROM imports ORDER BY created DESC, rowid DESC"
    ).fetchall()
    for row in rows:
        yield {
            "id": row[0],
            "importer": row[1],
            "importer_version": row[2],
            "source_name": row[3],
            "source_kind": row[4],
            "source_sha256": row[5],
            "source_item_id": row[6],
            "settings": json.loads(row[7]),
            "summary": json.loads(row[8]),
            "created": row[9],
        }
