"""Adding many files (``Vault.add_files``): the next files are prepared on a second thread while
this one writes, and the rows of several files are written together.

Why: 2,000 screenshots cost about 2.2 ms of CPU each when every file went through the one-item
path (docs/performance.md, "Small files into the vault"), all on one thread, and the disk sat
idle while Python worked and the other way round. A preparing thread now does everything that
needs no database for the files ahead: reading the file (at its own size), its SHA-256, the item,
its search text, the canonical JSON and sealing of its ``item.created`` details, the event's body
but for its place in the chain, and the signature at the place it expects
(:class:`vault.custody.appender.Forecaster`). Meanwhile this thread's SQLite work (page
encryption, writes) runs without the GIL. The writing thread looks up duplicates once per batch,
takes each forecast signature when it fits its own chain head (else signs again), and writes each
table's rows of the batch as one multi-row INSERT. A third thread has the kernel write the
encrypted pages early, so a COMMIT's fsync finds little left to do (:func:`_early_writeback`).

What does not change: each file is wholly in the vault or not at all; the transaction is
committed about every quarter second and ``on_result`` hears of a file once its group is
committed; a duplicate (in the vault or earlier in the same call) is reported, not stored; a
cancel is seen before every file; a file larger than one chunk is streamed by the one-item path
(:func:`adding.add_one_file`) in its turn; the custody events are byte for byte those the
one-item path makes (tests/vault/test_add_files_batch.py). Nothing is written to disk outside
``vault.db``: the prepared originals wait in memory, at most :data:`AHEAD_FILES` of at most one
chunk each in the queue and as many in the batch being written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from queue import Empty, Queue
from typing import BinaryIO

from crypto import constants as c
from crypto.custody import EventTemplate
from vault.custody import log as custody
from vault.custody.appender import Appender, Forecast, Forecaster, Sealed, seal_ahead
from vault.errors import Cancelled
from vault.evidence import chunkcodec, intake
from vault.evidence.adding import (
    ITEM_INSERT,
    add_one_file,
    creation_details,
    find_duplicate,
    item_row,
    new_item,
    open_file,
    validate_meta,
)
from vault.evidence.cases import ensure_case
from vault.evidence.items import resolve_id, search_text
from vault.evidence.mediatype import sniff
from vault.evidence.models import AddResult, Item, Metadata
from vault.i18n import _
from vault.store.db import Connection, insert_rows
from vault.store.fsutil import EarlyWriteBack
from vault.store.session import Session, now_text, rollback, translate

GROUP_COMMIT_SECONDS = 0.25
ITEM_COLUMNS = ITEM_INSERT.split(" VALUES ", 1)[0]
# Prepared files waiting for the writer, and the most written together: at most 16 chunks
# (16 MiB) in the queue and as many in the batch being written.
AHEAD_FILES = 16


@dataclass(frozen=True, repr=False)
class Prepared:
    """One file made ready off the writing thread. ``data`` is None for a file larger than one
    chunk: it is streamed in its turn, and only ``stamp`` was decided ahead."""

    path: Path
    stamp: str
    data: bytes | None = None
    item: Item | None = None
    search: tuple[str, str, str] = ("", "", "")
    sealed: Sealed | None = None
    template: EventTemplate | None = None
    forecast: Forecast | None = None
    stored: tuple[bytes, int] = (b"", chunkcodec.RAW)  # the chunk as written (chunkcodec)

    def __repr__(self) -> str:
        return "Prepared(<file>)"  # a path can name the evidence: never in a log line


def add_files(
    session: Session,
    paths: Iterable[Path],
    meta: Metadata,
    *,
    progress: intake.Progress | None,
    cancel: threading.Event | None,
    now: datetime | None,
    on_result: Callable[[AddResult], None] | None,
) -> list[AddResult]:
    """Add files, committing in groups (about every quarter second): each file is either wholly in
    the vault or not at all; ``on_result`` hears of each file once its group is committed."""
    validate_meta(meta)
    conn = session.conn
    results: list[AddResult] = []
    pending: list[AddResult] = []

    def publish() -> None:
        results.extend(pending)
        if on_result is not None:
            for result in pending:
                on_result(result)
        pending.clear()

    with _early_writeback(conn):  # closed after the COMMIT or ROLLBACK: see its docstring
        conn.execute("BEGIN IMMEDIATE")
        try:
            parent_id = resolve_id(conn, meta.parent_id) if meta.parent_id is not None else None
            writer = _Writer(session, meta, progress)
            started = time.monotonic()
            with _prepared(paths, meta, parent_id, now, cancel, writer) as batches:
                for batch in batches:
                    writer.look_up(batch)
                    for file in batch:
                        if cancel is not None and cancel.is_set():
                            raise Cancelled(_(intake.CANCELLED_MESSAGE))
                        pending.append(writer.add(file, cancel))
                        if time.monotonic() - started >= GROUP_COMMIT_SECONDS:
                            writer.flush()
                            conn.execute("COMMIT")
                            publish()
                            started = time.monotonic()
                            conn.execute("BEGIN IMMEDIATE")
            writer.flush()
            conn.execute("COMMIT")
        except BaseException as exc:
            rollback(conn)
            raise translate(exc) from None
    publish()
    return results


# ------------------------------------------------------------------ the preparing thread


Templates = Callable[[str, str, dict[str, str], Sealed], EventTemplate | None]


def prepare(
    path: Path,
    meta: Metadata,
    parent_id: str | None,
    now: datetime | None,
    templates: Templates,
    forecaster: Forecaster | None = None,
    stop: threading.Event | None = None,
) -> Prepared:
    """Read a file of at most one chunk whole and describe it as :func:`adding.insert_item`
    would, down to its custody event's body but for its place in the chain (``templates`` is
    :meth:`Appender.template`); a larger file is left to be streamed. Needs no database, so any
    thread may call it."""
    stamp = now_text(now)
    with open_file(path, buffered=False) as reader:
        size = os.fstat(reader.fileno()).st_size
        if size > c.CHUNK_SIZE:
            return Prepared(path, stamp)
        # Exactly the size it has, plus one byte to see whether it grew: asking for a whole
        # chunk made Python allocate (and the kernel zero) 1 MiB per screenshot.
        data = _read_up_to(reader, size + 1)
    if len(data) > size:
        return Prepared(path, stamp)  # it grew since it was measured: streamed after all
    sha256 = hashlib.sha256(data).hexdigest()  # hashlib releases the GIL on large buffers
    name = path.name
    item = new_item(
        kind="file",
        sha256=sha256,
        size=len(data),
        meta=meta if meta.title else replace(meta, title=name),
        media_type=sniff(data[:64], name),
        original_filename=name,
        stamp=stamp,
        parent_id=parent_id,
    )
    sealed = seal_ahead(creation_details(item, "file", None))
    named = {"id": item.id, "sha256": sha256, "kind": item.kind}
    template = templates(custody.ITEM_CREATED, stamp, named, sealed)
    forecast = None
    if template is not None and forecaster is not None:
        forecast = forecaster.sign(template, stop or threading.Event())
    search = search_text(item, "", item.case)
    stored = chunkcodec.encode(data)  # here, off the writing thread (zlib releases the GIL)
    return Prepared(path, stamp, data, item, search, sealed, template, forecast, stored)


def _read_up_to(reader: BinaryIO, size: int) -> bytes:
    """``size`` bytes, or fewer if the file ends first (an unbuffered read may return less)."""
    parts = []
    while size > 0:
        part = reader.read(size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


_END = object()


@contextlib.contextmanager
def _prepared(
    paths: Iterable[Path],
    meta: Metadata,
    parent_id: str | None,
    now: datetime | None,
    cancel: threading.Event | None,
    writer: _Writer,
) -> Iterator[Iterator[list[Prepared]]]:
    """The files prepared in order by a second thread, at most :data:`AHEAD_FILES` ahead, in
    lists of those ready. A failure (a missing file, say) is raised here in its turn, after the
    files before it."""
    queue: Queue[object] = Queue(maxsize=AHEAD_FILES)
    stop = threading.Event()
    forecaster = writer.forecaster()

    def produce() -> None:
        try:
            for path in paths:
                if cancel is not None and cancel.is_set():
                    raise Cancelled(_(intake.CANCELLED_MESSAGE))
                if stop.is_set():
                    return
                prepared = prepare(
                    Path(path), meta, parent_id, now, writer.templates, forecaster, stop
                )
                intake.put_until_stopped(queue, prepared, stop)
            intake.put_until_stopped(queue, _END, stop)
        except BaseException as exc:  # handed over, raised by the writer in its turn
            intake.put_until_stopped(queue, exc, stop)

    def consume() -> Iterator[list[Prepared]]:
        # Whatever is ready, together: one duplicate lookup and fewer hand-overs of the GIL.
        while True:
            batch: list[Prepared] = []
            if queue.empty():
                writer.caught_up(forecaster)  # everything handed over is signed by now
            got: object = queue.get()
            while isinstance(got, Prepared):
                batch.append(got)
                got = None
                if len(batch) >= AHEAD_FILES:
                    break
                with contextlib.suppress(Empty):
                    got = queue.get_nowait()
            if batch:
                yield batch
            if got is _END:
                return
            if isinstance(got, BaseException):
                raise got

    thread = threading.Thread(target=produce, name="evault-intake-prepare", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        intake.stop_reader(stop, queue, thread)


# ------------------------------------------------------------------ writing back early


@contextlib.contextmanager
def _early_writeback(conn: Connection) -> Iterator[None]:
    """While files are added, have the kernel write ``vault.db``'s new pages to the disk as they
    come, from a third thread, instead of all at once inside each group's COMMIT.

    Why: a COMMIT fsyncs ``vault.db``, and with a quarter second of screenshots (about 25 MiB of
    encrypted pages) waiting in the page cache, that fsync held the writing thread for 50-140 ms
    with both CPUs idle: a fifth of the time. Here a thread calls ``fdatasync`` on a read-only
    descriptor of the same file every few milliseconds, so the disk works while SQLite encrypts,
    and the COMMIT finds little left to write. It changes nothing about what is durable when: the
    COMMIT still fsyncs the journal and the database itself, and pages written early belong to a
    transaction the journal can still roll back (or that a crash leaves to be rolled back).

    The descriptor is closed only after the last COMMIT or ROLLBACK (this context closes inside
    :func:`add_files`'s transaction handling, never while the connection holds a lock): on POSIX,
    closing any descriptor of a file drops the process's ``fcntl`` locks on it, which SQLite
    relies on. Only where ``os.fdatasync`` exists (Linux); elsewhere this does nothing.
    """
    row = conn.execute("PRAGMA database_list").fetchone()
    if getattr(os, "fdatasync", None) is None or row is None or not row[2]:
        yield
        return
    try:
        fd = os.open(str(row[2]), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        yield
        return
    writeback = EarlyWriteBack(fd, "evault-intake-writeback")
    writeback.start()
    try:
        yield
    finally:
        writeback.stop()
        if not conn.in_transaction:
            os.close(fd)
        # else a failed ROLLBACK left the transaction open: closing would drop SQLite's locks,
        # so the descriptor is left open (read-only) until the process ends.


# ------------------------------------------------------------------ the writing thread


class _Writer:
    """Rows of prepared files, written a batch at a time inside the caller's transaction."""

    def __init__(self, session: Session, meta: Metadata, progress: intake.Progress | None):
        self._session = session
        self._meta = meta
        self._progress = progress
        self._events = Appender(session.conn, session.signer, session.vault_id)
        self._case: tuple[str | None] | None = None  # looked up (or made) at the first new file
        self._contents: list[tuple[int, str, int, int, int]] = []
        self._chunks: list[tuple[int, int, bytes]] = []
        self._compressed: list[tuple[int, int, bytes, int]] = []
        self._items: list[tuple[object, ...]] = []
        self._tags: list[tuple[str, str]] = []
        self._search: list[tuple[int, str, str, str]] = []
        # For the duplicate test of the files of one look_up: their bytes already stored
        # (sha256 -> content id), and the items added since (sha256 -> item id).
        self._stored: dict[str, int] = {}
        self._added: dict[str, str] = {}
        self._next_content, self._next_rowid = self._next_ids()
        self._forecaster: Forecaster | None = None

    @property
    def templates(self) -> Templates:
        return self._events.template

    def forecaster(self) -> Forecaster:
        """The chain head for the preparing thread to sign ahead against (see Forecaster)."""
        self._forecaster = self._events.forecaster()
        return self._forecaster

    def caught_up(self, forecaster: Forecaster) -> None:
        """Every file handed over is signed: if a forecast failed, give the preparing thread the
        head it must continue from."""
        if forecaster.is_stale:
            forecaster.settle(*self._events.head)

    def _next_ids(self) -> tuple[int, int]:
        conn = self._session.conn
        content = conn.execute("SELECT coalesce(max(id), 0) FROM contents").fetchone()[0]
        rowid = conn.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()[0]
        return int(content) + 1, int(rowid) + 1

    def look_up(self, files: list[Prepared]) -> None:
        """Write the rows waiting, then see which of ``files`` have bytes already stored, in one
        query (before any of them is added)."""
        self.flush()
        hashes = list({f.item.sha256 for f in files if f.item is not None})
        self._stored = {}
        self._added = {}
        if hashes:
            marks = ",".join("?" * len(hashes))
            rows = self._session.conn.execute(
                f"SELECT sha256, id FROM contents WHERE sha256 IN ({marks})",  # noqa: S608
                hashes,
            ).fetchall()
            self._stored = {str(r[0]): int(r[1]) for r in rows}

    def add(self, file: Prepared, cancel: threading.Event | None) -> AddResult:
        """The file's rows and signed event, waiting for :meth:`flush`; or its duplicate. A file
        larger than one chunk is streamed here, in its turn, by the one-item path."""
        if file.item is None or file.data is None or file.sealed is None:
            self.flush()  # what it does is read from the database: the rows before it go first
            result = add_one_file(
                self._session, file.path, self._meta, self._progress, cancel, file.stamp
            )
            self._events.reload()
            self._next_content, self._next_rowid = self._next_ids()
            if not result.duplicate:
                self._added[result.sha256] = result.item_id
            return result
        item, data, shown = file.item, file.data, str(file.path)
        sha256, size = item.sha256, item.size
        if sha256 in self._added:
            return AddResult(self._added[sha256], sha256, size, True, shown)
        content_id = self._stored.get(sha256)
        if content_id is not None:
            # These bytes are stored: as a live file item (a duplicate), or for a message, a
            # note or a deleted item (a new item sharing them).
            duplicate = find_duplicate(self._session, sha256, "file", self._meta)
            if duplicate is not None:
                return AddResult(duplicate, sha256, size, True, shown)
        case_id = self._case_id(file.stamp)
        if content_id is None:
            content_id = self._next_content
            self._next_content += 1
            self._contents.append((content_id, sha256, size, c.CHUNK_SIZE, 1 if data else 0))
            if data:
                chunk, encoding = file.stored
                if encoding == chunkcodec.RAW:  # the column's default (and schemas before 10)
                    self._chunks.append((content_id, 0, chunk))
                else:
                    self._compressed.append((content_id, 0, chunk, encoding))
        rowid = self._next_rowid
        self._next_rowid += 1
        self._items.append(item_row(item, rowid, content_id, case_id))
        self._tags.extend((item.id, tag) for tag in item.tags)
        self._search.append((rowid, *file.search))
        taken = self._events.sign(
            custody.ITEM_CREATED,
            file.stamp,
            {"id": item.id, "sha256": sha256, "kind": item.kind},
            file.sealed,
            file.template,
            file.forecast,
        )
        if file.forecast is not None and not taken and self._forecaster is not None:
            self._forecaster.stale()
        self._added[sha256] = item.id
        if self._progress is not None:
            self._progress(size, size)
        return AddResult(item.id, sha256, size, False, shown)

    def _case_id(self, stamp: str) -> str | None:
        if self._case is None:
            # ensure_case may append its own event: the waiting ones go first, then the head
            # is read again.
            self.flush()
            self._case = (ensure_case(self._session, self._meta.case, stamp),)
            self._events.reload()
        return self._case[0]

    def flush(self) -> None:
        """Write the waiting rows (contents before chunks and items, items before their events)."""
        conn = self._session.conn
        insert_rows(
            conn, "INSERT INTO contents (id, sha256, size, chunk_size, chunk_count)", self._contents
        )
        insert_rows(conn, "INSERT INTO chunks (content_id, seq, data)", self._chunks)
        insert_rows(conn, "INSERT INTO chunks (content_id, seq, data, encoding)", self._compressed)
        insert_rows(conn, ITEM_COLUMNS, self._items)
        insert_rows(conn, "INSERT INTO item_tags (item_id, tag)", self._tags)
        insert_rows(conn, "INSERT INTO search (rowid, title, body, meta)", self._search)
        self._events.flush()
        for rows in (
            self._contents,
            self._chunks,
            self._compressed,
            self._items,
            self._tags,
            self._search,
        ):
            rows.clear()
