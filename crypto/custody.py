"""The custody event format: canonical body, hash chain, Ed25519 signature (docs/format.md §5).

Pure and shared: the vault appends and checks events with these functions, and bundle verification
(which has no vault) checks exported events with the same code.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from crypto import constants as c
from crypto.canonical import canonical_json, parse_canonical
from crypto.errors import FormatError, SignatureInvalid
from crypto.identity import SigningKey, actor_id, verify

_BODY_FIELDS = {
    "v",
    "seq",
    "id",
    "type",
    "time",
    "actor",
    "vault_id",
    "item",
    "reason",
    "details",
    "prev",
}
_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
_HASH_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class SignedEvent:
    """One custody event as stored: canonical body bytes, their SHA-256 (hex) and the signature."""

    seq: int
    body: bytes
    hash: str
    signature: bytes

    def parsed(self) -> dict[str, Any]:
        value = parse_canonical(self.body, max_bytes=c.MAX_CUSTODY_BODY_BYTES)
        if not isinstance(value, dict):
            raise FormatError("A custody event is not a JSON object.")
        return value


def event_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def signing_message(body: bytes) -> bytes:
    return c.CUSTODY_SIG_PREFIX + body


def make_event(
    key: SigningKey,
    *,
    seq: int,
    event_id: str,
    event_type: str,
    time: str,
    vault_id: str,
    item: dict[str, str] | None,
    reason: str | None,
    details: dict[str, Any],
    prev: str | None,
) -> SignedEvent:
    """Build, canonicalise and sign one event."""
    fields = _body_fields(
        key.public_key, event_id, event_type, time, vault_id, item, reason, details
    )
    return _signed(key, seq, canonical_json({**fields, "seq": seq, "prev": prev}))


def _body_fields(
    public_key: bytes,
    event_id: str,
    event_type: str,
    time: str,
    vault_id: str,
    item: dict[str, str] | None,
    reason: str | None,
    details: dict[str, Any],
) -> dict[str, Any]:
    """An event body's fields but for ``seq`` and ``prev``: the one place they are named, for
    :func:`make_event` and :func:`event_template` alike (whose bodies must be the same bytes)."""
    return {
        "v": c.CUSTODY_VERSION,
        "id": event_id,
        "type": event_type,
        "time": time,
        "actor": actor_id(public_key),
        "vault_id": vault_id,
        "item": item,
        "reason": reason,
        "details": details,
    }


def _signed(key: SigningKey, seq: int, body: bytes) -> SignedEvent:
    """The event of these canonical body bytes, refused if larger than any event may be."""
    if len(body) > c.MAX_CUSTODY_BODY_BYTES:
        raise FormatError("A custody event is too large.")
    return SignedEvent(seq, body, event_hash(body), key.sign(signing_message(body)))


_PREV_MARK = "\x00prev\x00"  # stand-ins while the body is made ahead (escaped as \u0000)
_SEQ_MARK = "\x00seq\x00"


@dataclass(frozen=True)
class EventTemplate:
    """An event's canonical body made ahead of its place in the chain: the bytes around its
    ``prev`` and ``seq``, which only the writer knows when it appends.

    Why: canonicalising every body on the thread that writes cost it about 0.06 ms per file
    added; a thread preparing the next files makes the template, and :func:`sign_template`
    only joins bytes. The result is exactly :func:`make_event`'s body (keys sort ``prev`` <
    ``reason`` < ``seq``, and an integer or a hash is written the same wherever it stands;
    tests/crypto/test_custody_template.py compares the two).
    """

    event_id: str
    time: str
    before_prev: bytes
    before_seq: bytes
    after_seq: bytes

    def body(self, seq: int, prev: str | None) -> bytes:
        return b"".join(
            (
                self.before_prev,
                canonical_json(prev),
                self.before_seq,
                canonical_json(seq),
                self.after_seq,
            )
        )


def event_template(
    public_key: bytes,
    *,
    event_id: str,
    event_type: str,
    time: str,
    vault_id: str,
    item: dict[str, str] | None,
    reason: str | None,
    details: dict[str, Any],
) -> EventTemplate | None:
    """The body :func:`make_event` would make with these fields, but for ``seq`` and ``prev``;
    None if a field happens to hold a stand-in's text (then the caller uses make_event)."""
    fields = _body_fields(public_key, event_id, event_type, time, vault_id, item, reason, details)
    body = canonical_json({**fields, "seq": _SEQ_MARK, "prev": _PREV_MARK})
    prev_mark, seq_mark = canonical_json(_PREV_MARK), canonical_json(_SEQ_MARK)
    if body.count(prev_mark) != 1 or body.count(seq_mark) != 1:
        return None
    at_prev, at_seq = body.index(prev_mark), body.index(seq_mark)
    if at_seq < at_prev:  # cannot happen while "prev" sorts before "seq"
        return None
    return EventTemplate(
        event_id,
        time,
        body[:at_prev],
        body[at_prev + len(prev_mark) : at_seq],
        body[at_seq + len(seq_mark) :],
    )


def sign_template(
    key: SigningKey, template: EventTemplate, seq: int, prev: str | None
) -> SignedEvent:
    """:func:`make_event` for a body made ahead by :func:`event_template`."""
    return _signed(key, seq, template.body(seq, prev))


@dataclass(frozen=True)
class ChainProblem:
    """One thing wrong with a custody log, in words; ``seq`` is the event it concerns."""

    seq: int
    message: str


def _signature_holds(event: SignedEvent, public_key: bytes) -> bool:
    try:
        verify(public_key, event.signature, signing_message(event.body))
    except SignatureInvalid:
        return False
    return True


# Below this many events the signatures are checked on the calling thread: a thread costs more.
_PARALLEL_FROM = 256


def signatures_hold(events: Sequence[SignedEvent], public_key: bytes) -> list[bool]:
    """Whether each event's signature verifies, in order. Ed25519 verification releases the GIL,
    so a long log's second half is checked on another thread meanwhile (a bundle of 2,000 items
    spent a fifth of its verification here; half of it on two cores)."""
    if len(events) < _PARALLEL_FROM:
        return [_signature_holds(e, public_key) for e in events]
    half = len(events) // 2
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="evault-signatures") as pool:
        second = pool.submit(lambda: [_signature_holds(e, public_key) for e in events[half:]])
        first = [_signature_holds(e, public_key) for e in events[:half]]
        return first + second.result()


def body_of(event: SignedEvent, given: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event's body as a dict: ``given`` when the caller parsed it already (exactly
    ``event.parsed()``), else parsed here. FormatError for a body :meth:`SignedEvent.parsed`
    refuses (also when given: an oversize body is refused however it was read)."""
    if given is None:
        return event.parsed()
    if len(event.body) > c.MAX_CUSTODY_BODY_BYTES:  # what parsed() would refuse
        raise FormatError("A JSON document is larger than allowed.")
    return given


def check_event(
    event: SignedEvent,
    public_key: bytes,
    *,
    body: dict[str, Any] | None = None,
    signature_ok: bool | None = None,
) -> list[str]:
    """Check one event on its own (form, hash, signature); return what is wrong.

    A caller that has the body parsed already (exactly ``event.parsed()``) or the signature's
    verdict passes them, so neither is worked out twice."""
    problems: list[str] = []
    try:
        body = body_of(event, body)
    except FormatError as exc:
        return [str(exc)]
    if set(body) != _BODY_FIELDS:
        problems.append("its fields are not those of a custody event")
        return problems
    if event_hash(event.body) != event.hash:
        problems.append("its stored hash does not match its content")
    if signature_ok is None:
        signature_ok = _signature_holds(event, public_key)
    if not signature_ok:
        problems.append(
            "its signature does not verify (it was altered or not signed by this vault)"
        )
    if body["actor"] != actor_id(public_key):
        problems.append("it names a different signer")
    if body["v"] != c.CUSTODY_VERSION:
        problems.append("it has an unknown format version")
    if body["seq"] != event.seq:
        problems.append("its sequence number was changed")
    if not isinstance(body["time"], str) or not _TIME_RE.match(body["time"]):
        problems.append("its time is malformed")
    if body["prev"] is not None and (
        not isinstance(body["prev"], str) or not _HASH_RE.match(body["prev"])
    ):
        problems.append("its link to the previous event is malformed")
    return problems


def check_chain(
    events: list[SignedEvent],
    public_key: bytes,
    *,
    vault_id: str,
    first_prev: str | None = None,
    contiguous: bool = True,
    bodies: Sequence[dict[str, Any] | None] | None = None,
) -> list[ChainProblem]:
    """Walk a log in order and return every problem found (empty list: the log holds).

    ``first_prev`` is the hash the first event must link to (None for a whole log starting at 1).
    With ``contiguous=False`` (a subset exported in a bundle) gaps in ``seq`` are allowed and links
    are checked only between consecutive sequence numbers. ``bodies``, when given, are the
    events' bodies parsed already (each exactly ``event.parsed()``, or None to parse it here):
    a bundle's custody lines are parsed whole, bodies included.
    """
    problems: list[ChainProblem] = []
    prev_hash = first_prev
    prev_seq = 0 if first_prev is None else None
    prev_time = ""
    verdicts = signatures_hold(events, public_key)
    given = bodies if bodies is not None else [None] * len(events)
    for event, signature_ok, parsed in zip(events, verdicts, given, strict=True):
        try:
            body = body_of(event, parsed)
        except FormatError:
            body = None
        # Unparseable: check_event tries again with what was given and says why it fails.
        given_body = body if body is not None else parsed
        for message in check_event(event, public_key, body=given_body, signature_ok=signature_ok):
            problems.append(ChainProblem(event.seq, message))
        if body is None:
            prev_hash, prev_seq = event.hash, event.seq
            continue
        if body.get("vault_id") != vault_id:
            problems.append(ChainProblem(event.seq, "it belongs to another vault"))
        if prev_seq is not None and contiguous and event.seq != prev_seq + 1:
            problems.append(
                ChainProblem(event.seq, f"events are missing before it (expected {prev_seq + 1})")
            )
        if prev_seq is not None and not contiguous and event.seq <= prev_seq:
            problems.append(ChainProblem(event.seq, f"it is out of order (after {prev_seq})"))
        linked = prev_seq is None or event.seq == prev_seq + 1 or contiguous
        if linked and body.get("prev") != prev_hash:
            problems.append(ChainProblem(event.seq, "it does not link to the event before it"))
        time = body.get("time")
        if isinstance(time, str) and time < prev_time:
            problems.append(ChainProblem(event.seq, "its time is earlier than the event before it"))
        prev_time = time if isinstance(time, str) else prev_time
        prev_hash, prev_seq = event.hash, event.seq
    return problems


def replay_metadata(bodies: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each item's metadata as the log tells it: the ``item.created`` snapshot with every later
    ``item.metadata_changed`` applied in order. Items deleted since are left out."""
    state: dict[str, dict[str, Any]] = {}
    for body in bodies:
        item = body.get("item")
        details = body.get("details")
        if body.get("type") == "case.renamed" and isinstance(details, dict):
            for snapshot in state.values():
                if snapshot.get("case") == details.get("from"):
                    snapshot["case"] = details.get("to")
            continue
        if not isinstance(item, dict) or not isinstance(details, dict):
            continue
        item_id = str(item.get("id"))
        kind = body.get("type")
        if kind == "item.created" and isinstance(details.get("metadata"), dict):
            state[item_id] = dict(details["metadata"])
        elif kind == "item.metadata_changed" and item_id in state:
            _apply_changes(state[item_id], details.get("changes"))
        elif kind == "item.deleted":
            state.pop(item_id, None)
    return state


def _apply_changes(state: dict[str, Any], changes: object) -> None:
    if not isinstance(changes, dict):
        return
    for name, change in changes.items():
        if not isinstance(change, dict):
            continue
        target = change.get("to")
        if name == "occurred" and isinstance(target, dict):
            state["occurred_at"] = target.get("at")
            state["occurred_tz"] = target.get("tz")
        else:
            state[name] = target
