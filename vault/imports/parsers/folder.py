"""An export folder, walked and read without ever leaving it.

Whoever made the export chose every name and link in it. A link (``photos -> ../outside``), or a
file whose own name holds a backslash (``photos\\secret.txt``, which a careless reader would turn
into a path through that link), must never make evault read a file outside the export and store it
as evidence; a FIFO or device must never make the import hang. So:

- the walk never follows a link, and names each file by its real path components: a file's key is
  its components joined with ``/``, which no component can contain, so a backslash in a name stays
  a character of that name and never aliases a path;
- every file is opened relative to the export's root, one folder at a time, with no link anywhere
  on the way: ``O_NOFOLLOW`` per component with ``dir_fd`` where the system has it (Linux, macOS,
  BSD); elsewhere (Windows) each folder on the way is checked with ``lstat`` (no link, no junction,
  the same folder the walk saw) before the file is opened by its path;
- a file is opened without blocking (``O_NONBLOCK``, so a FIFO put in its place cannot hang the
  import), and refused unless what was opened is a regular file with the identity (device and
  inode, ``st_dev``/``st_ino``) the walk saw: anything swapped in since is refused, not read.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vault.custody.models import Finding
from vault.errors import InvalidInput, StorageError
from vault.i18n import N_, _

# Why a file of an export was not read: whole sentences, so each language can say them its way.
DEEPER = N_("{name} is nested deeper than any export; it was not read.")
NOT_A_FOLDER = N_("{name} could not be opened as a folder; it was not read.")
CHANGED = N_("{name} changed while it was being read; it was not read.")
SPECIAL = N_("{name} is a link or special file; it was not read.")

# Where the system can open a path component relative to a folder without following a link.
HAVE_DIR_FD = (
    os.open in os.supports_dir_fd
    and os.scandir in os.supports_fd
    and hasattr(os, "O_NOFOLLOW")
    and hasattr(os, "O_DIRECTORY")
)
MAX_DEPTH = 64  # real exports nest a few folders deep
MAX_FILES = 1_000_000

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_REPARSE_POINT = getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400)

Identity = tuple[int, int]  # (st_dev, st_ino)


@dataclass(frozen=True)
class Entry:
    """One regular file the walk found: its real path components, size and identity, and the
    identities of the folders on the way to it (shared between the files of one folder)."""

    parts: tuple[str, ...]
    size: int
    identity: Identity
    folders: tuple[Identity, ...]

    @property
    def name(self) -> str:
        return "/".join(self.parts)


def identity(st: os.stat_result) -> Identity:
    return st.st_dev, st.st_ino


def _is_link(st: os.stat_result) -> bool:
    """A symbolic link, or on Windows any reparse point (a junction, a mount point)."""
    return stat.S_ISLNK(st.st_mode) or bool(getattr(st, "st_file_attributes", 0) & _REPARSE_POINT)


def usable(name: str) -> bool:
    """A real name evault can show and key on (no control characters)."""
    return bool(name) and not any(unicodedata.category(ch) == "Cc" for ch in name)


class FolderTree:
    """The regular files of an export folder, found without following links."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries: dict[str, Entry] = {}
        self.skipped: list[str] = []
        self._count = 0
        if HAVE_DIR_FD:
            fd = os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
            try:
                self.root_identity = identity(os.fstat(fd))
                self._walk_fd(fd, (), ())
            finally:
                os.close(fd)
        else:
            self.root_identity = identity(os.stat(root))
            self._walk_paths(root, (), ())

    # ---- the walk ------------------------------------------------------------------------

    def _note(self, parts: tuple[str, ...], sentence: str) -> None:
        """Skip a file with one whole sentence (``sentence`` has a ``{name}``): in the reader's
        language when shown, in English where the import's summary is kept."""
        name: str = (
            "/".join(parts)
            if all(usable(p) for p in parts)
            else Finding(N_("a file with an unusable name"))
        )
        self.skipped.append(Finding(sentence, name=name))

    def _found(
        self, parts: tuple[str, ...], st: os.stat_result, folders: tuple[Identity, ...]
    ) -> None:
        self._count += 1
        if self._count > MAX_FILES:
            raise InvalidInput(
                _("{name} holds far more files than any export; it was refused.").format(
                    name=self.root.name
                )
            )
        if not all(usable(p) for p in parts):
            self.skipped.append(Finding(N_("A file with an unusable name was not read.")))
            return
        entry = Entry(parts, st.st_size, identity(st), folders)
        self.entries[entry.name] = entry

    def _sorted(self, it: Iterator[os.DirEntry[str]]) -> list[os.DirEntry[str]]:
        return sorted(it, key=lambda e: e.name)

    def _walk_fd(self, dir_fd: int, parts: tuple[str, ...], folders: tuple[Identity, ...]) -> None:
        with os.scandir(dir_fd) as it:
            children = self._sorted(it)
        for child in children:
            path = (*parts, child.name)
            st = child.stat(follow_symlinks=False)  # fstatat(dir_fd, name, AT_SYMLINK_NOFOLLOW)
            if stat.S_ISDIR(st.st_mode):
                if len(path) > MAX_DEPTH:
                    self._note(path, DEEPER)
                    continue
                try:
                    sub = os.open(
                        child.name,
                        os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC,
                        dir_fd=dir_fd,
                    )
                except OSError:
                    self._note(path, NOT_A_FOLDER)
                    continue
                try:
                    seen = identity(os.fstat(sub))
                    if seen != identity(st):
                        self._note(path, CHANGED)
                        continue
                    self._walk_fd(sub, path, (*folders, seen))
                finally:
                    os.close(sub)
            elif stat.S_ISREG(st.st_mode):
                self._found(path, st, folders)
            else:
                self._note(path, SPECIAL)

    def _walk_paths(
        self, folder: Path, parts: tuple[str, ...], folders: tuple[Identity, ...]
    ) -> None:
        with os.scandir(folder) as it:
            children = self._sorted(it)
        for child in children:
            path = (*parts, child.name)
            # os.lstat, not DirEntry.stat: on Windows the latter has no device or inode number.
            st = os.lstat(folder / child.name)
            if _is_link(st) or not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)):
                self._note(path, SPECIAL)
            elif stat.S_ISDIR(st.st_mode):
                if len(path) > MAX_DEPTH:
                    self._note(path, DEEPER)
                    continue
                self._walk_paths(folder / child.name, path, (*folders, identity(st)))
            else:
                self._found(path, st, folders)

    # ---- reading -------------------------------------------------------------------------

    def open(self, entry: Entry) -> io.FileIO:
        """The file of ``entry``, opened inside the export with no link on the way; refused if
        what is there now is not the regular file the walk saw."""
        try:
            fd = self._open_fd(entry) if HAVE_DIR_FD else self._open_path(entry)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                raise _changed(entry) from None
            raise StorageError(
                _("{name} could not be read ({error}). Check the disk and try again.").format(
                    name=entry.name, error=exc.strerror or "read error"
                )
            ) from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or identity(st) != entry.identity:
                raise _changed(entry)
            if _NONBLOCK:
                os.set_blocking(fd, True)
            return io.FileIO(fd, "rb", closefd=True)
        except BaseException:
            os.close(fd)
            raise

    def _open_fd(self, entry: Entry) -> int:
        fd = os.open(self.root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
        try:
            if identity(os.fstat(fd)) != self.root_identity:
                raise _changed(entry)
            for part, seen in zip(entry.parts[:-1], entry.folders, strict=True):
                sub = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
                os.close(fd)
                fd = sub
                if identity(os.fstat(fd)) != seen:
                    raise _changed(entry)
            flags = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _NOCTTY | _CLOEXEC
            return os.open(entry.parts[-1], flags, dir_fd=fd)
        finally:
            os.close(fd)

    def _open_path(self, entry: Entry) -> int:
        if identity(os.stat(self.root)) != self.root_identity:
            raise _changed(entry)
        folder = self.root
        for part, seen in zip(entry.parts[:-1], entry.folders, strict=True):
            folder = folder / part
            st = os.lstat(folder)
            if _is_link(st) or not stat.S_ISDIR(st.st_mode) or identity(st) != seen:
                raise _changed(entry)
        flags = os.O_RDONLY | _BINARY | _NOFOLLOW | _NONBLOCK | _NOCTTY | _CLOEXEC
        return os.open(folder / entry.parts[-1], flags)


def _changed(entry: Entry) -> InvalidInput:
    return InvalidInput(
        _(
            "{name} was replaced or moved while the export was being read (now a link, a special "
            "file or another file). It was not read; nothing was imported."
        ).format(name=entry.name)
    )
