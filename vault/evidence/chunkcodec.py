"""How a chunk of an original is kept: as it is, or zlib-compressed (docs/format.md §3.1,
migration 10).

Chat exports, e-mail archives and other text are most of what a big import stores, and they
shrink five to ten times; a Telegram ``result.json`` of 100,000 messages is over 100 MB. Pictures,
videos and archives are compressed already and would only cost time. So a chunk is compressed
only when that pays: never under ``MIN_SIZE``, never when its first bytes are those of a format
that is compressed already, never when a sample of it does not shrink, and only kept compressed
when the whole chunk shrank by at least ``KEEP_RATIO``. The check costs about as much as
compressing a few KiB, and the original's SHA-256 is always of the bytes as they came.

Reading gives back exactly the bytes that were stored. A chunk is never unpacked beyond its
content's chunk size (``limit``), and a compressed chunk that does not end exactly where its data
ends is reported as damage rather than passed on cut short or padded. (SQLCipher's per-page HMAC
already refuses changed pages; this guards against a bug, not an attacker.)
"""

from __future__ import annotations

import zlib

from vault.errors import VaultDamaged
from vault.i18n import _

RAW = 0
ZLIB = 1

LEVEL = 1  # 170 MiB/s on JSON here, 12 % of its size; level 6 is 3x slower for 8 % (performance.md)
MIN_SIZE = 4096  # below a page of the database, compression saves nothing worth the work
SAMPLE = 8192
KEEP_RATIO = 0.9

# First bytes of formats that are compressed already (pictures, audio, video, archives).
_COMPRESSED = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"RIFF",  # WebP, AVI, WAV (WAV is rare in evidence; left raw)
    b"PK\x03\x04",  # ZIP, DOCX, ODT, APK
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!",
    b"\xfd7zXZ",
    b"BZh",
    b"(\xb5/\xfd",  # zstd
    b"OggS",
    b"fLaC",
    b"ID3",  # MP3
    b"\x1aE\xdf\xa3",  # Matroska, WebM
    b"\x00\x00\x00\x0cjP",  # JPEG 2000
    b"age-encryption.org/",
)


def _compressed_already(chunk: bytes) -> bool:
    return chunk.startswith(_COMPRESSED) or chunk[4:8] in (b"ftyp", b"moov", b"mdat")


def encode(chunk: bytes) -> tuple[bytes, int]:
    """``(stored bytes, encoding)`` for one chunk: compressed only where it clearly pays."""
    if len(chunk) < MIN_SIZE or _compressed_already(chunk):
        return chunk, RAW
    if len(chunk) > 2 * SAMPLE:
        sample = chunk[:SAMPLE]
        if len(zlib.compress(sample, LEVEL)) > KEEP_RATIO * len(sample):
            return chunk, RAW
    packed = zlib.compress(chunk, LEVEL)
    if len(packed) > KEEP_RATIO * len(chunk):
        return chunk, RAW
    return packed, ZLIB


def decode(data: bytes, encoding: int, limit: int) -> bytes:
    """The chunk's original bytes; VaultDamaged if they would be over ``limit`` or are cut."""
    if encoding == RAW:
        return data
    if encoding != ZLIB or limit <= 0:  # zlib reads a limit of 0 as "no limit"
        raise _damaged()
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(data, limit)
        finished = inflater.eof and not inflater.unconsumed_tail and not inflater.unused_data
    except zlib.error:
        raise _damaged() from None
    if not finished:
        raise _damaged()
    return raw


def _damaged() -> VaultDamaged:
    return VaultDamaged(
        _("Part of the vault that holds an original is damaged. Run 'evault check'.")
    )
