"""vault.keys as hostile input and as a point of failure (issue 12, items 3, 4, 9 and 10c).

Each test here failed on the code of commit 1f2ca1c (vault.keys version 1) and passes now:

- a key file padded with slots, or one slot asking for hours of Argon2id, is refused as damaged
  before any key derivation runs (item 3);
- the whole file is authenticated: a changed recovery slot or removed key events show in
  ``check`` and at unlock, a damaged passphrase slot says "damaged", and a version 1 file written
  by the old code opens and is upgraded (item 4);
- a keyfile of fewer than 32 bytes is refused when creating and when unlocking (item 9);
- a new recovery key replaces the old one only once it was confirmed, so a process killed
  before the key was shown leaves the old one working (item 10c).

Real vaults on disk with fast KDF settings; the version 1 vault in ``tests/vectors/keys-v1`` was
written by the old code itself (see its README).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSPHRASE, fast_kdf
from tests.vault.support import KEYS, keys_doc, recheck, snapshot, write_keys_doc
from vault import Vault
from vault.errors import InvalidInput, KeysFileDamaged, WrongPassphrase
from vault.store import keystore

ROOT = Path(__file__).resolve().parents[2]
V1 = ROOT / "tests" / "vectors" / "keys-v1"
V1_PASSPHRASE = "the second passphrase"
NEW_PASSPHRASE = "a quite different passphrase"
GOOD_KEYFILE = bytes(range(64))


def _open(folder: Path, **kwargs: object) -> Vault:
    return Vault.open(folder, lock_wait=0.1, **kwargs)  # type: ignore[arg-type]


def _types(vault: Vault) -> list[str]:
    return [e.type for e in vault.custody_log()]


def _slot(doc: dict[str, Any], kind: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in doc["slots"] if s["kind"] == kind)
    return found


def _flip_b64(value: str) -> str:
    """``value`` with one byte of what it encodes flipped: still valid base64 of the same size."""
    raw = bytearray(base64.b64decode(value))
    raw[len(raw) // 2] ^= 0x01
    return base64.b64encode(bytes(raw)).decode("ascii")


def _copy_v1(tmp_path: Path) -> Path:
    folder = tmp_path / "old.evault"
    shutil.copytree(V1 / "v1.evault", folder)
    return folder


def _v1_recovery() -> str:
    return (V1 / "v1.recovery").read_text("utf-8").strip()


# ------------------------------------------------------------------ item 3: denial of service


def _padded(doc: dict[str, Any], count: int) -> dict[str, Any]:
    """``doc`` with ``count`` extra passphrase slots at the caps evault 0.1 accepted (4 GiB,
    64 passes, 16 lanes) ahead of the real one: hours of work and 4 GiB per unlock attempt."""
    real = _slot(doc, "passphrase")
    extra = []
    for n in range(count):
        slot = json.loads(json.dumps(real))
        slot["id"] = f"{n:016x}"
        slot["kdf"].update(memory_kib=4 * 1024 * 1024, iterations=64, parallelism=16)
        extra.append(slot)
    doc["slots"] = [*extra, *doc["slots"]]
    return doc


def test_a_key_file_padded_with_slots_is_refused_before_any_key_derivation(vault: Vault) -> None:
    vault.close()
    write_keys_doc(vault.folder, _padded(keys_doc(vault.folder), 14))
    before = snapshot(vault.folder)
    started = time.monotonic()
    with pytest.raises(KeysFileDamaged):
        keystore.load(vault.folder)  # reading alone refuses it: no slot is ever tried
    with pytest.raises(KeysFileDamaged) as caught:
        _open(vault.folder, passphrase=PASSPHRASE)
    assert time.monotonic() - started < 2.0
    assert "damaged" in caught.value.message
    assert snapshot(vault.folder) == before


@pytest.mark.parametrize(
    ("kind", "copies"), [("passphrase", 2), ("recovery", 2)], ids=["two-passphrase", "two-recovery"]
)
def test_more_than_one_slot_of_a_kind_is_damage(vault: Vault, kind: str, copies: int) -> None:
    # Even cheap extra slots: evault never writes two of a kind, so a reader accepts no more.
    vault.close()
    doc = keys_doc(vault.folder)
    slot = _slot(doc, kind)
    for n in range(copies - 1):
        doc["slots"].append({**json.loads(json.dumps(slot)), "id": f"{n:016x}"})
    write_keys_doc(vault.folder, recheck(doc))
    with pytest.raises(KeysFileDamaged):
        keystore.load(vault.folder)


@pytest.mark.parametrize(
    ("memory_kib", "iterations"),
    [(1024 * 1024, 64), (4 * 1024 * 1024, 1), (512 * 1024, 21)],
    ids=["1GiB-x64", "4GiB-x1", "just-past-10x"],
)
def test_one_slot_may_not_ask_more_than_ten_times_the_default_work(
    vault: Vault, memory_kib: int, iterations: int
) -> None:
    # The default is 256 MiB x 4 passes; a slot may ask for at most 10 GiB-passes (and 1 GiB).
    vault.close()
    doc = keys_doc(vault.folder)
    _slot(doc, "passphrase")["kdf"].update(memory_kib=memory_kib, iterations=iterations)
    write_keys_doc(vault.folder, recheck(doc))
    started = time.monotonic()
    with pytest.raises(KeysFileDamaged):
        keystore.load(vault.folder)
    with pytest.raises(KeysFileDamaged):
        _open(vault.folder, passphrase=PASSPHRASE)
    assert time.monotonic() - started < 2.0


def test_the_largest_allowed_work_still_reads(vault: Vault) -> None:
    vault.close()
    doc = keys_doc(vault.folder)
    _slot(doc, "passphrase")["kdf"].update(memory_kib=256 * 1024, iterations=40)  # exactly 10x
    write_keys_doc(vault.folder, recheck(doc))
    assert keystore.load(vault.folder).slot_of_kind("passphrase")


# ------------------------------------------------------------------ item 4: integrity


@pytest.mark.parametrize("fixed_up", [False, True], ids=["damage", "deliberate-edit"])
def test_a_changed_recovery_slot_is_seen_by_check_and_at_unlock(make_vault, fixed_up: bool) -> None:  # type: ignore[no-untyped-def]
    vault, recovery = make_vault()
    vault.close()
    doc = keys_doc(vault.folder)
    slot = _slot(doc, "recovery")
    slot["wrapped"] = _flip_b64(slot["wrapped"])
    write_keys_doc(vault.folder, recheck(doc) if fixed_up else doc)

    with _open(vault.folder, passphrase=PASSPHRASE) as opened:
        report = opened.check()
        assert not report.ok, "check said everything holds while the recovery key no longer works"
        assert any("vault.keys" in p for p in report.problems)
        assert any("recovery key" in n for n in opened.key_notices)
    error = KeysFileDamaged if not fixed_up else WrongPassphrase
    with pytest.raises(error):
        _open(vault.folder, recovery_key=recovery)


def test_key_events_removed_with_their_mac_are_seen(vault: Vault) -> None:
    # The passphrase change is noted in vault.keys until the next unlock logs it; someone who
    # removes the note (and its MAC) must not be able to hide the change.
    vault.change_passphrase(NEW_PASSPHRASE, kdf=fast_kdf)
    vault.close()
    doc = keys_doc(vault.folder)
    doc.pop("key_events", None)
    doc.pop("key_events_mac", None)
    doc.pop("mac", None)
    write_keys_doc(vault.folder, doc)
    with pytest.raises(KeysFileDamaged):  # a version 2 file without its MAC is no key file
        _open(vault.folder, passphrase=NEW_PASSPHRASE)

    # Dressed up as a version 1 file (which had no MAC over the slots): opens, and says so.
    doc["version"] = 1
    for slot in doc["slots"]:
        slot.pop("check", None)
    write_keys_doc(vault.folder, doc)
    with _open(vault.folder, passphrase=NEW_PASSPHRASE) as opened:
        report = opened.check()
        assert not report.ok
        assert any("vault.keys" in p for p in report.problems)
        assert opened.key_notices and all("vault.keys" in n for n in opened.key_notices)


def test_a_damaged_passphrase_slot_says_damaged_not_wrong_passphrase(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault, recovery = make_vault()
    vault.close()
    doc = keys_doc(vault.folder)
    slot = _slot(doc, "passphrase")
    slot["wrapped"] = _flip_b64(slot["wrapped"])
    write_keys_doc(vault.folder, doc)

    with pytest.raises(KeysFileDamaged) as caught:
        _open(vault.folder, passphrase=PASSPHRASE)
    assert "damaged" in caught.value.message and "recovery key" in caught.value.message
    assert PASSPHRASE not in caught.value.message

    # The recovery key opens it, says what to do, and a new passphrase rewrites the file whole.
    with _open(vault.folder, recovery_key=recovery) as opened:
        assert any("passphrase" in n for n in opened.key_notices)
        assert not opened.check().ok
        opened.change_passphrase(NEW_PASSPHRASE, kdf=fast_kdf)
        assert opened.check().ok
    with _open(vault.folder, passphrase=NEW_PASSPHRASE) as opened:
        assert opened.key_notices == ()
        assert _types(opened)[-2:] == ["key.file_repaired", "key.passphrase_changed"]
    _open(vault.folder, recovery_key=recovery).close()


def test_a_version_1_file_written_by_the_old_code_opens_and_is_upgraded(tmp_path: Path) -> None:
    folder = _copy_v1(tmp_path)
    assert keys_doc(folder)["version"] == 1
    db_before = (folder / "vault.db").stat().st_size

    with _open(folder, recovery_key=_v1_recovery()) as opened:
        assert _types(opened) == [
            "vault.created",
            "key.passphrase_changed",
            "key.recovery_replaced",
            "key.file_upgraded",
        ]
        assert opened.key_notices == ()
        assert opened.check().ok
    doc = keys_doc(folder)
    assert doc["version"] == 2 and "mac" in doc and "key_events_mac" not in doc
    assert all("check" in slot for slot in doc["slots"])
    assert (folder / "vault.db").stat().st_size >= db_before

    # Opening again logs nothing twice and finds nothing to upgrade.
    with _open(folder, recovery_key=_v1_recovery()) as opened:
        assert _types(opened)[-1] == "key.file_upgraded"
        assert opened.check().ok


def test_putting_the_version_1_file_back_after_the_upgrade_is_seen(tmp_path: Path) -> None:
    folder = _copy_v1(tmp_path)
    _open(folder, recovery_key=_v1_recovery()).close()
    shutil.copy(V1 / "v1.evault" / KEYS, folder / KEYS)  # the MAC stripped by a downgrade
    with _open(folder, recovery_key=_v1_recovery()) as opened:
        report = opened.check()
        assert not report.ok and any("vault.keys" in p for p in report.problems)
        assert opened.key_notices


# ------------------------------------------------------------------ item 9: weak keyfiles


@pytest.mark.parametrize(
    "keyfile", [b"", b"k" * 31, bytes(64)], ids=["empty", "31-bytes", "all-zero"]
)
def test_a_keyfile_too_small_is_refused_when_creating(tmp_path: Path, keyfile: bytes) -> None:
    folder = tmp_path / "new.evault"
    with pytest.raises(InvalidInput) as caught:
        Vault.create(folder, PASSPHRASE, keyfile=keyfile, kdf=fast_kdf)
    assert "32 bytes" in caught.value.message
    assert not folder.exists() or not any(folder.iterdir())


def test_a_keyfile_of_32_bytes_is_enough(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault, _ = make_vault(keyfile=GOOD_KEYFILE[:32])
    vault.close()
    _open(vault.folder, passphrase=PASSPHRASE, keyfile=GOOD_KEYFILE[:32]).close()


def test_an_empty_keyfile_is_refused_when_unlocking(tmp_path: Path) -> None:
    # The vault in tests/vectors/keys-v1 was made by the old code with an empty keyfile
    # (evault init --keyfile /dev/null); /dev/null no longer opens it.
    folder = _copy_v1(tmp_path)
    before = snapshot(folder)
    with pytest.raises(InvalidInput) as caught:
        _open(folder, passphrase=V1_PASSPHRASE, keyfile=b"")
    assert "32 bytes" in caught.value.message and "recovery key" in caught.value.message
    assert snapshot(folder) == before
    with pytest.raises(InvalidInput):
        _open(folder, passphrase=V1_PASSPHRASE, keyfile=b"short")

    # The way out the message names: the recovery key, then a real keyfile.
    with _open(folder, recovery_key=_v1_recovery()) as opened:
        opened.change_passphrase(V1_PASSPHRASE, keyfile=GOOD_KEYFILE, kdf=fast_kdf)
    _open(folder, passphrase=V1_PASSPHRASE, keyfile=GOOD_KEYFILE).close()


def test_setting_a_keyfile_too_small_is_refused(vault: Vault) -> None:
    before = (vault.folder / KEYS).read_bytes()
    with pytest.raises(InvalidInput):
        vault.change_passphrase(NEW_PASSPHRASE, keyfile=b"", kdf=fast_kdf)
    assert (vault.folder / KEYS).read_bytes() == before


# ------------------------------------------------------------------ item 10c: recovery rotation

_KILLED_AFTER_WRITING = """
import os, signal, sys
from pathlib import Path
from vault import Vault
vault = Vault.open(Path(sys.argv[1]), passphrase=sys.argv[2])
vault.new_recovery_key()  # written to vault.keys ...
os.kill(os.getpid(), signal.SIGKILL)  # ... and the process dies before anyone saw the key
"""


def test_a_kill_before_the_new_recovery_key_was_shown_keeps_the_old_one(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault, old_key = make_vault()
    vault.close()
    keys_before = (vault.folder / KEYS).read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER_WRITING, str(vault.folder), PASSPHRASE],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert (vault.folder / KEYS).read_bytes() != keys_before  # the new key was written

    with _open(vault.folder, recovery_key=old_key) as opened:  # the old key still opens
        assert any("never confirmed" in n for n in opened.key_notices)
        assert "key.recovery_replaced" not in _types(opened)


def test_the_new_recovery_key_replaces_the_old_one_once_confirmed(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault, old_key = make_vault()
    new_key = vault.new_recovery_key()
    assert vault.recovery_key_pending
    with pytest.raises(InvalidInput):
        vault.confirm_recovery_key("ZZZZ" if not new_key.endswith("ZZZZ") else "YYYY")
    assert vault.recovery_key_pending
    vault.confirm_recovery_key(new_key.split("-")[-1].lower())
    assert not vault.recovery_key_pending
    vault.close()

    with pytest.raises(WrongPassphrase):
        _open(vault.folder, recovery_key=old_key)
    with _open(vault.folder, recovery_key=new_key) as opened:
        assert _types(opened)[-1] == "key.recovery_replaced"
        assert opened.key_notices == ()
    assert [s["kind"] for s in keys_doc(vault.folder)["slots"]] == ["passphrase", "recovery"]


def test_a_pending_recovery_key_is_confirmed_later_with_the_whole_key(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault, old_key = make_vault()
    new_key = vault.new_recovery_key()
    vault.close()
    with _open(vault.folder, passphrase=PASSPHRASE) as opened:
        with pytest.raises(InvalidInput):  # the last group is proof only where the key was shown
            opened.confirm_recovery_key(new_key.split("-")[-1])
        opened.confirm_recovery_key(new_key)
    with pytest.raises(WrongPassphrase):
        _open(vault.folder, recovery_key=old_key)
    _open(vault.folder, recovery_key=new_key).close()


def test_a_pending_recovery_key_can_be_forgotten(make_vault) -> None:  # type: ignore[no-untyped-def]
    vault, old_key = make_vault()
    new_key = vault.new_recovery_key()
    vault.cancel_recovery_key()
    vault.close()
    with pytest.raises(WrongPassphrase):
        _open(vault.folder, recovery_key=new_key)
    _open(vault.folder, recovery_key=old_key).close()
