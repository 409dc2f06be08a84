"""Durable file replacement: write new, fsync, rename over the old, fsync the folder; and
writing a long file back to the disk while it is being written."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

NEW_SUFFIX = ".new"
WRITEBACK_SECONDS = 0.03


class EarlyWriteBack:
    """A thread that calls ``fdatasync`` on a descriptor every few milliseconds while a long file
    is written, so the disk writes it as it comes instead of all at once in the final fsync.

    Why: on a machine with plenty of memory the kernel keeps gigabytes of written pages in its
    cache and starts writing them only when asked; the fsync that makes an exported bundle or a
    decrypted copy durable then waited seconds with the CPUs idle (1.4 GiB: 2.5 s of a 5 s
    decryption here; with this thread the whole took 2.9 s). It changes nothing about what is
    durable when: the caller's own fsync still comes last and is what counts, so errors here are
    ignored. Only where ``os.fdatasync`` exists (Linux); elsewhere :meth:`start` does nothing.

    ``grown`` (bytes): call ``fdatasync`` only once the file has grown by that much since the
    last call. A file written from start to end (a bundle on a USB stick) is then flushed in large
    pieces: every ``fdatasync`` also writes the file system's own records of the file (its size,
    on FAT its cluster chain), which a cheap stick pays for in time and wear if asked 30 times a
    second. 0 (for ``vault.db``, rewritten in place): every few milliseconds.

    The descriptor stays the caller's: :meth:`stop` (idempotent; waits for a call in progress)
    must come before the caller closes it.
    """

    def __init__(self, fd: int, name: str, *, grown: int = 0) -> None:
        self._fd = fd
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._name = name
        self._grown = grown

    def start(self) -> None:
        fdatasync = getattr(os, "fdatasync", None)
        if fdatasync is None or self._thread is not None:
            return
        fd, stop, grown = self._fd, self._stop, self._grown

        def write_back() -> None:
            synced = 0
            with contextlib.suppress(OSError):  # best effort: the caller's fsync is what counts
                while not stop.wait(WRITEBACK_SECONDS):
                    if grown:
                        size = os.fstat(fd).st_size
                        if size - synced < grown:
                            continue
                        synced = size
                    fdatasync(fd)

        self._thread = threading.Thread(target=write_back, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file whole."""
    tmp = path.with_name(path.name + NEW_SUFFIX)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(fd)
    os.replace(tmp, path)
    fsync_dir(path.parent)
