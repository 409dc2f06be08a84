"""Deleting means gone (issue 13): the search index, freed pages and the journal keep nothing.

Each test opens the raw database with the key, as anyone forced to unlock the vault could, and
searches every table and every decrypted page (free pages included) for words planted in the item.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSPHRASE, MakeVault, fast_kdf
from tests.vault.pages import found_in_pages
from tests.vault.support import db_key, raw_db
from vault import Metadata, Vault
from vault.store import schema

BODY_WORD = "qxbodyword"


def table_hits(conn: Any, words: list[str]) -> set[str]:
    """Which of ``words`` appear in any column of any table (FTS5 shadow tables included)."""
    hits: set[str] = set()
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        if table == "search":  # the FTS5 table itself only re-reads search_content
            continue
        for row in conn.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - names from sqlite_master
            for value in row:
                text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                hits.update(w for w in words if w in text)
    return hits


def test_a_deleted_notes_words_leave_the_search_index_and_the_pages(make_vault: MakeVault) -> None:
    vault, _ = make_vault()
    folder = vault.folder
    added = vault.add_note(f"They wrote {BODY_WORD} to me", Metadata(title="a note"))
    vault.delete_item(added.item_id, reason="not needed")
    vault.close()
    with raw_db(folder) as conn:
        assert table_hits(conn, [BODY_WORD]) == set()
    assert found_in_pages(folder / "vault.db", db_key(folder), [BODY_WORD.encode()]) == set()


def test_the_migration_turns_secure_delete_on_and_drops_what_old_deletions_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "old"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:3])
    monkeypatch.setattr(schema, "LATEST", 3)
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    kept = vault.add_note("a kept note about harbours", Metadata(title="kept"))
    gone = vault.add_note(f"They wrote {BODY_WORD} to me", Metadata(title="gone"))
    vault.delete_item(gone.item_id, reason="not needed")
    vault.close()
    with raw_db(folder) as conn:
        assert table_hits(conn, [BODY_WORD]) == {BODY_WORD}  # what older versions left behind
    monkeypatch.undo()

    with Vault.open(folder, passphrase=PASSPHRASE) as upgraded:
        assert [i.id for i in upgraded.search("harbours")] == [kept.item_id]
        assert upgraded.check().ok
    with raw_db(folder) as conn:
        assert table_hits(conn, [BODY_WORD]) == set()
        config = dict(conn.execute("SELECT k, v FROM search_config").fetchall())
    assert config.get("secure-delete") == 1
    assert found_in_pages(folder / "vault.db", db_key(folder), [BODY_WORD.encode()]) == set()
