"""The chain of custody in a bundle: every record signed with the bundle's key and linked to the
one before, consistent with the custody head the manifest names, and telling the same story as the
manifest's items (each added with this hash, none deleted, each described the same way).
"""

from __future__ import annotations

from typing import Any

from crypto import constants as c
from crypto.canonical import canonical_json, parse_canonical
from crypto.custody import SignedEvent, check_chain, replay_metadata
from crypto.errors import FormatError
from crypto.sealing import open_body
from vault.bundle import layout
from vault.bundle.signatures import b64decode_exact
from vault.bundle.verify_result import VerifyResult
from vault.bundle.zipcheck import Reader


def check_custody(
    reader: Reader, manifest: dict[str, Any], public_key: bytes, result: VerifyResult
) -> None:
    data = reader.small(layout.CUSTODY, layout.MAX_DOCUMENT_BYTES)
    if data is None:
        result.check("Chain of custody", False, "custody.jsonl is missing or too large")
        return
    events: list[SignedEvent] = []
    disclosed: dict[int, dict[str, Any]] = {}  # bodies with their sealed details opened (§6.2)
    problems: list[str] = []
    for number, line in enumerate(data.split(b"\n")[:-1] if data.endswith(b"\n") else [data], 1):
        try:
            entry = parse_canonical(line, max_bytes=layout.MAX_DOCUMENT_BYTES)
            body = entry["body"]
            body_bytes = canonical_json(body)
            signature = b64decode_exact(entry["signature"], 64)
            if signature is None or not isinstance(body.get("seq"), int):
                raise FormatError("malformed")
            events.append(SignedEvent(body["seq"], body_bytes, str(entry["hash"]), signature))
        except (FormatError, KeyError, TypeError, AttributeError):
            problems.append(f"line {number} is malformed")
            continue
        if "disclosed" in entry:
            try:
                opened = _disclosed(entry, body)
            except (FormatError, KeyError, TypeError, AttributeError):
                problems.append(
                    f"line {number}: the details given beside the event do not match what it signed"
                )
                continue
            disclosed[body["seq"]] = opened
    raw_info = manifest.get("custody")
    custody_info: dict[str, Any] = raw_info if isinstance(raw_info, dict) else {}
    if custody_info.get("events") != len(events) + len(problems):
        problems.append("the number of events differs from the manifest")
    if not events or events[0].seq != 1:
        problems.append("it does not start with the vault's creation")
    for problem in check_chain(
        events, public_key, vault_id=str(manifest.get("vault_id")), contiguous=False
    ):
        problems.append(f"event {problem.seq}: {problem.message}")
    head_seq = custody_info.get("head_seq")
    if events and isinstance(head_seq, int):
        if events[-1].seq > head_seq:
            problems.append("it has events newer than the manifest's custody head")
        elif events[-1].seq == head_seq and events[-1].hash != custody_info.get("head_hash"):
            problems.append("its last event is not the custody head named in the manifest")
    result.check(
        "Chain of custody",
        not problems,
        "; ".join(problems)
        or f"{len(events)} event{'' if len(events) == 1 else 's'}, links and signatures hold",
    )
    bodies = []
    for event in events:
        try:
            bodies.append(disclosed.get(event.seq) or event.parsed())
        except FormatError:
            continue
    created = {
        str(b["item"].get("id")): str(b["item"].get("sha256"))
        for b in bodies
        if b.get("type") == "item.created" and isinstance(b.get("item"), dict)
    }
    deleted = {
        str(b["item"].get("id"))
        for b in bodies
        if b.get("type") == "item.deleted" and isinstance(b.get("item"), dict)
    }
    replayed = replay_metadata(bodies)
    entries = [e for e in manifest["items"] if isinstance(e, dict)]
    for entry, item in zip(entries, result.items, strict=False):
        item_id = str(entry.get("id"))
        if item_id not in created:
            item.fail("the custody log has no record of it being added")
            continue
        if created[item_id] != entry.get("sha256"):
            item.fail("its hash differs from the one recorded when it was added")
        if item_id in deleted:
            item.fail("the custody log says it was deleted")
        if replayed.get(item_id) != entry.get("metadata"):
            item.fail("its description differs from what the custody log records")


def _disclosed(entry: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The body with the sealed details a line discloses, checked against the signed commitment."""
    given = entry["disclosed"]
    if set(entry) != {"body", "hash", "signature", "disclosed"} or set(given) != {
        "salt",
        "details",
    }:
        raise FormatError("malformed")
    salt = b64decode_exact(given["salt"], c.SEALED_SALT_BYTES)
    if salt is None:
        raise FormatError("malformed")
    return open_body(body, salt, given["details"])
