"""Changing what is said about evidence, and deleting it — never its original bytes.

Each change is one transaction with an ``item.metadata_changed`` event listing every field's old
and new value; a deletion removes content and description and leaves a signed tombstone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vault.clock import UNKNOWN_ZONE, parse_reported_time
from vault.custody import log as custody
from vault.errors import InvalidInput
from vault.evidence import intake, packed
from vault.evidence.cases import ensure_case
from vault.evidence.items import load_item, resolve_id, search_text
from vault.evidence.models import Item
from vault.i18n import _
from vault.store.db import Connection
from vault.store.session import Session, now_text, transaction

EDITABLE_FIELDS = (
    "title",
    "description",
    "platform",
    "source_url",
    "sender_handle",
    "sender_id",
    "occurred",
    "case",
    "tags",
    "sensitive",
)
# Plain text fields: same name as their column.
_TEXT_FIELDS = ("title", "description", "platform", "source_url", "sender_handle", "sender_id")


def update_metadata(
    session: Session,
    item_id: str,
    changes: dict[str, Any],
    *,
    reason: str | None,
    now: datetime | None,
) -> Item:
    # "occurred_tz" qualifies "occurred" (a time given without offset) and only goes with it.
    allowed = set(EDITABLE_FIELDS) | ({"occurred_tz"} if "occurred" in changes else set())
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(
            _("These fields cannot be changed: {fields}.").format(fields=", ".join(sorted(unknown)))
        )
    conn = session.conn
    before = load_item(conn, resolve_id(conn, item_id))
    stamp = now_text(now)
    with transaction(conn):
        diff = _apply_changes(session, before, changes, stamp)
        if diff:
            after = load_item(conn, before.id)
            reindex(session, after)
            session.event(
                custody.ITEM_METADATA_CHANGED,
                stamp,
                item=after,
                reason=reason,
                details={"changes": diff},
            )
    return load_item(conn, before.id)


def _apply_changes(
    session: Session, before: Item, changes: dict[str, Any], stamp: str
) -> dict[str, Any]:
    conn = session.conn
    diff: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        if name in changes and str(changes[name]) != getattr(before, name):
            value = str(changes[name])
            conn.execute(
                f"UPDATE items SET {name} = ? WHERE id = ?",  # noqa: S608 - fixed column names
                (value, before.id),
            )
            diff[name] = {"from": getattr(before, name), "to": value}
    if "sensitive" in changes and bool(changes["sensitive"]) != before.sensitive:
        flag = bool(changes["sensitive"])
        conn.execute("UPDATE items SET sensitive = ? WHERE id = ?", (int(flag), before.id))
        diff["sensitive"] = {"from": before.sensitive, "to": flag}
    if "occurred" in changes:
        given = changes["occurred"]
        occurred = parse_reported_time(given, changes.get("occurred_tz")) if given else None
        new_at = occurred.text if occurred and occurred.text != UNKNOWN_ZONE else None
        new_tz = occurred.zone if occurred else UNKNOWN_ZONE
        if (new_at, new_tz) != (before.occurred_at, before.occurred_tz):
            conn.execute(
                "UPDATE items SET occurred_at = ?, occurred_tz = ?, occurred_utc = ? WHERE id = ?",
                (new_at, new_tz, occurred.utc if occurred else None, before.id),
            )
            diff["occurred"] = {
                "from": {"at": before.occurred_at, "tz": before.occurred_tz},
                "to": {"at": new_at, "tz": new_tz},
            }
    if "case" in changes and (changes["case"] or None) != before.case:
        case_name = changes["case"] or None
        case_id = ensure_case(session, case_name, stamp)
        conn.execute("UPDATE items SET case_id = ? WHERE id = ?", (case_id, before.id))
        diff["case"] = {"from": before.case, "to": case_name.strip() if case_name else None}
    if "tags" in changes:
        tags = sorted({str(t).strip() for t in changes["tags"] if str(t).strip()})
        if tuple(tags) != before.tags:
            conn.execute("DELETE FROM item_tags WHERE item_id = ?", (before.id,))
            conn.executemany(
                "INSERT INTO item_tags (item_id, tag) VALUES (?, ?)",
                [(before.id, t) for t in tags],
            )
            diff["tags"] = {"from": list(before.tags), "to": tags}
    if diff:
        conn.execute("UPDATE items SET updated_at = ? WHERE id = ?", (stamp, before.id))
    return diff


def reindex(session: Session, item: Item) -> None:
    """Replace the item's search entry with one built from its current metadata."""
    conn = session.conn
    rowid = conn.execute("SELECT rowid FROM items WHERE id = ?", (item.id,)).fetchone()[0]
    conn.execute("DELETE FROM search WHERE rowid = ?", (rowid,))
    conn.execute(
        "INSERT INTO search (rowid, title, body, meta) VALUES (?, ?, ?, ?)",
        (rowid, *search_text(item, text_body(session, item), item.case)),
    )


def text_body(session: Session, item: Item) -> str:
    """The text of a message or note, for the search index ('' for files)."""
    if item.kind == "file":
        return ""
    conn = session.conn
    chunks = intake.item_parts(conn, item.id)
    return b"".join(intake.read_chunk(conn, r) for r in chunks).decode("utf-8", errors="replace")


def _forget_packed(conn: Connection, item_id: str, *, purge: bool) -> None:
    """Drop an imported message's packed original, and on a purge its creation record too
    (§7.7: the record's hash stays in the import statement, opening for nobody)."""
    if not packed.available(conn):
        return
    row = conn.execute(
        "SELECT import_id, leaf FROM import_messages WHERE item_id = ? AND leaf IS NOT NULL",
        (item_id,),
    ).fetchone()
    if row is not None:
        packed.remove(conn, str(row[0]), int(row[1]), record=purge)


def delete_item(
    session: Session, item_id: str, *, reason: str, now: datetime | None, purge: bool = False
) -> Item:
    """Remove content, tags, search entry and description; keep a tombstone row and event."""
    if not reason or not reason.strip():
        raise InvalidInput(
            _("Say why the item is deleted (--reason); it is kept in the custody log.")
        )
    conn = session.conn
    item = load_item(conn, resolve_id(conn, item_id, include_deleted=purge))
    stamp = now_text(now)
    if item.deleted_at is not None:  # deleted before, now for good: the log forgets it too
        with transaction(conn):
            custody.forget_details(conn, item.id)
            _forget_packed(conn, item.id, purge=True)
            session.event(
                custody.ITEM_DELETED,
                stamp,
                item=item,
                reason=reason.strip(),
                details=custody.PURGED_DETAILS,
                sealed=False,
            )
        return load_item(conn, item.id)
    with transaction(conn):
        rowid, content_id = conn.execute(
            "SELECT rowid, content_id FROM items WHERE id = ?", (item.id,)
        ).fetchone()
        _forget_packed(conn, item.id, purge=purge)
        conn.execute("DELETE FROM search WHERE rowid = ?", (rowid,))
        conn.execute("DELETE FROM item_tags WHERE item_id = ?", (item.id,))
        conn.execute("DELETE FROM messages WHERE item_id = ?", (item.id,))
        # What an import knew about it (sender, chat, times, headers) goes with it; so does the
        # perceptual hash of a picture. An export file's import keeps only its signed event.
        if not packed.available(conn):
            conn.execute("DELETE FROM import_messages WHERE item_id = ?", (item.id,))
        else:
            conn.execute(
                "DELETE FROM import_messages WHERE item_id = ? AND leaf IS NULL", (item.id,)
            )
            # A packed message (format 2) keeps only where its creation record is (§7.7).
            conn.execute(
                "UPDATE import_messages SET platform = '', chat_key = '', chat_title = '',"
                " message_key = '', sender_name = '', sender_id = '', time_raw = '',"
                " time_utc = NULL, time_source = '', time_zone = '', kind = '', reply_to = '',"
                " forwarded_from = '', edited_raw = NULL, missing_media = '[]',"
                " transformations = '[]', details = '{}' WHERE item_id = ?",
                (item.id,),
            )
        conn.execute("DELETE FROM perceptual_hashes WHERE item_id = ?", (item.id,))
        conn.execute(
            "DELETE FROM message_attachments WHERE message_id = ? OR item_id = ?",
            (item.id, item.id),
        )
        conn.execute("UPDATE imports SET summary = '{}' WHERE source_item_id = ?", (item.id,))
        conn.execute(
            "UPDATE items SET title = '', description = '', platform = '', source_url = '',"
            " sender_handle = '', sender_id = '', original_filename = '', occurred_at = NULL,"
            " occurred_utc = NULL, content_id = NULL, case_id = NULL, deleted_at = ?,"
            " deleted_reason = ?, updated_at = ? WHERE id = ?",
            (stamp, reason.strip(), stamp, item.id),
        )
        if content_id is not None:
            still_used = conn.execute(
                "SELECT 1 FROM items WHERE content_id = ? LIMIT 1", (content_id,)
            ).fetchone()
            if not still_used:
                conn.execute("DELETE FROM chunks WHERE content_id = ?", (content_id,))
                conn.execute("DELETE FROM contents WHERE id = ?", (content_id,))
        if purge:
            # What the log said about the item goes; the tombstone says only that it went.
            custody.forget_details(conn, item.id)
            session.event(
                custody.ITEM_DELETED,
                stamp,
                item=item,
                reason=reason.strip(),
                details=custody.PURGED_DETAILS,
                sealed=False,
            )
        else:
            session.event(
                custody.ITEM_DELETED,
                stamp,
                item=item,
                reason=reason.strip(),
                details={"title": item.title},
            )
    return load_item(conn, item.id)
