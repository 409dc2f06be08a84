"""The printable recovery key: 160 random bits in Crockford base32 with a check group.

Written for paper: groups of four, no letters that look alike (I, L, O, U are not used), and a check
group so a typing mistake is caught and named before any decryption is attempted.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from crypto import constants as c
from crypto.errors import FormatError, RecoveryKeyTypo

_DECODE = {ch: i for i, ch in enumerate(c.CROCKFORD_ALPHABET)}
_DECODE.update({"O": 0, "I": 1, "L": 1})
_DATA_CHARS = (c.RECOVERY_SECRET_BYTES * 8 + 4) // 5  # 32
_CHECK_CHARS = 4  # 20 bits


def new_recovery_secret() -> bytes:
    """Return a fresh 160-bit recovery secret from the operating system's CSPRNG."""
    return os.urandom(c.RECOVERY_SECRET_BYTES)


def _b32(value: int, chars: int) -> str:
    out = []
    for _ in range(chars):
        out.append(c.CROCKFORD_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(out))


def _check(secret: bytes) -> int:
    digest = hashlib.sha256(c.RECOVERY_CHECK_PREFIX + secret).digest()
    return int.from_bytes(digest[:3], "big") >> 4  # first 20 bits


def format_recovery_key(secret: bytes) -> str:
    """Render the secret as 9 dash-separated groups of 4 characters."""
    if len(secret) != c.RECOVERY_SECRET_BYTES:
        raise FormatError("A recovery secret has the wrong length.")
    text = _b32(int.from_bytes(secret, "big"), _DATA_CHARS) + _b32(_check(secret), _CHECK_CHARS)
    return "-".join(text[i : i + c.RECOVERY_GROUP] for i in range(0, len(text), c.RECOVERY_GROUP))


def parse_recovery_key(text: str) -> bytes:
    """Read a recovery key as a person typed it; raise if it is malformed or has a typo."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    if len(cleaned) != _DATA_CHARS + _CHECK_CHARS:
        raise FormatError(
            "A recovery key has 36 letters and digits in 9 groups of 4; this one does not."
        )
    try:
        values = [_DECODE[ch] for ch in cleaned]
    except KeyError:
        raise FormatError(
            "The recovery key contains a character that is not used in recovery keys."
        ) from None
    number = 0
    for v in values[:_DATA_CHARS]:
        number = (number << 5) | v
    if number >> (c.RECOVERY_SECRET_BYTES * 8):
        raise RecoveryKeyTypo("The recovery key does not add up: check the groups you typed.")
    secret = number.to_bytes(c.RECOVERY_SECRET_BYTES, "big")
    check = 0
    for v in values[_DATA_CHARS:]:
        check = (check << 5) | v
    if not hmac.compare_digest(check.to_bytes(3, "big"), _check(secret).to_bytes(3, "big")):
        raise RecoveryKeyTypo("The recovery key does not add up: check the groups you typed.")
    return secret
