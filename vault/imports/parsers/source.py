"""Read-only access to an export: a folder, a ZIP, or a single file, with hostile input refused.

Exports come from phones and websites, and sometimes from whoever sent them to the defender, so
nothing in one is trusted: member names are checked before use (no absolute paths, no ``..``, no
drive letters or control characters), links and devices are skipped, duplicate names refuse the
whole ZIP (one copy could hide another), encrypted members are skipped, members whose bytes overlap
refuse the whole ZIP (``ziplayout``), and reading a member stops at the size its header declared,
which with the limits on declared sizes is what stops a ZIP bomb. Members are streamed from the ZIP
in place: nothing is extracted to disk. A folder is walked and read without following any link
(``folder``). Nothing is opened in a way that could block (a FIFO in place of a file), and what is
opened must be the regular file first seen there.
"""

from __future__ import annotations

import io
import lzma
import os
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from vault.custody.models import Finding
from vault.errors import EvaultError, InvalidInput, StorageError
from vault.i18n import N_, _
from vault.imports.parsers import ziplayout
from vault.imports.parsers.folder import SPECIAL, FolderTree, identity

MAX_MEMBERS = 1_000_000
MAX_TOTAL_BYTES = (
    1 << 40
)  # 1 TiB uncompressed: far beyond any real export, far below a bomb's claim
MAX_RATIO = 200  # deflate tops out near 1,032:1; real exports of text and media stay under ~20:1
RATIO_FLOOR = 1 << 20  # members under 1 MiB may compress as well as they like
TOTAL_RATIO_FLOOR = 64 << 20  # and the whole ZIP too, up to 64 MiB in all

# What zipfile raises on a damaged or hostile ZIP (NotImplementedError: an unknown "version needed
# to extract" or compression; LZMAError from a damaged LZMA member).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    OverflowError,
    lzma.LZMAError,
    zlib.error,
)
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


@dataclass(frozen=True)
class Member:
    """One file of the export."""

    name: str  # normalised relative POSIX path, the key parsers use
    size: int


def safe_name(name: str) -> str | None:
    """The normalised form of a member name, or None if it is unsafe to use at all."""
    if not name or "\x00" in name or any(unicodedata.category(ch) == "Cc" for ch in name):
        return None
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return "/".join(parts)


class ExportSource:
    """An export opened for reading. Use as a context manager; ``members`` lists its files."""

    kind: str  # "zip", "folder" or "file"
    path: Path

    def __init__(self, path: Path) -> None:
        self.path = path
        self.members: dict[str, Member] = {}
        self.skipped: list[str] = []  # calm notes about members that were not used
        self._zip: zipfile.ZipFile | None = None
        self._zip_file: IO[bytes] | None = None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._tree: FolderTree | None = None
        self._identity: tuple[int, int] = (0, 0)  # the ZIP or single file, as first seen
        try:
            st = path.stat()
            if stat.S_ISDIR(st.st_mode):
                self.kind = "folder"
                self._scan_folder()
            elif stat.S_ISREG(st.st_mode):
                self._identity = identity(st)
                handle = self.open_export()
                if zipfile.is_zipfile(handle):
                    self.kind = "zip"
                    self._zip_file = handle
                    self._scan_zip()
                else:
                    handle.close()
                    self.kind = "file"
                    self.members[path.name] = Member(path.name, st.st_size)
            else:
                raise InvalidInput(
                    _(
                        "{path} is not a file or folder that can be imported. Check the path and try again."
                    ).format(path=path)
                )
        except FileNotFoundError:
            self.close()
            raise InvalidInput(
                _("There is no file or folder at {path}. Check the path and try again.").format(
                    path=path
                )
            ) from None
        except OSError as exc:
            self.close()
            raise StorageError(
                _(
                    "The export at {path} could not be read ({error}). Check the disk and try again."
                ).format(path=path, error=exc.strerror or "read error")
            ) from None
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        if self._zip_file is not None:
            self._zip_file.close()
            self._zip_file = None

    def open_export(self) -> IO[bytes]:
        """The ZIP or single file itself (to store it unchanged): opened without blocking, and
        refused unless it is still the regular file first seen at this path."""
        try:
            fd = os.open(self.path, _OPEN_FLAGS)
        except OSError as exc:
            raise StorageError(
                _("{name} could not be read ({error}). Check the disk and try again.").format(
                    name=self.path.name, error=exc.strerror or "read error"
                )
            ) from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or identity(st) != self._identity:
                raise InvalidInput(
                    _("{name} was replaced while it was being read. Nothing was imported.").format(
                        name=self.path.name
                    )
                )
            if hasattr(os, "O_NONBLOCK"):
                os.set_blocking(fd, True)
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise

    # ---- listing -------------------------------------------------------------------------

    def names(self) -> list[str]:
        return sorted(self.members)

    def exists(self, name: str) -> bool:
        return name in self.members

    def find(self, suffix: str) -> list[str]:
        """Members whose path ends with ``suffix`` (a name or a tail of folders), sorted."""
        return [n for n in self.names() if n == suffix or n.endswith("/" + suffix)]

    def _scan_folder(self) -> None:
        self._tree = FolderTree(self.path)
        self.skipped.extend(self._tree.skipped)
        for name, entry in self._tree.entries.items():
            self._add(Member(name, entry.size))

    def _scan_zip(self) -> None:
        assert self._zip_file is not None  # noqa: S101 - set by the caller
        try:
            self._zip = zipfile.ZipFile(self._zip_file)
            infos = self._zip.infolist()
        except _ZIP_ERRORS:
            raise InvalidInput(
                _(
                    "{name} looks like a ZIP file but is damaged, cut short or uses ZIP features evault "
                    "cannot read. Export it again from the app, or try the unzipped folder."
                ).format(name=self.path.name)
            ) from None
        if len(infos) > MAX_MEMBERS:
            raise InvalidInput(
                _("{name} holds far more files than any export; it was refused.").format(
                    name=self.path.name
                )
            )
        self._check_layout(infos)
        seen: set[str] = set()
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            name = safe_name(info.filename)
            if name is None:
                raise InvalidInput(
                    _(
                        "{name} contains a file with an unsafe name (it points outside the export). It was "
                        "refused; nothing was imported."
                    ).format(name=self.path.name)
                )
            folded = name.casefold()
            if folded in seen:
                raise InvalidInput(
                    _(
                        "{name} contains the file {member} twice, so one copy could hide another. It was "
                        "refused; nothing was imported."
                    ).format(name=self.path.name, member=name)
                )
            seen.add(folded)
            kind = stat.S_IFMT(info.external_attr >> 16)
            if kind and kind != stat.S_IFREG:
                self.skipped.append(Finding(SPECIAL, name=name))
                continue
            if info.flag_bits & 0x1:
                self.skipped.append(
                    Finding(N_("{name} is encrypted inside the ZIP; it was not read."), name=name)
                )
                continue
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise InvalidInput(
                    _(
                        "{name} contains {member}, which claims to expand far beyond any real file (a 'ZIP "
                        "bomb'). It was refused; nothing was imported."
                    ).format(name=self.path.name, member=name)
                )
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise InvalidInput(
                    _("{name} claims to hold more data than any export; it was refused.").format(
                        name=self.path.name
                    )
                )
            self._infos[name] = info
            self._add(Member(name, info.file_size))
        archive_size = os.fstat(self._zip_file.fileno()).st_size
        if total > TOTAL_RATIO_FLOOR and total > MAX_RATIO * max(archive_size, 1):
            raise InvalidInput(
                _(
                    "{name} claims to expand to {total:,} bytes, far beyond any real export of its size "
                    "(a 'ZIP bomb'). It was refused; nothing was imported."
                ).format(name=self.path.name, total=total)
            )

    def _check_layout(self, infos: list[zipfile.ZipInfo]) -> None:
        """Refuse the ZIP if a member's bytes are also another's (an overlapping ZIP bomb)."""
        assert self._zip is not None and self._zip_file is not None  # noqa: S101
        bad = ziplayout.bad_members(self._zip_file, infos, self._zip.start_dir)
        if not bad:
            return
        info, why = bad[0]
        name = safe_name(info.filename) or "a file"
        if why == ziplayout.DAMAGED:
            raise InvalidInput(
                _(
                    "{name} is damaged: {member} is not where the ZIP says it is. Export it again from "
                    "the app, or try the unzipped folder."
                ).format(name=self.path.name, member=name)
            )
        raise InvalidInput(
            _(
                "{name} contains {member}, whose bytes overlap another file's inside the ZIP (a trick"
                " used by 'ZIP bombs'). It was refused; nothing was imported."
            ).format(name=self.path.name, member=name)
        )

    def _add(self, member: Member) -> None:
        self.members[member.name] = member

    # ---- reading -------------------------------------------------------------------------

    def open(self, name: str) -> io.RawIOBase:
        """A stream of one member's bytes; it stops with an error past the declared size."""
        member = self.members.get(name)
        if member is None:
            raise InvalidInput(_("The export has no file {name}.").format(name=name))
        if self._zip is not None:
            info = self._infos[name]
            try:
                raw = self._zip.open(info)
            except (*_ZIP_ERRORS, OSError):
                raise InvalidInput(
                    _(
                        "{member} inside {name} cannot be read (damaged or an unsupported compression). "
                        "Nothing was imported."
                    ).format(member=name, name=self.path.name)
                ) from None
            return _Capped(raw, info.file_size, name)
        handle: IO[bytes]
        if self._tree is not None:
            handle = self._tree.open(self._tree.entries[name])
        else:
            handle = self.open_export()
        return _Capped(handle, member.size, name)

    def read(self, name: str, cap: int) -> bytes:
        """A whole member, refused if it is larger than ``cap`` bytes."""
        member = self.members.get(name)
        if member is None:
            raise InvalidInput(_("The export has no file {name}.").format(name=name))
        if member.size > cap:
            raise InvalidInput(
                _(
                    "{name} is larger than any export file of its kind ({size:,} bytes); it was refused."
                ).format(name=name, size=member.size)
            )
        with self.open(name) as stream:
            data = stream.read(cap + 1)
        if len(data) > cap:
            raise InvalidInput(
                _("{name} is larger than any export file of its kind; it was refused.").format(
                    name=name
                )
            )
        return data

    def iter_members(self) -> Iterator[Member]:
        for name in self.names():
            yield self.members[name]


class _Capped(io.RawIOBase):
    """Wraps a member stream; reading more than the declared size is an error, not a bomb."""

    def __init__(self, raw: IO[bytes], limit: int, name: str) -> None:
        super().__init__()
        self._raw = raw
        self._left = limit
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._read_raw(len(view))
        view[: len(data)] = data
        return len(data)

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            chunks = []
            while chunk := self._read_raw(1 << 20):
                chunks.append(chunk)
            return b"".join(chunks)
        return self._read_raw(size)

    def _read_raw(self, size: int) -> bytes:
        try:
            # Ask for one byte more than is left, so a member longer than declared is caught.
            data = self._raw.read(min(size, self._left + 1) if size else 0)
        except EvaultError:
            raise
        except _ZIP_ERRORS:
            raise InvalidInput(
                _(
                    "{name} inside the export is damaged (its checksum does not match). Nothing was "
                    "imported."
                ).format(name=self._name)
            ) from None
        except OSError as exc:
            raise StorageError(
                _("{name} could not be read ({error}). Check the disk and try again.").format(
                    name=self._name, error=exc.strerror or "read error"
                )
            ) from None
        self._left -= len(data)
        if self._left < 0:
            raise InvalidInput(
                _(
                    "{name} holds more data than the export says it does; it was refused. Nothing was "
                    "imported."
                ).format(name=self._name)
            )
        return data

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()
