"""crypto.agestream against the real ``age`` binary, against pyrage, and on damaged files.

The cases of damage follow the names of the C2SP age test kit (hmac_bad, stream_last_chunk_empty,
stream_no_final, stream_trailing_garbage, x25519_low_order…), written here as our own files.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
from pathlib import Path

import pyrage
import pytest

from crypto import agestream
from crypto.errors import DecryptionFailed, FormatError

needs_age = pytest.mark.skipif(shutil.which("age") is None, reason="age is installed by .ci/run")

SIZES = [0, 1, 1000, agestream.CHUNK - 1, agestream.CHUNK, agestream.CHUNK + 1, 3 * agestream.CHUNK]


def _keys() -> tuple[str, str]:
    identity = pyrage.x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def _encrypt(data: bytes, recipients: list[str]) -> bytes:
    out = io.BytesIO()
    agestream.encrypt_stream(io.BytesIO(data), out, recipients)
    return out.getvalue()


def _decrypt(blob: bytes, identities: list[str]) -> bytes:
    out = io.BytesIO()
    agestream.decrypt_stream(io.BytesIO(blob), out, identities)
    return out.getvalue()


def test_keys_read_as_pyrage_reads_them() -> None:
    for _ in range(20):
        secret, public = _keys()
        scalar = agestream.identity_scalar(secret)
        assert agestream.bech32_encode("age", agestream.recipient_of(scalar)) == public
        assert agestream.recipient_bytes(public) == agestream.recipient_of(scalar)
        assert agestream.bech32_encode("age-secret-key-", scalar).upper() == secret


@pytest.mark.parametrize(
    "text",
    # BIP 173's valid bech32 strings: the checksum must hold (the data need not be bytes).
    [
        "A12UEL5L",
        "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    ],
)
def test_bip173_valid_checksums(text: str) -> None:
    hrp, _sep, data = text.lower().rpartition("1")
    values = [agestream._CHARSET.index(c) for c in data]
    assert agestream._polymod([*agestream._hrp_expand(hrp), *values]) == 1


@pytest.mark.parametrize(
    "text",
    ["pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8", "10a06t8", "1qzzfhee"],
)
def test_bip173_invalid_strings_are_refused(text: str) -> None:
    hrp = text.lower().rpartition("1")[0]
    with pytest.raises(FormatError):
        agestream.bech32_decode(text, hrp)


def test_a_changed_key_character_is_refused() -> None:
    secret, public = _keys()
    changed = public[:-1] + ("q" if public[-1] != "q" else "p")
    with pytest.raises(FormatError):
        agestream.recipient_bytes(changed)
    with pytest.raises(FormatError):
        agestream.identity_scalar(secret.lower().replace("age-secret-key-", "age-secret-kez-"))


@pytest.mark.parametrize("size", SIZES)
def test_round_trip_and_pyrage_both_ways(size: int) -> None:
    data = os.urandom(size)
    secret, public = _keys()
    ours = _encrypt(data, [public])
    assert _decrypt(ours, [secret]) == data
    assert bytes(pyrage.decrypt(ours, [pyrage.x25519.Identity.from_str(secret)])) == data
    theirs = bytes(pyrage.encrypt(data, [pyrage.x25519.Recipient.from_str(public)]))
    assert _decrypt(theirs, [secret]) == data
    # The payload is the data's size plus a 16-byte tag per 64 KiB chunk (an empty file: one).
    chunks = max(1, -(-size // agestream.CHUNK))
    header_end = ours.index(b"\n---") + 1
    header_end = ours.index(b"\n", header_end) + 1
    assert len(ours) - header_end == 16 + size + 16 * chunks


@needs_age
@pytest.mark.parametrize("size", [0, agestream.CHUNK, 2 * agestream.CHUNK + 5])
def test_the_real_age_binary_reads_ours_and_we_read_its(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    key = tmp_path / "key.txt"
    subprocess.run(["age-keygen", "-o", str(key)], check=True, capture_output=True)
    secret = next(line for line in key.read_text().splitlines() if line.startswith("AGE-"))
    public = str(pyrage.x25519.Identity.from_str(secret).to_public())
    other_secret, other_public = _keys()
    ours = tmp_path / "ours.age"
    ours.write_bytes(_encrypt(data, [other_public, public]))  # two recipients
    opened = subprocess.run(
        ["age", "-d", "-i", str(key), str(ours)], check=True, capture_output=True
    ).stdout
    assert opened == data
    plain = tmp_path / "plain"
    plain.write_bytes(data)
    theirs = tmp_path / "theirs.age"
    subprocess.run(
        ["age", "-e", "-r", other_public, "-r", public, "-o", str(theirs), str(plain)], check=True
    )
    assert _decrypt(theirs.read_bytes(), [secret]) == data
    assert _decrypt(theirs.read_bytes(), [other_secret]) == data


def _split(blob: bytes) -> tuple[bytes, bytes]:
    end = blob.index(b"\n", blob.index(b"\n---") + 1) + 1
    return blob[:end], blob[end:]


def test_someone_elses_file_says_so() -> None:
    _secret, public = _keys()
    other, _ = _keys()
    with pytest.raises(DecryptionFailed, match="someone else"):
        _decrypt(_encrypt(b"x" * 100, [public]), [other])


def test_a_passphrase_only_file_is_not_for_an_x25519_key() -> None:
    secret, _ = _keys()
    blob = bytes(pyrage.passphrase.encrypt(b"hello", "a passphrase"))
    with pytest.raises(DecryptionFailed, match="someone else"):
        _decrypt(blob, [secret])


@pytest.mark.parametrize(
    "damage",
    [
        "hmac_bad",
        "payload_bit_flip",
        "stream_no_final",
        "stream_trailing_garbage",
        "stream_last_chunk_empty",
        "stream_cut_inside_a_chunk",
        "nonce_short",
    ],
)
def test_damaged_files_are_refused(damage: str) -> None:
    secret, public = _keys()
    data = os.urandom(2 * agestream.CHUNK + 100)
    header, payload = _split(_encrypt(data, [public]))
    if damage == "hmac_bad":
        mac = base64.b64decode(header.split(b"--- ")[1].strip() + b"=")
        changed = base64.b64encode(bytes([mac[0] ^ 1]) + mac[1:]).rstrip(b"=")
        blob = header.split(b"--- ")[0] + b"--- " + changed + b"\n" + payload
    elif damage == "payload_bit_flip":
        blob = header + payload[:100] + bytes([payload[100] ^ 1]) + payload[101:]
    elif damage == "stream_no_final":  # cut at a chunk boundary: the last chunk is not marked
        blob = header + payload[: 16 + 2 * (agestream.CHUNK + 16)]
    elif damage == "stream_trailing_garbage":
        blob = header + payload + b"\x00"
    elif damage == "stream_last_chunk_empty":  # a whole file followed by an empty final chunk
        blob = _with_empty_final_chunk(secret, header, payload)
    elif damage == "stream_cut_inside_a_chunk":
        blob = header + payload[:-5]
    else:
        blob = header + payload[:10]
    with pytest.raises(DecryptionFailed, match="damaged"):
        _decrypt(blob, [secret])


def _with_empty_final_chunk(secret: str, header: bytes, payload: bytes) -> bytes:
    """Re-seal the file's chunks so that its data ends in full chunks and an empty last one."""
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    stanzas, _covered, _mac = agestream._read_header(agestream.Buffered(io.BytesIO(header)))
    file_key = agestream._unwrap(stanzas, [agestream.identity_scalar(secret)])
    nonce = payload[:16]
    aead = ChaCha20Poly1305(agestream._hkdf(file_key, nonce, b"payload"))
    data = _decrypt(header + payload, [secret])[: 2 * agestream.CHUNK]
    sealed = [
        aead.encrypt(agestream.chunk_nonce(0, False), data[: agestream.CHUNK], None),
        aead.encrypt(agestream.chunk_nonce(1, False), data[agestream.CHUNK :], None),
        aead.encrypt(agestream.chunk_nonce(2, True), b"", None),
    ]
    return header + nonce + b"".join(sealed)


@pytest.mark.parametrize(
    "header_change",
    ["padding", "not_canonical", "low_order_share", "long_line", "no_version"],
)
def test_malformed_headers_are_refused(header_change: str) -> None:
    secret, public = _keys()
    header, payload = _split(_encrypt(b"data", [public]))
    lines = header.split(b"\n")
    if header_change == "padding":
        lines[1] = lines[1] + b"="
    elif header_change == "not_canonical":  # the share's last character with unused bits set
        share = lines[1].split(b" ")[2]
        last = share[-1:]
        alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        lines[1] = (
            lines[1][:-1] + alphabet[alphabet.index(last) ^ 1 : (alphabet.index(last) ^ 1) + 1]
        )
    elif header_change == "low_order_share":
        lines[1] = b"-> X25519 " + base64.b64encode(bytes(32)).rstrip(b"=")
    elif header_change == "long_line":
        lines[2] = lines[2] + b"A" * 70
    else:
        lines[0] = b"age-encryption.org/v2"
    with pytest.raises((FormatError, DecryptionFailed)):
        _decrypt(b"\n".join(lines) + payload, [secret])


def test_a_stanza_body_of_exactly_64_columns_ends_with_an_empty_line() -> None:
    # 48 bytes encode to 64 base64 characters: the body must then end with an empty line.
    lines = agestream._stanza_lines(b"test", [], bytes(48)).split(b"\n")
    assert len(lines[1]) == 64 and lines[2] == b"" and lines[3] == b""


BATCH_BYTES = agestream.BATCH * agestream.CHUNK


@pytest.mark.parametrize(
    "size", [BATCH_BYTES - 1, BATCH_BYTES, BATCH_BYTES + 1, 2 * BATCH_BYTES + agestream.CHUNK]
)
def test_files_around_a_read_batch_round_trip_with_pyrage(size: int) -> None:
    """Decryption reads BATCH sealed chunks at once: a file ending just before, at or after such
    a read still decrypts, and pyrage agrees (the last chunk is found across a batch)."""
    data = os.urandom(size)
    secret, public = _keys()
    theirs = bytes(pyrage.encrypt(data, [pyrage.x25519.Recipient.from_str(public)]))
    assert _decrypt(theirs, [secret]) == data
    assert _decrypt(_encrypt(data, [public]), [secret]) == data


@pytest.mark.parametrize("cut_chunks", [agestream.BATCH, 2 * agestream.BATCH])
def test_a_file_cut_at_a_read_batch_boundary_is_refused(cut_chunks: int) -> None:
    """Cut exactly where a batched read ends: the chunk before the cut is not marked last."""
    secret, public = _keys()
    header, payload = _split(_encrypt(os.urandom(2 * BATCH_BYTES + 100), [public]))
    blob = header + payload[: 16 + cut_chunks * (agestream.CHUNK + 16)]
    with pytest.raises(DecryptionFailed, match="damaged"):
        _decrypt(blob, [secret])
