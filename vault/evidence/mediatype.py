"""Media type of an original: sniffed from its first bytes, else guessed from its name.

Only used to describe evidence (and later to decide whether a preview is possible); the original
bytes are stored unchanged whatever the answer.
"""

from __future__ import annotations

import codecs
import mimetypes

_MAGIC: list[tuple[bytes, int, str]] = [
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
    (b"OggS", 0, "audio/ogg"),
    (b"ID3", 0, "audio/mpeg"),
    (b"fLaC", 0, "audio/flac"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm"),
]


def sniff(head: bytes, filename: str = "") -> str:
    """Return a media type for content starting with ``head`` (a few dozen bytes suffice)."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1"):
            return "image/heic"
        if brand.startswith(b"M4A"):
            return "audio/mp4"
        return "video/mp4"
    for magic, offset, media_type in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            if media_type == "application/zip" and filename.lower().endswith(".docx"):
                break
            return media_type
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    if guessed:
        return guessed
    if not head or b"\x00" in head:
        return "application/octet-stream"
    try:
        # The head may end inside a multi-byte character: decode it as an unfinished stream.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"
