"""Writing a vault folder's two files into another folder so that a kill never leaves a mixed pair.

``vault.db`` and ``vault.keys`` belong together (the whole-file MAC of ``vault.keys`` is keyed from
the database key, and a re-keyed ``vault.db`` opens only with its own ``vault.keys``), but two files
cannot be renamed at once. So a backup is written as a *staging* folder inside the destination
(``.evault-backup-partial``), flushed to disk, and then the one atomic step is the rename of that
folder to ``.evault-backup-ready``: before it, the destination's previous pair is untouched; after
it, the new pair is complete on disk. The two files are then moved up into the destination
(``vault.keys`` first, then ``vault.db``) and the empty ready folder removed. A kill during those
moves is finished ("rolled forward") by :func:`finish_interrupted`, which every open of a vault
folder, every backup into it and every restore from it runs first, under the folder's lock: no one
ever opens the mixed pair.

The copy of ``vault.db`` is a plain byte copy taken while the caller holds a SQLite read lock on
the source, so the file is in a committed state and pages SQLite did not change since the last
backup stay byte-identical (rsync, restic and Syncthing then move only the changed pages).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from vault.store.folder import DB_NAME, JOURNAL_NAME, KEYS_NAME
from vault.store.fsutil import NEW_SUFFIX, fsync_dir

STAGING_NAME = ".evault-backup-partial"  # being written; removed if found (a killed backup)
READY_NAME = ".evault-backup-ready"  # complete and flushed: moved into place, never thrown away
# The vault's files, moved into place in this order (the key file first, so a folder mid-move
# always has one); and the replaced copy's own leftovers from being opened as a vault, which must
# not outlive it (its rollback journal would otherwise be played back onto the new database).
NAMES = (KEYS_NAME, DB_NAME)
STALE = (JOURNAL_NAME, KEYS_NAME + NEW_SUFFIX)
CHUNK = 1024 * 1024
OWNER_ONLY = 0o600
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)


def ours(name: str) -> bool:
    """Names a backup may leave in its folder besides the vault's two files."""
    return name in (STAGING_NAME, READY_NAME, "vault.lock")


def finish_interrupted(folder: Path) -> bool:
    """Complete a backup that was killed after its copy was whole, and drop a half-written one.

    The caller holds ``folder``'s lock. True when a complete copy was moved into place.
    """
    finished = False
    ready = folder / READY_NAME
    if ready.is_dir():
        for name in STALE:
            with contextlib.suppress(FileNotFoundError):
                (folder / name).unlink()
        for name in NAMES:
            if (ready / name).is_file():
                os.replace(ready / name, folder / name)
                finished = True
        fsync_dir(folder)
        with contextlib.suppress(OSError):
            ready.rmdir()
    staging = folder / STAGING_NAME
    if staging.is_dir() and not staging.is_symlink():
        shutil.rmtree(staging, ignore_errors=True)
    return finished


def new_staging(folder: Path) -> Path:
    """An empty, owner-only staging folder inside ``folder`` (a stale one is removed first)."""
    staging = folder / STAGING_NAME
    if staging.is_dir() and not staging.is_symlink():
        shutil.rmtree(staging)
    staging.mkdir(mode=0o700)
    return staging


def copy_file(
    source: Path,
    target: Path,
    *,
    progress: Progress | None = None,
    stop: Callable[[], None] | None = None,
    total: int = 0,
) -> int:
    """Copy ``source`` byte for byte into the new owner-only file ``target``, flushed to disk.

    Returns the number of bytes copied. The bytes are ciphertext (vault.db pages, vault.keys).
    ``stop`` is called before each chunk and raises to stop (the panic key: at most one chunk).
    """
    fd = os.open(target, _CREATE, OWNER_ONLY)
    copied = 0
    try:
        with source.open("rb") as src:
            while (stop is None or stop() is None) and (block := src.read(CHUNK)):
                view = memoryview(block)
                while view:
                    view = view[os.write(fd, view) :]
                copied += len(block)
                if progress is not None:
                    progress(copied, total)
        os.fsync(fd)
    finally:
        os.close(fd)
    return copied


def publish(folder: Path, staging: Path) -> None:
    """The commit point (rename staging → ready), then move the files into ``folder``."""
    fsync_dir(staging)
    ready = folder / READY_NAME
    if ready.exists():  # only after finish_interrupted failed to empty it: never lose it
        raise FileExistsError(ready)
    os.replace(staging, ready)
    fsync_dir(folder)
    finish_interrupted(folder)
