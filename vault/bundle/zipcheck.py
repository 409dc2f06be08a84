"""The ZIP side of verifying a bundle: safe access to its members, and the check that every byte
outside the members is exactly what export writes.

Member data is covered by SHA256SUMS and the signatures; the ZIP's own records (local headers,
data descriptors, central directory, end records) are not, so :func:`layout_problem` rebuilds them
the way Python's zipfile writes them when export streams, and compares them byte for byte.
:class:`Reader` never extracts anything: it reads members in place, with a cap on every size.
"""

from __future__ import annotations

import stat
import struct
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any, BinaryIO, TypeVar

from vault.bundle import layout
from vault.bundle.said import say
from vault.errors import BundleUnusable
from vault.i18n import N_, _
from vault.imports.parsers import ziplayout

READ_BLOCK = 1024 * 1024
T = TypeVar("T")
_READ_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
)
MAX_LINE = 1024  # a line of a member read line by line (an import statement's are under 120)

# The ZIP records export writes (Python's zipfile, streaming: docs/format.md §6).
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_END64_LOCATOR = struct.Struct("<4sLQL")
_DESCRIPTOR_FLAG = 0x08  # bit 3: CRC and sizes follow the data (export streams)
_DESCRIPTOR_SIGNATURE = 0x08074B50
_REGULAR_FILE = 0o100644 << 16
_UNIX = 3


class Reader:
    """Safe access to the members of an open ZIP."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.members: dict[str, zipfile.ZipInfo] = {}

    def inventory(self, archive_size: int, raw: BinaryIO) -> list[str]:
        """Check names, kinds, sizes and layout of every member (``raw``: the ZIP file itself);
        return what is wrong."""
        problems: list[Any] = []
        infos = self.zf.infolist()
        if len(infos) > layout.MAX_MEMBERS:
            raise BundleUnusable(
                _("This file has far more members than any bundle; it was refused.")
            )
        seen: set[str] = set()
        for info in infos:
            name = info.filename
            if name in seen:
                problems.append(
                    say(
                        N_("the member name {name} appears twice (one copy could hide another)"),
                        name=repr(name),
                    )
                )
                continue
            seen.add(name)
            kind = stat.S_IFMT(info.external_attr >> 16)
            if not layout.is_safe_member_name(name):
                problems.append(
                    say(
                        N_("a member has an unsafe name {name} (ignored, never written)"),
                        name=repr(name[:80]),
                    )
                )
            elif info.is_dir() or (kind and kind != stat.S_IFREG):
                problems.append(
                    say(
                        N_("{name} is not a regular file (a folder or link); it was ignored"),
                        name=name,
                    )
                )
            elif info.flag_bits & ~_DESCRIPTOR_FLAG:
                problems.append(
                    say(
                        N_(
                            "{name} uses ZIP features bundles never use (such as encryption); "
                            "it was ignored"
                        ),
                        name=name,
                    )
                )
            elif info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
                problems.append(
                    say(
                        N_(
                            "{name} is compressed or its size is inconsistent; bundles store "
                            "files as they are"
                        ),
                        name=name,
                    )
                )
            elif info.file_size > archive_size:
                problems.append(
                    say(N_("{name} claims to be larger than the whole file"), name=name)
                )
            else:
                self.members[name] = info
        problems.extend(self._drop_overlaps(raw, infos))
        return problems

    def _drop_overlaps(self, raw: BinaryIO, infos: list[zipfile.ZipInfo]) -> list[str]:
        """Members whose local record (header and data) is not where the central directory says,
        or shares bytes with another member or the central directory, are never read: a few
        kilobytes of overlapping members would otherwise be hashed again and again (the
        overlapping "ZIP bomb" of CVE-2024-0450, which zipfile does not stop on every Python)."""
        problems: list[Any] = []
        for info, why in ziplayout.bad_members(raw, infos, self.zf.start_dir):
            self.members.pop(info.filename, None)
            label = repr(info.filename[:80])
            if why == ziplayout.DAMAGED:
                problems.append(
                    say(
                        N_("{name} is not where the ZIP's directory says; it was not read"),
                        name=label,
                    )
                )
            else:
                problems.append(
                    say(
                        N_(
                            "{name} shares its bytes with another member inside the ZIP; it was not read"
                        ),
                        name=label,
                    )
                )
        return problems

    def small(self, name: str, cap: int) -> bytes | None:
        info = self.members.get(name)
        if info is None or info.file_size > cap:
            return None
        try:
            with self.zf.open(info) as member:
                data = member.read(cap + 1)
        except _READ_ERRORS:
            return None
        return data if len(data) <= cap else None

    def lines(self, name: str, cap: int, use: Callable[[Iterator[bytes]], T]) -> T | None:
        """``use`` applied to the member's lines as they are read (never the whole member held;
        a line longer than :data:`MAX_LINE` comes in pieces, the first without its ``\\n``);
        None if the member is missing, over ``cap`` bytes, or cannot be read."""
        info = self.members.get(name)
        if info is None or info.file_size > cap:
            return None

        def read(member: IO[bytes]) -> Iterator[bytes]:
            total = 0
            while line := member.readline(MAX_LINE):
                total += len(line)
                if total > cap:
                    raise ValueError("longer than its cap")
                yield line

        try:
            with self.zf.open(info) as member:
                return use(read(member))
        except _READ_ERRORS:
            return None


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def layout_problem(
    f: BinaryIO, infos: list[zipfile.ZipInfo], start_dir: int, archive_size: int
) -> str | None:
    """What differs between the ZIP's own records and what export writes for these members.

    Member data is covered by the hashes; this covers every other byte. Each local header, data
    descriptor, central directory entry and end record must be exactly what Python's zipfile writes
    when export streams these members: no gaps, no comments or extra fields, mode 0644. Fields that
    appear twice (local header and central directory) must agree, so no single byte of a bundle can
    change unnoticed, not even a timestamp.
    """
    try:
        return _layout_mismatch(f, infos, start_dir, archive_size)
    except (struct.error, UnicodeEncodeError, OverflowError):
        return say(N_("the ZIP's records hold values that bundles never have"))


def _layout_mismatch(
    f: BinaryIO, infos: list[zipfile.ZipInfo], start_dir: int, archive_size: int
) -> str | None:
    limit = zipfile.ZIP64_LIMIT
    pos = 0
    local_zip64: list[bool] = []
    for info in infos:
        label = repr(info.orig_filename[:80])
        name = info.orig_filename.encode("ascii")
        if info.header_offset != pos:
            return say(N_("the ZIP holds bytes that belong to no member before {name}"), name=label)
        if (
            info.flag_bits & ~_DESCRIPTOR_FLAG
            or info.compress_type != zipfile.ZIP_STORED
            or info.reserved
            or info.volume
            or info.internal_attr
            or info.external_attr != _REGULAR_FILE
            or info.create_system != _UNIX
            or info.comment
        ):
            return say(
                N_("the ZIP entry of {name} has attributes that bundles never have"), name=label
            )
        f.seek(pos)
        head = f.read(_LOCAL.size)
        if len(head) != _LOCAL.size:
            return say(N_("the ZIP is cut short in the header of {name}"), name=label)
        zip64 = _LOCAL.unpack(head)[-1] != 0  # a ZIP64 extra field is the only one export writes
        local_zip64.append(zip64)
        streamed = bool(info.flag_bits & _DESCRIPTOR_FLAG)
        crc, compress_size, file_size = (
            (0, 0, 0) if streamed else (info.CRC, info.compress_size, info.file_size)
        )
        extra = b""
        if zip64:
            extra = struct.pack("<HHQQ", 1, 16, file_size, compress_size)
            compress_size = file_size = 0xFFFFFFFF
        dostime, dosdate = _dos_time(info.date_time)
        expected = (
            _LOCAL.pack(
                b"PK\x03\x04",
                zipfile.ZIP64_VERSION if zip64 else zipfile.DEFAULT_VERSION,
                0,
                info.flag_bits,
                zipfile.ZIP_STORED,
                dostime,
                dosdate,
                crc,
                compress_size,
                file_size,
                len(name),
                len(extra),
            )
            + name
            + extra
        )
        if head + f.read(len(expected) - _LOCAL.size) != expected:
            return say(
                N_("the ZIP's local header of {name} differs from its central directory entry"),
                name=label,
            )
        pos += len(expected) + info.compress_size
        if streamed:
            descriptor = struct.pack(
                "<LLQQ" if zip64 else "<LLLL",
                _DESCRIPTOR_SIGNATURE,
                info.CRC,
                info.compress_size,
                info.file_size,
            )
            f.seek(pos)
            if f.read(len(descriptor)) != descriptor:
                return say(
                    N_("the ZIP's data descriptor of {name} differs from its central directory"),
                    name=label,
                )
            pos += len(descriptor)
    if pos != start_dir:
        return say(N_("the ZIP holds bytes that belong to no member before its central directory"))
    f.seek(start_dir)
    for info, zip64 in zip(infos, local_zip64, strict=True):
        name = info.orig_filename.encode("ascii")
        file_size, compress_size, offset = info.file_size, info.compress_size, info.header_offset
        wide: list[int] = []
        if file_size > limit or compress_size > limit:
            wide += [file_size, compress_size]
            file_size = compress_size = 0xFFFFFFFF
        if offset > limit:
            wide.append(offset)
            offset = 0xFFFFFFFF
        extra = struct.pack(f"<HH{len(wide)}Q", 1, 8 * len(wide), *wide) if wide else b""
        dostime, dosdate = _dos_time(info.date_time)
        expected = (
            _CENTRAL.pack(
                b"PK\x01\x02",
                zipfile.ZIP64_VERSION if wide else zipfile.DEFAULT_VERSION,
                _UNIX,
                zipfile.ZIP64_VERSION if wide or zip64 else zipfile.DEFAULT_VERSION,
                0,
                info.flag_bits,
                zipfile.ZIP_STORED,
                dostime,
                dosdate,
                info.CRC,
                compress_size,
                file_size,
                len(name),
                len(extra),
                0,
                0,
                0,
                _REGULAR_FILE,
                offset,
            )
            + name
            + extra
        )
        if f.read(len(expected)) != expected:
            return say(
                N_("the ZIP's central directory entry of {name} is not as bundles write it"),
                name=repr(info.orig_filename[:80]),
            )
    end = f.tell()
    count, size = len(infos), end - start_dir
    tail = b""
    if count > zipfile.ZIP_FILECOUNT_LIMIT or start_dir > limit or size > limit:
        tail += _END64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, start_dir)
        tail += _END64_LOCATOR.pack(b"PK\x06\x07", 0, end, 1)
    tail += _END.pack(
        b"PK\x05\x06",
        0,
        0,
        min(count, 0xFFFF),
        min(count, 0xFFFF),
        min(size, 0xFFFFFFFF),
        min(start_dir, 0xFFFFFFFF),
        0,
    )
    if end + len(tail) != archive_size or f.read(len(tail)) != tail:
        return say(
            N_(
                "the ZIP's end record is not as bundles write it (a comment or bytes added at "
                "the end?)"
            )
        )
    return None
