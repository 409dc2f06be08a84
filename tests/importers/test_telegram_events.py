"""The Telegram parser builds each message from ijson's events itself (vault/imports/parsers/
telegram/events.py, ``Events.build``), not with ``ijson.ObjectBuilder``: it must build exactly
what ObjectBuilder builds, for any JSON value, and still refuse a cut-off or too-deep file."""

from __future__ import annotations

import io
import json
from typing import Any

import ijson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vault.errors import InvalidInput
from vault.imports.parsers.telegram.events import MAX_DEPTH, Events

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)  # what yajl reads as a number
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=40,
)


def _by_object_builder(data: bytes) -> Any:
    builder = ijson.ObjectBuilder()
    for event, value in ijson.basic_parse(io.BytesIO(data), use_float=True):
        builder.event(event, value)
    return builder.value


def _built(data: bytes) -> Any:
    events = Events(io.BufferedReader(io.BytesIO(data)), "result.json")
    event, value = events.next()
    value = events.build(event, value)
    events.finish()
    return value


@given(_json)
@settings(max_examples=400)
def test_build_makes_what_object_builder_makes(value: Any) -> None:
    data = json.dumps(value, ensure_ascii=False).encode("utf-8")
    # Wrapped in a list too, so that a value is also built after its siblings.
    for doc in (data, b"[" + data + b', {"k": [' + data + b"]}]"):
        assert _built(doc) == _by_object_builder(doc)


def test_duplicate_keys_keep_the_last_value_as_object_builder_does() -> None:
    doc = b'{"a": 1, "b": {"c": [1, {"a": 2}]}, "a": [3]}'
    assert _built(doc) == _by_object_builder(doc) == {"a": [3], "b": {"c": [1, {"a": 2}]}}


@pytest.mark.parametrize("doc", [b'{"a": [1, {"b": 2}', b'[{"a": "cut'])
def test_a_cut_off_value_is_called_damaged(doc: bytes) -> None:
    with pytest.raises(InvalidInput, match="damaged or cut short"):
        _built(doc)


def test_nesting_deeper_than_any_export_is_refused_while_building() -> None:
    doc = b"[" * (MAX_DEPTH + 5) + b"]" * (MAX_DEPTH + 5)
    with pytest.raises(InvalidInput, match="nests deeper"):
        _built(doc)
