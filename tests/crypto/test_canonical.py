"""crypto.canonical: RFC 8785 (JCS) serialisation and the strict canonical-only parser.

Expected bytes come from RFC 8785 itself (tests/vectors/jcs_rfc8785.json) or from an independent
re-implementation of the RFC's rules written out in this file.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import example, given, settings
from hypothesis import strategies as st

from crypto.canonical import _json_int, canonical_json, parse_canonical
from crypto.errors import FormatError
from tests.conftest import SURROGATES

VECTORS = json.loads(
    (Path(__file__).parent.parent / "vectors" / "jcs_rfc8785.json").read_text(encoding="utf-8")
)


# --- RFC 8785 published examples ------------------------------------------------------------


@pytest.mark.parametrize("doc", VECTORS["documents"], ids=lambda d: d["name"])
def test_rfc8785_document_example(doc: dict[str, str]) -> None:
    value = json.loads(doc["input"])
    expected = bytes.fromhex(doc["expected_utf8_hex"])
    assert canonical_json(value) == expected
    # and the canonical bytes are accepted back by the strict parser, giving the same value
    assert parse_canonical(expected, max_bytes=1024) == value


@pytest.mark.parametrize("case", VECTORS["sorting"], ids=lambda d: d["name"])
def test_rfc8785_property_sorting_example(case: dict[str, Any]) -> None:
    value = json.loads(case["input"])
    out = canonical_json(value)
    # json.loads keeps the order of the document, so the values come out in serialised order
    assert list(json.loads(out).values()) == case["expected_value_order"]
    assert parse_canonical(out, max_bytes=1024) == value


@pytest.mark.parametrize(
    ("bits", "expected"),
    [tuple(v) for v in VECTORS["numbers"]["vectors"]],
    ids=[v[0] for v in VECTORS["numbers"]["vectors"]],
)
def test_rfc8785_appendix_b_numbers(bits: str, expected: str | None) -> None:
    number = struct.unpack(">d", bytes.fromhex(bits))[0]
    if expected is None:
        assert math.isnan(number) or math.isinf(number)
        with pytest.raises(FormatError):
            canonical_json(number)
        with pytest.raises(FormatError):
            canonical_json({"n": number})
    else:
        assert canonical_json(number) == expected.encode("ascii")
        assert canonical_json([number]) == b"[" + expected.encode("ascii") + b"]"


def test_number_forms_named_in_the_spec() -> None:
    # The forms the brief names, read from JSON text the way a parser sees them.
    assert canonical_json(json.loads("[1E30, 4.50, 2e-3, -0, -0.0, 0.000001, 1e21]")) == (
        b"[1e+30,4.5,0.002,0,0,0.000001,1e+21]"
    )


def test_unrepresentable_values_are_refused() -> None:
    for bad in ("\ud800", {1: "non-string key"}, 2**53, -(2**53), object(), b"bytes"):
        with pytest.raises(FormatError):
            canonical_json(bad)


# --- independent re-implementation of RFC 8785 §3.2.2.2 (strings) and §3.2.3 (sorting) -------

_SHORT_ESCAPES = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}


def _jcs_string(text: str) -> str:
    out = ['"']
    for ch in text:
        cp = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif cp in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[cp])
        elif cp < 0x20:
            out.append(f"\\u{cp:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


_text = st.text(st.characters(exclude_categories=SURROGATES), max_size=30)


@settings(max_examples=200, deadline=None)
@given(_text)
def test_string_escaping_matches_rfc_rules(text: str) -> None:
    assert canonical_json(text) == _jcs_string(text).encode("utf-8")


def test_every_control_character_escape() -> None:
    text = "".join(chr(i) for i in range(0x20)) + '"\\/\x7f\u2028é€😀'
    assert canonical_json(text) == _jcs_string(text).encode("utf-8")
    # spot-check a few against the RFC's literal forms
    out = canonical_json(text).decode("utf-8")
    assert "\\u0000" in out and "\\u001f" in out and "\\u000b" in out
    assert "\\b\\t\\n\\u000b\\f\\r" in out
    # quote and backslash escaped; solidus, DEL, U+2028 and non-ASCII written literally
    assert out.endswith('\\"\\\\/\x7f\u2028é€😀"')


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_text, st.integers(-1000, 1000), max_size=12))
def test_keys_sorted_by_utf16_code_units(value: dict[str, int]) -> None:
    expected_keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
    expected = "{" + ",".join(f"{_jcs_string(k)}:{value[k]}" for k in expected_keys) + "}"
    assert canonical_json(value) == expected.encode("utf-8")


def test_nested_objects_are_sorted_at_every_level() -> None:
    value = {"b": [{"z": 1, "a": 2}], "a": {"d": True, "c": None}}
    assert canonical_json(value) == b'{"a":{"c":null,"d":true},"b":[{"a":2,"z":1}]}'


# --- parse_canonical ------------------------------------------------------------------------

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_text, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(_json_values)
def test_parse_canonical_round_trip(value: Any) -> None:
    data = canonical_json(value)
    parsed = parse_canonical(data, max_bytes=len(data))
    assert canonical_json(parsed) == data
    assert parsed == value


@pytest.mark.parametrize(
    "data",
    [
        b' {"a":1}',  # leading whitespace
        b'{"a":1} ',  # trailing whitespace
        b'{"a":1}\n',  # trailing newline
        b'{"a": 1}',  # space after colon
        b'{"a":1, "b":2}',  # space after comma
        b'{\n"a":1}',
        b'{"b":1,"a":2}',  # unsorted keys
        b'{"a":{"y":1,"x":2}}',  # unsorted nested keys
        b'{"a":1,"a":1}',  # duplicate keys, same value
        b'{"a":1,"a":2}',  # duplicate keys, last one wins in json.loads
        b"1.0",
        b"1E30",
        b"1e30",
        b"4.50",
        b"-0",
        b"0.0",
        b"2e-3",
        b'"\\u0041"',  # unnecessary escape
        b'"\\/"',
        b'"\\u00e9"',  # non-ASCII must be literal UTF-8
        b'"\\u000A"',  # upper-case hex / should be \n
        b"\xef\xbb\xbf{}",  # byte-order mark
        b"NaN",
        b"[Infinity]",
        b"9007199254740993",  # not representable as a double
        b'"\xff"',  # invalid UTF-8
        b'"\xed\xa0\x80"',  # UTF-8-encoded lone surrogate
        b'"\\ud800"',  # escaped lone surrogate
        b"",
        b"{",
        b"[1,]",
        b"1" * 5000,  # huge integer: Python refuses to convert it
        b"1" + b"0" * 400,  # integer beyond the largest double
        b"100000000000000000001",  # integer that is not exactly a double
    ],
)
def test_parse_canonical_rejects_non_canonical(data: bytes) -> None:
    with pytest.raises(FormatError):
        parse_canonical(data, max_bytes=100_000)


def test_parse_canonical_reads_large_integral_doubles() -> None:
    # RFC 8785 writes 1e20 as a plain integer; the parser must accept its own writer's output.
    for number in (2.0**53, 1e20, -1e20, 295147905179352830000.0):
        data = canonical_json({"n": number})
        assert parse_canonical(data, max_bytes=100) == {"n": number}


def test_parse_canonical_size_limit() -> None:
    data = canonical_json({"text": "x" * 100})
    assert parse_canonical(data, max_bytes=len(data)) == {"text": "x" * 100}
    with pytest.raises(FormatError):
        parse_canonical(data, max_bytes=len(data) - 1)


def test_parse_canonical_deep_nesting_is_a_format_error() -> None:
    data = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(FormatError):
        parse_canonical(data, max_bytes=len(data))


# The fast path (json.dumps) must give exactly rfc8785's bytes wherever it is used, and hand
# everything else to rfc8785. Strings here reach every plane, lone surrogates included.
_ANY_CHAR = st.one_of(
    st.characters(),  # all planes, no surrogates
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
    st.sampled_from(["\u2028", "\u2029", "\x7f", "\ue000", "\uffff", "\U0001f600", "ə", "ё"]),
)
_TEXT = st.text(_ANY_CHAR, max_size=12)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    _TEXT,
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=20,
)


def _reference(value: Any) -> bytes | str:
    try:
        return bytes(rfc8785.dumps(value))
    except Exception as exc:
        return type(exc).__name__


@pytest.mark.slow
@settings(max_examples=1500, deadline=None)
@given(_VALUES)
def test_fast_path_gives_exactly_the_rfc8785_bytes(value: Any) -> None:
    expected = _reference(value)
    if isinstance(expected, bytes):
        assert canonical_json(value) == expected
    else:
        with pytest.raises(FormatError):
            canonical_json(value)


def test_fast_path_is_really_taken_for_custody_shaped_values() -> None:
    from crypto.canonical import _fast_path_applies

    event = {"type": "item.created", "seq": 7, "details": {"tags": ["təhdid"], "ok": True}}
    assert _fast_path_applies(event)
    assert not _fast_path_applies({"x": 1.5})  # floats: rfc8785's number formatting
    assert not _fast_path_applies({"\U0001f600": 1})  # astral key: UTF-16 ordering
    # A lone surrogate in a string is not looked for in the walk: encoding the fast path's text
    # fails on it, and rfc8785 refuses it, as it always did.
    with pytest.raises(FormatError):
        canonical_json({"k": ["ok", {"deeper": "\ud800"}]})
    assert not _fast_path_applies({"k": 2**53})  # beyond a double's integers


_WRITERS = [
    lambda v: bytes(rfc8785.dumps(v)),
    lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    ),
    lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    ),
    lambda v: json.dumps(v, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode(),
]


def _reference_accepts(data: bytes) -> bool:
    try:
        value = json.loads(data.decode("utf-8"), parse_int=_json_int)
        return bytes(rfc8785.dumps(value)) == data
    except Exception:
        return False


@pytest.mark.slow
@settings(max_examples=1500, deadline=None)
@example({"\ue000": 1, "\U0001f600": 2}, 0)  # UTF-16 order differs from code point order
@example({"a": math.nan}, 1)  # NaN (json.dumps writes it; RFC 8785 has no such number)
@example({"n": 1e21}, 2)
@given(
    st.one_of(
        _VALUES,
        st.dictionaries(
            st.text("ab\ue000\U0001f600", max_size=2),
            st.one_of(
                st.floats(allow_nan=True),
                st.sampled_from([math.nan, math.inf, -math.inf, 1e21, 1e-7, 0.1, -0.0, 2.0**53]),
                st.integers(-(2**60), 2**60),
            ),
            max_size=3,
        ),
    ),
    st.sampled_from(range(len(_WRITERS))),
)
def test_parse_canonical_accepts_exactly_what_rfc8785_would_write(value: Any, writer: int) -> None:
    # Documents written canonically and not (unsorted keys, escaped non-ASCII, Python's floats,
    # characters beyond the BMP in keys, lone surrogates, integers past 2**53): the fast check
    # of parse_canonical must decide as rfc8785 does, byte for byte.
    try:
        data = _WRITERS[writer](value)
    except Exception:
        return  # rfc8785 refuses the value itself (a lone surrogate, NaN)
    try:
        parse_canonical(data, max_bytes=100_000)
        accepted = True
    except FormatError:
        accepted = False
    assert accepted == _reference_accepts(data)
