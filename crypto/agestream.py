"""The age file format (age-encryption.org/v1) for X25519 recipients, streamed, built from
``cryptography``'s X25519, HKDF-SHA-256, HMAC-SHA-256 and ChaCha20-Poly1305.

Why not only ``pyrage``: a bundle of a few GiB is decrypted and verified by the lawyer, and pyrage's
streaming interface ran at about a fifth of the ``age`` binary's speed here (issue 18,
docs/performance.md); the per-chunk work is OpenSSL's ChaCha20-Poly1305 either way, so the cost was
in how the stream is driven. This module follows the specification
(https://age-encryption.org/v1, C2SP) exactly: the header with one ``X25519`` stanza per recipient
and its MAC, then the payload nonce and the STREAM of 64 KiB chunks, each sealed with a counter
nonce whose last byte marks the final chunk. Files it writes open with ``age -d``; files ``age``
writes open here; tests check both against the real binary and against pyrage.

Only X25519 stanzas are unwrapped here. Other stanzas (an ``scrypt`` one, say) are skipped: a file
whose only way in is a passphrase is opened by pyrage (transport.py), as before.
"""

from __future__ import annotations

import base64
import hmac
import os
import re
from collections.abc import Iterator
from hashlib import sha256
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto.errors import DecryptionFailed, FormatError

VERSION_LINE = b"age-encryption.org/v1\n"
X25519_LABEL = b"age-encryption.org/v1/X25519"
CHUNK = 64 * 1024
BATCH = 16  # sealed chunks read at once when decrypting
TAG = 16
FILE_KEY_BYTES = 16
MAX_HEADER_BYTES = 64 * 1024  # a header is a few hundred bytes per recipient
MAX_STANZAS = 256
_B64 = re.compile(rb"[A-Za-z0-9+/]*")
_ARG = re.compile(rb"[\x21-\x7e]+")  # VCHAR, as the specification's ABNF says

NOT_FOR_YOU = (
    "The bundle could not be decrypted with that key: it was encrypted for someone else. "
    "Check that you gave your own key file, or the key file that came with it."
)
DAMAGED = (
    "The encrypted bundle file is damaged (cut short or changed on the way), so it cannot be "
    "decrypted. Ask the defender to send it again."
)

# ---------------------------------------------------------------- bech32 (BIP 173), for keys only

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: list[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= _GENERATOR[i] if (top >> i) & 1 else 0
    return check


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def _convert(data: list[int] | bytes, from_bits: int, to_bits: int, pad: bool) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << to_bits) - 1
    for value in data:
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (to_bits - bits)) & maxv)
    elif not pad and (bits >= from_bits or (acc << (to_bits - bits)) & maxv):
        raise FormatError("A key is not well formed.")
    return out


def bech32_encode(hrp: str, data: bytes) -> str:
    values = _convert(data, 8, 5, True)
    checksum = _polymod([*_hrp_expand(hrp), *values, 0, 0, 0, 0, 0, 0]) ^ 1
    values += [(checksum >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[v] for v in values)


def bech32_decode(text: str, hrp: str) -> bytes:
    """The bytes of a bech32 string with human-readable part ``hrp`` (case-insensitive, not
    mixed); FormatError for anything else."""
    if text.lower() != text and text.upper() != text:
        raise FormatError("A key is not well formed.")
    text = text.lower()
    head, sep, body = text.rpartition("1")
    if (
        not sep
        or not head
        or head != hrp.lower()
        or len(body) < 6
        or any(c not in _CHARSET for c in body)
    ):
        raise FormatError("A key is not well formed.")
    values = [_CHARSET.index(c) for c in body]
    if _polymod([*_hrp_expand(head), *values]) != 1:
        raise FormatError("A key is not well formed.")
    return bytes(_convert(values[:-6], 5, 8, False))


def identity_scalar(identity: str) -> bytes:
    """The 32-byte X25519 secret of an ``AGE-SECRET-KEY-1…`` line."""
    data = bech32_decode(identity.strip(), "age-secret-key-")
    if len(data) != 32:
        raise FormatError("A key is not well formed.")
    return data


def recipient_bytes(recipient: str) -> bytes:
    """The 32-byte X25519 public key of an ``age1…`` recipient."""
    data = bech32_decode(recipient.strip(), "age")
    if len(data) != 32:
        raise FormatError("A key is not well formed.")
    return data


def recipient_of(scalar: bytes) -> bytes:
    return X25519PrivateKey.from_private_bytes(scalar).public_key().public_bytes_raw()


# ---------------------------------------------------------------- header


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _unb64(text: bytes) -> bytes:
    """Canonical unpadded base64 (the specification refuses padding and non-canonical ends)."""
    if not _B64.fullmatch(text) or len(text) % 4 == 1:
        raise FormatError("The encrypted file's header is not well formed.")
    data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    if _b64(data) != text:
        raise FormatError("The encrypted file's header is not well formed.")
    return data


def _hkdf(key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)


def _stanza_lines(kind: bytes, args: list[bytes], body: bytes) -> bytes:
    encoded = _b64(body)
    lines = [encoded[i : i + 64] for i in range(0, len(encoded), 64)]
    if not lines or len(lines[-1]) == 64:
        lines.append(b"")  # the body ends with a line shorter than 64 columns
    return b"-> " + b" ".join([kind, *args]) + b"\n" + b"".join(line + b"\n" for line in lines)


def _x25519_stanza(file_key: bytes, recipient: bytes) -> bytes:
    ephemeral = X25519PrivateKey.generate()
    share = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    wrap_key = _hkdf(shared, share + recipient, X25519_LABEL)
    body = ChaCha20Poly1305(wrap_key).encrypt(bytes(12), file_key, None)
    return _stanza_lines(b"X25519", [_b64(share)], body)


def _mac(file_key: bytes, header: bytes) -> bytes:
    return hmac.new(_hkdf(file_key, b"", b"header"), header, sha256).digest()


class Buffered:
    """Lines for the header, then bytes for the payload, from any reader with ``read`` (the
    vault reads through a wrapper that hashes what it reads, which has no ``readline``)."""

    def __init__(self, reader: BinaryIO) -> None:
        self.reader = reader
        self.buffer = b""
        self.fetched = 0  # bytes read from ``reader`` so far (the buffer's included)

    @property
    def position(self) -> int:
        """Where the next byte handed out lies in the underlying file."""
        return self.fetched - len(self.buffer)

    def readline(self, limit: int) -> bytes:
        while b"\n" not in self.buffer and len(self.buffer) < limit:
            more = self.reader.read(4096)
            if not more:
                break
            self.fetched += len(more)
            self.buffer += more
        end = self.buffer.find(b"\n", 0, limit)
        cut = end + 1 if end >= 0 else min(limit, len(self.buffer))
        line, self.buffer = self.buffer[:cut], self.buffer[cut:]
        return line

    def read(self, size: int) -> bytes:
        if self.buffer:
            part, self.buffer = self.buffer[:size], self.buffer[size:]
            return part
        data = self.reader.read(size)
        self.fetched += len(data)
        return data


def _read_line(reader: Buffered, budget: list[int]) -> bytes:
    line = reader.readline(budget[0] + 1)
    budget[0] -= len(line)
    if budget[0] < 0 or not line.endswith(b"\n"):
        raise FormatError("The encrypted file's header is not well formed.")
    return line


def _read_header(reader: Buffered) -> tuple[list[tuple[bytes, list[bytes], bytes]], bytes, bytes]:
    """(stanzas as (type, args, body), the header bytes the MAC covers, the MAC)."""
    budget = [MAX_HEADER_BYTES]
    if _read_line(reader, budget) != VERSION_LINE:
        raise FormatError("The file is not an age-encrypted file.")
    covered = [VERSION_LINE]
    stanzas: list[tuple[bytes, list[bytes], bytes]] = []
    while True:
        line = _read_line(reader, budget)
        if line.startswith(b"--- "):
            covered.append(b"---")
            mac = _unb64(line[4:-1])
            if len(mac) != 32:
                raise FormatError("The encrypted file's header is not well formed.")
            return stanzas, b"".join(covered), mac
        if not line.startswith(b"-> ") or len(stanzas) >= MAX_STANZAS:
            raise FormatError("The encrypted file's header is not well formed.")
        covered.append(line)
        parts = line[3:-1].split(b" ")
        if not parts or not all(_ARG.fullmatch(p) for p in parts):
            raise FormatError("The encrypted file's header is not well formed.")
        body = b""
        while True:
            body_line = _read_line(reader, budget)
            covered.append(body_line)
            text = body_line[:-1]
            if len(text) > 64:
                raise FormatError("The encrypted file's header is not well formed.")
            body += text
            if len(text) < 64:
                break
        stanzas.append((parts[0], parts[1:], _unb64(body)))


def _unwrap(stanzas: list[tuple[bytes, list[bytes], bytes]], scalars: list[bytes]) -> bytes:
    for kind, args, body in stanzas:
        if kind != b"X25519":
            continue
        if len(args) != 1 or len(body) != FILE_KEY_BYTES + TAG:
            raise FormatError("The encrypted file's header is not well formed.")
        share = _unb64(args[0])
        if len(share) != 32:
            raise FormatError("The encrypted file's header is not well formed.")
        for scalar in scalars:
            secret = X25519PrivateKey.from_private_bytes(scalar)
            try:
                shared = secret.exchange(X25519PublicKey.from_public_bytes(share))
            except ValueError:  # an all-zero shared secret (a low-order share): refused
                raise FormatError("The encrypted file's header is not well formed.") from None
            mine = secret.public_key().public_bytes_raw()
            wrap_key = _hkdf(shared, share + mine, X25519_LABEL)
            try:
                return ChaCha20Poly1305(wrap_key).decrypt(bytes(12), body, None)
            except InvalidTag:
                continue
    raise DecryptionFailed(NOT_FOR_YOU)


# ---------------------------------------------------------------- payload


def chunk_nonce(counter: int, last: bool) -> bytes:
    """The STREAM nonce of chunk ``counter`` (its last byte marks the final chunk)."""
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _read_full(reader: BinaryIO | Buffered, size: int) -> bytes:
    parts = []
    while size:
        part = reader.read(size)
        if not part:
            break
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def encrypt_stream(reader: BinaryIO, writer: BinaryIO, recipients: list[str]) -> None:
    """Encrypt ``reader`` to every ``age1…`` recipient, as ``age -e -r … -r …`` would."""
    keys = [recipient_bytes(r) for r in recipients]
    if not keys:
        raise FormatError("An encrypted bundle needs at least one recipient.")
    file_key = os.urandom(FILE_KEY_BYTES)
    header = VERSION_LINE + b"".join(_x25519_stanza(file_key, key) for key in keys) + b"---"
    writer.write(header + b" " + _b64(_mac(file_key, header)) + b"\n")
    nonce = os.urandom(16)
    writer.write(nonce)
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    counter = 0
    chunk = _read_full(reader, CHUNK)
    while True:
        following = _read_full(reader, CHUNK) if len(chunk) == CHUNK else b""
        last = not following
        writer.write(aead.encrypt(chunk_nonce(counter, last), chunk, None))
        if last:
            return
        counter += 1
        chunk = following


def decrypt_stream(reader: BinaryIO, writer: BinaryIO, identities: list[str]) -> None:
    """Decrypt an age file to ``writer`` with any of the ``AGE-SECRET-KEY-1…`` identities.

    Nothing is written that has not been authenticated: each chunk is checked before it is
    written, and a file cut short at a chunk boundary is refused (its last chunk must say so).
    DecryptionFailed for a file meant for someone else or damaged; FormatError for a file that
    is not age at all.
    """
    source = Buffered(reader)
    aead = open_payload(source, identities)
    for counter, (sealed, last) in enumerate(_sealed_chunks(source)):
        try:
            chunk = aead.decrypt(chunk_nonce(counter, last), sealed, None)
        except InvalidTag:
            raise DecryptionFailed(DAMAGED) from None
        if not chunk and (counter or not last):
            raise DecryptionFailed(DAMAGED)  # only an empty file may end in an empty chunk
        writer.write(chunk)


def open_payload(source: Buffered, identities: list[str]) -> ChaCha20Poly1305:
    """Read the header and the payload nonce from ``source`` and return the payload's cipher;
    ``source.position`` is then the first sealed chunk's place in the file.

    DecryptionFailed if no identity opens the file or its header MAC differs; FormatError for a
    file that is not age at all."""
    scalars = [identity_scalar(i) for i in identities]
    stanzas, covered, mac = _read_header(source)
    file_key = _unwrap(stanzas, scalars)
    if not hmac.compare_digest(_mac(file_key, covered), mac):
        raise DecryptionFailed(DAMAGED)
    nonce = _read_full(source, 16)
    if len(nonce) != 16:
        raise DecryptionFailed(DAMAGED)
    return ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))


def _sealed_chunks(reader: Buffered) -> Iterator[tuple[memoryview, bool]]:
    """(sealed chunk, is it the last) until the end of the file.

    Read :data:`BATCH` sealed chunks at a time (about 1 MiB): one large read instead of sixteen
    small ones, so the reader below (which hashes what it reads) gets buffers large enough to
    hash without the GIL. Only a chunk at the very end of the file may be short or last."""
    size = CHUNK + TAG
    batch = size * BATCH
    pending = _read_full(reader, batch)
    if len(pending) < TAG:
        raise DecryptionFailed(DAMAGED)
    while True:
        following = _read_full(reader, batch) if len(pending) == batch else b""
        view = memoryview(pending)
        for start in range(0, len(pending), size):
            piece = view[start : start + size]
            if len(piece) < TAG:
                raise DecryptionFailed(DAMAGED)
            yield piece, not following and start + size >= len(pending)
        if not following:
            return
        pending = following
