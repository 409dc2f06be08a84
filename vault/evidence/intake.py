"""Streaming intake: original bytes into chunks, SHA-256 in the same pass (docs/format.md §3.1).

Memory stays bounded by one chunk whatever the file size. The caller owns the transaction: if
anything fails or is cancelled, rolling it back leaves no half item.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from queue import Empty, Full, Queue
from typing import BinaryIO

from crypto import constants as c
from vault.errors import Cancelled
from vault.evidence import chunkcodec, packed
from vault.i18n import N_, _
from vault.store.db import Connection

Progress = Callable[[int, int | None], None]  # (bytes done, bytes total or None)
Piece = tuple[bytes, bytes, int, str | None]  # (chunk, as stored, its encoding, final SHA-256)

CANCELLED_MESSAGE = N_("Stopped. Nothing half-added was kept; the vault is as it was before.")


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

    If the finished hash is already stored, nothing new is kept and the existing content is
    returned with ``existing=True``: identical bytes are never stored twice.
    """
    if cancel is not None and cancel.is_set():
        raise Cancelled(_(CANCELLED_MESSAGE))
    if total is not None and total <= c.CHUNK_SIZE:
        # Small (a screenshot, a message): read it whole, so a duplicate is found before
        # anything is written and the content row is written once with its final values.
        data = reader.read(c.CHUNK_SIZE + 1)
        if len(data) <= c.CHUNK_SIZE:
            return _store_small(conn, data, progress)
        return _store_chunks(conn, _chunks_after(data, reader, cancel), progress, total)
    return _store_chunks(conn, _read_ahead(reader, cancel), progress, total)


def _store_small(conn: Connection, data: bytes, progress: Progress | None) -> Stored:
    sha256 = hashlib.sha256(data).hexdigest()
    row = conn.execute("SELECT id, size FROM contents WHERE sha256 = ?", (sha256,)).fetchone()
    if row is not None:
        return Stored(int(row[0]), sha256, int(row[1]), data[:64], existing=True)
    cur = conn.execute(
        "INSERT INTO contents (sha256, size, chunk_size, chunk_count) VALUES (?, ?, ?, ?)",
        (sha256, len(data), c.CHUNK_SIZE, 1 if data else 0),
    )
    content_id = int(cur.lastrowid)
    if data:
        _insert_chunk(conn, content_id, 0, *chunkcodec.encode(data))
    if progress is not None:
        progress(len(data), len(data))
    return Stored(content_id, sha256, len(data), data[:64], existing=False)


def _store_chunks(
    conn: Connection,
    chunks: Iterator[Piece],
    progress: Progress | None,
    total: int | None,
) -> Stored:
    """Insert chunks as they come; the last item of ``chunks`` carries the final SHA-256."""
    pending = "pending:" + str(uuid.uuid4())
    cur = conn.execute(
        "INSERT INTO contents (sha256, size, chunk_size, chunk_count) VALUES (?, 0, ?, 0)",
        (pending, c.CHUNK_SIZE),
    )
    content_id = int(cur.lastrowid)
    size = 0
    seq = 0
    head = b""
    sha256 = ""
    for chunk, stored, encoding, digest in chunks:
        if digest is not None:
            sha256 = digest
            break
        if seq == 0:
            head = chunk[:64]
        _insert_chunk(conn, content_id, seq, stored, encoding)
        size += len(chunk)
        seq += 1
        if progress is not None:
            progress(size, total)
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


def _piece(chunk: bytes) -> Piece:
    return (chunk, *chunkcodec.encode(chunk), None)


def _insert_chunk(conn: Connection, content_id: int, seq: int, data: bytes, encoding: int) -> None:
    if encoding == chunkcodec.RAW:  # the column's default; also what schemas before 10 hold
        conn.execute(
            "INSERT INTO chunks (content_id, seq, data) VALUES (?, ?, ?)", (content_id, seq, data)
        )
    else:
        conn.execute(
            "INSERT INTO chunks (content_id, seq, data, encoding) VALUES (?, ?, ?, ?)",
            (content_id, seq, data, encoding),
        )


def _chunks_after(
    first: bytes, reader: BinaryIO, cancel: threading.Event | None
) -> Iterator[Piece]:
    """Chunks of ``first`` + the rest of ``reader`` (a file that grew since it was measured)."""
    digest = hashlib.sha256(first)
    for start in range(0, len(first), c.CHUNK_SIZE):
        yield _piece(first[start : start + c.CHUNK_SIZE])
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled(_(CANCELLED_MESSAGE))
        chunk = reader.read(c.CHUNK_SIZE)
        if not chunk:
            break
        digest.update(chunk)
        yield _piece(chunk)
    yield b"", b"", chunkcodec.RAW, digest.hexdigest()


@dataclass(frozen=True)
class _Done:
    sha256: str


def _read_ahead(reader: BinaryIO, cancel: threading.Event | None) -> Iterator[Piece]:
    """Read, hash and (where it pays) compress in a second thread while this one encrypts and
    inserts (two cores busy; hashlib and zlib release the GIL).

    At most two chunks wait in the queue, so memory stays at a few MiB for any file size.
    """
    queue: Queue[object] = Queue(maxsize=2)
    stop = threading.Event()

    def produce() -> None:
        digest = hashlib.sha256()
        try:
            while not stop.is_set():
                chunk = _read_full(reader, c.CHUNK_SIZE)
                if not chunk:
                    break
                digest.update(chunk)  # hashlib releases the GIL on large buffers
                put_until_stopped(queue, _piece(chunk), stop)
            put_until_stopped(queue, _Done(digest.hexdigest()), stop)
        except BaseException as exc:
            put_until_stopped(queue, exc, stop)

    thread = threading.Thread(target=produce, name="evault-intake-reader", daemon=True)
    thread.start()
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled(_(CANCELLED_MESSAGE))
            got = queue.get()
            if isinstance(got, BaseException):
                raise got
            if isinstance(got, _Done):
                yield b"", b"", chunkcodec.RAW, got.sha256
                return
            yield got  # type: ignore[misc]
    finally:
        stop_reader(stop, queue, thread)


def put_until_stopped(queue: Queue[object], value: object, stop: threading.Event) -> None:
    """Hand ``value`` to the consuming thread, waiting while the queue is full, unless it stops."""
    while not stop.is_set():
        try:
            queue.put(value, timeout=0.1)
            return
        except Full:
            continue


def stop_reader(stop: threading.Event, queue: Queue[object], thread: threading.Thread) -> None:
    """Stop a producing thread: tell it, empty the queue it may be waiting on, wait for it."""
    stop.set()
    with contextlib.suppress(Empty):
        while True:
            queue.get_nowait()
    thread.join()


def _read_full(reader: BinaryIO, size: int) -> bytes:
    """Read ``size`` bytes unless the stream ends first (pipes return short reads)."""
    parts = []
    remaining = size
    while remaining:
        part = reader.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


Part = int | tuple[str, int]  # a chunk's row id, or (import id, leaf) of a packed original


def item_parts(conn: Connection, item_id: str) -> list[Part]:
    """Where an item's original is, in order: its chunks, or the packed block of an imported
    message (import format 2, docs/format.md §7.7); [] if it has none (deleted)."""
    row = conn.execute("SELECT content_id FROM items WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        return []
    if row[0] is not None:
        return list(iter_content(conn, int(row[0])))
    if not packed.available(conn):
        return []
    row = conn.execute(
        "SELECT import_id, leaf FROM import_messages WHERE item_id = ? AND leaf IS NOT NULL",
        (item_id,),
    ).fetchone()
    return [] if row is None else [(str(row[0]), int(row[1]))]


def iter_content(conn: Connection, content_id: int) -> list[int]:
    """The chunk row ids of a content, in order (the caller reads them one at a time)."""
    rows = conn.execute(
        "SELECT id FROM chunks WHERE content_id = ? ORDER BY seq", (content_id,)
    ).fetchall()
    return [int(r[0]) for r in rows]


def read_chunk(
    conn: Connection, chunk_row: Part, blocks: packed.BlockReader | None = None
) -> bytes:
    """One part of an original. ``blocks``: a reader that keeps the last inflated block of
    packed messages, for callers that read many of them in a row (check, export)."""
    if isinstance(chunk_row, tuple):
        return (blocks or packed.BlockReader(conn)).original(*chunk_row)
    row = conn.execute(
        "SELECT ch.data, ch.encoding, co.chunk_size FROM chunks ch"
        " JOIN contents co ON co.id = ch.content_id WHERE ch.id = ?",
        (chunk_row,),
    ).fetchone()
    if row is None:
        return b""
    return chunkcodec.decode(bytes(row[0]), int(row[1]), int(row[2]))
