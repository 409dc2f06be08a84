"""Files that leave the vault: a copy of an original, a bundle, its key file, a decrypted bundle,
a hash list, a lawyer's age key, a verification certificate.

Every one of them is written the same way, because several are plain evidence and one is a
private key:

- owner-only (0600) from its first byte: created with ``os.open(..., O_CREAT | O_EXCL, 0o600)``,
  never with the umask's usual 0644, so another account on the computer can never open it, not
  even while it is being written;
- under a hidden partial name beside the target (``.NAME.evault-partial``), renamed to its name
  only when complete, so a failure never leaves a cut-short file under the real name;
- with an exclusive ``flock`` held on the partial while it is written. A process killed mid-write
  (kill -9, power cut) leaves its partial behind, unlocked: the next write into the same folder
  removes it (only files of exactly our partial naming, owned by this account, that no live
  process holds), so a retry to the same name works, and a plaintext partial does not stay on
  disk longer than until evault next writes there.

Windows has no POSIX modes: a file there takes the permissions of its folder (``0o600`` only
decides it is not read-only), and an open file cannot be deleted, which is what tells a live
partial from a stale one. :func:`exposure_advice` says when other accounts can see or open what
was written (a shared folder, or a FAT/exFAT stick, which keeps no permissions at all).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from vault.errors import EvaultError, InvalidInput, StorageError, StorageFull
from vault.i18n import _
from vault.store.fsutil import EarlyWriteBack, fsync_dir

PARTIAL_SUFFIX = ".evault-partial"
OWNER_ONLY = 0o600
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def partial_path(target: Path) -> Path:
    """The hidden name ``target`` is written under until it is complete."""
    return target.with_name(f".{target.name}{PARTIAL_SUFFIX}")


def is_partial_name(name: str) -> bool:
    """True for exactly the names :func:`partial_path` makes (``.X.evault-partial``)."""
    return (
        name.startswith(".")
        and name.endswith(PARTIAL_SUFFIX)
        and len(name) > 1 + len(PARTIAL_SUFFIX)
    )


def remove_stale_partials(folder: Path) -> int:
    """Remove our own partial files in ``folder`` that no live process is writing; how many.

    Only regular files of exactly our naming, owned by this account, and not locked by a writer.
    Never raises: tidying must not stop the write the user asked for.
    """
    removed = 0
    try:
        entries = [e for e in os.scandir(folder) if is_partial_name(e.name)]
    except OSError:
        return 0
    for entry in entries:
        with contextlib.suppress(OSError):
            if _remove_if_stale(Path(entry.path)):
                removed += 1
    return removed


def _remove_if_stale(path: Path) -> bool:
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        return False  # never a link, a folder or a device, whatever its name
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        os.unlink(path)  # fails while a live writer has it open
        return True
    import fcntl  # noqa: PLC0415 - POSIX only

    if info.st_uid != os.getuid():
        return False
    # Never a link; never waiting on a FIFO swapped in after the lstat (checked again below).
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a live evault is writing it
        if not os.path.samestat(os.fstat(fd), os.lstat(path)):
            return False  # replaced meanwhile: not the file we looked at
        os.unlink(path)
        return True
    finally:
        os.close(fd)


WRITEBACK_BYTES = 16 * 1024 * 1024  # flushed in pieces of at least this (fsutil.EarlyWriteBack)


class Output:
    """One file leaving the vault, written under its partial name and renamed when complete.

    Use as a context manager: ``with Output(target) as out: out.file.write(...); out.publish()``.
    Leaving the block without :meth:`publish` (an error, a cancel) removes the partial.
    ``write_back`` (for long files: a bundle, a decrypted bundle, an original) has the disk write
    the file while it is being written (``fsutil.EarlyWriteBack``), so the fsync at the end does
    not wait for all of it.
    """

    def __init__(self, target: Path, *, replace: bool = False, write_back: bool = False) -> None:
        self.target = Path(target)
        self.partial = partial_path(self.target)
        self.replace = replace
        self._fd: int | None = None
        self._file: BinaryIO | None = None
        self._write_back = write_back
        self._writeback: EarlyWriteBack | None = None
        self.published = False

    @property
    def file(self) -> BinaryIO:
        if self._file is None:
            raise ValueError("the output is not open")
        return self._file

    def __enter__(self) -> Output:
        if not self.replace and self.target.exists():
            raise FileExistsError(self.target)
        remove_stale_partials(self.target.parent)
        self._fd = self._create()
        self._file = os.fdopen(self._fd, "wb", closefd=False)
        if self._write_back:
            self._writeback = EarlyWriteBack(
                self._fd, "evault-output-writeback", grown=WRITEBACK_BYTES
            )
            self._writeback.start()
        return self

    def _create(self) -> int:
        """Create the partial owner-only and lock it; retry once if a tidier removed it first."""
        for _attempt in range(2):
            fd = os.open(self.partial, _CREATE_FLAGS, OWNER_ONLY)
            if sys.platform == "win32":  # pragma: no cover - an open file cannot be deleted
                return fd
            import fcntl  # noqa: PLC0415 - POSIX only

            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if os.path.samestat(os.fstat(fd), os.lstat(self.partial)):
                    return fd
            except FileNotFoundError:
                pass
            os.close(fd)  # another evault took it for stale in the instant before the lock
        raise FileExistsError(self.partial)

    def publish(self) -> None:
        """Make the complete file durable and give it its name."""
        file = self.file
        file.flush()
        self._stop_write_back()
        os.fsync(file.fileno())
        if not self.replace and self.target.exists():
            raise FileExistsError(self.target)
        if sys.platform == "win32":  # pragma: no cover - Windows cannot rename an open file
            self._close()
        os.replace(self.partial, self.target)
        self.published = True
        self._close()
        fsync_dir(self.target.parent)

    def _stop_write_back(self) -> None:
        if self._writeback is not None:
            self._writeback.stop()  # before the descriptor is closed: it uses it
            self._writeback = None

    def _close(self) -> None:
        self._stop_write_back()
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)  # also releases the lock
            self._fd = None

    def discard(self) -> None:
        """Remove the partial (an error or a cancel): nothing is left under either name."""
        self._close()
        if not self.published:
            with contextlib.suppress(OSError):
                self.partial.unlink()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()


def write_new(target: Path, data: bytes) -> None:
    """Write a small file that must not exist yet (owner-only, complete or absent).

    Raises :class:`FileExistsError` if ``target`` exists, :class:`OSError` if it cannot be written.
    """
    with Output(target) as out:
        out.file.write(data)
        out.publish()


def write_failed(target: Path, exc: OSError) -> EvaultError:
    """The calm sentence for a file that could not be written outside the vault."""
    if isinstance(exc, FileExistsError):
        return InvalidInput(
            _("{target} already exists. Choose another name; nothing was written.").format(
                target=target
            )
        )
    if exc.errno == errno.ENOSPC:
        return StorageFull(
            _(
                "The disk is full, so {name} could not be written. Free some space and try again; "
                "nothing was kept."
            ).format(name=target.name)
        )
    if exc.errno == errno.ENOENT and not target.parent.is_dir():
        return InvalidInput(
            _(
                "The folder {folder} does not exist. Create it or choose another place; nothing was "
                "written."
            ).format(folder=target.parent)
        )
    if exc.errno == errno.EROFS:
        return StorageError(
            _(
                "{folder} is on a disk that cannot be written to (read-only). Choose another place; "
                "nothing was written."
            ).format(folder=target.parent)
        )
    return StorageError(
        _(
            "{target} could not be written. Check the folder (and that the disk is still "
            "connected), then try again; nothing was kept."
        ).format(target=target)
    )


def exposure_advice(path: Path) -> str | None:
    """One calm sentence when other accounts on this computer can open ``path``, replace it, or
    see its name in its folder; None when only this account can. Always None on Windows, where
    files take their folder's permissions (SECURITY.md says what that means)."""
    if sys.platform == "win32":  # pragma: no cover - no POSIX modes to read
        return None
    try:
        file_info = os.stat(path)
        folder_info = os.stat(path.parent)
    except OSError:
        return None
    if not _others_can_reach(path.parent):
        return None  # e.g. inside a home folder of mode 0700 or 0750: they cannot get in
    folder = Path(os.path.abspath(path)).parent  # in full: "files in ." tells a reader nothing
    if _others_may(file_info, 0o004):
        return _(
            "Note: this disk keeps no file permissions (a FAT or exFAT USB stick, or a shared "
            "drive?), so other accounts on this computer can open {name}."
        ).format(name=path.name)
    if _others_may(folder_info, 0o002) and not folder_info.st_mode & stat.S_ISVTX:
        return _(
            "Note: other accounts on this computer can delete or replace files in {folder}; only "
            "your account can open {name} itself."
        ).format(folder=folder, name=path.name)
    if _others_may(folder_info, 0o004):
        return _(
            "Note: other accounts on this computer can see the names of the files in {folder}; "
            "only your account can open {name} itself."
        ).format(folder=folder, name=path.name)
    return None


def _others_may(info: os.stat_result, other_bit: int) -> bool:
    """Whether accounts other than this one hold a permission (``0o004`` read, ``0o002`` write,
    ``0o001`` search), as "others" or as members of a group that is not this account's own."""
    if info.st_mode & other_bit:
        return True
    return bool(info.st_mode & (other_bit << 3)) and _group_is_shared(info.st_gid)


def _others_can_reach(folder: Path) -> bool:
    """False when a folder on the way to ``folder`` keeps other accounts out (no search
    permission for them): they can then neither list ``folder`` nor open anything in it,
    whatever its own mode. Without that, a ``Documents`` folder of mode 0755 inside a private
    home folder would draw a warning that is not true."""
    try:
        resolved = folder.resolve()
        chain = [os.stat(d) for d in (resolved, *resolved.parents)]
    except OSError:
        return True  # cannot tell: say what the folder itself allows
    return all(_others_may(info, 0o001) for info in chain)


def _group_is_shared(gid: int) -> bool:
    """False only for this account's own private group (named after it, no other members)."""
    try:
        import grp  # noqa: PLC0415 - POSIX only
        import pwd  # noqa: PLC0415 - POSIX only

        group = grp.getgrgid(gid)
        me = pwd.getpwuid(os.getuid()).pw_name
    except (KeyError, ImportError):
        return True
    return not (group.gr_name == me and set(group.gr_mem) <= {me})
