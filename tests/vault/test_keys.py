"""Unlocking: passphrase, keyfile, recovery key; changing keys; a tampered vault.keys is refused."""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSPHRASE, fast_kdf
from tests.vault.support import (
    DB,
    KEYS,
    db_key,
    keys_doc,
    raw_db,
    recheck,
    snapshot,
    write_keys_doc,
)
from vault import Vault
from vault.errors import (
    InvalidInput,
    KeyfileRequired,
    KeysFileDamaged,
    RecoveryKeyMistyped,
    UnsupportedVersion,
    VaultDamaged,
    WrongPassphrase,
)

NEW_PASSPHRASE = "a quite different passphrase"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _open(folder: Path, **kwargs: object) -> Vault:
    return Vault.open(folder, lock_wait=0.1, **kwargs)  # type: ignore[arg-type]


def _types(vault: Vault) -> list[str]:
    return [e.type for e in vault.custody_log()]


# ---------------------------------------------------------------- passphrase


@pytest.mark.parametrize(
    "wrong", [PASSPHRASE + " ", PASSPHRASE.upper(), "", "correct horse battery stapl"]
)
def test_wrong_passphrase_is_refused_and_changes_nothing(vault: Vault, wrong: str) -> None:
    vault.add_note("something to protect")
    vault.close()
    before = snapshot(vault.folder)

    with pytest.raises(WrongPassphrase) as caught:
        _open(vault.folder, passphrase=wrong)

    assert type(caught.value) is WrongPassphrase
    assert PASSPHRASE not in str(caught.value)
    assert snapshot(vault.folder) == before
    # The lock was released: the right passphrase still opens it.
    _open(vault.folder, passphrase=PASSPHRASE).close()


def test_open_without_any_secret_is_invalid_input(vault: Vault) -> None:
    vault.close()
    with pytest.raises(InvalidInput):
        _open(vault.folder)


def test_passphrase_is_nfc_normalised(tmp_path: Path) -> None:
    composed = "təhdid ünvanı çox gözəl"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    vault, _ = Vault.create(tmp_path / "nfc.evault", composed, kdf=fast_kdf)
    vault.close()
    _open(vault.folder, passphrase=decomposed).close()


# ---------------------------------------------------------------- keyfile


def test_keyfile_vault_needs_the_keyfile(make_vault) -> None:  # type: ignore[no-untyped-def]
    keyfile = b"\x89PNG a photo used as a keyfile" * 100
    vault, _ = make_vault(keyfile=keyfile)
    vault.close()
    before = snapshot(vault.folder)

    with pytest.raises(KeyfileRequired):
        _open(vault.folder, passphrase=PASSPHRASE)
    with pytest.raises(WrongPassphrase) as caught:
        _open(vault.folder, passphrase=PASSPHRASE, keyfile=keyfile[:-1])
    assert type(caught.value) is WrongPassphrase
    with pytest.raises(WrongPassphrase) as caught:
        _open(vault.folder, passphrase="wrong passphrase!", keyfile=keyfile)
    assert type(caught.value) is WrongPassphrase

    assert snapshot(vault.folder) == before
    _open(vault.folder, passphrase=PASSPHRASE, keyfile=keyfile).close()


def test_keyfile_given_to_a_vault_without_one_is_wrong(vault: Vault) -> None:
    vault.close()
    with pytest.raises(WrongPassphrase):
        _open(vault.folder, passphrase=PASSPHRASE, keyfile=b"some keyfile, long enough to count")


# ---------------------------------------------------------------- recovery key


def test_recovery_key_opens_as_printed_and_as_typed(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault, recovery = make_vault()
    note = vault.add_note("kept safe")
    vault.close()

    for typed in (
        recovery,
        recovery.lower(),
        recovery.replace("-", " "),
        recovery.lower().replace("-", "  "),
        " " + recovery.replace("-", "") + "\n",
        recovery.replace("0", "o").replace("1", "l"),
    ):
        with _open(vault.folder, recovery_key=typed) as opened:
            assert [i.id for i in opened.list_items()] == [note.item_id]


def test_recovery_key_with_a_typo_in_the_check_group_is_named_a_typo(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault, recovery = make_vault()
    vault.close()
    before = snapshot(vault.folder)
    last = recovery[-1]
    other = CROCKFORD[(CROCKFORD.index(last) + 1) % len(CROCKFORD)]
    with pytest.raises(RecoveryKeyMistyped):
        _open(vault.folder, recovery_key=recovery[:-1] + other)
    assert snapshot(vault.folder) == before


@pytest.mark.parametrize(
    "typed", ["", "1234", "7K3M-Q9TD", "!" * 36, "U" * 36, "ABCD-" * 9 + "ABCD"]
)
def test_malformed_recovery_key_is_reported_as_mistyped(vault: Vault, typed: str) -> None:
    vault.close()
    with pytest.raises(RecoveryKeyMistyped):
        _open(vault.folder, recovery_key=typed)


def test_another_vaults_recovery_key_is_wrong_not_mistyped(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault, _ = make_vault("a.evault")
    other, other_recovery = make_vault("b.evault")
    vault.close()
    other.close()
    before = snapshot(vault.folder)
    with pytest.raises(WrongPassphrase) as caught:
        _open(vault.folder, recovery_key=other_recovery)
    assert type(caught.value) is WrongPassphrase
    assert snapshot(vault.folder) == before


def _all_but_slot_keys(folder: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the closed vault, but the slot keys (vault/store/slotkeys.py)."""
    with raw_db(folder) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            n: sorted(map(tuple, conn.execute(f'SELECT * FROM "{n}"')), key=repr)  # noqa: S608
            for n in names
            if n != "slot_keys"
        }


def test_new_recovery_key_replaces_the_old_one(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault, old_key = make_vault()
    vault.close()
    db_before = _all_but_slot_keys(vault.folder)
    vault = _open(vault.folder, passphrase=PASSPHRASE)
    new_key = vault.new_recovery_key()
    assert new_key != old_key
    vault.confirm_recovery_key(new_key.split("-")[-1])
    vault.close()
    # Only the new slot's key is kept in vault.db (for re-encryption, issue 13); nothing else.
    assert _all_but_slot_keys(vault.folder) == db_before
    assert [s["kind"] for s in keys_doc(vault.folder)["slots"]].count("recovery") == 1

    with pytest.raises(WrongPassphrase) as caught:
        _open(vault.folder, recovery_key=old_key)
    assert type(caught.value) is WrongPassphrase
    with _open(vault.folder, recovery_key=new_key) as opened:
        assert _types(opened) == ["vault.created", "key.recovery_replaced"]
    _open(vault.folder, passphrase=PASSPHRASE).close()


# ---------------------------------------------------------------- changing the passphrase


def test_change_passphrase_rewrites_only_vault_keys(vault: Vault, tmp_path: Path) -> None:
    vault.add_note("evidence before the change")
    db_before = (vault.folder / DB).read_bytes()
    keys_before = (vault.folder / KEYS).read_bytes()
    key_before = db_key(vault.folder)

    vault.change_passphrase(NEW_PASSPHRASE, kdf=fast_kdf)
    assert (vault.folder / DB).read_bytes() == db_before
    vault.close()

    assert (vault.folder / DB).read_bytes() == db_before
    assert (vault.folder / KEYS).read_bytes() != keys_before
    assert sorted(p.name for p in vault.folder.iterdir()) == [DB, KEYS]
    # The database key itself is the same, only wrapped differently.
    assert db_key(vault.folder, NEW_PASSPHRASE) == key_before

    with pytest.raises(WrongPassphrase):
        _open(vault.folder, passphrase=PASSPHRASE)
    with _open(vault.folder, passphrase=NEW_PASSPHRASE) as opened:
        assert len(opened.list_items()) == 1


def test_change_passphrase_reaches_the_custody_log_exactly_once(vault: Vault) -> None:
    moment = datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    vault.change_passphrase(NEW_PASSPHRASE, kdf=fast_kdf, now=moment)
    # Recorded at the next unlock, not in the still-open session (vault.db must not change).
    assert _types(vault) == ["vault.created"]
    vault.close()
    slot_id = next(s["id"] for s in keys_doc(vault.folder)["slots"] if s["kind"] == "passphrase")
    key_event = keys_doc(vault.folder)["key_events"][0]

    for _ in range(4):
        with _open(vault.folder, passphrase=NEW_PASSPHRASE) as opened:
            log = opened.custody_log()
            assert [e.type for e in log] == ["vault.created", "key.passphrase_changed"]
            assert opened.check().ok
    changed = log[1]
    assert changed.id == key_event["id"]
    assert changed.time == "2030-01-02T03:04:05.678901Z"
    assert changed.details == {"slot": slot_id, "recorded_from": "vault.keys"}
    assert changed.item_id is None


def test_two_changes_become_two_events_in_order(vault: Vault) -> None:
    vault.change_passphrase(NEW_PASSPHRASE, kdf=fast_kdf)
    vault.confirm_recovery_key(vault.new_recovery_key())
    vault.change_passphrase("third passphrase, final", kdf=fast_kdf)
    vault.close()
    for _ in range(2):
        with _open(vault.folder, passphrase="third passphrase, final") as opened:
            assert _types(opened) == [
                "vault.created",
                "key.passphrase_changed",
                "key.recovery_replaced",
                "key.passphrase_changed",
            ]


def test_adding_a_keyfile_is_a_keyfile_change(vault: Vault) -> None:
    keyfile = b"keyfile bytes " * 20
    vault.change_passphrase(NEW_PASSPHRASE, keyfile=keyfile, kdf=fast_kdf)
    vault.close()
    with pytest.raises(KeyfileRequired):
        _open(vault.folder, passphrase=NEW_PASSPHRASE)
    with _open(vault.folder, passphrase=NEW_PASSPHRASE, keyfile=keyfile) as opened:
        assert _types(opened) == ["vault.created", "key.keyfile_changed"]


def test_change_passphrase_refuses_a_short_one_and_keeps_the_file(vault: Vault) -> None:
    keys_before = (vault.folder / KEYS).read_bytes()
    with pytest.raises(InvalidInput):
        vault.change_passphrase("short", kdf=fast_kdf)
    assert (vault.folder / KEYS).read_bytes() == keys_before


def test_recovery_key_still_opens_after_a_passphrase_change(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault, recovery = make_vault()
    vault.change_passphrase(NEW_PASSPHRASE, kdf=fast_kdf)
    vault.close()
    _open(vault.folder, recovery_key=recovery).close()


def test_altered_key_events_are_reported_by_check_and_not_imported(vault: Vault) -> None:
    vault.change_passphrase(NEW_PASSPHRASE, kdf=fast_kdf)
    vault.close()
    doc = keys_doc(vault.folder)
    doc["key_events"][0]["time"] = "2020-01-01T00:00:00.000000Z"
    write_keys_doc(vault.folder, doc)

    with _open(vault.folder, passphrase=NEW_PASSPHRASE) as opened:
        assert _types(opened) == ["vault.created"]
        report = opened.check()
    assert not report.ok
    assert any("vault.keys" in p for p in report.problems)


def test_altered_key_events_mac_after_import_is_reported(vault: Vault) -> None:
    vault.change_passphrase(NEW_PASSPHRASE, kdf=fast_kdf)
    vault.close()
    _open(vault.folder, passphrase=NEW_PASSPHRASE).close()
    doc = keys_doc(vault.folder)
    mac = doc["mac"]
    doc["mac"] = ("B" if mac[0] != "B" else "C") + mac[1:]
    write_keys_doc(vault.folder, doc)

    with _open(vault.folder, passphrase=NEW_PASSPHRASE) as opened:
        assert _types(opened) == ["vault.created", "key.passphrase_changed"]
        report = opened.check()
    assert any("vault.keys" in p for p in report.problems)


def test_removed_key_events_are_reported(vault: Vault) -> None:
    vault.change_passphrase(NEW_PASSPHRASE, kdf=fast_kdf)
    vault.close()
    doc = keys_doc(vault.folder)
    doc["key_events"] = []
    write_keys_doc(vault.folder, doc)
    with _open(vault.folder, passphrase=NEW_PASSPHRASE) as opened:
        report = opened.check()
    assert any("vault.keys" in p for p in report.problems)


# ---------------------------------------------------------------- tampered vault.keys


def _tamper_and_expect(vault: Vault, edit, error: type[Exception]) -> None:  # type: ignore[no-untyped-def]
    vault.close()
    path = vault.folder / KEYS
    path.write_bytes(edit(path.read_bytes()))
    before = snapshot(vault.folder)
    started = time.monotonic()
    with pytest.raises(error):
        _open(vault.folder, passphrase=PASSPHRASE)
    assert time.monotonic() - started < 2.0
    assert snapshot(vault.folder) == before


def _edit_json(change: Callable[[dict[str, Any]], object]) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        doc = json.loads(data)
        change(doc)
        return json.dumps(doc).encode()

    return edit


def _passphrase_kdf(doc: dict) -> dict:  # type: ignore[type-arg]
    return next(s["kdf"] for s in doc["slots"] if s["kind"] == "passphrase")


@pytest.mark.parametrize(
    "change",
    [
        lambda d: _passphrase_kdf(d).update(memory_kib=2**40),
        lambda d: _passphrase_kdf(d).update(iterations=10**9),
        lambda d: _passphrase_kdf(d).update(parallelism=1000),
        lambda d: _passphrase_kdf(d).update(memory_kib=0),
        lambda d: _passphrase_kdf(d).update(memory_kib="1024"),
    ],
    ids=["memory", "iterations", "parallelism", "zero-memory", "string-memory"],
)
def test_absurd_kdf_settings_are_refused_before_any_work(vault: Vault, change) -> None:  # type: ignore[no-untyped-def]
    _tamper_and_expect(vault, _edit_json(change), KeysFileDamaged)


@pytest.mark.parametrize(
    "edit",
    [
        lambda b: b[: len(b) // 2],
        lambda b: b[:1],
        lambda b: b"",
        lambda b: b"\xff\xfe garbage \x00" * 50,
        lambda b: b"[]",
        lambda b: b" " * (64 * 1024 + 10),
        lambda b: b.replace(b'"evault-keys"', b'"other-keys"'),
        _edit_json(lambda d: d.update(extra=1)),
        _edit_json(lambda d: d.update(slots=[])),
        _edit_json(lambda d: d.update(vault_id="not-a-uuid")),
        _edit_json(lambda d: d["slots"][0].update(nonce="AAAA")),
        _edit_json(lambda d: d["slots"].append(dict(d["slots"][0]))),
    ],
    ids=[
        "truncated",
        "one-byte",
        "empty",
        "garbage",
        "json-list",
        "oversized",
        "wrong-format",
        "unknown-field",
        "no-slots",
        "bad-vault-id",
        "short-nonce",
        "duplicate-slot",
    ],
)
def test_damaged_keys_file_is_refused(vault: Vault, edit) -> None:  # type: ignore[no-untyped-def]
    _tamper_and_expect(vault, edit, KeysFileDamaged)


def test_newer_keys_file_version_is_unsupported(vault: Vault) -> None:
    _tamper_and_expect(vault, _edit_json(lambda d: d.update(version=99)), UnsupportedVersion)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: _passphrase_kdf(d).update(iterations=_passphrase_kdf(d)["iterations"] + 1),
        lambda d: d["slots"][0].update(created="2001-01-01T00:00:00.000000Z"),
        lambda d: d["slots"][0].update(id="0123456789abcdef"),
    ],
    ids=["weaker-or-stronger-kdf", "created", "slot-id"],
)
def test_edited_slot_header_fails_like_a_wrong_passphrase(vault: Vault, change) -> None:  # type: ignore[no-untyped-def]
    # Edited on purpose (the slot's checksum fixed up): the AEAD cannot tell it from a wrong
    # passphrase. Without the fix-up it is damage, and said so.
    assert keys_doc(vault.folder)["slots"][0]["kind"] == "passphrase"
    _tamper_and_expect(vault, _edit_json(lambda d: recheck(change(d) or d)), WrongPassphrase)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: _passphrase_kdf(d).update(iterations=_passphrase_kdf(d)["iterations"] + 1),
        lambda d: d["slots"][0].update(created="2001-01-01T00:00:00.000000Z"),
        lambda d: d["slots"][0].update(id="0123456789abcdef"),
    ],
    ids=["kdf", "created", "slot-id"],
)
def test_damaged_slot_header_is_damage_not_a_wrong_passphrase(vault: Vault, change) -> None:  # type: ignore[no-untyped-def]
    _tamper_and_expect(vault, _edit_json(change), KeysFileDamaged)


def test_keys_file_of_another_vault_does_not_open_this_database(make_vault) -> None:  # type: ignore[no-untyped-def]
    first, _ = make_vault("a.evault")
    second, _ = make_vault("b.evault")
    first.close()
    second.close()
    (first.folder / KEYS).write_bytes((second.folder / KEYS).read_bytes())
    before = snapshot(first.folder)
    with pytest.raises(VaultDamaged):
        _open(first.folder, passphrase=PASSPHRASE)
    assert snapshot(first.folder) == before
