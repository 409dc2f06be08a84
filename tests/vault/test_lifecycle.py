"""Creating, opening and closing vaults; what a vault folder holds; refusing what is not a vault."""

from __future__ import annotations

import base64
import hashlib
import stat
import uuid
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, fast_kdf
from tests.vault.support import DB, KEYS, raw_db, snapshot, write
from vault import EvaultError, Vault
from vault.errors import (
    InvalidInput,
    KeysFileDamaged,
    NotAVault,
    VaultDamaged,
    VaultExists,
)
from vault.evidence.models import Metadata


def test_create_makes_exactly_two_owner_only_files(tmp_path: Path) -> None:
    folder = tmp_path / "Evidence.evault"
    vault, recovery = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    try:
        assert sorted(p.name for p in folder.iterdir()) == [DB, KEYS]
        assert stat.S_IMODE((folder / DB).stat().st_mode) == 0o600
        assert stat.S_IMODE((folder / KEYS).stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0
        assert len(recovery.split("-")) == 9
        assert all(len(group) == 4 for group in recovery.split("-"))
        uuid.UUID(vault.vault_id)
    finally:
        vault.close()
    assert sorted(p.name for p in folder.iterdir()) == [DB, KEYS]


def test_create_then_open_sees_the_same_vault(tmp_path: Path) -> None:
    folder = tmp_path / "v.evault"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    note = vault.add_note("first note")
    vault_id, public_key = vault.vault_id, vault.public_key
    vault.close()

    with Vault.open(folder, passphrase=PASSPHRASE) as again:
        assert again.vault_id == vault_id
        assert again.public_key == public_key
        assert [i.id for i in again.list_items()] == [note.item_id]
        assert again.check().ok


def test_database_is_encrypted_sqlcipher_not_plain_sqlite(vault: Vault) -> None:
    vault.close()
    head = (vault.folder / DB).read_bytes()[:16]
    assert head != b"SQLite format 3\x00"
    with raw_db(vault.folder) as conn:
        assert conn.execute("PRAGMA cipher_version").fetchone()[0]
        vault_id = conn.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()[0]
    assert vault_id == vault.vault_id


def test_create_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    folder = tmp_path / "busy"
    folder.mkdir()
    write(folder, "holiday.jpg", b"not evidence")
    before = snapshot(folder)

    with pytest.raises(VaultExists):
        Vault.create(folder, PASSPHRASE, kdf=fast_kdf)

    assert snapshot(folder) == before


def test_create_refuses_an_existing_vault(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault, _ = make_vault()
    vault.close()
    before = snapshot(vault.folder)
    with pytest.raises(VaultExists):
        Vault.create(vault.folder, PASSPHRASE, kdf=fast_kdf)
    assert snapshot(vault.folder) == before


def test_create_refuses_a_path_that_is_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, "file.evault", b"x")
    with pytest.raises(VaultExists):
        Vault.create(path, PASSPHRASE, kdf=fast_kdf)
    assert path.read_bytes() == b"x"


def test_create_accepts_an_existing_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    vault.close()
    assert sorted(p.name for p in folder.iterdir()) == [DB, KEYS]


def test_create_refuses_a_short_passphrase_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "short.evault"
    with pytest.raises(InvalidInput):
        Vault.create(folder, "1234567", kdf=fast_kdf)
    assert not folder.exists()


@pytest.mark.parametrize("content", [None, {"notes.txt": b"hello"}, {DB + "x": b"x"}])
def test_open_refuses_a_folder_that_is_not_a_vault(
    tmp_path: Path, content: dict[str, bytes] | None
) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    for name, data in (content or {}).items():
        write(folder, name, data)
    before = snapshot(folder)
    with pytest.raises(NotAVault):
        Vault.open(folder, passphrase=PASSPHRASE, lock_wait=0.1)
    with pytest.raises(NotAVault):
        Vault.ensure_vault(folder)
    assert snapshot(folder) == before


def test_open_refuses_a_path_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(NotAVault):
        Vault.open(tmp_path / "nowhere", passphrase=PASSPHRASE, lock_wait=0.1)
    assert not (tmp_path / "nowhere").exists()


def test_missing_keys_file_beside_a_database_is_reported_as_damage(vault: Vault) -> None:
    vault.close()
    (vault.folder / KEYS).unlink()
    before = snapshot(vault.folder)
    with pytest.raises(KeysFileDamaged):
        Vault.open(vault.folder, passphrase=PASSPHRASE, lock_wait=0.1)
    assert snapshot(vault.folder) == before


def test_missing_database_beside_a_keys_file_is_reported_as_damage(vault: Vault) -> None:
    vault.close()
    (vault.folder / DB).unlink()
    with pytest.raises(VaultDamaged):
        Vault.open(vault.folder, passphrase=PASSPHRASE, lock_wait=0.1)
    assert sorted(p.name for p in vault.folder.iterdir()) == [KEYS]


def test_ensure_vault_accepts_a_vault(vault: Vault) -> None:
    Vault.ensure_vault(vault.folder)


def test_closed_vault_refuses_work_and_close_twice_is_harmless(vault: Vault) -> None:
    vault.close()
    vault.close()
    with pytest.raises(EvaultError):
        vault.list_items()
    with pytest.raises(EvaultError):
        vault.add_note("after close")


def test_context_manager_closes_and_unlocks(vault: Vault) -> None:
    folder = vault.folder
    vault.close()
    with Vault.open(folder, passphrase=PASSPHRASE) as opened:
        opened.add_note("inside with")
    with pytest.raises(EvaultError):
        opened.list_items()
    with Vault.open(folder, passphrase=PASSPHRASE, lock_wait=0.1) as again:
        assert len(again.list_items()) == 1


def test_identity_fingerprint_follows_the_spec(vault: Vault) -> None:
    ident = vault.identity()
    public_key = base64.b64decode(ident["public_key"])
    assert public_key == vault.public_key
    assert len(public_key) == 32
    # docs/format.md §4, version 2: SHA-256 of the minisign public key line, as text.
    digest = hashlib.sha256(ident["minisign_public_key"].encode("ascii")).digest()
    expected = " ".join(
        f"{int.from_bytes(digest[5 * i : 5 * i + 5], 'big') % 100000:05d}" for i in range(6)
    )
    assert ident["fingerprint"] == expected
    older = hashlib.sha256(b"evault-identity-v1\x00" + public_key).digest()
    assert ident["fingerprint_v1"] == " ".join(
        f"{int.from_bytes(older[5 * i : 5 * i + 5], 'big') % 100000:05d}" for i in range(6)
    )
    assert ident["algorithm"] == "ed25519"
    assert ident["vault_id"] == vault.vault_id


def test_identity_is_stable_across_reopen_and_differs_between_vaults(make_vault) -> None:  # type: ignore[no-untyped-def]
    first, _ = make_vault("a.evault")
    second, _ = make_vault("b.evault")
    assert first.identity()["fingerprint"] != second.identity()["fingerprint"]
    assert first.vault_id != second.vault_id
    fingerprint = first.identity()["fingerprint"]
    first.close()
    with Vault.open(first.folder, passphrase=PASSPHRASE) as again:
        assert again.identity()["fingerprint"] == fingerprint


def test_create_with_fixed_time_stamps_the_first_event(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    moment = datetime(2026, 3, 9, 17, 14, 0, 123456, tzinfo=UTC)
    vault, _ = Vault.create(tmp_path / "t.evault", PASSPHRASE, kdf=fast_kdf, now=moment)
    try:
        (event,) = vault.custody_log()
        assert event.type == "vault.created"
        assert event.time == "2026-03-09T17:14:00.123456Z"
        assert event.details == {"program": "evidence-vault 0.1.0"}
        assert event.item_id is None
    finally:
        vault.close()


def test_many_items_survive_reopen(vault: Vault, tmp_path: Path) -> None:
    added = [vault.add_note(f"note number {n}").item_id for n in range(5)]
    added.append(vault.add_file(write(tmp_path, "a.bin", b"\x00\x01\x02"), Metadata()).item_id)
    vault.close()
    with Vault.open(vault.folder, passphrase=PASSPHRASE) as again:
        assert [i.id for i in again.list_items()] == added
