"""Media type of an original, sniffed from its first bytes (descriptive only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vault.support import write
from vault import Vault
from vault.evidence.mediatype import sniff


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "x", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "photo.png", "image/jpeg"),  # bytes beat the name
        (b"GIF89a....", "", "image/gif"),
        (b"GIF87a....", "", "image/gif"),
        (b"%PDF-1.7\n", "", "application/pdf"),
        (b"OggS\x00\x02", "voice", "audio/ogg"),
        (b"ID3\x04\x00", "", "audio/mpeg"),
        (b"fLaC\x00\x00", "", "audio/flac"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "", "image/webp"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "", "audio/wav"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00", "", "video/mp4"),
        (b"\x00\x00\x00\x20ftypheic\x00\x00", "", "image/heic"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00", "", "audio/mp4"),
        (b"\x1a\x45\xdf\xa3\x01\x00", "", "video/webm"),
        (b"PK\x03\x04\x14\x00", "archive", "application/zip"),
    ],
)
def test_magic_bytes(head: bytes, name: str, expected: str) -> None:
    assert sniff(head, name) == expected


def test_docx_is_not_reported_as_a_zip() -> None:
    assert sniff(b"PK\x03\x04\x14\x00", "statement.docx") != "application/zip"


def test_text_without_a_known_name() -> None:
    assert sniff(b"plain words", "README") == "text/plain"
    assert sniff("Səni tapacağıq".encode(), "message") == "text/plain"


def test_text_cut_inside_a_multibyte_character_is_still_text() -> None:
    head = ("x" + "угроза" * 20).encode()[:64]
    with pytest.raises(UnicodeDecodeError):
        head.decode("utf-8")
    assert sniff(head, "noext") == "text/plain"


@pytest.mark.parametrize("head", [b"", b"\x00\x01\x02\x03", b"\xff\xfe\xfd\xfc\x80\x81"])
def test_binary_or_empty_is_octet_stream(head: bytes) -> None:
    assert sniff(head, "noext") == "application/octet-stream"


def test_name_is_used_when_bytes_say_nothing() -> None:
    assert sniff(b"hello", "notes.txt") == "text/plain"


def test_intake_records_the_sniffed_type(vault: Vault, tmp_path: Path) -> None:
    png = vault.add_file(write(tmp_path, "screenshot", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100))
    pdf = vault.add_file(write(tmp_path, "letter.bin", b"%PDF-1.4 rest"))
    cyrillic = vault.add_file(write(tmp_path, "message", ("x" + "угроза" * 40).encode()))
    assert vault.get_item(png.item_id).media_type == "image/png"
    assert vault.get_item(pdf.item_id).media_type == "application/pdf"
    assert vault.get_item(cyrillic.item_id).media_type == "text/plain"
