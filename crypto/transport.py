"""Encryption of bundles for transport, in the standard age format (via ``pyrage``).

age is what lawyers' tools speak: anything encrypted here opens with ``age -d``. Encryption and
decryption stream (a 4 GB bundle never sits in memory). For a passphrase, the bundle is encrypted to
a fresh X25519 identity and that short identity is encrypted with the passphrase (age's scrypt
recipient, which our library only offers on whole buffers): see docs/format.md §6.5.
"""

from __future__ import annotations

from typing import BinaryIO

import pyrage

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
    parsed = [parse_recipient(r) for r in recipients]
    try:
        pyrage.encrypt_io(reader, writer, parsed)
    except pyrage.EncryptError as exc:
        raise FormatError("The bundle could not be encrypted.") from exc


DAMAGED = (
    "The encrypted bundle file is damaged (cut short or changed on the way), so it cannot be "
    "decrypted. Ask the defender to send it again."
)


def decrypt_stream(
    reader: BinaryIO, writer: BinaryIO, identities: list[pyrage.x25519.Identity]
) -> None:
    try:
        pyrage.decrypt_io(reader, writer, identities)
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise DecryptionFailed(
                "The bundle could not be decrypted with that key: it was encrypted for someone "
                "else. Check that you gave your own key file, or the key file that came with it."
            ) from None
        raise DecryptionFailed(DAMAGED) from None
    except OSError as exc:
        if exc.errno is not None:
            raise  # writing the result failed (a full disk, say): not the file's fault
        raise DecryptionFailed(DAMAGED) from None  # pyrage's "decryption error": bytes changed


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
