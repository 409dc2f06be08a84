"""Schema changes go through numbered migrations: an older vault is upgraded when opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, fast_kdf
from tests.vault.support import raw_db, write
from vault import Vault
from vault.errors import UnsupportedVersion
from vault.store import schema


def _versions(folder: Path) -> list[int]:
    with raw_db(folder) as conn:
        return [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]


def test_new_vault_has_every_migration(tmp_path: Path) -> None:
    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE, kdf=fast_kdf)
    vault.close()
    assert _versions(tmp_path / "v") == [m[0] for m in schema.MIGRATIONS]


def test_a_version_1_vault_is_upgraded_on_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "old"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
    monkeypatch.setattr(schema, "LATEST", 1)
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    added = vault.add_file(write(tmp_path, "a.txt", b"made by an older version"))
    vault.close()
    assert _versions(folder) == [1]
    monkeypatch.undo()

    with Vault.open(folder, passphrase=PASSPHRASE) as upgraded:
        assert upgraded.get_item(added.item_id).size == len(b"made by an older version")
        assert upgraded.check().ok
    assert _versions(folder) == [m[0] for m in schema.MIGRATIONS]
    with raw_db(folder) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"items_captured", "items_occurred", "import_messages_key"} <= names
    assert {"imports", "import_messages", "perceptual_hashes"} <= tables


def test_a_vault_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    vault.close()
    with raw_db(folder) as conn:
        conn.execute(
            "INSERT INTO schema_migrations (version, applied, description)"
            " VALUES (99, 'x', 'future')"
        )
    before = (folder / "vault.db").read_bytes()
    with pytest.raises(UnsupportedVersion):
        Vault.open(folder, passphrase=PASSPHRASE)
    assert (folder / "vault.db").read_bytes() == before
