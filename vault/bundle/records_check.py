"""Checking the creation records of imported messages a bundle carries (docs/format.md §7.7, "In a
bundle"), without a vault.

A message imported in format 2 has no ``item.created`` event: its import's one signed
``import.completed`` event commits to its creation record through the import statement. For each
manifest item naming a ``creation_record`` this checks the whole path from the signed event to the
item: the record is a record of this vault naming this item, its SHA-256 and kind; the statement
``imports/<k>.statement`` is well formed, names the record's vault and import, and lists the
record's hash at the record's leaf; and the statement's SHA-256 and count are what the import's
signed event in ``custody.jsonl`` commits to. Only then does the record count as the item's
creation, for the metadata replay and the proof of time. Anything under ``imports/`` that no item
refers to fails: a signed bundle holds nothing unexplained.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from crypto import import_statement as fmt
from crypto.errors import FormatError
from vault.bundle import layout
from vault.bundle.said import Said, joined, say, ungettext
from vault.bundle.verify_result import ItemResult, VerifyResult
from vault.bundle.zipcheck import Reader
from vault.i18n import N_

IMPORT_COMPLETED = "import.completed"
CREATION_RECORD = "creation_record"


@dataclass
class Creations:
    """The records that hold, as ``item.created`` bodies: by the seq of the import event that
    commits to them (replayed just before it), and each item's import event seq."""

    bodies: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    seqs: dict[str, int] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # items whose named record does not hold

    def merged(self, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The custody bodies in order with each import's records just before its event."""
        out: list[dict[str, Any]] = []
        for body in bodies:
            seq = body.get("seq")
            if isinstance(seq, int):
                out.extend(self.bodies.get(seq, []))
            out.append(body)
        return out


@dataclass(frozen=True)
class _Statement:
    parsed: fmt.Statement
    sha256: str


def _read_statement(reader: Reader, name: str) -> _Statement | None:
    """The statement, read line by line (it may hold a million lines), and its SHA-256."""
    digest = hashlib.sha256()

    def use(lines: Iterator[bytes]) -> fmt.Statement:
        def hashed() -> Iterator[bytes]:
            for line in lines:
                digest.update(line)
                yield line

        return fmt.parse_statement(hashed())

    try:
        parsed = reader.lines(name, fmt.MAX_STATEMENT_BYTES, use)
    except FormatError:
        return None
    return None if parsed is None else _Statement(parsed, digest.hexdigest())


def _import_events(bodies: list[dict[str, Any]]) -> dict[str, tuple[int, Any]]:
    """import id -> (seq, messages_committed) of each ``import.completed`` event (the first)."""
    found: dict[str, tuple[int, Any]] = {}
    for body in bodies:
        details = body.get("details")
        if body.get("type") != IMPORT_COMPLETED or not isinstance(details, dict):
            continue
        import_id, seq = details.get("import_id"), body.get("seq")
        if isinstance(import_id, str) and isinstance(seq, int) and import_id not in found:
            found[import_id] = (seq, details.get("messages_committed"))
    return found


class _Checker:
    def __init__(self, reader: Reader, manifest: dict[str, Any], bodies: list[dict[str, Any]]):
        self.reader = reader
        self.manifest = manifest
        self.events = _import_events(bodies)
        self.statements: dict[str, _Statement | None] = {}
        self.used: set[str] = set()

    def statement(self, name: str) -> _Statement | None:
        if name not in self.statements:
            self.statements[name] = _read_statement(self.reader, name)
        return self.statements[name]

    def item(self, entry: dict[str, Any], name: Any) -> tuple[fmt.Record, int] | Said:
        """The item's record and its import event's seq, or what is wrong with them."""
        where = layout.parse_record_name(name) if isinstance(name, str) else None
        if where is None:
            return say(N_("the manifest names its creation record wrongly"))
        number, leaf = where
        statement_name = layout.statement_name(number)
        self.used.update((name, statement_name))
        data = self.reader.small(name, fmt.MAX_RECORD_BYTES)
        try:
            record = fmt.parse_record(data) if data is not None else None
        except FormatError:
            record = None
        if data is None or record is None:
            return say(
                N_("its creation record {name} is missing or is not a creation record"), name=name
            )
        if (
            record.vault_id != self.manifest.get("vault_id")
            or record.item_id != entry.get("id")
            or record.item_sha256 != entry.get("sha256")
            or record.item_kind != entry.get("kind")
            or record.leaf != leaf
        ):
            return say(
                N_(
                    "its creation record {name} does not name this item (another vault, item, "
                    "SHA-256, kind or line)"
                ),
                name=name,
            )
        statement = self.statement(statement_name)
        if statement is None:
            return say(
                N_("the import statement {name} is missing or not well formed"),
                name=statement_name,
            )
        if (statement.parsed.vault_id, statement.parsed.import_id) != (
            record.vault_id,
            record.import_id,
        ):
            return say(
                N_("the import statement {name} is not the statement of its record's import"),
                name=statement_name,
            )
        hashes = statement.parsed.hashes
        if leaf > len(hashes) or hashes[leaf - 1] != fmt.record_hash(data).hex():
            return say(
                N_("the import statement {name} does not list its creation record at line {leaf}"),
                name=statement_name,
                leaf=leaf,
            )
        event = self.events.get(record.import_id)
        if event is None:
            return say(N_("the custody log has no signed event of the import that added it"))
        seq, committed = event
        expected = {"format": 2, "count": len(hashes), "statement_sha256": statement.sha256}
        if committed != expected:
            return say(
                N_(
                    "the import statement {name} is not the one the signed import event {seq} "
                    "commits to"
                ),
                name=statement_name,
                seq=seq,
            )
        return record, seq


def check_records(
    reader: Reader,
    manifest: dict[str, Any],
    bodies: list[dict[str, Any]],
    result: VerifyResult,
    created_by_event: set[str],
) -> Creations:
    """Check every item's creation record (an "Imported messages" check, only when the bundle
    has any); return the records that hold. ``created_by_event``: the items that also have an
    ``item.created`` event (an item has one creation, never two)."""
    entries = [e for e in manifest["items"] if isinstance(e, dict)]
    named = [(e, r) for e, r in zip(entries, result.items, strict=False) if CREATION_RECORD in e]
    under = sorted(n for n in reader.members if n.startswith(layout.IMPORTS_DIR))
    creations = Creations()
    if not named and not under:
        return creations
    problems: list[Any] = []
    version = manifest.get("version")
    if version != layout.VERSION_WITH_RECORDS:
        problems.append(
            say(N_("bundles of version {version} carry no creation records"), version=version)
        )
    checker = _Checker(reader, manifest, bodies)
    failed: list[ItemResult] = []
    for entry, item in named:
        found = checker.item(entry, entry.get(CREATION_RECORD))
        item_id = str(entry.get("id"))
        if isinstance(found, str) or item_id in created_by_event:
            item.fail(
                found
                if isinstance(found, str)
                else say(N_("it has both a creation record and an item.created event"))
            )
            failed.append(item)
            creations.failed.add(item_id)
            continue
        record, seq = found
        creations.seqs[item_id] = seq
        creations.bodies.setdefault(seq, []).append(record.body())
    problems += [
        say(N_("{name} belongs to no item of the manifest"), name=n)
        for n in under
        if n not in checker.used
    ]
    if failed:
        problems.append(
            ungettext(
                "the creation record of {n} item does not hold (see the item)",
                "the creation records of {n} items do not hold (see the items)",
                len(failed),
            )
        )
    result.check(
        say(N_("Imported messages")),
        not problems,
        joined(problems)
        or ungettext(
            "{n} creation record matches its import's signed statement",
            "{n} creation records match their imports' signed statements",
            len(creations.seqs),
        ),
    )
    return creations
