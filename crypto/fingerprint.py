"""The fingerprint people read aloud: 30 decimal digits in 6 groups of 5 (docs/format.md §4).

Digits are the same in Azerbaijani, Russian and English and easy to compare over the phone (like
Signal's safety numbers). What they must also be is checkable without evault: a lawyer who received
a bundle and the 30 digits can recompute them from the bundle's ``keys/evault.pub`` with the tools
every Linux and macOS computer has (docs/lawyers.md has the recipe, and a test runs it verbatim).

Version 2 (current) hashes the minisign public key exactly as its line is written (the ``RW…`` text
that ``minisign -P`` takes, the second line of ``keys/evault.pub``), so the recipe needs no base64
decoding: ``sed -n 2p keys/evault.pub | sha256sum``, then the digits. That text is a function of the
Ed25519 key alone (its key id is derived from the key, ``crypto.minisign.key_id``).

Version 1 hashed ``"evault-identity-v1" || 0x00 || raw key``: defenders may have read those digits
to a lawyer already, so they are still accepted when given (``evault verify --key``) and shown by
``evault identity`` as the older form.
"""

from __future__ import annotations

import hashlib

from crypto import constants as c
from crypto import minisign
from crypto.errors import FormatError

FINGERPRINT_VERSION = 2


def _digits(digest: bytes) -> str:
    """Group *i* is the big-endian integer of bytes ``digest[5i : 5i+5]`` modulo 100000."""
    return " ".join(
        f"{int.from_bytes(digest[5 * i : 5 * i + 5], 'big') % 100000:05d}"
        for i in range(c.FINGERPRINT_GROUPS)
    )


def _check(public_key: bytes) -> None:
    if len(public_key) != 32:
        raise FormatError("A public key has the wrong length.")


def fingerprint(public_key: bytes) -> str:
    """The readable fingerprint of a vault key: ``"12345 67890 …"`` (version 2)."""
    _check(public_key)
    line = minisign.public_key_base64(public_key).encode("ascii")
    return _digits(hashlib.sha256(line).digest())


def fingerprint_v1(public_key: bytes) -> str:
    """The fingerprint as evault 0.1 showed it (version 1), for lawyers who already have it."""
    _check(public_key)
    return _digits(hashlib.sha256(c.IDENTITY_FP_PREFIX + public_key).digest())


def normalize_fingerprint(text: str) -> str:
    """Accept a fingerprint typed with any spacing or dashes; return the canonical grouped form."""
    digits = "".join(ch for ch in text if not ch.isspace() and ch != "-")
    if len(digits) != 5 * c.FINGERPRINT_GROUPS or not digits.isascii() or not digits.isdigit():
        raise FormatError("A fingerprint is 30 digits in 6 groups of 5.")
    return " ".join(digits[i : i + 5] for i in range(0, len(digits), 5))


def matches(public_key: bytes, typed: str) -> int | None:
    """Which version of ``public_key``'s fingerprint the ``typed`` digits are (2, or 1 for the
    older form), or None if they are neither. Raises :class:`FormatError` if they are not 30
    digits."""
    given = normalize_fingerprint(typed)
    if given == fingerprint(public_key):
        return FINGERPRINT_VERSION
    if given == fingerprint_v1(public_key):
        return 1
    return None
