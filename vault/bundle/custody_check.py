"""The chain of custody in a bundle: every record signed with the bundle's key and linked to the
one before, consistent with the custody head the manifest names, and telling the same story as the
manifest's items (each added with this hash, none deleted, each described the same way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crypto import constants as c
from crypto.canonical import canonical_json, parse_canonical
from crypto.custody import SignedEvent, body_of, check_chain, replay_metadata
from crypto.errors import FormatError
from crypto.sealing import open_body
from vault.bundle import layout
from vault.bundle.records_check import Creations, check_records
from vault.bundle.said import joined, say, ungettext
from vault.bundle.signatures import b64decode_exact
from vault.bundle.verify_result import VerifyResult
from vault.bundle.zipcheck import Reader
from vault.i18n import N_


@dataclass
class Chain:
    """custody.jsonl read and its signatures and links checked: the costly part of the check,
    which touches no result, so verify runs it while the members are being hashed."""

    events: list[SignedEvent] = field(default_factory=list)
    parsed: list[dict[str, Any]] = field(default_factory=list)  # each event's body
    disclosed: dict[int, dict[str, Any]] = field(default_factory=dict)  # sealed details opened
    problems: list[Any] = field(default_factory=list)
    missing: bool = False  # no custody.jsonl, or too large


def read_chain(reader: Reader, manifest: dict[str, Any], public_key: bytes) -> Chain:
    """Parse custody.jsonl and check every link and signature against ``public_key``."""
    chain = Chain()
    data = reader.small(layout.CUSTODY, layout.MAX_DOCUMENT_BYTES)
    if data is None:
        chain.missing = True
        return chain
    events, parsed, disclosed, problems = (
        chain.events,
        chain.parsed,
        chain.disclosed,
        chain.problems,
    )
    for number, line in enumerate(data.split(b"\n")[:-1] if data.endswith(b"\n") else [data], 1):
        try:
            entry = parse_canonical(line, max_bytes=layout.MAX_DOCUMENT_BYTES)
            body = entry["body"]
            body_bytes = canonical_json(body)
            signature = b64decode_exact(entry["signature"], 64)
            if signature is None or not isinstance(body.get("seq"), int):
                raise FormatError("malformed")
            events.append(SignedEvent(body["seq"], body_bytes, str(entry["hash"]), signature))
            parsed.append(body)
        except (FormatError, KeyError, TypeError, AttributeError):
            problems.append(say(N_("line {number} is malformed"), number=number))
            continue
        if "disclosed" in entry:
            try:
                opened = _disclosed(entry, body)
            except (FormatError, KeyError, TypeError, AttributeError):
                problems.append(
                    say(
                        N_(
                            "line {number}: the details given beside the event do not match "
                            "what it signed"
                        ),
                        number=number,
                    )
                )
                continue
            disclosed[body["seq"]] = opened
    raw_info = manifest.get("custody")
    custody_info: dict[str, Any] = raw_info if isinstance(raw_info, dict) else {}
    if custody_info.get("events") != len(events) + len(problems):
        problems.append(say(N_("the number of events differs from the manifest")))
    if not events or events[0].seq != 1:
        problems.append(say(N_("it does not start with the vault's creation")))
    for problem in check_chain(
        events,
        public_key,
        vault_id=str(manifest.get("vault_id")),
        contiguous=False,
        bodies=parsed,
    ):
        problems.append(
            say(N_("event {number}: {problem}"), number=problem.seq, problem=problem.message)
        )
    head_seq = custody_info.get("head_seq")
    if events and isinstance(head_seq, int):
        if events[-1].seq > head_seq:
            problems.append(say(N_("it has events newer than the manifest's custody head")))
        elif events[-1].seq == head_seq and events[-1].hash != custody_info.get("head_hash"):
            problems.append(say(N_("its last event is not the custody head named in the manifest")))
    return chain


def check_custody(
    reader: Reader, manifest: dict[str, Any], chain: Chain, result: VerifyResult
) -> Creations:
    """Report the chain :func:`read_chain` checked, then check each item's story against it;
    return the imported messages whose creation records hold (their import event stands for
    their ``item.created`` event)."""
    if chain.missing:
        result.check(
            say(N_("Chain of custody")), False, say(N_("custody.jsonl is missing or too large"))
        )
        return check_records(reader, manifest, [], result, set())
    events, parsed, disclosed, problems = (
        chain.events,
        chain.parsed,
        chain.disclosed,
        chain.problems,
    )
    result.check(
        say(N_("Chain of custody")),
        not problems,
        joined(problems)
        or ungettext(
            "{n} event, links and signatures hold",
            "{n} events, links and signatures hold",
            len(events),
        ),
    )
    bodies = []
    for event, body in zip(events, parsed, strict=True):
        try:
            bodies.append(disclosed.get(event.seq) or body_of(event, body))
        except FormatError:
            continue
    created = {
        str(b["item"].get("id")): str(b["item"].get("sha256"))
        for b in bodies
        if b.get("type") == "item.created" and isinstance(b.get("item"), dict)
    }
    # Imported messages (format 2, §7.7): a record that holds is the item's creation, replayed
    # just before the import event that commits to it.
    creations = check_records(reader, manifest, bodies, result, set(created))
    for records in creations.bodies.values():
        for record in records:
            created[str(record["item"]["id"])] = str(record["item"]["sha256"])
    bodies = creations.merged(bodies)
    deleted = {
        str(b["item"].get("id"))
        for b in bodies
        if b.get("type") == "item.deleted" and isinstance(b.get("item"), dict)
    }
    replayed = replay_metadata(bodies)
    entries = [e for e in manifest["items"] if isinstance(e, dict)]
    for entry, item in zip(entries, result.items, strict=False):
        item_id = str(entry.get("id"))
        if item_id in creations.failed:
            continue  # its creation record said what is wrong
        if item_id not in created:
            item.fail(say(N_("the custody log has no record of it being added")))
            continue
        if created[item_id] != entry.get("sha256"):
            item.fail(say(N_("its hash differs from the one recorded when it was added")))
        if item_id in deleted:
            item.fail(say(N_("the custody log says it was deleted")))
        if replayed.get(item_id) != entry.get("metadata"):
            item.fail(say(N_("its description differs from what the custody log records")))
    return creations


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
