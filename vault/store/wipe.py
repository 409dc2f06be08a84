"""The emergency wipe: destroy a vault's keys so that nobody can open it again, in well under a second.

A vault is only as readable as its database key, and that key exists on disk only wrapped in
``vault.keys`` (and, during a key change, ``vault.keys.new``). So the wipe overwrites those files
with random bytes of the same length, makes the overwrite durable (``fsync``) and removes them;
then it removes ``vault.db``, its journal and the vault's other leftovers, makes the removals
durable, and removes the folder if nothing else was in it. The database is unlinked, never
rewritten, and the time to wipe does not grow with the vault's size: giving a large file's blocks
back to the filesystem can take a second per GiB (ext4 with online discard, measured), so the wipe
keeps the database files open while it removes their names, and closes them (which frees the
blocks) in a background thread once the vault is gone from the folder
(docs/performance.md, "Emergency wipe", has the measurements).

Decisions, and why:

- No passphrase is needed. Under threat the defender may not have the time, or may be watched
  typing it; destroying needs no secret, only the one deliberate confirmation the front ends ask.
- The lock is advisory and the wipe does not wait for it: under threat speed matters more than
  politeness. If another evault window has the vault open, the files go anyway (that program keeps
  working on files that no longer have a name, and holds the key in its memory until it is closed
  or locked); the result says so, so the front end can tell the defender to close it.
- Only the vault's own files are touched (the names in :data:`VAULT_FILES`); anything else in the
  folder stays, and is named in the result. A ``vault.keys`` that is a symbolic link is removed
  as a link: what it points to is not the vault's.
- Damaged or partly missing vaults are wiped too (that is when an interrupted wipe is re-run).
- What the wipe cannot reach: copies made before (backups, cloud sync, a copy an attacker took),
  and, on flash media (SSDs, USB sticks, SD cards), old copies of blocks that the drive's
  controller keeps out of reach of any program. SECURITY.md ("Emergency wipe", "Forensic recovery
  from flash media") says so in plain words.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from crypto import constants as c
from vault.errors import NotAVault, StorageError, VaultBusy
from vault.i18n import _
from vault.store.folder import DB_NAME, JOURNAL_NAME, KEYS_NAME, LOCK_NAME
from vault.store.fsutil import NEW_SUFFIX, fsync_dir
from vault.store.lock import VaultLock

# Files that hold (wrapped) key material: overwritten before they are removed, first of all.
# ".old": the second name a re-encryption gives the replaced file while it overwrites it
# (vault/store/rekey.py); a kill there leaves it, and vault.keys.old still wraps the old key.
KEY_FILES = (KEYS_NAME, KEYS_NAME + NEW_SUFFIX, KEYS_NAME + ".old")
# Everything else that is the vault's own: the encrypted database and what SQLite or an
# interrupted evault write leaves beside it (journals, a database being rebuilt), and the lock.
DATA_FILES = (
    DB_NAME,
    JOURNAL_NAME,
    DB_NAME + "-wal",
    DB_NAME + "-shm",
    DB_NAME + NEW_SUFFIX,
    DB_NAME + NEW_SUFFIX + "-journal",
    DB_NAME + ".rekey",  # a re-encryption's new database, before it replaces vault.db
    DB_NAME + ".rekey-journal",
    DB_NAME + ".old",
    LOCK_NAME,
)
VAULT_FILES = KEY_FILES + DATA_FILES
SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"  # an unencrypted SQLite file: not an evault vault.db
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class WipeResult:
    """What the wipe did, for the front ends' calm summary (names only, never contents)."""

    folder: Path
    removed: tuple[str, ...]  # the vault's files that were removed
    left: tuple[str, ...]  # other things in the folder, not the vault's, left as they were
    folder_removed: bool  # the folder itself is gone (it held only the vault's files)
    was_open: bool  # another evault window or command had the vault open
    # Set once the removed files' blocks are given back to the filesystem (in the background).
    freed: threading.Event = field(default_factory=threading.Event, compare=False)

    def __repr__(self) -> str:
        return f"WipeResult({str(self.folder)!r}, removed={len(self.removed)})"

    def wait_until_freed(self, timeout: float | None = None) -> bool:
        """Wait until the disk space of the removed database is free again (True when it is)."""
        return self.freed.wait(timeout)


def ensure_wipeable(folder: Path) -> None:
    """Raise :class:`NotAVault` unless ``folder`` holds a vault's files (even a damaged vault's,
    or what an interrupted wipe left), so a front end says so before it asks for confirmation."""
    _present(Path(folder))


def wipe(folder: Path) -> WipeResult:
    """Destroy the vault in ``folder``: its keys first, then its database and leftovers.

    Raises :class:`NotAVault` (nothing touched) when the folder holds no vault, and
    :class:`StorageError` when a vault file could not be removed (the message says whether the
    keys are gone, which is what decides whether the vault can still be opened).
    """
    folder = Path(folder)
    present = _present(folder)
    lock = VaultLock(folder, wait_seconds=0.0)
    try:
        lock.acquire()  # held while wiping: no evault can start opening the vault meanwhile
        was_open = False
    except (VaultBusy, OSError):
        was_open = True  # wipe anyway: see the module's docstring
    held: list[int] = []  # open database files: their blocks are freed when these close
    try:
        failed: list[str] = []
        for name in KEY_FILES:
            if name in present:
                _overwrite(folder / name)
        for name in (*KEY_FILES, *DATA_FILES):
            if name not in present or name == LOCK_NAME:
                continue
            fd = _hold(folder / name) if name in DATA_FILES else None
            if _unlink(folder / name):
                if fd is not None:
                    held.append(fd)
            else:
                failed.append(name)
                if fd is not None:
                    os.close(fd)
    finally:
        lock.release()
    # Windows: the lock file (perhaps made by the attempt above) can go only after the release.
    if os.path.lexists(folder / LOCK_NAME) and not _unlink(folder / LOCK_NAME):
        failed.append(LOCK_NAME)
    fsync_dir(folder)
    removed = tuple(name for name in VAULT_FILES if name in present and name not in failed)
    if failed:
        _free_later(held, threading.Event())
        raise StorageError(_failure_message(folder, failed))
    left = _others(folder)
    folder_removed = False
    if not left:
        with contextlib.suppress(OSError):
            folder.rmdir()
            folder_removed = True
            fsync_dir(folder.parent)
    result = WipeResult(folder, removed, left, folder_removed, was_open)
    # Last: freeing the blocks while the folder is flushed would make the flush wait for it.
    _free_later(held, result.freed)
    return result


def _present(folder: Path) -> set[str]:
    """The vault's own files in ``folder``; NotAVault when there are none, or when the only
    database there is a plain (unencrypted) SQLite file, which no evault vault ever is."""
    if not folder.is_dir():
        raise NotAVault(
            _("There is no vault at {folder}. Nothing was removed.").format(folder=folder)
        )
    present = {name for name in VAULT_FILES if os.path.lexists(folder / name)}
    if not present & {KEYS_NAME, KEYS_NAME + NEW_SUFFIX} and DB_NAME in present:
        with contextlib.suppress(OSError), (folder / DB_NAME).open("rb") as f:
            if f.read(len(SQLITE_PLAIN_HEADER)) == SQLITE_PLAIN_HEADER:
                raise NotAVault(
                    _(
                        "{folder} holds another program's database, not an evidence vault. Nothing was "
                        "removed."
                    ).format(folder=folder)
                )
    if not present - {LOCK_NAME}:
        raise NotAVault(
            _("{folder} holds no evidence vault. Nothing was removed.").format(folder=folder)
        )
    return present


def _overwrite(path: Path) -> None:
    """Write random bytes over a key file in place and make them durable, before it is removed.

    Best effort: a link is not followed, and a file that cannot be opened for writing is still
    removed by the caller. Only the first bytes a reader would ever accept as a key file
    (``MAX_KEYS_FILE_BYTES``) can carry a key, so a huge, damaged file costs no time.
    """
    flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        if path.is_symlink() or not path.is_file():
            return
        try:
            fd = os.open(path, flags)
        except PermissionError:
            os.chmod(path, 0o600)  # a read-only key file is still ours to destroy
            fd = os.open(path, flags)
    except OSError:
        return
    try:
        remaining = min(os.fstat(fd).st_size, c.MAX_KEYS_FILE_BYTES + 1)
        while remaining > 0:
            remaining -= os.write(fd, os.urandom(min(remaining, _CHUNK)))
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _hold(path: Path) -> int | None:
    """An open descriptor of a database file about to lose its name, or None.

    While it is open, removing the name is instant and the blocks stay allocated (unreachable:
    no name, and the key is gone); closing it later frees them. Windows cannot remove an open
    file's name, so there the file is removed directly.
    """
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return None
    try:
        return os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None


def _free_later(fds: list[int], freed: threading.Event) -> None:
    """Close the held database files in a background thread, then set ``freed``.

    Not a daemon thread: a command that has printed its summary still ends only after the space
    is free, and a killed process gives it back anyway (the kernel closes what it held, and a
    crash leaves an orphan the filesystem frees at the next mount).
    """

    def close_all() -> None:
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        freed.set()

    if not fds:
        freed.set()
        return
    threading.Thread(target=close_all, name="evault-wipe-free", daemon=False).start()


def _unlink(path: Path) -> bool:
    """Remove one file (a missing one counts as removed)."""
    try:
        path.unlink()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _others(folder: Path) -> tuple[str, ...]:
    """Names of what is in the folder besides the vault (never removed, only named)."""
    try:
        return tuple(sorted(entry.name for entry in os.scandir(folder)))
    except OSError:
        return ()


def _failure_message(folder: Path, failed: list[str]) -> str:
    names = ", ".join(failed)
    if any(name in KEY_FILES for name in failed):
        return _(
            "The vault in {folder} could not be wiped: {names} could not be removed, so it may "
            "still open. Check that the disk is not read-only or removed, and try again."
        ).format(folder=folder, names=names)
    return _(
        "The vault's keys were destroyed, so it cannot be opened any more, but {names} could "
        "not be removed from {folder}. Check that the disk is not read-only, and try again."
    ).format(names=names, folder=folder)
