"""Sealed custody details: a signed event commits to what it says about an item by a salted hash
(docs/format.md §5.6), and the details themselves, with their salt, are kept beside it.

Why: a custody event is signed and hash-chained, so nothing in its body can ever be removed. An
event that carried an item's title, sender or text in the clear would keep them for as long as
the log exists, even after the defender deleted the item for good. Sealed, the body holds only
``{"sealed": hex(SHA-256(prefix || salt || canon(details)))}``; the details and salt are disclosed
beside the event (in the vault, and in each bundle line), and anyone can check them against the
signed commitment. Dropping the salt and details leaves a commitment nobody can open or test a
guess against (the salt is 128 random bits), and the chain still verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from crypto import constants as c
from crypto.canonical import canonical_json
from crypto.errors import FormatError

SEALED = "sealed"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def commitment(details: dict[str, Any], salt: bytes) -> str:
    """The hex SHA-256 commitment to ``details`` under ``salt``."""
    return commitment_of_canonical(canonical_json(details), salt)


def commitment_of_canonical(canonical: bytes, salt: bytes) -> str:
    """:func:`commitment` given ``canonical_json(details)`` already made (the vault keeps those
    same bytes beside the event, so one serialisation serves both)."""
    if len(salt) != c.SEALED_SALT_BYTES:
        raise ValueError("the salt of sealed details is 16 bytes")
    return hashlib.sha256(c.SEALED_DETAILS_PREFIX + salt + canonical).hexdigest()


def seal(details: dict[str, Any], salt: bytes) -> dict[str, str]:
    """What the signed event carries instead of ``details``."""
    return {SEALED: commitment(details, salt)}


def sealed_commitment(details: object) -> str | None:
    """The commitment if ``details`` (an event body's) is sealed, else None."""
    if isinstance(details, dict) and set(details) == {SEALED}:
        value = details[SEALED]
        if isinstance(value, str) and _HEX64.match(value):
            return value
    return None


def open_body(body: dict[str, Any], salt: bytes, details: object) -> dict[str, Any]:
    """``body`` with its sealed details replaced by ``details``, once they match the commitment.

    Raises :class:`FormatError` if the body is not sealed or the disclosure does not match.
    """
    expected = sealed_commitment(body.get("details"))
    if expected is None:
        raise FormatError("The event's details are not sealed.")
    if not isinstance(details, dict) or len(salt) != c.SEALED_SALT_BYTES:
        raise FormatError("The disclosed details are malformed.")
    if not hmac.compare_digest(commitment(details, salt), expected):
        raise FormatError("The disclosed details do not match the signed event.")
    return {**body, "details": details}
