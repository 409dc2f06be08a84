"""Canonical JSON (RFC 8785, JCS): the one byte form that is hashed and signed.

Every hash and signature over structured data in evidence-vault covers these bytes, so anyone with an
RFC 8785 implementation can recompute them.
"""

from __future__ import annotations

import json
import re
from typing import Any

import rfc8785

from crypto.errors import FormatError

_SAFE_INT = 2**53
_SURROGATE_OR_ASTRAL = re.compile("[\ud800-\udfff\U00010000-\U0010ffff]")


def _fast_path_applies(value: Any) -> bool:
    """True when ``json.dumps(sort_keys=True)`` gives exactly the RFC 8785 bytes.

    That holds for None, booleans, integers within ±2**53, lists, and dicts with string keys, where
    no string holds a lone surrogate and no key holds a character beyond the Basic Multilingual
    Plane (RFC 8785 sorts keys by UTF-16 code units, Python by code points: they agree there). Both
    escape exactly '"', '\\' and the control characters, with lowercase hex. Anything else (floats
    above all) goes through the rfc8785 package. tests/crypto/test_canonical.py checks the two
    against each other on generated values.
    """
    # Strings are not walked: a lone surrogate makes the strict UTF-8 encoding in
    # canonical_json fail, which falls back to rfc8785 (that raises FormatError for it).
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or item is None or kind is bool:
            continue
        if kind is int:
            if not -_SAFE_INT < item < _SAFE_INT:
                return False
        elif kind is dict:
            for key in item:
                if type(key) is not str or (not key.isascii() and _SURROGATE_OR_ASTRAL.search(key)):
                    return False
            stack.extend(member for member in item.values() if type(member) is not str)
        elif kind is list:
            stack.extend(member for member in item if type(member) is not str)
        else:
            return False
    return True


def _fast_bytes(value: Any) -> bytes | None:
    """``json.dumps`` of a value the fast path applies to: RFC 8785's bytes, several times
    faster. None for a lone surrogate in a string (rfc8785 decides: it refuses)."""
    text = json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), check_circular=False
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` as RFC 8785 canonical JSON (UTF-8 bytes)."""
    # The fast path runs for every custody event, i.e. every file added and message imported.
    if _fast_path_applies(value) and (fast := _fast_bytes(value)) is not None:
        return fast
    try:
        return bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise FormatError("Data cannot be written as canonical JSON.") from exc


def _json_int(text: str) -> int | float:
    # RFC 8785 numbers are IEEE 754 doubles: an integral double of 2**53 or more is written as a
    # plain integer ("100000000000000000000" for 1e20), so read such integers back as doubles.
    value = int(text)
    return value if -(2**53) < value < 2**53 else float(text)


_ASTRAL_UTF8 = re.compile(rb"[\xf0-\xf4]")  # the lead byte of every character beyond the BMP


class _Numbers:
    """Parse hooks that note whether a document holds a number the fast path cannot write."""

    def __init__(self) -> None:
        self.plain = True

    def integer(self, text: str) -> int | float:
        value = _json_int(text)
        if type(value) is not int:
            self.plain = False
        return value

    def double(self, text: str) -> float:
        self.plain = False
        return float(text)

    def constant(self, text: str) -> float:  # NaN, Infinity, -Infinity: never canonical
        self.plain = False
        return float(text)


def parse_canonical(data: bytes, *, max_bytes: int) -> Any:
    """Parse JSON that must already be in canonical form; refuse anything else.

    Accepting only canonical input means there is exactly one byte string per signed value.
    The parsed value is written again and must give back ``data`` byte for byte. When the
    document holds only integers within ±2**53 and no character beyond the Basic Multilingual
    Plane (the parse hooks and one scan of the bytes tell), ``json.dumps`` writes it exactly as
    RFC 8785 does (see ``_fast_path_applies``) without walking the value first: the records of an
    import are read this way by every ``evault check``, tens of thousands at a time.
    """
    if len(data) > max_bytes:
        raise FormatError("A JSON document is larger than allowed.")
    numbers = _Numbers()
    try:
        value = json.loads(
            data.decode("utf-8"),
            parse_int=numbers.integer,
            parse_float=numbers.double,
            parse_constant=numbers.constant,
        )
    except (ValueError, RecursionError) as exc:  # ValueError: also a too-long integer literal
        raise FormatError("A JSON document is malformed.") from exc
    written = _fast_bytes(value) if numbers.plain and _ASTRAL_UTF8.search(data) is None else None
    if written is None:  # a number or character the fast path leaves out, or a lone surrogate
        written = canonical_json(value)
    if written != data:
        raise FormatError("A JSON document is not in canonical form.")
    return value
