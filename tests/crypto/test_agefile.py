"""crypto.agefile: any slice of an age file's plaintext, read alone, equals the same slice of what
the sequential decryption (and the real ``age``, and pyrage) gives; damage anywhere is refused,
a file cut or lengthened at a chunk boundary before a single byte is returned."""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from pathlib import Path

import pyrage
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import agestream
from crypto.agefile import SEALED, AgeFile
from crypto.errors import DecryptionFailed
from tests.crypto.test_agestream import _decrypt, _encrypt, _keys, _split, needs_age

CHUNK = agestream.CHUNK
SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 5, 5 * CHUNK, 5 * CHUNK + 17]


def _opened(tmp_path: Path, blob: bytes, secret: str) -> AgeFile:
    path = tmp_path / "file.age"
    path.write_bytes(blob)
    return AgeFile(path, [secret])


@pytest.mark.parametrize("size", SIZES)
def test_every_read_equals_the_sequential_decryption(tmp_path: Path, size: int) -> None:
    secret, public = _keys()
    data = os.urandom(size)
    blob = _encrypt(data, [public])
    assert _decrypt(blob, [secret]) == data
    with _opened(tmp_path, blob, secret) as plain:
        assert plain.size == size
        assert plain.read_at(0, size + 10) == data
        for offset in {0, 1, CHUNK - 3, CHUNK, size - 1, size, size + 5}:
            for length in (1, 7, CHUNK + 9, 3 * CHUNK):
                if offset >= 0:
                    assert plain.read_at(offset, length) == data[offset : offset + length]


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(0, 4 * CHUNK + 300),
    reads=st.lists(
        st.tuples(st.integers(0, 4 * CHUNK + 400), st.integers(0, 3 * CHUNK)), max_size=12
    ),
)
def test_random_reads_through_the_file_object(size: int, reads: list[tuple[int, int]]) -> None:
    secret, public = _keys()
    data = os.urandom(size)
    blob = _encrypt(data, [public])
    import tempfile

    with tempfile.TemporaryDirectory() as folder, _opened(Path(folder), blob, secret) as plain:
        reader = plain.reader()
        for offset, length in reads:
            reader.seek(offset)
            assert reader.read(length) == data[offset : offset + length]
            assert reader.tell() == min(max(offset, size), offset + length) or offset > size
        reader.seek(-min(size, 10), io.SEEK_END)
        assert reader.read() == data[size - min(size, 10) :]


def test_pyrage_files_are_read_too(tmp_path: Path) -> None:
    secret, public = _keys()
    data = os.urandom(3 * CHUNK + 11)
    theirs = bytes(pyrage.encrypt(data, [pyrage.x25519.Recipient.from_str(public)]))
    with _opened(tmp_path, theirs, secret) as plain:
        assert plain.read_at(CHUNK - 5, CHUNK + 10) == data[CHUNK - 5 : 2 * CHUNK + 5]


@needs_age
def test_files_the_real_age_wrote_are_read(tmp_path: Path) -> None:
    key = tmp_path / "key.txt"
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    secret = next(line for line in key.read_text().splitlines() if line.startswith("AGE-"))
    public = str(pyrage.x25519.Identity.from_str(secret).to_public())
    plain_file = tmp_path / "plain"
    data = os.urandom(2 * CHUNK + 77)
    plain_file.write_bytes(data)
    theirs = tmp_path / "theirs.age"
    subprocess.run(["age", "-e", "-r", public, "-o", str(theirs), str(plain_file)], check=True)
    with AgeFile(theirs, [secret]) as plain:
        assert plain.size == len(data)
        assert plain.read_at(2 * CHUNK, 100) == data[2 * CHUNK :]
        assert plain.read_at(0, len(data)) == data


def test_zipfile_reads_an_encrypted_zip_in_place(tmp_path: Path) -> None:
    secret, public = _keys()
    members = {f"evidence/{i}.bin": os.urandom(i * 9000) for i in range(12)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    blob = _encrypt(buffer.getvalue(), [public])
    with _opened(tmp_path, blob, secret) as plain, zipfile.ZipFile(plain.reader()) as zf:
        assert {i.filename: zf.read(i) for i in zf.infolist()} == members


def test_someone_elses_key_is_told_apart(tmp_path: Path) -> None:
    _, public = _keys()
    other, _ = _keys()
    with pytest.raises(DecryptionFailed, match="someone else"):
        _opened(tmp_path, _encrypt(b"data", [public]), other)


def _damaged(secret: str, public: str, damage: str) -> bytes:
    header, payload = _split(_encrypt(os.urandom(3 * CHUNK + 100), [public]))
    body = payload[16:]
    if damage == "cut_at_a_chunk_boundary":  # the new last chunk is not marked last
        return header + payload[: 16 + 2 * SEALED]
    if damage == "one_byte_more":
        return header + payload + b"\x00"
    if damage == "a_whole_chunk_more":
        return header + payload + payload[16 : 16 + SEALED]
    if damage == "cut_inside_the_last_chunk":
        return header + payload[:-5]
    if damage == "two_chunks_swapped":
        chunks = [body[i : i + SEALED] for i in range(0, len(body), SEALED)]
        chunks[0], chunks[1] = chunks[1], chunks[0]
        return header + payload[:16] + b"".join(chunks)
    if damage == "a_bit_flipped_in_the_middle":
        at = 16 + SEALED + 500
        return header + payload[:at] + bytes([payload[at] ^ 1]) + payload[at + 1 :]
    raise AssertionError(damage)


@pytest.mark.parametrize(
    "damage",
    [
        "cut_at_a_chunk_boundary",
        "one_byte_more",
        "a_whole_chunk_more",
        "cut_inside_the_last_chunk",
        "two_chunks_swapped",
        "a_bit_flipped_in_the_middle",
    ],
)
def test_damage_is_refused_and_nothing_unchecked_is_returned(tmp_path: Path, damage: str) -> None:
    secret, public = _keys()
    blob = _damaged(secret, public, damage)
    with pytest.raises(DecryptionFailed, match="damaged"):
        _decrypt(blob, [secret])  # the sequential decryption refuses it too
    with (
        pytest.raises(DecryptionFailed, match="damaged"),
        _opened(tmp_path, blob, secret) as plain,
    ):
        plain.read_at(0, plain.size)


@pytest.mark.parametrize(
    "damage", ["cut_at_a_chunk_boundary", "one_byte_more", "a_whole_chunk_more"]
)
def test_a_wrong_length_is_refused_when_opened(tmp_path: Path, damage: str) -> None:
    """The size is checked by decrypting the last chunk at once: no read of an early chunk
    can succeed on a file cut short or lengthened."""
    secret, public = _keys()
    with pytest.raises(DecryptionFailed, match="damaged"):
        _opened(tmp_path, _damaged(secret, public, damage), secret)


def test_a_damaged_chunk_fails_only_where_it_is_read(tmp_path: Path) -> None:
    """Random access: the chunk with the flipped bit refuses every read that touches it."""
    secret, public = _keys()
    blob = _damaged(secret, public, "a_bit_flipped_in_the_middle")
    with _opened(tmp_path, blob, secret) as plain:
        assert len(plain.read_at(0, 100)) == 100  # chunk 0 is intact
        with pytest.raises(DecryptionFailed):
            plain.read_at(CHUNK + 10, 5)
        with pytest.raises(DecryptionFailed):
            plain.read_at(0, 3 * CHUNK)  # a long read across it
