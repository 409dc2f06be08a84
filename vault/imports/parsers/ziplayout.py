"""Where each member of a ZIP really lies, and which members share bytes with another.

A ZIP's central directory says where each member's local record (its header, then its data)
starts. Nothing in the format stops two entries from pointing into the same bytes: a ZIP of a few
kilobytes can then list thousands of members that all expand the same compressed data (an
"overlapping" ZIP bomb, CVE-2024-0450), which defeats any limit on a single member's expansion.
Python's ``zipfile`` checks this only from 3.11.8 and 3.12.2, and only partly, so evault checks it
itself, the same way on every Python: no member's local record may overlap another's, nor the
central directory, nor run past it.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterable
from typing import IO

_LOCAL = struct.Struct("<4s2B4HL2L2H")  # a local file header, before its name and extra field
_LOCAL_SIGNATURE = b"PK\x03\x04"

OVERLAPS = "overlaps"  # its bytes are also another member's (or the central directory's)
DAMAGED = "damaged"  # no local header where the central directory says it starts


def bad_members(
    fp: IO[bytes], infos: Iterable[zipfile.ZipInfo], start_dir: int
) -> list[tuple[zipfile.ZipInfo, str]]:
    """Members whose local record cannot be trusted, each with ``OVERLAPS`` or ``DAMAGED``.

    A record runs from the member's local header to the end of its compressed data (a data
    descriptor after it is not counted). ``start_dir`` is where the central directory begins: no
    record may reach into it.
    """
    bad: dict[int, tuple[zipfile.ZipInfo, str]] = {}
    extents: list[tuple[int, int, int, zipfile.ZipInfo]] = []
    for index, info in enumerate(infos):
        start = info.header_offset
        head = b""
        if 0 <= start < start_dir:
            fp.seek(start)
            head = fp.read(_LOCAL.size)
        if len(head) != _LOCAL.size or head[:4] != _LOCAL_SIGNATURE:
            bad[index] = (info, DAMAGED)
            continue
        name_length, extra_length = struct.unpack_from("<HH", head, _LOCAL.size - 4)
        end = start + _LOCAL.size + name_length + extra_length + info.compress_size
        extents.append((start, end, index, info))
    extents.sort(key=lambda e: (e[0], e[1]))
    reach = 0  # the furthest end of any record so far, and whose record that is
    holder: tuple[int, zipfile.ZipInfo] | None = None
    for start, end, index, info in extents:
        if holder is not None and start < reach:
            bad[index] = (info, OVERLAPS)
            bad.setdefault(holder[0], (holder[1], OVERLAPS))
        if end > start_dir:
            bad[index] = (info, OVERLAPS)
        if end > reach:
            reach, holder = end, (index, info)
    return [bad[i] for i in sorted(bad)]


_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record, before its comment
_EOCD_SIGNATURE = b"PK\x05\x06"
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
_MAX_COMMENT = 0xFFFF


def claimed_members(fp: IO[bytes], size: int) -> int | None:
    """How many members the ZIP's end record says it has, read before any member is.

    ``zipfile`` builds an object for every central-directory entry as it opens a ZIP, which takes
    seconds for a few hundred thousand: a file that claims far more members than any bundle can be
    refused from this one number first. None when no end record is found (``zipfile`` then says
    what is wrong). The larger of the entry counts is returned, as a hostile file may disagree.
    """
    tail_size = min(size, _EOCD.size + _MAX_COMMENT)
    fp.seek(size - tail_size)
    tail = fp.read(tail_size)
    at = tail.rfind(_EOCD_SIGNATURE)
    if at < 0 or len(tail) - at < _EOCD.size:
        return None
    _, _, _, on_disk, total, _, _, _ = _EOCD.unpack_from(tail, at)
    count: int = max(on_disk, total)
    locator_at = at - _ZIP64_LOCATOR.size
    if locator_at >= 0 and tail[locator_at : locator_at + 4] == _ZIP64_LOCATOR_SIGNATURE:
        _, _, eocd64_offset, _ = _ZIP64_LOCATOR.unpack_from(tail, locator_at)
        if 0 <= eocd64_offset <= size - _ZIP64_EOCD.size:
            fp.seek(eocd64_offset)
            record = fp.read(_ZIP64_EOCD.size)
            if record[:4] == _ZIP64_EOCD_SIGNATURE:
                fields = _ZIP64_EOCD.unpack(record)
                count = max(count, int(fields[6]), int(fields[7]))
    return count
