"""Imported messages' originals and creation records, packed many to a compressed block
(docs/format.md §7.7, migration 8).

A message's original is a few hundred bytes of JSON or text. Stored one per content row it cost a
content row, a chunk row and a unique index entry each — with the creation record, more than half
of a big import's growth. Here the messages of an import are kept in order, ``BLOCK`` to a row,
each block zlib-compressed (messages of one chat share most of their words and every key, so a
block shrinks several times). A message is found by its import and its leaf number (its line in
the import statement); reading one decompresses its block only.

Removing a message's original (a deletion) or its record too (a deletion for good) rewrites its
block without them; ``secure_delete`` (store/db.py) zeroes the bytes the old block occupied, so
neither survives in the file. The record's hash stays in the import's list: other messages' proofs
need it, and it reveals nothing (the record held a random item id).

Compression happens before encryption, so a block's size depends on its content. The database
is written in 16 KiB pages and a block holds a hundred messages, so this reveals no more than how
much an import compressed; SECURITY.md says so.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

from vault.errors import VaultDamaged
from vault.i18n import _
from vault.store.db import Connection

BLOCK = 128  # messages per block: one read decompresses at most this many (≈ 50 KiB of JSON)
LEVEL = 6  # zlib's default: measured in docs/performance.md against 1 and 9
_VERSION = b"\x01"
_LENGTHS = struct.Struct(">II")

Entry = tuple[bytes, bytes]  # (creation record, original); b"" where removed


def encode(entries: list[Entry]) -> bytes:
    parts = [_LENGTHS.pack(len(r), len(o)) + r + o for r, o in entries]
    return _VERSION + zlib.compress(b"".join(parts), LEVEL)


def decode(data: bytes) -> list[Entry]:
    """The entries of a block; VaultDamaged if it is damaged (check and readers say so)."""
    try:
        if data[:1] != _VERSION:
            raise ValueError
        raw = zlib.decompress(data[1:])
        entries: list[Entry] = []
        at = 0
        while at < len(raw):
            record_len, original_len = _LENGTHS.unpack_from(raw, at)
            at += _LENGTHS.size
            record = raw[at : at + record_len]
            original = raw[at + record_len : at + record_len + original_len]
            at += record_len + original_len
            if len(record) != record_len or len(original) != original_len:
                raise ValueError
            entries.append((record, original))
    except (ValueError, zlib.error, struct.error):
        raise VaultDamaged(
            _("Part of the vault that holds imported messages is damaged. Run 'evault check'.")
        ) from None
    return entries


def available(conn: Connection) -> bool:
    """Whether the database has packed messages' tables (migration 8; always, once a vault is
    open — tests that run older migrations against this code ask)."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'packed'"
    ).fetchone()
    return found is not None


def block_of(leaf: int) -> tuple[int, int]:
    """(block number, index within it) of the 1-based leaf number."""
    return (leaf - 1) // BLOCK, (leaf - 1) % BLOCK


class PackWriter:
    """Collects an import's messages in order and writes each block when it is full."""

    def __init__(self, conn: Connection, import_id: str) -> None:
        self.conn = conn
        self.import_id = import_id
        self.pending: list[Entry] = []
        self.count = 0

    def add(self, record: bytes, original: bytes) -> int:
        """Keep one message; its leaf number (1-based, the order of the import statement)."""
        self.pending.append((record, original))
        self.count += 1
        if len(self.pending) == BLOCK:
            self.flush()
        return self.count

    def flush(self) -> None:
        if not self.pending:
            return
        block = (self.count - 1) // BLOCK
        self.conn.execute(
            "INSERT INTO packed (import_id, block, data) VALUES (?, ?, ?)",
            (self.import_id, block, encode(self.pending)),
        )
        self.pending = []


def _block(conn: Connection, import_id: str, block: int) -> list[Entry] | None:
    row = conn.execute(
        "SELECT data FROM packed WHERE import_id = ? AND block = ?", (import_id, block)
    ).fetchone()
    return None if row is None else decode(bytes(row[0]))


class BlockReader:
    """Reads messages one after another, decompressing each block once: ``check`` and an export
    read every message of an import in order, and without this each message decompressed its
    whole block again (128 times per block; a quarter of a 20,000-message export's time).

    The block's stored bytes are read every time and compared with the ones decompressed last,
    so a block rewritten meanwhile (a deletion between two reads of an export) is never served
    from the old copy. One block is kept, and only as long as the reader is."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._data: bytes | None = None
        self._entries: list[Entry] = []

    def entry(self, import_id: str, leaf: int) -> Entry | None:
        """(record, original) of one message; None if its block is missing."""
        block, index = block_of(leaf)
        row = self.conn.execute(
            "SELECT data FROM packed WHERE import_id = ? AND block = ?", (import_id, block)
        ).fetchone()
        if row is None:
            return None
        data = bytes(row[0])
        if data != self._data:
            self._entries, self._data = decode(data), data
        return self._entries[index] if index < len(self._entries) else None

    def original(self, import_id: str, leaf: int) -> bytes:
        entry = self.entry(import_id, leaf)
        return entry[1] if entry is not None else b""


def iter_entries(conn: Connection, import_id: str) -> Iterator[tuple[int, Entry]]:
    """(leaf, entry) of every kept message of an import, in order (for check)."""
    rows = conn.execute(
        "SELECT block, data FROM packed WHERE import_id = ? ORDER BY block", (import_id,)
    )
    for block, data in rows.fetchall():
        for index, entry in enumerate(decode(bytes(data))):
            yield int(block) * BLOCK + index + 1, entry


def remove(conn: Connection, import_id: str, leaf: int, *, record: bool) -> None:
    """Drop a message's original (and with ``record`` its creation record) from its block."""
    block, index = block_of(leaf)
    entries = _block(conn, import_id, block)
    if entries is None or index >= len(entries):
        return
    kept_record, _original = entries[index]
    entries[index] = (b"" if record else kept_record, b"")
    conn.execute(
        "UPDATE packed SET data = ? WHERE import_id = ? AND block = ?",
        (encode(entries), import_id, block),
    )
