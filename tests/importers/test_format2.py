"""Import format 2 (docs/format.md §7.7) on real vaults: one signed event commits to every
message's creation record through the import statement; originals and records are packed.

Each test would fail on the code before format 2 (per-message events, no statement, no packed
blocks) or if the check it exercises were removed: tampering is done in the database itself,
with a raw SQLCipher connection, as an attacker with the key would.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from crypto import import_statement as fmt
from crypto.canonical import canonical_json
from tests.conftest import PASSPHRASE
from tests.importers.test_importing import chat, first_export, message, write_folder
from tests.vault.pages import decrypted_pages
from tests.vault.support import db_key, raw_db
from vault import Vault
from vault.custody import commitments
from vault.evidence import packed
from vault.imports.options import ImportOptions
from vault.imports.pipeline import IMPORT_COMPLETED

WORD = "Qarğıdalıçiçəyi"  # a word found nowhere else in a vault


def _big_export(tmp_path: Path, n: int) -> Path:
    return write_folder(
        tmp_path / "ChatExport_big",
        chat(
            [
                message(k, f"message {k}: {WORD if k == 7 else 'ordinary words'}", offset=60 * k)
                for k in range(1, n + 1)
            ]
        ),
        {},
    )


def _messages(vault: Vault) -> list[Any]:
    return [i for i in vault.list_items() if i.kind == "message"]


def test_one_event_commits_to_every_message(vault: Vault, tmp_path: Path) -> None:
    events_before = len(vault.custody_log())
    vault.import_export("telegram", first_export(tmp_path), ImportOptions(case="C", tags=("t",)))
    conn = vault.session.conn
    imported = _messages(vault)
    assert len(imported) == 4
    # No per-message events: the export's files (result.json, the photo, the listing) and the
    # case have their own, the messages none, and one import event.
    signed = [r for r in vault.custody_log() if r.signature]
    assert [r.type for r in signed].count(IMPORT_COMPLETED) == 1
    assert not [r for r in signed if r.item_id in {i.id for i in imported}]
    assert len(signed) - events_before == 3 + 1 + 1  # result.json, photo, listing; case; import
    event = next(r for r in signed if r.type == IMPORT_COMPLETED)
    committed = event.details["messages_committed"]
    found = commitments.commitments(conn)
    assert len(found) == 1 and committed["count"] == 4 == len(found[0].hashes)
    statement = found[0].statement(vault.vault_id)
    assert committed["statement_sha256"] == hashlib.sha256(statement).hexdigest()
    parsed = fmt.parse_statement(statement.splitlines(keepends=True))
    for item in imported:
        creation = commitments.creation_of(conn, item.id)
        assert creation is not None and creation.event_seq == event.seq
        record = fmt.parse_record(creation.record)
        assert (record.item_id, record.item_sha256) == (item.id, item.sha256)
        assert parsed.hashes[creation.leaf - 1] == hashlib.sha256(creation.record).hexdigest()
        # The original, read back from its block, is what the item's SHA-256 names.
        assert hashlib.sha256(b"".join(vault.read_content(item.id))).hexdigest() == item.sha256
        # The item's own history starts with its creation, then the import event.
        history = vault.custody_log(item.id)
        assert [r.type for r in history[:2]] == ["item.created", IMPORT_COMPLETED]
        assert history[0].details["metadata"]["case"] == "C"
    assert vault.check().ok


def test_records_and_originals_are_packed_and_compressed(vault: Vault, tmp_path: Path) -> None:
    vault.import_export("telegram", _big_export(tmp_path, 300))
    conn = vault.session.conn
    rows = conn.execute("SELECT block, length(data) FROM packed ORDER BY block").fetchall()
    assert [r[0] for r in rows] == [0, 1, 2]  # 128 + 128 + 44 messages
    entries = [
        e for _leaf, e in packed.iter_entries(conn, commitments.commitments(conn)[0].import_id)
    ]
    raw = sum(len(r) + len(o) for r, o in entries)
    assert len(entries) == 300 and sum(r[1] for r in rows) * 3 < raw
    assert (
        conn.execute(
            "SELECT count(*) FROM items WHERE kind = 'message' AND content_id IS NOT NULL"
        ).fetchone()[0]
        == 0
    )
    assert vault.check().ok


def _tamper(folder: Path, sql: str, params: tuple[Any, ...] = ()) -> None:
    with raw_db(folder) as conn:
        conn.execute(sql, params)


def _reopen_check(folder: Path) -> list[str]:
    with Vault.open(folder, passphrase=PASSPHRASE) as again:
        return [str(p) for p in again.check().problems]


def _import_then_close(make_vault: Any, tmp_path: Path) -> tuple[Path, str]:
    vault, _recovery = make_vault()
    folder = vault.folder
    vault.import_export("telegram", _big_export(tmp_path, 200))
    import_id = commitments.commitments(vault.session.conn)[0].import_id
    vault.close()
    return folder, import_id


def _rewrite_block(folder: Path, import_id: str, change: Any) -> None:
    with raw_db(folder) as conn:
        data = conn.execute(
            "SELECT data FROM packed WHERE import_id = ? AND block = 0", (import_id,)
        ).fetchone()[0]
        entries = packed.decode(bytes(data))
        change(entries)
        conn.execute(
            "UPDATE packed SET data = ? WHERE import_id = ? AND block = 0",
            (packed.encode(entries), import_id),
        )


def test_check_finds_a_changed_original(make_vault: Any, tmp_path: Path) -> None:
    folder, import_id = _import_then_close(make_vault, tmp_path)

    def change(entries: list[tuple[bytes, bytes]]) -> None:
        record, original = entries[5]
        entries[5] = (record, original.replace(b"ordinary", b"altered!"))

    _rewrite_block(folder, import_id, change)
    problems = _reopen_check(folder)
    assert any("no longer match the SHA-256" in p for p in problems), problems


def test_check_finds_a_changed_record(make_vault: Any, tmp_path: Path) -> None:
    folder, import_id = _import_then_close(make_vault, tmp_path)

    def change(entries: list[tuple[bytes, bytes]]) -> None:
        record, original = entries[3]
        body = json.loads(record)
        body["details"]["metadata"]["title"] = "something else"
        entries[3] = (canonical_json(body), original)

    _rewrite_block(folder, import_id, change)
    problems = _reopen_check(folder)
    assert any("creation record of message 4 does not match" in p for p in problems), problems


def test_check_finds_a_changed_hash_list(make_vault: Any, tmp_path: Path) -> None:
    # Changing the record AND its hash in the list: the signed statement no longer matches.
    folder, import_id = _import_then_close(make_vault, tmp_path)
    with raw_db(folder) as conn:
        hashes = bytearray(
            conn.execute("SELECT record_hashes FROM imports WHERE id = ?", (import_id,)).fetchone()[
                0
            ]
        )
    hashes[0:32] = hashlib.sha256(b"forged").digest()
    _tamper(folder, "UPDATE imports SET record_hashes = ? WHERE id = ?", (bytes(hashes), import_id))
    problems = _reopen_check(folder)
    assert any("no longer match what its custody event" in p for p in problems), problems
    assert any("creation record of message 1 does not match" in p for p in problems), problems


def test_check_finds_a_missing_record(make_vault: Any, tmp_path: Path) -> None:
    folder, import_id = _import_then_close(make_vault, tmp_path)

    def change(entries: list[tuple[bytes, bytes]]) -> None:
        entries[9] = (b"", entries[9][1])

    _rewrite_block(folder, import_id, change)
    problems = _reopen_check(folder)
    assert any("creation record is missing" in p for p in problems), problems


def test_metadata_changed_behind_the_vaults_back_is_found(make_vault: Any, tmp_path: Path) -> None:
    folder, _import_id = _import_then_close(make_vault, tmp_path)
    _tamper(
        folder,
        "UPDATE items SET title = 'rewritten' WHERE rowid = (SELECT max(rowid) FROM items WHERE kind = 'message')",
    )
    problems = _reopen_check(folder)
    assert any("its title changed without a custody event" in p for p in problems), problems


def test_edits_replay_over_the_record(vault: Vault, tmp_path: Path) -> None:
    vault.import_export("telegram", _big_export(tmp_path, 5))
    item = _messages(vault)[0]
    vault.update_metadata(item.id, {"title": "renamed by the defender", "tags": ["kept"]})
    assert vault.check().ok


@pytest.mark.parametrize("purge", [False, True])
def test_deletion_removes_the_original_and_a_purge_the_record(
    make_vault: Any, tmp_path: Path, purge: bool
) -> None:
    vault, _recovery = make_vault()
    folder = vault.folder
    vault.import_export("telegram", _big_export(tmp_path, 20))
    conn = vault.session.conn
    target = next(
        i for i in _messages(vault) if WORD in b"".join(vault.read_content(i.id)).decode()
    )
    creation = commitments.creation_of(conn, target.id)
    assert creation is not None
    old_block = bytes(
        conn.execute(
            "SELECT data FROM packed WHERE import_id = ?", (creation.import_id,)
        ).fetchone()[0]
    )
    vault.delete_item(target.id, reason="not needed")
    if purge:
        vault.delete_item(target.id, reason="for good", purge=True)
    conn = vault.session.conn  # a purge re-encrypts the database into a new file (§3.4)
    entry = packed.BlockReader(conn).entry(creation.import_id, creation.leaf)
    assert entry is not None and entry[1] == b""
    assert (entry[0] == b"") is purge
    # A deletion keeps what the record said (as a deleted item's sealed details stay), a purge
    # forgets it; the original goes either way.
    kept = [r + o if purge else o for _l, (r, o) in packed.iter_entries(conn, creation.import_id)]
    assert all(WORD.encode() not in k for k in kept)
    # The statement is unchanged (other messages' proofs stand), and the vault checks clean.
    assert len(commitments.commitments(conn)[0].hashes) == 20
    assert vault.check().ok
    vault.close()
    # The old block's bytes are gone from the file (secure_delete), not just unlinked.
    pages = decrypted_pages(folder / "vault.db", db_key(folder))
    assert not any(old_block[40:72] in page for page in pages)


def test_reimport_adds_nothing_and_a_later_export_adds_changes(
    vault: Vault, tmp_path: Path
) -> None:
    vault.import_export("telegram", first_export(tmp_path))
    before = len(vault.list_items())
    again = vault.import_export("telegram", first_export(tmp_path, "copy"))
    assert len(vault.list_items()) == before and again.messages_new == 0
    later = write_folder(
        tmp_path / "later",
        chat(
            [
                message(1, "Yazılarını dayandır, yoxsa peşman olacaqsan.", offset=0),
                message(4, "Bu sonuncu xəbərdarlıqdır. (edited)", offset=180),
                message(5, "new one", offset=240),
            ]
        ),
        {},
    )
    summary = vault.import_export("telegram", later)
    assert (summary.messages_new, summary.messages_changed) == (2, 1)
    assert len(commitments.commitments(vault.session.conn)) == 2
    assert vault.check().ok


def test_a_format_1_import_still_checks_reads_and_deletes(tmp_path: Path) -> None:
    """A vault written before migration 8 (tests/vectors/imports-format1, made by the code of
    adc3991): opening it migrates the schema; its import keeps its per-message events and
    contents, checks clean, reads, deletes, and a new import beside it is format 2."""
    import shutil

    source = Path(__file__).parent.parent / "vectors" / "imports-format1" / "format1.evault"
    folder = tmp_path / "format1.evault"
    shutil.copytree(source, folder)
    with Vault.open(folder, passphrase="the format 1 passphrase") as vault:
        conn = vault.session.conn
        assert conn.execute("SELECT format, event_seq FROM imports").fetchall() == [(1, None)]
        old = _messages(vault)
        assert len(old) == 5
        for item in old:
            assert commitments.creation_of(conn, item.id) is None
            types = [r.type for r in vault.custody_log(item.id)]
            assert types[0] == "item.created" and IMPORT_COMPLETED in types
            data = b"".join(vault.read_content(item.id))
            assert hashlib.sha256(data).hexdigest() == item.sha256
        assert vault.check().ok
        vault.delete_item(old[0].id, reason="test")
        vault.import_export("telegram", _big_export(tmp_path, 3))
        assert [f for (f,) in conn.execute("SELECT format FROM imports ORDER BY created")] == [1, 2]
        assert vault.check().ok


def test_a_block_reader_never_serves_a_block_rewritten_since(vault: Vault, tmp_path: Path) -> None:
    # An export reads messages through one reader (each block inflated once); a deletion between
    # two of its reads rewrites the block, and the reader must give what the vault holds now.
    vault.import_export("telegram", _big_export(tmp_path, 20))
    conn = vault.session.conn
    import_id = commitments.commitments(conn)[0].import_id
    reader = packed.BlockReader(conn)
    first, second = reader.entry(import_id, 3), reader.entry(import_id, 4)
    assert first is not None and second is not None and first[1] and second[1]
    assert reader.original(import_id, 3) == first[1]
    item_id = conn.execute(
        "SELECT item_id FROM import_messages WHERE import_id = ? AND leaf = 3", (import_id,)
    ).fetchone()[0]
    vault.delete_item(item_id, reason="not needed")
    assert reader.original(import_id, 3) == b""  # the rewritten block, read again
    assert reader.entry(import_id, 4) == second
    assert packed.BlockReader(conn).entry(import_id, 3) == (first[0], b"")
    assert reader.entry(import_id, 999) is None


def test_a_record_read_again_is_the_record_parsed_strictly() -> None:
    """A bundle's report reads each kept record again as plain JSON (``reread_record``) after one
    strict parse: the two must give the same record, whatever its details hold."""
    data = fmt.make_record(
        vault_id="3f1c6a52-7a43-4c1e-9c1e-2b1d3c4e5f60",
        import_id="9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        leaf=17,
        time="2026-12-07T21:50:01.856588Z",
        item={"id": "item-17", "sha256": "ab" * 32, "kind": "message"},
        details={"title": "Xəbərdarlıq: «угроза» 🙂", "n": [1, None, True], "nested": {"a": ""}},
    )
    strict = fmt.parse_record(data)
    assert fmt.reread_record(data) == strict
    assert fmt.reread_record(data).body() == strict.body()
