"""Checking the proofs of time a bundle carries (docs/format.md §6.9), without a vault.

For each ``timestamps/<n>.tsr``: the token verifies over exactly ``timestamps/<n>.data`` (imprint,
signature, and a certificate chain with the timeStamping usage up to a root in
``timestamps/<n>.ca.pem``, valid at the token's time); the statement names this bundle's vault; every
custody event in the bundle that the statement covers has the hash the statement lists. Then each
item whose ``item.created`` event is covered "existed no later than" the earliest such token's time
(an imported message whose creation record holds: when its import's event is covered).

The root comes with the bundle, so this says which authority signed, not that it is the authority
the lawyer trusts: docs/lawyers.md tells how to compare the root with the authority's own.
"""

from __future__ import annotations

import json
import re
from typing import Any

from vault.bundle import layout
from vault.bundle.said import joined, say, ungettext
from vault.bundle.verify_result import VerifyResult
from vault.bundle.zipcheck import Reader
from vault.i18n import N_
from vault.timestamps import proof
from vault.timestamps.bundled import DIR, member_names

_TOKEN_RE = re.compile(r"^timestamps/([1-9][0-9]{0,5})\.tsr$")


def check_timestamps(
    reader: Reader,
    manifest: dict[str, Any],
    result: VerifyResult,
    creations: dict[str, int] | None = None,
) -> None:
    """Add a "Proof of time" check (only if the bundle carries tokens) and each item's time.

    ``creations``: imported messages whose creation records hold, with the seq of the import
    event that commits to them (docs/format.md §7.7): such an item is covered when that event
    is, as another item is when its ``item.created`` event is."""
    numbers = sorted(
        int(m.group(1)) for name in reader.members if (m := _TOKEN_RE.match(name)) is not None
    )
    stray = [
        n
        for n in reader.members
        if n.startswith(DIR) and not any(n in member_names(k) for k in numbers)
    ]
    if not numbers and not stray:
        return
    events = _custody_events(reader)
    problems: list[Any] = [
        say(N_("{name} belongs to no proof of time"), name=name) for name in stray
    ]
    earliest: dict[str, tuple[str, str]] = {}  # item id -> (time, authority)
    names: list[str] = []
    for number in numbers:
        found = _check_one(reader, number, manifest, events)
        if isinstance(found, str):
            problems.append(say(found, name=member_names(number)[0]))
            continue
        stamp, covered = found
        names.append(stamp.tsa)
        created = [*events["created"].items(), *((s, i) for i, s in (creations or {}).items())]
        for seq, item_id in created:
            if seq <= covered and (
                item_id not in earliest or stamp.gen_time < earliest[item_id][0]
            ):
                earliest[item_id] = (stamp.gen_time, stamp.tsa)
    for item in result.items:
        item_id = _item_id(manifest, item.path)
        if item_id in earliest and not problems:
            item.existed_by, item.existed_by_tsa = earliest[item_id]
    result.check(
        say(N_("Proof of time")),
        not problems,
        joined(problems)
        if problems
        else ungettext(
            "{n} time-stamp token verified ({authorities})",
            "{n} time-stamp tokens verified ({authorities})",
            len(numbers),
            authorities=", ".join(sorted(set(names))),
        ),
    )


def _check_one(
    reader: Reader, number: int, manifest: dict[str, Any], events: dict[str, Any]
) -> tuple[proof.Stamp, int] | str:
    """The verified stamp and the last sequence number it covers, or what is wrong (a msgid)."""
    token_name, data_name, ca_name = member_names(number)
    token = reader.small(token_name, proof.MAX_TOKEN_BYTES)
    data = reader.small(data_name, proof.MAX_STATEMENT_BYTES)
    ca = reader.small(ca_name, proof.MAX_CA_BYTES)
    if token is None or data is None or ca is None:
        return N_("{name}: its stamped data or certificates are missing")
    try:
        statement = proof.parse_statement(data)
        stamp = proof.check_answer(token, data, nonce=None, trusted=proof.load_certificates(ca))
    except proof.ProofRefused as exc:
        if exc.reason == "statement":
            return N_("{name}: the stamped data is not a chain statement")
        return N_("{name} does not verify over its stamped data")
    if statement.vault_id != manifest.get("vault_id"):
        return N_("{name} stamps another vault's custody log")
    for seq, digest in events["hashes"].items():
        if seq <= statement.head_seq and statement.hashes.get(seq) != digest:
            return N_("{name} stamps a different custody log than this bundle's")
    return stamp, statement.head_seq


def _custody_events(reader: Reader) -> dict[str, Any]:
    """Each custody line's hash by seq, and which seq created which item (custody_check has
    checked the lines themselves; a line it cannot read is left out here)."""
    hashes: dict[int, str] = {}
    created: dict[int, str] = {}
    data = reader.small(layout.CUSTODY, layout.MAX_DOCUMENT_BYTES) or b""
    for line in data.splitlines():
        try:
            entry = json.loads(line)
            body = entry["body"]
            seq, digest = int(body["seq"]), str(entry["hash"])
        except (ValueError, KeyError, TypeError):
            continue
        hashes[seq] = digest
        item = body.get("item")
        if body.get("type") == "item.created" and isinstance(item, dict):
            created[seq] = str(item.get("id"))
    return {"hashes": hashes, "created": created}


def _item_id(manifest: dict[str, Any], path: str) -> str | None:
    for entry in manifest.get("items") or []:
        if isinstance(entry, dict) and entry.get("path") == path:
            return str(entry.get("id"))
    return None
