"""One commitment to every message of an import: creation records and the import statement
(docs/format.md §7.7).

An import of 100,000 messages used to sign 100,000 ``item.created`` events: more than half of the
vault's growth per message and a quarter of the import's time. From import format 2 each message
gets a *creation record* instead — the canonical JSON an ``item.created`` event's body would have
held (item id, SHA-256, the metadata snapshot and the import's fields) — and the import's one
signed ``import.completed`` event commits to all of them through the *import statement*: plain
ASCII listing ``<n> <SHA-256 of record n>`` for every record. A bundle carries the statement and
the records of the messages it exports, so a lawyer checks one message with stock tools
(``sha256sum`` of the record, ``grep`` of that line in the statement, ``sha256sum`` of the
statement against the signed event), as for proofs of time (§5.7). A flat list was chosen over a
Merkle tree for exactly that: a Merkle path cannot be followed with ``sha256sum``.

The hashes reveal nothing about messages not in a bundle: every record holds its item's random id.

Pure and shared: the vault writes and checks these with the functions here, and bundle
verification (which has no vault) reads them with the same code.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from crypto.canonical import canonical_json, parse_canonical
from crypto.errors import FormatError

RECORD_VERSION = 1
RECORD_TYPE = "item.created"
STATEMENT_TITLE = "evault import statement v1"
MAX_RECORD_BYTES = 1024 * 1024  # a record holds bounded fields only (imports/bounds.py)
# A statement line is at most 7 + 1 + 64 + 1 bytes for a million messages: 128 MiB is far beyond
# any export seen, and still readable line by line without holding it.
MAX_STATEMENT_BYTES = 128 * 1024 * 1024

_RECORD_FIELDS = {"v", "type", "vault_id", "import_id", "leaf", "time", "item", "details"}
_HEX64 = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def make_record(
    *,
    vault_id: str,
    import_id: str,
    leaf: int,
    time: str,
    item: dict[str, str],
    details: dict[str, Any],
) -> bytes:
    """The canonical bytes of one message's creation record (what its leaf hash is taken over)."""
    return canonical_json(
        {
            "v": RECORD_VERSION,
            "type": RECORD_TYPE,
            "vault_id": vault_id,
            "import_id": import_id,
            "leaf": leaf,
            "time": time,
            "item": item,
            "details": details,
        }
    )


def record_hash(record: bytes) -> bytes:
    """SHA-256 of the record's bytes exactly (what ``sha256sum`` prints for the record's file)."""
    return hashlib.sha256(record).digest()


@dataclass(frozen=True)
class Record:
    """A parsed creation record."""

    vault_id: str
    import_id: str
    leaf: int
    time: str
    item_id: str
    item_sha256: str
    item_kind: str
    details: dict[str, Any]

    def body(self) -> dict[str, Any]:
        """The record as an ``item.created`` body would read (for replay and reports)."""
        return {
            "type": RECORD_TYPE,
            "time": self.time,
            "item": {"id": self.item_id, "sha256": self.item_sha256, "kind": self.item_kind},
            "details": self.details,
            "reason": None,
        }


def parse_record(data: bytes) -> Record:
    """Read a creation record; FormatError if it is not one written by :func:`make_record`."""
    value = parse_canonical(data, max_bytes=MAX_RECORD_BYTES)
    if not isinstance(value, dict) or set(value) != _RECORD_FIELDS:
        raise FormatError("A creation record does not have the expected fields.")
    item = value["item"]
    if (
        value["v"] != RECORD_VERSION
        or value["type"] != RECORD_TYPE
        or not isinstance(value["leaf"], int)
        or isinstance(value["leaf"], bool)
        or value["leaf"] < 1
        or not isinstance(value["time"], str)
        or not isinstance(value["details"], dict)
        or not isinstance(item, dict)
        or set(item) != {"id", "sha256", "kind"}
        or not all(isinstance(item[k], str) for k in item)
        or not _HEX64.fullmatch(item["sha256"])
        or not all(
            isinstance(value[k], str) and _UUID.fullmatch(value[k])
            for k in ("vault_id", "import_id")
        )
    ):
        raise FormatError("A creation record is not well formed.")
    return _record(value)


def reread_record(data: bytes) -> Record:
    """A record that :func:`parse_record` accepted before, read again without its checks (plain
    JSON, several times cheaper): for readers that keep the bytes and read them more than once,
    such as a bundle's report. Never for bytes not yet checked."""
    return _record(json.loads(data))


def _record(value: dict[str, Any]) -> Record:
    item = value["item"]
    return Record(
        vault_id=value["vault_id"],
        import_id=value["import_id"],
        leaf=value["leaf"],
        time=value["time"],
        item_id=item["id"],
        item_sha256=item["sha256"],
        item_kind=item["kind"],
        details=value["details"],
    )


def statement_lines(vault_id: str, import_id: str, hashes: Iterable[bytes]) -> Iterator[bytes]:
    """The statement, a line at a time (a big import's statement need not be held twice)."""
    listed = list(hashes) if not isinstance(hashes, list) else hashes
    yield f"{STATEMENT_TITLE}\nvault_id {vault_id}\nimport_id {import_id}\n".encode("ascii")
    yield f"messages {len(listed)}\n".encode("ascii")
    for number, digest in enumerate(listed, 1):
        yield f"{number} {digest.hex()}\n".encode("ascii")


def statement(vault_id: str, import_id: str, hashes: list[bytes]) -> bytes:
    """The import statement's exact bytes (docs/format.md §7.7)."""
    return b"".join(statement_lines(vault_id, import_id, hashes))


def statement_sha256(vault_id: str, import_id: str, hashes: list[bytes]) -> str:
    digest = hashlib.sha256()
    for line in statement_lines(vault_id, import_id, hashes):
        digest.update(line)
    return digest.hexdigest()


@dataclass(frozen=True)
class Statement:
    vault_id: str
    import_id: str
    hashes: list[str]  # hex, in order: hashes[n - 1] is record n's


def parse_statement(lines: Iterable[bytes]) -> Statement:
    """Read a statement given as its lines (``\\n`` kept); FormatError unless exactly the form
    :func:`statement` writes."""
    it = iter(lines)

    def field(name: str) -> str:
        line = next(it, b"")
        prefix = name.encode("ascii") + b" "
        if not line.startswith(prefix) or not line.endswith(b"\n"):
            raise FormatError("An import statement is not well formed.")
        return line[len(prefix) : -1].decode("ascii", "replace")

    if next(it, b"") != STATEMENT_TITLE.encode("ascii") + b"\n":
        raise FormatError("An import statement does not start as one.")
    vault_id, import_id = field("vault_id"), field("import_id")
    count_text = field("messages")
    if not (_UUID.fullmatch(vault_id) and _UUID.fullmatch(import_id)) or not count_text.isdigit():
        raise FormatError("An import statement is not well formed.")
    count = int(count_text)
    hashes: list[str] = []
    for number, line in enumerate(it, 1):
        if number > count:
            raise FormatError("An import statement lists more messages than it says.")
        expected = f"{number} ".encode("ascii")
        digest = line[len(expected) : -1].decode("ascii", "replace")
        if (
            not line.startswith(expected)
            or not line.endswith(b"\n")
            or not _HEX64.fullmatch(digest)
        ):
            raise FormatError("An import statement is not well formed.")
        hashes.append(digest)
    if len(hashes) != count:
        raise FormatError("An import statement lists fewer messages than it says.")
    return Statement(vault_id, import_id, hashes)
