"""Encryption of bundles for transport, in the standard age format.

age is what lawyers' tools speak: anything encrypted here opens with ``age -d``. Encryption and
decryption stream (a 4 GB bundle never sits in memory), through :mod:`crypto.agestream` (the age
format for X25519 recipients on ``cryptography``'s primitives, faster than pyrage's stream: issue
18). For a passphrase, the bundle is encrypted to a fresh X25519 identity and that short identity
is encrypted with the passphrase (age's scrypt recipient, by ``pyrage``, on whole buffers): see
docs/format.md §6.5. Keys are parsed by pyrage, so a key either library would refuse is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import pyrage

from crypto import agefile, agestream
from crypto.errors import DecryptionFailed, FormatError

AGE_MAGIC = b"age-encryption.org/v1\n"
MAX_IDENTITY_FILE_BYTES = 64 * 1024


def is_age(head: bytes) -> bool:
    return head.startswith(AGE_MAGIC)


def parse_recipient(text: str) -> pyrage.x25519.Recipient:
    try:
        return pyrage.x25519.Recipient.from_str(text.strip())
    except (pyrage.RecipientError, ValueError):
        raise FormatError(
            f"'{text.strip()[:20]}…' is not an age recipient (it should start with age1)."
        ) from None


def new_identity() -> tuple[str, str]:
    """A fresh X25519 identity: (secret ``AGE-SECRET-KEY-1…``, public ``age1…``)."""
    identity = pyrage.x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def parse_identities(text: str) -> list[pyrage.x25519.Identity]:
    """Identities from an age identity file: one ``AGE-SECRET-KEY-1…`` per line, ``#`` comments."""
    found = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            found.append(pyrage.x25519.Identity.from_str(line))
        except (pyrage.IdentityError, ValueError):
            raise FormatError("The identity file contains a line that is not an age key.") from None
    if not found:
        raise FormatError("The identity file contains no age key.")
    return found


def encrypt_stream(reader: BinaryIO, writer: BinaryIO, recipients: list[str]) -> None:
    parsed = [str(parse_recipient(r)) for r in recipients]
    agestream.encrypt_stream(reader, writer, parsed)


DAMAGED = agestream.DAMAGED


def decrypt_stream(
    reader: BinaryIO, writer: BinaryIO, identities: list[pyrage.x25519.Identity]
) -> None:
    try:
        agestream.decrypt_stream(reader, writer, [str(i) for i in identities])
    except FormatError:
        raise DecryptionFailed(DAMAGED) from None


def open_age_file(path: Path, identities: list[pyrage.x25519.Identity]) -> agefile.AgeFile:
    """An age file opened for reading its plaintext at any offset (``crypto.agefile``).
    DecryptionFailed if no identity opens it, or it is damaged or not age at all; OSError if it
    cannot be read."""
    try:
        return agefile.AgeFile(path, [str(i) for i in identities])
    except FormatError:
        raise DecryptionFailed(DAMAGED) from None


def wrap_identity(identity: str, passphrase: str) -> bytes:
    """Encrypt an identity (one line) with a passphrase, as an age file ``age -d`` can open."""
    return bytes(pyrage.passphrase.encrypt((identity + "\n").encode("ascii"), passphrase))


def unwrap_identity(data: bytes, passphrase: str) -> str:
    if len(data) > MAX_IDENTITY_FILE_BYTES:
        raise FormatError("The key file is too large to be an age key file.")
    try:
        return bytes(pyrage.passphrase.decrypt(data, passphrase)).decode("ascii")
    except (pyrage.DecryptError, UnicodeDecodeError):
        raise DecryptionFailed("That passphrase does not open the bundle's key file.") from None
