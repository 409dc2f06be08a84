"""Storing an import's messages in import format 2 (docs/format.md §7.7): rows written in
batches, originals and creation records packed, one statement for the import's signed event.

Per message this writes the item row, its tags, message fields, search entry and import fields —
what the evidence list, search and the item view read — and nothing else: no custody event, no
sealed details, no content row. Its original and its creation record (the canonical JSON an
``item.created`` event would have signed) go into the import's packed blocks; the record's
SHA-256 goes into the import statement, which the import's one ``import.completed`` event commits
to. Rows are written ``BATCH`` messages at a time with ``executemany``: one statement per table
per batch instead of five per message.

Rowids of the items are given here (the import holds the write lock, so nothing else inserts), so
a message's search entry can be written in the same batch. Anything that inserts items in between
(a message's media, stored by ``files``) or looks for an earlier copy must :meth:`flush` first.
"""

from __future__ import annotations

from typing import Any

from crypto import import_statement as fmt
from vault.clock import ReportedTime
from vault.evidence.adding import ITEM_INSERT, MESSAGE_INSERT, creation_details, item_row, new_item
from vault.evidence.items import search_text
from vault.evidence.models import MessageFields, Metadata
from vault.evidence.packed import PackWriter
from vault.store.session import Session

BATCH = 500
FORMAT = 2

IMPORT_MESSAGE_INSERT = (
    "INSERT INTO import_messages (item_id, import_id, platform, chat_key, chat_title,"
    " message_key, sender_name, sender_id, time_raw, time_utc, time_source, time_zone,"
    " kind, reply_to, forwarded_from, edited_raw, missing_media, transformations, details, leaf)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class CommittedMessages:
    """The messages of one import in progress (inside its transaction)."""

    def __init__(self, session: Session, import_id: str, stamp: str, case_id: str | None) -> None:
        self.session = session
        self.conn = session.conn
        self.import_id = import_id
        self.stamp = stamp
        self.case_id = case_id
        self.pack = PackWriter(self.conn, import_id)
        self.hashes: list[bytes] = []
        self._next_rowid: int | None = None
        self._items: list[tuple[Any, ...]] = []
        self._tags: list[tuple[str, str]] = []
        self._messages: list[tuple[Any, ...]] = []
        self._search: list[tuple[Any, ...]] = []
        self._imports: list[tuple[Any, ...]] = []
        self._attachments: list[tuple[str, str]] = []

    def add(
        self,
        *,
        data: bytes,
        sha256: str,
        meta: Metadata,
        media_type: str,
        message: tuple[MessageFields, ReportedTime | None],
        body: str,
        extra_details: dict[str, Any],
        import_fields: tuple[Any, ...],
        attachments: list[str],
    ) -> str:
        """Keep one message; its new item id. ``import_fields`` are the values of
        ``import_messages`` after ``item_id, import_id`` and before ``leaf``."""
        item = new_item(
            kind="message",
            sha256=sha256,
            size=len(data),
            meta=meta,
            media_type=media_type,
            original_filename="",
            stamp=self.stamp,
            parent_id=meta.parent_id,
            message=message,
        )
        if self._next_rowid is None:
            row = self.conn.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()
            self._next_rowid = int(row[0]) + 1
        rowid = self._next_rowid
        self._next_rowid += 1
        leaf = self.pack.count + 1
        record = fmt.make_record(
            vault_id=self.session.vault_id,
            import_id=self.import_id,
            leaf=leaf,
            time=self.stamp,
            item={"id": item.id, "sha256": item.sha256, "kind": item.kind},
            details=creation_details(item, "import", extra_details),
        )
        self.pack.add(record, data)
        self.hashes.append(fmt.record_hash(record))
        self._items.append(item_row(item, rowid, None, self.case_id))
        self._tags.extend((item.id, tag) for tag in item.tags)
        if item.message is not None:
            self._messages.append((item.id, *item.message.values()))
        title, words, fields = search_text(item, body, item.case)
        # A message's title is its first line: indexed once, in the body, not twice.
        self._search.append((rowid, "" if title in words else title, words, fields))
        self._imports.append((item.id, self.import_id, *import_fields, leaf))
        self._attachments.extend((item.id, media_id) for media_id in attachments)
        if len(self._items) >= BATCH:
            self.flush()
        return item.id

    def flush(self) -> None:
        """Write the batched rows (before anything else inserts items or reads them)."""
        self._next_rowid = None
        if not self._items:
            return
        conn = self.conn
        conn.executemany(ITEM_INSERT, self._items)
        conn.executemany("INSERT INTO item_tags (item_id, tag) VALUES (?, ?)", self._tags)
        conn.executemany(MESSAGE_INSERT, self._messages)
        conn.executemany(
            "INSERT INTO search (rowid, title, body, meta) VALUES (?, ?, ?, ?)", self._search
        )
        conn.executemany(IMPORT_MESSAGE_INSERT, self._imports)
        conn.executemany(
            "INSERT OR IGNORE INTO message_attachments (message_id, item_id) VALUES (?, ?)",
            self._attachments,
        )
        for rows in (
            self._items,
            self._tags,
            self._messages,
            self._search,
            self._imports,
            self._attachments,
        ):
            rows.clear()

    def finish(self) -> dict[str, Any] | None:
        """Write what is left; the commitment for the ``import.completed`` event's details
        (None when no message was kept)."""
        self.flush()
        self.pack.flush()
        if not self.hashes:
            return None
        return {
            "format": FORMAT,
            "count": len(self.hashes),
            "statement_sha256": fmt.statement_sha256(
                self.session.vault_id, self.import_id, self.hashes
            ),
        }

    def record_hashes(self) -> bytes:
        return b"".join(self.hashes)
