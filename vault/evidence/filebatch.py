"""Adding many files (``Vault.add_files``): the next files are prepared on a second thread while
this one writes, and the rows of several files are written together.

Why: 2,000 screenshots cost about 2.3 ms each when every file went through the one-item path
(docs/performance.md, "Small files into the vault"). Half of that was Python that needs no
database: reading the file, its SHA-256, the item, its search text, the canonical JSON of its
``item.created`` details and their sealing. A preparing thread does that for the files ahead while
this thread's SQLite work (page encryption, writes, fsync) runs without the GIL. The writing
thread then only looks for a duplicate, signs the event against the chain head it keeps
(:class:`vault.custody.appender.Appender`) and adds the rows to a batch written with one
``executemany`` per table.

What does not change: each file is wholly in the vault or not at all; the transaction is
committed about every quarter second and ``on_result`` hears of a file once its group is
committed; a duplicate (in the vault or earlier in the same call) is reported, not stored; a
cancel is seen before every file; a file larger than one chunk is streamed by the one-item path
(:func:`adding.add_one_file`) in its turn. Nothing is written to disk outside ``vault.db``: the
prepared originals wait in memory, at most :data:`AHEAD_FILES` of one chunk each plus one batch.
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
from queue import Empty, Full, Queue

from crypto import constants as c
from vault.custody import log as custody
from vault.custody.appender import Appender, Sealed, seal_ahead
from vault.errors import Cancelled
from vault.evidence import intake
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
from vault.store.session import Session, now_text, rollback, translate

GROUP_COMMIT_SECONDS = 0.25
AHEAD_FILES = 8  # prepared files waiting for the writer: at most 8 chunks (8 MiB) in memory
BATCH_FILES = 32  # rows of at most this many files are written together ...
BATCH_BYTES = 8 * 1024 * 1024  # ... or of this many bytes of originals


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

    conn.execute("BEGIN IMMEDIATE")
    try:
        parent_id = resolve_id(conn, meta.parent_id) if meta.parent_id is not None else None
        writer = _Writer(session, meta, progress)
        started = time.monotonic()
        with _prepared(paths, meta, parent_id, now, cancel) as files:
            for file in files:
                if cancel is not None and cancel.is_set():
                    raise Cancelled(_(intake.CANCELLED_MESSAGE))
                if file.data is None:
                    writer.flush()
                    pending.append(
                        add_one_file(session, file.path, meta, progress, cancel, file.stamp)
                    )
                    writer.reload()
                else:
                    pending.append(writer.add(file))
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


def prepare(path: Path, meta: Metadata, parent_id: str | None, now: datetime | None) -> Prepared:
    """Read a file of at most one chunk whole and describe it as :func:`adding.insert_item`
    would; a larger one is left to be streamed. Needs no database, so any thread may call it."""
    stamp = now_text(now)
    with open_file(path) as reader:
        if os.fstat(reader.fileno()).st_size > c.CHUNK_SIZE:
            return Prepared(path, stamp)
        data = reader.read(c.CHUNK_SIZE + 1)
    if len(data) > c.CHUNK_SIZE:
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
    return Prepared(path, stamp, data, item, search_text(item, "", item.case), sealed)


_END = object()


@contextlib.contextmanager
def _prepared(
    paths: Iterable[Path],
    meta: Metadata,
    parent_id: str | None,
    now: datetime | None,
    cancel: threading.Event | None,
) -> Iterator[Iterator[Prepared]]:
    """The files prepared in order by a second thread, at most :data:`AHEAD_FILES` ahead. A
    failure (a missing file, say) is raised here in its turn, after the files before it."""
    queue: Queue[object] = Queue(maxsize=AHEAD_FILES)
    stop = threading.Event()

    def produce() -> None:
        try:
            for path in paths:
                if cancel is not None and cancel.is_set():
                    raise Cancelled(_(intake.CANCELLED_MESSAGE))
                if stop.is_set():
                    return
                _put(queue, prepare(Path(path), meta, parent_id, now), stop)
            _put(queue, _END, stop)
        except BaseException as exc:  # handed over, raised by the writer in its turn
            _put(queue, exc, stop)

    def consume() -> Iterator[Prepared]:
        while True:
            got = queue.get()
            if got is _END:
                return
            if isinstance(got, BaseException):
                raise got
            assert isinstance(got, Prepared)  # noqa: S101 - only the producer puts here
            yield got

    thread = threading.Thread(target=produce, name="evault-intake-prepare", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        with contextlib.suppress(Empty):
            while True:
                queue.get_nowait()
        thread.join()


def _put(queue: Queue[object], value: object, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            queue.put(value, timeout=0.1)
            return
        except Full:
            continue


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
        self._chunks: list[tuple[int, bytes]] = []
        self._items: list[tuple[object, ...]] = []
        self._tags: list[tuple[str, str]] = []
        self._search: list[tuple[int, str, str, str]] = []
        self._waiting: dict[str, str] = {}  # sha256 -> item id of the files not yet written
        self._bytes = 0
        self._next_content, self._next_rowid = self._next_ids()

    def _next_ids(self) -> tuple[int, int]:
        conn = self._session.conn
        content = conn.execute("SELECT coalesce(max(id), 0) FROM contents").fetchone()[0]
        rowid = conn.execute("SELECT coalesce(max(rowid), 0) FROM items").fetchone()[0]
        return int(content) + 1, int(rowid) + 1

    def reload(self) -> None:
        """After the one-item path wrote a file (and its event) itself."""
        self._events.reload()
        self._next_content, self._next_rowid = self._next_ids()

    def add(self, file: Prepared) -> AddResult:
        """The file's rows and signed event, waiting for :meth:`flush`; or its duplicate."""
        assert file.item is not None and file.data is not None and file.sealed is not None  # noqa: S101
        item, data, shown = file.item, file.data, str(file.path)
        sha256, size = item.sha256, item.size
        if sha256 in self._waiting:
            return AddResult(self._waiting[sha256], sha256, size, True, shown)
        conn = self._session.conn
        row = conn.execute("SELECT id FROM contents WHERE sha256 = ?", (sha256,)).fetchone()
        if row is not None:
            # These bytes are stored: as a live file item (a duplicate), or for a message, a
            # note or a deleted item (a new item sharing them).
            duplicate = find_duplicate(self._session, sha256, "file", self._meta)
            if duplicate is not None:
                return AddResult(duplicate, sha256, size, True, shown)
        case_id = self._case_id(file.stamp)
        if row is not None:
            content_id = int(row[0])
        else:
            content_id = self._next_content
            self._next_content += 1
            self._contents.append((content_id, sha256, size, c.CHUNK_SIZE, 1 if data else 0))
            if data:
                self._chunks.append((content_id, data))
        rowid = self._next_rowid
        self._next_rowid += 1
        self._items.append(item_row(item, rowid, content_id, case_id))
        self._tags.extend((item.id, tag) for tag in item.tags)
        self._search.append((rowid, *file.search))
        self._events.sign(
            custody.ITEM_CREATED,
            file.stamp,
            {"id": item.id, "sha256": sha256, "kind": item.kind},
            file.sealed,
        )
        self._waiting[sha256] = item.id
        self._bytes += size
        if self._progress is not None:
            self._progress(size, size)
        if len(self._items) >= BATCH_FILES or self._bytes >= BATCH_BYTES:
            self.flush()
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
        if self._contents:
            conn.executemany(
                "INSERT INTO contents (id, sha256, size, chunk_size, chunk_count)"
                " VALUES (?, ?, ?, ?, ?)",
                self._contents,
            )
        if self._chunks:
            conn.executemany(
                "INSERT INTO chunks (content_id, seq, data) VALUES (?, 0, ?)", self._chunks
            )
        if self._items:
            conn.executemany(ITEM_INSERT, self._items)
            conn.executemany("INSERT INTO item_tags (item_id, tag) VALUES (?, ?)", self._tags)
            conn.executemany(
                "INSERT INTO search (rowid, title, body, meta) VALUES (?, ?, ?, ?)", self._search
            )
        self._events.flush()
        for rows in (self._contents, self._chunks, self._items, self._tags, self._search):
            rows.clear()
        self._waiting.clear()
        self._bytes = 0
