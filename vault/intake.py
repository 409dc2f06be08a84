"""Streaming intake: original bytes into chunks, SHA-256 in the same pass (docs/format.md §3.1).

Memory stays bounded by one chunk whatever the file size. The caller owns the transaction: if
anything fails or is cancelled, rolling it back leaves no half item.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from crypto import constants as c
from vault.db import Connection
from vault.errors import Cancelled

Progress = Callable[[int, int | None], None]  # (bytes done, bytes total or None)

CANCELLED_MESSAGE = "Stopped. Nothing half-added was kept; the vault is as it was before."


@dataclass(frozen=True)
class Stored:
    content_id: int
    sha256: str
    size: int
    head: bytes  # first bytes, for media-type sniffing
    existing: bool  # the same bytes were already stored (content row reused)


def store_stream(
    conn: Connection,
    reader: BinaryIO,
    *,
    total: int | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Stored:
    """Copy ``reader`` into chunks under a new content row, hashing as it goes.

    If the finished hash is already stored, the new rows are removed and the existing content is
    returned with ``existing=True``: identical bytes are never stored twice.
    """
    pending = "pending:" + str(uuid.uuid4())
    cur = conn.execute(
        "INSERT INTO contents (sha256, size, chunk_size, chunk_count) VALUES (?, 0, ?, 0)",
        (pending, c.CHUNK_SIZE),
    )
    content_id = int(cur.lastrowid)
    digest = hashlib.sha256()
    buffer = bytearray(c.CHUNK_SIZE)
    view = memoryview(buffer)
    size = 0
    seq = 0
    head = b""
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled(CANCELLED_MESSAGE)
        filled = _fill(reader, view)
        if filled == 0:
            break
        chunk = view[:filled]
        digest.update(chunk)
        if seq == 0:
            head = bytes(chunk[:64])
        conn.execute(
            "INSERT INTO chunks (content_id, seq, data) VALUES (?, ?, ?)",
            (content_id, seq, chunk),
        )
        size += filled
        seq += 1
        if progress is not None:
            progress(size, total)
        if filled < c.CHUNK_SIZE:
            break
    sha256 = digest.hexdigest()
    row = conn.execute("SELECT id, size FROM contents WHERE sha256 = ?", (sha256,)).fetchone()
    if row is not None:
        conn.execute("DELETE FROM chunks WHERE content_id = ?", (content_id,))
        conn.execute("DELETE FROM contents WHERE id = ?", (content_id,))
        return Stored(int(row[0]), sha256, int(row[1]), head, existing=True)
    conn.execute(
        "UPDATE contents SET sha256 = ?, size = ?, chunk_count = ? WHERE id = ?",
        (sha256, size, seq, content_id),
    )
    return Stored(content_id, sha256, size, head, existing=False)


def _fill(reader: BinaryIO, view: memoryview) -> int:
    """Read until ``view`` is full or the stream ends (pipes return short reads)."""
    filled = 0
    while filled < len(view):
        n = reader.readinto(view[filled:])  # type: ignore[attr-defined]
        if not n:
            break
        filled += n
    return filled


def iter_content(conn: Connection, content_id: int) -> list[int]:
    """The chunk row ids of a content, in order (the caller reads them one at a time)."""
    rows = conn.execute(
        "SELECT id FROM chunks WHERE content_id = ? ORDER BY seq", (content_id,)
    ).fetchall()
    return [int(r[0]) for r in rows]


def read_chunk(conn: Connection, chunk_row: int) -> bytes:
    row = conn.execute("SELECT data FROM chunks WHERE id = ?", (chunk_row,)).fetchone()
    return bytes(row[0]) if row is not None else b""
