"""Handing bytes between the threads of an export, so that its slow steps overlap on two cores.

An export does four kinds of work on every byte: SQLCipher decrypts the vault's pages, the writer
hashes each original (and zipfile CRC-32s it), and the bundle file is hashed and written, or
encrypted with age first. Each of these runs in C and releases the GIL on large buffers, so they
can run at the same time on separate threads. Two bounded queues connect them:

* :class:`Prefetch`: a reader thread reads the originals' chunks from the vault, in order, a few
  chunks ahead of the thread that writes the ZIP;
* :class:`Handoff`: the ZIP's bytes go to a second thread that hashes and writes them to the file,
  or encrypts them into it.

Both queues are a few blocks deep, so memory stays flat whatever the size of the evidence. A
failure on either side stops the other and is raised, the same exception object, on the thread
that called the export, which turns it into the usual calm sentence (``export.export_bundle``).
Nothing here writes anything to disk: the bytes stay in memory between the threads.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, Generic, TypeVar

# A block of ZIP bytes handed to the writing thread: the vault's chunks (1 MiB) go as they are;
# small writes (headers, descriptors, small members) are gathered up to this size first.
BLOCK: Final = 1024 * 1024
WRITER_DEPTH: Final = 4  # blocks queued for the writing thread
READER_DEPTH: Final = 3  # chunks read ahead of the ZIP writer
_WAIT: Final = 0.1  # seconds a blocked put waits before it looks whether the other side failed


class _End:
    """Marks the end of one item's chunks (Prefetch) or of the whole stream (Handoff)."""


_END: Final = _End()


class Stopped(Exception):
    """Raised on the consuming thread when the producing side gave up (its own error is raised
    where it happened); never leaves this module's threads."""


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


P = TypeVar("P")  # what names one chunk in the vault


class Prefetch(Generic[P]):
    """Reads each item's parts with ``read`` on a thread of its own, in order, a few ahead.

    ``parts`` lists, per item, what ``read`` takes (chunk rows). ``read`` runs on the reader
    thread; it takes the vault's lock itself, chunk by chunk, so the other threads can use the
    connection in between. ``check`` runs before each read and raises to stop (the user's
    cancel); what it raises is raised on the writer's thread.
    """

    def __init__(
        self,
        parts: Callable[[int], Sequence[P]],
        read: Callable[[P], bytes],
        count: int,
        check: Callable[[], None],
    ) -> None:
        self._parts = parts
        self._read = read
        self._count = count
        self._check = check
        self._queue: queue.Queue[bytes | _End | _Failure] = queue.Queue(maxsize=READER_DEPTH)
        self._quit = threading.Event()
        self._thread = threading.Thread(target=self._run, name="evault-export-read", daemon=True)

    def __enter__(self) -> Prefetch[P]:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the reader (if it is still reading) and wait for it."""
        self._quit.set()
        while self._thread.is_alive():
            _drain(self._queue)  # make room, in case it waits to put a chunk
            self._thread.join(_WAIT)

    def chunks(self) -> Iterator[bytes]:
        """The next item's chunks, in order. A failure of the reader is raised here."""
        while True:
            got = self._queue.get()
            if isinstance(got, _End):
                return
            if isinstance(got, _Failure):
                raise got.exc
            yield got

    def _put(self, value: bytes | _End | _Failure) -> bool:
        while not self._quit.is_set():
            try:
                self._queue.put(value, timeout=_WAIT)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            for index in range(self._count):
                for part in self._parts(index):
                    self._check()
                    if not self._put(self._read(part)):
                        return
                if not self._put(_END):
                    return
        except BaseException as exc:  # raised on the writer's thread, where it is translated
            self._put(_Failure(exc))


class Handoff:
    """A write-only, non-seekable stream whose bytes ``consume`` takes on a thread of its own.

    ``consume`` gets a reader (``read(size)``) of everything written, in order, and must read it
    to the end. Not seekable, so zipfile streams (data descriptors) and never seeks back. Writes
    raise the consumer's failure as soon as it happened, so the producer stops early; ``finish``
    waits for the consumer and raises it too; ``abort`` stops the consumer without finishing.
    """

    def __init__(self, consume: Callable[[Handoff], None], name: str) -> None:
        self._queue: queue.Queue[bytes | _End] = queue.Queue(maxsize=WRITER_DEPTH)
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._failure: BaseException | None = None
        self._aborted = False
        self._block = b""
        self._offset = 0
        self._ended = False
        self._consume = consume
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    # ---- the producing side (the thread that writes the ZIP)

    def write(self, data: bytes, /) -> int:
        if self._failure is not None:
            raise self._failure
        # zipfile passes our own chunks (bytes, never changed); anything mutable is copied.
        block = data if type(data) is bytes else bytes(data)
        size = len(block)
        if size >= BLOCK // 4:
            self._flush_pending()
            self._put(block)
        elif size:
            self._pending.append(block)
            self._pending_size += size
            if self._pending_size >= BLOCK:
                self._flush_pending()
        return size

    def flush(self) -> None:
        """Nothing to do: ``finish`` hands the last bytes over (zipfile calls this often)."""

    def tell(self) -> int:
        raise OSError("not seekable")  # makes zipfile stream (data descriptors), never seek

    def seekable(self) -> bool:
        return False

    def finish(self) -> None:
        """Hand over the last bytes, wait until the consumer has taken them all; raise its
        failure, if any."""
        self._flush_pending()
        self._put(_END)
        self._thread.join()
        if self._failure is not None:
            raise self._failure

    def abort(self) -> None:
        """Stop the consumer where it is (the producer failed) and wait for it."""
        self._aborted = True
        self._pending.clear()
        while self._thread.is_alive():
            _drain(self._queue)  # make room, then wake it if it waits: it stops on what it gets
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(_END)
            self._thread.join(_WAIT)

    def _flush_pending(self) -> None:
        if self._pending:
            block = b"".join(self._pending)
            self._pending.clear()
            self._pending_size = 0
            self._put(block)

    def _put(self, block: bytes | _End) -> None:
        while True:
            if self._failure is not None:
                raise self._failure
            try:
                self._queue.put(block, timeout=_WAIT)
                return
            except queue.Full:
                continue

    # ---- the consuming side (its own thread)

    def read(self, size: int = -1, /) -> bytes:
        """Up to ``size`` bytes (all of the next block if ``size`` is negative); b"" at the end.
        Raises Stopped if the producer gave up."""
        if self._offset >= len(self._block):
            if self._ended:
                return b""
            got = self._queue.get()
            if self._aborted:
                raise Stopped
            if isinstance(got, _End):
                self._ended = True
                return b""
            self._block, self._offset = got, 0
        if self._offset == 0 and (size < 0 or size >= len(self._block)):
            self._offset = len(self._block)
            return self._block  # the whole block, not copied
        end = len(self._block) if size < 0 else self._offset + size
        part = self._block[self._offset : end]
        self._offset += len(part)
        return part

    def _run(self) -> None:
        try:
            self._consume(self)
            if not self._ended and not self._aborted:
                raise RuntimeError("the consumer stopped before the end")  # a bug, not input
        except Stopped:
            pass
        except BaseException as exc:
            self._failure = exc
            _drain(self._queue)  # so that a producer blocked on a full queue sees it at once


def _drain(waiting: queue.Queue[Any]) -> None:
    """Take whatever is queued, without waiting."""
    with contextlib.suppress(queue.Empty):
        while True:
            waiting.get_nowait()
