"""Canonical JSON (RFC 8785, JCS): the one byte form that is hashed and signed.

Every hash and signature over structured data in evidence-vault covers these bytes, so anyone with an
RFC 8785 implementation can recompute them.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from crypto.errors import FormatError


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` as RFC 8785 canonical JSON (UTF-8 bytes)."""
    try:
        return bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise FormatError("Data cannot be written as canonical JSON.") from exc


def _json_int(text: str) -> int | float:
    # RFC 8785 numbers are IEEE 754 doubles: an integral double of 2**53 or more is written as a
    # plain integer ("100000000000000000000" for 1e20), so read such integers back as doubles.
    value = int(text)
    return value if -(2**53) < value < 2**53 else float(text)


def parse_canonical(data: bytes, *, max_bytes: int) -> Any:
    """Parse JSON that must already be in canonical form; refuse anything else.

    Accepting only canonical input means there is exactly one byte string per signed value.
    """
    if len(data) > max_bytes:
        raise FormatError("A JSON document is larger than allowed.")
    try:
        value = json.loads(data.decode("utf-8"), parse_int=_json_int)
    except (ValueError, RecursionError) as exc:  # ValueError: also a too-long integer literal
        raise FormatError("A JSON document is malformed.") from exc
    if canonical_json(value) != data:
        raise FormatError("A JSON document is not in canonical form.")
    return value
