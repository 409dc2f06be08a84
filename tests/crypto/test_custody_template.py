"""crypto.custody.event_template / sign_template: a body made ahead of its place in the chain is
byte for byte the body make_event makes, so events signed either way are the same events."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.custody import check_chain, event_template, make_event, sign_template
from crypto.identity import SigningKey

KEY = SigningKey(hashlib.sha256(b"template test vault key").digest())
VAULT_ID = "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"

TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40) | st.sampled_from(
    ["Təhdid mesajı: «səni tapacağıq»", "Угрозы", "\u0000", '"quoted"\\']
)
DETAILS = st.dictionaries(
    TEXT, st.one_of(TEXT, st.integers(-(2**50), 2**50), st.booleans(), st.none()), max_size=5
)


def _fields(event_type: str, time: str, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "time": time,
        "vault_id": VAULT_ID,
        "item": {"id": str(uuid.uuid4()), "sha256": "ab" * 32, "kind": "file"},
        "reason": None,
        "details": details,
    }


@settings(max_examples=60, deadline=None)
@given(
    event_type=st.sampled_from(["item.created", "case.created", "item.exported"]),
    details=DETAILS,
    seq=st.integers(1, 2**40),
    prev=st.one_of(st.none(), st.binary(min_size=8, max_size=8)),
)
def test_a_template_signs_exactly_what_make_event_signs(
    event_type: str, details: dict[str, Any], seq: int, prev: bytes | None
) -> None:
    fields = _fields(event_type, "2026-12-07T15:00:00.123456Z", details)
    prev_hash = hashlib.sha256(prev).hexdigest() if prev is not None else None
    template = event_template(KEY.public_key, **fields)
    assert template is not None
    assert (template.event_id, template.time) == (fields["event_id"], fields["time"])

    made_ahead = sign_template(KEY, template, seq, prev_hash)
    made_now = make_event(KEY, seq=seq, prev=prev_hash, **fields)

    assert made_ahead == made_now  # body, hash and (deterministic Ed25519) signature


def test_a_field_holding_a_stand_in_gets_no_template() -> None:
    """The stand-ins are control characters no real field holds; if one does, the caller is told
    to make the event the ordinary way rather than receive a wrong body."""
    for text in ("\x00prev\x00", "\x00seq\x00"):
        fields = _fields("item.created", "2026-12-07T15:00:00.000000Z", {"title": text})
        assert event_template(KEY.public_key, **fields) is None


def test_a_chain_of_templated_events_verifies() -> None:
    events = []
    prev = None
    for seq in range(1, 6):
        fields = _fields("item.created", f"2026-12-07T15:00:0{seq}.000000Z", {"sealed": "0" * 64})
        template = event_template(KEY.public_key, **fields)
        assert template is not None
        event = sign_template(KEY, template, seq, prev)
        events.append(event)
        prev = event.hash
    assert check_chain(events, KEY.public_key, vault_id=VAULT_ID) == []
