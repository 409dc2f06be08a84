"""Adding evidence: files (streamed), typed messages and notes, each with its custody event.

Identical file bytes are stored once and reported as a duplicate. For messages the same words from
the same sender at the same time are the same message; the same words from someone else, or at
another time, are new evidence. Notes are never merged.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import uuid
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from vault.clock import ReportedTime, parse_reported_time
from vault.custody import log as custody
from vault.errors import InvalidInput
from vault.evidence import intake
from vault.evidence.cases import ensure_case
from vault.evidence.items import metadata_snapshot, resolve_id, search_text
from vault.evidence.mediatype import sniff
from vault.evidence.models import (
    AddResult,
    Item,
    MessageFields,
    Metadata,
    check_case_name,
    check_tags,
)
from vault.i18n import _
from vault.store.session import Session, now_text, transaction

MAX_TEXT_BYTES = 16 * 1024 * 1024
TEXT_MEDIA_TYPE = "text/plain; charset=utf-8"


def validate_meta(meta: Metadata) -> None:
    """Refuse unusable metadata before anything is written."""
    if meta.occurred:
        parse_reported_time(meta.occurred, meta.occurred_tz)
    check_tags(meta.tags)
    if meta.case is not None:
        check_case_name(meta.case)


def open_file(path: Path, *, buffered: bool = True) -> BinaryIO:
    """``path`` opened for reading, or one calm sentence saying why it cannot be."""
    if not path.is_file():
        raise InvalidInput(
            _("{path} is not a file that can be read. Check the path.").format(path=path)
        )
    try:
        return path.open("rb") if buffered else path.open("rb", buffering=0)
    except OSError:
        raise InvalidInput(
            _("{path} could not be opened. Check that it exists and is readable.").format(path=path)
        ) from None


def add_one_file(
    session: Session,
    path: Path,
    meta: Metadata,
    progress: intake.Progress | None,
    cancel: threading.Event | None,
    stamp: str,
) -> AddResult:
    """Stream one file of any size into the caller's transaction (a savepoint inside it), with
    the custody time ``stamp``."""
    with open_file(path) as reader:
        total = os.fstat(reader.fileno()).st_size
        return _add_stream(
            session, reader, total, path.name, str(path), meta, progress, cancel, stamp
        )


def add_bytes(
    session: Session, data: bytes, filename: str, meta: Metadata, now: datetime | None
) -> AddResult:
    """Add bytes held in memory as a file item (a picture the program drew, say) through the same
    intake as a file on disk, so nothing is ever written outside the vault first."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()  # no folders
    if not name or name in {".", ".."}:
        raise InvalidInput(
            _("The item needs a file name (such as picture.png). Nothing was added.")
        )
    validate_meta(meta)
    with transaction(session.conn):
        return _add_stream(
            session, io.BytesIO(data), len(data), name, name, meta, None, None, now_text(now)
        )


def _add_stream(
    session: Session,
    reader: BinaryIO,
    total: int,
    name: str,
    shown: str,
    meta: Metadata,
    progress: intake.Progress | None,
    cancel: threading.Event | None,
    stamp: str,
) -> AddResult:
    """Store one stream as a file item inside the caller's transaction (a savepoint, so a failure
    or a duplicate leaves nothing behind). ``shown`` is how the result names the source."""
    conn = session.conn
    conn.execute("SAVEPOINT intake")
    try:
        stored = intake.store_stream(conn, reader, total=total, progress=progress, cancel=cancel)
        duplicate = find_duplicate(session, stored.sha256, "file", meta)
        if duplicate is not None:
            conn.execute("ROLLBACK TO intake")
            conn.execute("RELEASE intake")
            return AddResult(duplicate, stored.sha256, stored.size, True, shown)
        item_id = insert_item(
            session,
            kind="file",
            stored=stored,
            meta=meta if meta.title else replace(meta, title=name),
            media_type=sniff(stored.head, name),
            original_filename=name,
            stamp=stamp,
            body="",
            source="file",
        )
        conn.execute("RELEASE intake")
    except BaseException:
        conn.execute("ROLLBACK TO intake")
        conn.execute("RELEASE intake")
        raise
    return AddResult(item_id, stored.sha256, stored.size, False, shown)


def add_text(
    session: Session,
    kind: str,
    text: str,
    meta: Metadata,
    fields: MessageFields | None,
    now: datetime | None,
) -> AddResult:
    """Add a message or note; its UTF-8 text, exactly as given, is the original."""
    data = text.encode("utf-8")
    if not text.strip():
        if kind == "note":
            raise InvalidInput(_("The note is empty. Type or paste its text and try again."))
        raise InvalidInput(_("The message is empty. Type or paste its text and try again."))
    if len(data) > MAX_TEXT_BYTES:
        if kind == "note":
            raise InvalidInput(_("The note is larger than 16 MiB; add it as a file instead."))
        raise InvalidInput(_("The message is larger than 16 MiB; add it as a file instead."))
    validate_meta(meta)
    sent = parse_reported_time(fields.sent, fields.sent_tz) if fields and fields.sent else None
    if fields is not None and fields.sent and not meta.occurred:
        # A threat happened when it was sent, unless the defender says otherwise.
        meta = replace(meta, occurred=fields.sent, occurred_tz=fields.sent_tz)
    conn = session.conn
    if kind == "message":
        # The text is in memory already, so duplicates are found before anything is written.
        sha256 = hashlib.sha256(data).hexdigest()
        duplicate = find_duplicate(session, sha256, kind, meta, sent.text if sent else None)
        if duplicate is not None:
            return AddResult(duplicate, sha256, len(data), True, kind)
    with transaction(conn):
        stored = intake.store_stream(conn, io.BytesIO(data), total=len(data))
        item_id = insert_item(
            session,
            kind=kind,
            stored=stored,
            meta=replace(meta, title=meta.title or _first_line(text)),
            media_type=TEXT_MEDIA_TYPE,
            original_filename="",
            stamp=now_text(now),
            body=text,
            source="typed",
            message=(fields, sent) if fields is not None else None,
        )
    return AddResult(item_id, stored.sha256, stored.size, False, kind)


def find_duplicate(
    session: Session, sha256: str, kind: str, meta: Metadata, sent: str | None = None
) -> str | None:
    if kind == "file":
        row = session.conn.execute(
            "SELECT id FROM items WHERE sha256 = ? AND kind = 'file' AND deleted_at IS NULL"
            " AND content_id IS NOT NULL"
            " ORDER BY rowid LIMIT 1",
            (sha256,),
        ).fetchone()
        return str(row[0]) if row else None
    row = session.conn.execute(
        "SELECT i.id FROM items i LEFT JOIN messages m ON m.item_id = i.id"
        " WHERE i.sha256 = ? AND i.kind = 'message' AND i.deleted_at IS NULL"
        " AND i.content_id IS NOT NULL"
        " AND i.platform = ? AND i.sender_handle = ? AND i.sender_id = ?"
        " AND m.sent_at IS ? LIMIT 1",
        (sha256, meta.platform, meta.sender_handle, meta.sender_id, sent),
    ).fetchone()
    return str(row[0]) if row else None


ITEM_INSERT = (
    "INSERT INTO items (rowid, id, kind, title, description, media_type, size, sha256, content_id,"
    " captured_at, occurred_at, occurred_tz, occurred_utc, platform, source_url,"
    " sender_handle, sender_id, original_filename, sensitive, case_id, parent_id,"
    " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
MESSAGE_INSERT = (
    "INSERT INTO messages (item_id, recipient, sent_at, sent_tz, sent_utc, thread)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


def new_item(
    *,
    kind: str,
    sha256: str,
    size: int,
    meta: Metadata,
    media_type: str,
    original_filename: str,
    stamp: str,
    parent_id: str | None,
    message: tuple[MessageFields, ReportedTime | None] | None = None,
) -> Item:
    """The item as it is about to be written: the one description both the row and the
    ``item.created`` snapshot are made from (tests/vault compare it with the row read back)."""
    occurred = None
    message_values = None
    if message is not None:
        fields, sent = message
        if sent is not None and (fields.sent, fields.sent_tz) == (meta.occurred, meta.occurred_tz):
            occurred = sent  # an import's message: the same reading, parsed once
        message_values = {
            "recipient": fields.recipient,
            "sent_at": sent.text if sent else None,
            "sent_tz": sent.zone if sent else "unknown",
            "sent_utc": sent.utc if sent else None,
            "thread": fields.thread,
        }
    if occurred is None and meta.occurred:
        occurred = parse_reported_time(meta.occurred, meta.occurred_tz)
    return Item(
        id=str(uuid.uuid4()),
        kind=kind,
        title=meta.title,
        description=meta.description,
        media_type=media_type,
        size=size,
        sha256=sha256,
        captured_at=stamp,
        occurred_at=occurred.text if occurred and occurred.text != "unknown" else None,
        occurred_tz=occurred.zone if occurred else "unknown",
        occurred_utc=occurred.utc if occurred else None,
        platform=meta.platform,
        source_url=meta.source_url,
        sender_handle=meta.sender_handle,
        sender_id=meta.sender_id,
        original_filename=original_filename,
        sensitive=bool(meta.sensitive),
        case=check_case_name(meta.case) if meta.case is not None else None,
        parent_id=parent_id,
        tags=tuple(sorted({t.strip() for t in meta.tags})),
        created_at=stamp,
        updated_at=stamp,
        deleted_at=None,
        deleted_reason=None,
        message=message_values,
    )


def item_row(
    item: Item, rowid: int | None, content_id: int | None, case_id: str | None
) -> tuple[Any, ...]:
    """The values of :data:`ITEM_INSERT` for ``item``."""
    return (
        rowid,
        item.id,
        item.kind,
        item.title,
        item.description,
        item.media_type,
        item.size,
        item.sha256,
        content_id,
        item.captured_at,
        item.occurred_at,
        item.occurred_tz,
        item.occurred_utc,
        item.platform,
        item.source_url,
        item.sender_handle,
        item.sender_id,
        item.original_filename,
        int(item.sensitive),
        case_id,
        item.parent_id,
        item.created_at,
        item.updated_at,
    )


def creation_details(item: Item, source: str, extra: dict[str, Any] | None) -> dict[str, Any]:
    """What an ``item.created`` event (or an imported message's creation record) says."""
    return {"source": source, **(extra or {}), "metadata": metadata_snapshot(item)}


def insert_item(
    session: Session,
    *,
    kind: str,
    stored: intake.Stored,
    meta: Metadata,
    media_type: str,
    original_filename: str,
    stamp: str,
    body: str,
    source: str,
    message: tuple[MessageFields, ReportedTime | None] | None = None,
    extra_details: dict[str, Any] | None = None,
) -> str:
    """Insert the item row, tags, message fields and search entry, then its ``item.created``
    event carrying a snapshot of all its metadata."""
    conn = session.conn
    parent_id = resolve_id(conn, meta.parent_id) if meta.parent_id is not None else None
    case_id = ensure_case(session, meta.case, stamp)
    item = new_item(
        kind=kind,
        sha256=stored.sha256,
        size=stored.size,
        meta=meta,
        media_type=media_type,
        original_filename=original_filename,
        stamp=stamp,
        parent_id=parent_id,
        message=message,
    )
    cur = conn.execute(ITEM_INSERT, item_row(item, None, stored.content_id, case_id))
    conn.executemany(
        "INSERT INTO item_tags (item_id, tag) VALUES (?, ?)", [(item.id, t) for t in item.tags]
    )
    if item.message is not None:
        conn.execute(MESSAGE_INSERT, (item.id, *item.message.values()))
    conn.execute(
        "INSERT INTO search (rowid, title, body, meta) VALUES (?, ?, ?, ?)",
        (int(cur.lastrowid), *search_text(item, body, item.case)),
    )
    session.event(
        custody.ITEM_CREATED,
        stamp,
        item=item,
        details=creation_details(item, source, extra_details),
    )
    return item.id


def _first_line(text: str, limit: int = 80) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"
