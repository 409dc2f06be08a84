"""crypto.custody: the custody event format and chain check (docs/format.md §5).

Events are made with the module's ``make_event``; their bytes are checked against the spec with
rfc8785, hashlib and ``cryptography`` directly, and every kind of damage the spec's validity rule
names is shown to produce a problem.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import json
import uuid
from dataclasses import replace
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import constants as c
from crypto.custody import SignedEvent, check_chain, check_event, event_hash, make_event
from crypto.errors import FormatError
from crypto.identity import SigningKey
from tests.conftest import SURROGATES

VAULT_ID = "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
OTHER_VAULT_ID = "00000000-1111-4222-8333-444444444444"
KEY = SigningKey(hashlib.sha256(b"custody test vault key").digest())
OTHER_KEY = SigningKey(hashlib.sha256(b"someone else's key").digest())

EVENT_TYPES = [
    "vault.created",
    "item.created",
    "item.metadata_changed",
    "item.viewed",
    "item.exported",
    "item.deleted",
    "case.created",
    "key.passphrase_changed",
    "key.recovery_replaced",
    "key.keyfile_changed",
]
LOCAL_TEXT = [
    "Təhdid mesajı: «səni tapacağıq»",
    "İstintaq üçün ilkin sübut, Bakı",
    "Угроза: «мы знаем, где ты живёшь»",
    "Ёлка, йод, ещё",
    "ŞÇÖĞÜİI ıi",
    "",
]


def _time(i: int) -> str:
    return f"2026-11-29T11:{i // 60 % 60:02d}:{i % 60:02d}.{i:06d}Z"


def _event(
    seq: int,
    prev: str | None,
    *,
    key: SigningKey = KEY,
    vault_id: str = VAULT_ID,
    time: str | None = None,
    event_type: str = "item.viewed",
    details: dict[str, Any] | None = None,
    reason: str | None = None,
    item: dict[str, str] | None = None,
) -> SignedEvent:
    return make_event(
        key,
        seq=seq,
        event_id=str(uuid.UUID(int=seq, version=4)),
        event_type=event_type,
        time=time or _time(seq),
        vault_id=vault_id,
        item=item,
        reason=reason,
        details=details if details is not None else {"how": "preview"},
        prev=prev,
    )


def _chain(n: int, **kwargs: Any) -> list[SignedEvent]:
    events: list[SignedEvent] = []
    prev = None
    for seq in range(1, n + 1):
        event = _event(seq, prev, **kwargs)
        events.append(event)
        prev = event.hash
    return events


@functools.cache
def _chain10() -> tuple[SignedEvent, ...]:
    return tuple(_chain(10))


def _check(events: list[SignedEvent] | tuple[SignedEvent, ...], **kwargs: Any) -> list[Any]:
    return check_chain(list(events), KEY.public_key, vault_id=VAULT_ID, **kwargs)


def _resign(body: dict[str, Any] | bytes, seq: int, key: SigningKey = KEY) -> SignedEvent:
    """Sign arbitrary body bytes exactly as the vault would (to build events make_event won't)."""
    data = body if isinstance(body, bytes) else rfc8785.dumps(body)
    signature = key.sign(b"evault-custody-v1\x00" + data)
    return SignedEvent(seq, data, hashlib.sha256(data).hexdigest(), signature)


# --- the format -----------------------------------------------------------------------------


def test_event_bytes_follow_the_spec() -> None:
    item = {"id": str(uuid.uuid4()), "sha256": "ab" * 32, "kind": "file"}
    event = _event(
        1,
        None,
        event_type="item.created",
        item=item,
        reason=LOCAL_TEXT[0],
        details={"title": LOCAL_TEXT[2], "size": 12345, "media_type": "image/jpeg"},
    )
    expected_body: dict[str, Any] = {
        "v": 1,
        "seq": 1,
        "id": str(uuid.UUID(int=1, version=4)),
        "type": "item.created",
        "time": _time(1),
        "actor": "ed25519:" + base64.b64encode(KEY.public_key).decode("ascii"),
        "vault_id": VAULT_ID,
        "item": item,
        "reason": LOCAL_TEXT[0],
        "details": {"title": LOCAL_TEXT[2], "size": 12345, "media_type": "image/jpeg"},
        "prev": None,
    }
    assert event.body == rfc8785.dumps(expected_body)
    assert event.seq == 1
    assert event.hash == hashlib.sha256(event.body).hexdigest() == event_hash(event.body)
    Ed25519PublicKey.from_public_bytes(KEY.public_key).verify(
        event.signature, b"evault-custody-v1" + b"\x00" + event.body
    )
    assert event.parsed() == expected_body
    assert check_event(event, KEY.public_key) == []


def test_signature_is_domain_separated() -> None:
    # The signature covers the prefixed message, not the bare body.
    event = _chain10()[0]
    assert event.signature != KEY.sign(event.body)
    assert event.signature == KEY.sign(c.CUSTODY_SIG_PREFIX + event.body)
    assert c.CUSTODY_SIG_PREFIX == b"evault-custody-v1\x00"


def test_links_are_sha256_of_previous_canonical_body() -> None:
    events = _chain10()
    assert events[0].parsed()["prev"] is None
    for before, after in itertools.pairwise(events):
        assert after.parsed()["prev"] == hashlib.sha256(before.body).hexdigest()


def test_oversize_event_is_refused() -> None:
    with pytest.raises(FormatError):
        _event(1, None, details={"how": "x" * c.MAX_CUSTODY_BODY_BYTES})


# --- valid chains ---------------------------------------------------------------------------

_texts = st.one_of(
    st.sampled_from(LOCAL_TEXT), st.text(st.characters(exclude_categories=SURROGATES), max_size=20)
)
_detail_values = st.one_of(
    _texts,
    st.none(),
    st.booleans(),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dictionaries(_texts, _texts, max_size=3),
)
_event_specs = st.lists(
    st.tuples(
        st.sampled_from(EVENT_TYPES),
        st.dictionaries(_texts, _detail_values, max_size=4),
        st.one_of(st.none(), _texts),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(_event_specs)
def test_generated_chains_hold(specs: list[tuple[str, dict[str, Any], str | None, bool]]) -> None:
    events = []
    prev = None
    for seq, (event_type, details, reason, with_item) in enumerate(specs, start=1):
        item = {"id": str(uuid.UUID(int=seq, version=4)), "sha256": "0" * 64, "kind": "note"}
        event = _event(
            seq,
            prev,
            event_type=event_type,
            details=details,
            reason=reason,
            item=item if with_item else None,
        )
        assert check_event(event, KEY.public_key) == []
        events.append(event)
        prev = event.hash
    assert _check(events) == []


def test_equal_times_are_allowed() -> None:
    assert _check(_chain(4, time=_time(7))) == []


def test_empty_log_has_no_problems() -> None:
    assert _check([]) == []


# --- damage ---------------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_changed_body_byte_is_a_problem(data: st.DataObject) -> None:
    events = list(_chain10())
    index = data.draw(st.integers(0, len(events) - 1), label="event index")
    body = events[index].body
    position = data.draw(st.integers(0, len(body) - 1), label="byte position")
    new_byte = data.draw(st.integers(0, 255).filter(lambda b: b != body[position]), label="byte")
    changed = body[:position] + bytes([new_byte]) + body[position + 1 :]
    events[index] = replace(events[index], body=changed)
    problems = _check(events)
    assert problems
    assert any(p.seq == index + 1 for p in problems)


@pytest.mark.parametrize("index", [0, 4, 9])
def test_changed_body_with_matching_stored_hash_is_still_a_problem(index: int) -> None:
    # An attacker who also rewrites the stored hash still cannot re-sign.
    events = list(_chain10())
    body = events[index].parsed()
    body["details"] = {"how": "nothing to see"}
    data = rfc8785.dumps(body)
    events[index] = replace(events[index], body=data, hash=hashlib.sha256(data).hexdigest())
    problems = _check(events)
    assert any(p.seq == index + 1 and "signature" in p.message for p in problems)


@pytest.mark.parametrize("index", [0, 1, 5, 8])
def test_dropped_event_is_a_problem(index: int) -> None:
    events = list(_chain10())
    del events[index]
    assert _check(events)


@pytest.mark.parametrize("index", [0, 3, 8])
def test_swapped_neighbours_are_a_problem(index: int) -> None:
    events = list(_chain10())
    events[index], events[index + 1] = events[index + 1], events[index]
    assert _check(events)


def test_duplicated_event_is_a_problem() -> None:
    events = list(_chain10())
    assert _check([*events[:5], events[4], *events[5:]])


def test_event_signed_by_another_key_is_a_problem() -> None:
    events = list(_chain10())
    # Same position, correct link, but made and signed by someone else's key.
    events[3] = _event(4, events[2].hash, key=OTHER_KEY)
    events[4] = _event(5, events[3].hash)
    problems = _check(events[:5])
    assert {p.seq for p in problems} == {4}
    messages = " ".join(p.message for p in problems)
    assert "signature" in messages and "signer" in messages


def test_event_claiming_the_vault_key_but_signed_by_another_is_a_problem() -> None:
    events = list(_chain10())
    events[6] = _resign(events[6].parsed(), 7, key=OTHER_KEY)  # body unchanged, forged signature
    problems = _check(events)
    assert [p.seq for p in problems] == [7]


def test_whole_log_signed_by_another_key_fails_for_this_vault() -> None:
    foreign = _chain(3, key=OTHER_KEY)
    assert check_chain(foreign, OTHER_KEY.public_key, vault_id=VAULT_ID) == []
    assert {p.seq for p in _check(foreign)} == {1, 2, 3}


@pytest.mark.parametrize("index", [0, 5, 9])
def test_changed_stored_hash_is_a_problem(index: int) -> None:
    events = list(_chain10())
    events[index] = replace(events[index], hash=hashlib.sha256(b"other").hexdigest())
    problems = _check(events)
    assert any(p.seq == index + 1 and "hash" in p.message for p in problems)


@pytest.mark.parametrize("index", [0, 5])
def test_changed_signature_is_a_problem(index: int) -> None:
    events = list(_chain10())
    sig = bytearray(events[index].signature)
    sig[10] ^= 0x40
    events[index] = replace(events[index], signature=bytes(sig))
    assert [p.seq for p in _check(events)] == [index + 1]


@pytest.mark.parametrize("indexes", [[10], [290], [0, 149, 150, 299]])
def test_long_log_signatures_are_checked_on_both_threads(indexes: list[int]) -> None:
    """From 256 events the second half's signatures are checked on another thread: a changed
    signature in either half is still reported, at its own event and nowhere else."""
    events = list(_long_chain())
    for index in indexes:
        sig = bytearray(events[index].signature)
        sig[3] ^= 0x01
        events[index] = replace(events[index], signature=bytes(sig))
    assert [p.seq for p in _check(events)] == [i + 1 for i in indexes]
    assert all("signature" in p.message for p in _check(events))


@functools.cache
def _long_chain() -> tuple[SignedEvent, ...]:
    return tuple(_chain(300))


@pytest.mark.parametrize("index", [0, 4, 9])
def test_bodies_given_parsed_are_checked_like_parsed_ones(index: int) -> None:
    """A bundle's custody lines are parsed whole and their bodies handed to ``check_chain``:
    the same problems come out as when it parses them itself, also for an oversize body."""
    events = list(_chain10())
    sig = bytearray(events[index].signature)
    sig[0] ^= 0x80
    events[index] = replace(events[index], signature=bytes(sig))
    bodies: list[dict[str, Any] | None] = [e.parsed() for e in events]
    assert _check(events, bodies=bodies) == _check(events)
    assert [p.seq for p in _check(events, bodies=bodies)] == [index + 1]
    big = replace(events[2], body=events[2].body + b" " * c.MAX_CUSTODY_BODY_BYTES)
    with_big = [*events[:2], big, *events[3:]]
    assert _check(with_big, bodies=bodies) == _check(with_big)
    assert any(p.seq == 3 and "larger" in p.message for p in _check(with_big, bodies=bodies))


def test_changed_stored_seq_is_a_problem() -> None:
    events = list(_chain10())
    events[2] = replace(events[2], seq=33)
    assert _check(events)


def test_time_going_backwards_is_a_problem() -> None:
    events = _chain(3)
    earlier = _event(4, events[2].hash, time=_time(2)[:-2] + "1Z")  # before event 3's time
    assert earlier.parsed()["time"] < events[2].parsed()["time"]
    problems = _check([*events, earlier])
    assert [p.seq for p in problems] == [4]
    assert "earlier" in problems[0].message


def test_event_of_another_vault_is_a_problem() -> None:
    events = list(_chain10())
    events[5] = _event(6, events[4].hash, vault_id=OTHER_VAULT_ID)
    events[6] = _event(7, events[5].hash)
    problems = _check(events[:7])
    assert [p.seq for p in problems] == [6]
    assert "another vault" in problems[0].message
    # and a whole log checked against the wrong vault id
    wrong = check_chain(list(_chain10()), KEY.public_key, vault_id=OTHER_VAULT_ID)
    assert {p.seq for p in wrong} == set(range(1, 11))


def test_substituted_signed_event_breaks_the_next_link() -> None:
    # A different but properly signed event 5 (a fork) does not link to the original event 6.
    events = list(_chain10())
    events[4] = _event(5, events[3].hash, details={"how": "fork"})
    problems = _check(events)
    assert [p.seq for p in problems] == [6]


def test_first_event_must_not_link() -> None:
    events = list(_chain10())
    events[0] = _event(1, "ab" * 32)
    events[1] = _event(2, events[0].hash)
    assert [p.seq for p in _check(events[:2])] == [1]


def test_log_must_start_at_one() -> None:
    events = _chain(4)
    assert _check(events[1:])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("v", 2),
        ("seq", 99),
        ("time", "2026-11-29T11:33:41Z"),  # no microseconds
        ("time", "2026-11-29T11:33:41.123456+00:00"),
        ("time", 1764415000),
        ("prev", "not-a-hash"),
        ("prev", "AB" * 32),
        ("actor", "ed25519:" + base64.b64encode(OTHER_KEY.public_key).decode()),
    ],
)
def test_malformed_field_signed_by_the_vault_is_a_problem(field: str, value: Any) -> None:
    events = list(_chain10())
    body = events[2].parsed()
    body[field] = value
    events[2] = _resign(body, 3)
    events[3] = _event(4, events[2].hash)
    problems = _check(events[:4])
    assert any(p.seq == 3 for p in problems)


@pytest.mark.parametrize("change", ["extra", "missing"])
def test_wrong_field_set_is_a_problem(change: str) -> None:
    events = list(_chain10())
    body = events[2].parsed()
    if change == "extra":
        body["note"] = "added"
    else:
        del body["reason"]
    events[2] = _resign(body, 3)
    events[3] = _event(4, events[2].hash)
    assert any(p.seq == 3 for p in _check(events[:4]))


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'"text"',
        b"not json",
        b"",
        b"{\xff}",
    ],
)
def test_unparseable_body_signed_by_the_vault_is_a_problem(body: bytes) -> None:
    events = list(_chain10()[:3])
    events[1] = _resign(body, 2)
    assert any(p.seq == 2 for p in _check(events))
    with pytest.raises(FormatError):
        events[1].parsed()


def test_non_canonical_body_signed_by_the_vault_is_a_problem() -> None:
    events = list(_chain10()[:3])
    pretty = json.dumps(events[1].parsed(), indent=1, ensure_ascii=False).encode("utf-8")
    events[1] = _resign(pretty, 2)
    events[2] = _event(3, events[1].hash)
    problems = _check(events)
    assert [p.seq for p in problems] == [2]
    assert "canonical" in problems[0].message


# --- segments and subsets -------------------------------------------------------------------


def test_segment_with_first_prev() -> None:
    events = list(_chain10())
    assert _check(events[4:], first_prev=events[3].hash) == []
    assert _check(events[4:], first_prev=events[2].hash)
    assert _check(events[4:])  # without first_prev the segment must start at seq 1


def test_non_contiguous_subset_with_gaps_is_accepted() -> None:
    events = list(_chain10())
    subset = [events[i] for i in (0, 1, 4, 5, 8)]  # seqs 1, 2, 5, 6, 9
    assert _check(subset, contiguous=False) == []
    assert _check(subset)  # as a whole log it has gaps
    assert _check([events[2], events[6]], contiguous=False) == []


def test_non_contiguous_subset_still_checks_links_between_consecutive_seqs() -> None:
    events = list(_chain10())
    fork6 = _event(6, events[3].hash)  # seq 6 but linked to event 4: wrong
    assert [p.seq for p in _check([events[0], events[4], fork6], contiguous=False)] == [6]
    # the same event after a gap is not checked for its link
    assert _check([events[0], events[2], fork6], contiguous=False) == []
    # a first event 1 must still have no link
    bad_first = _event(1, "ab" * 32)
    assert [p.seq for p in _check([bad_first, events[5]], contiguous=False)] == [1]


def test_non_contiguous_subset_still_checks_each_event() -> None:
    events = list(_chain10())
    subset = [events[0], events[4], replace(events[7], hash="0" * 64)]
    assert [p.seq for p in _check(subset, contiguous=False)] == [8]
    forged = _resign(events[4].parsed(), 5, key=OTHER_KEY)
    assert [p.seq for p in _check([events[0], forged], contiguous=False)] == [5]


def test_non_contiguous_subset_must_be_in_order() -> None:
    events = list(_chain10())
    assert _check([events[0], events[5], events[3]], contiguous=False)
    assert _check([events[0], events[5], events[5]], contiguous=False)
    # same time stamps: order must still be enforced by seq
    same_time = _chain(6, time=_time(3))
    assert _check([same_time[4], same_time[1]], contiguous=False)
