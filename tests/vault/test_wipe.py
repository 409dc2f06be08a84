"""The emergency wipe on real vaults: afterwards nothing opens, and nothing but the vault is touched.

Speed is measured by ``benchmarks/wipe.py`` (docs/performance.md), not here: these tests check
behaviour on small vaults, including damaged ones and one held open by another process.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

import pytest

from tests.children import python_child
from tests.conftest import PASSPHRASE, MakeVault
from vault import NotAVault, Vault, WipeResult, ensure_wipeable, wipe_vault
from vault.evidence.models import Metadata


def _vault_with_evidence(make_vault: MakeVault) -> tuple[Path, str]:
    """A closed vault holding one file, and its recovery key."""
    vault, recovery = make_vault()
    vault.add_bytes(b"threat screenshot " * 100, "shot.png", Metadata(title="threat"))
    folder = vault.folder
    vault.close()
    return folder, recovery


def _nothing_opens(folder: Path, recovery: str) -> None:
    """Neither the passphrase nor the recovery key opens what is left: a calm "no vault"."""
    with pytest.raises(NotAVault):
        Vault.open(folder, passphrase=PASSPHRASE)
    with pytest.raises(NotAVault):
        Vault.open(folder, recovery_key=recovery)


def test_wipe_removes_the_vault_and_its_folder_and_nothing_opens(make_vault: MakeVault) -> None:
    folder, recovery = _vault_with_evidence(make_vault)
    Vault.open(folder, passphrase=PASSPHRASE).close()  # a real vault that opens before

    result = wipe_vault(folder)

    assert isinstance(result, WipeResult)
    assert {"vault.keys", "vault.db"} <= set(result.removed)
    assert result.left == () and result.folder_removed and not result.was_open
    assert not folder.exists()
    assert "threat" not in repr(result)
    _nothing_opens(folder, recovery)
    # The database's blocks are given back in the background: nothing of it stays held open.
    assert result.wait_until_freed(60.0)
    assert not _held_open(folder)


def _held_open(folder: Path) -> list[str]:
    """Files of ``folder`` this process still holds open (Linux: /proc/self/fd)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("needs /proc/self/fd")
    held = []
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith(str(folder) + os.sep):
                held.append(target)
    return held


def test_key_files_are_overwritten_with_random_bytes_before_removal(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    # A second name (a hard link) for each key file shows what the wipe wrote into it before
    # removing it: the bytes on disk, not only the name, must lose the wrapped database key.
    folder, _ = _vault_with_evidence(make_vault)
    (folder / "vault.keys.new").write_bytes((folder / "vault.keys").read_bytes())
    seen = {}
    for name in ("vault.keys", "vault.keys.new"):
        before = (folder / name).read_bytes()
        os.link(folder / name, tmp_path / f"seen-{name}")
        seen[name] = before

    wipe_vault(folder)

    for name, before in seen.items():
        after = (tmp_path / f"seen-{name}").read_bytes()
        assert len(after) == len(before)
        assert after != before
        assert before[:8] not in after  # not even the file's header survives


def test_other_files_in_the_folder_are_kept_and_named(make_vault: MakeVault) -> None:
    folder, recovery = _vault_with_evidence(make_vault)
    (folder / "notes.txt").write_text("my own notes", encoding="utf-8")
    (folder / "photos").mkdir()
    (folder / "photos" / "a.jpg").write_bytes(b"jpeg")

    result = wipe_vault(folder)

    assert result.left == ("notes.txt", "photos") and not result.folder_removed
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt", "photos"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "my own notes"
    assert (folder / "photos" / "a.jpg").read_bytes() == b"jpeg"
    _nothing_opens(folder, recovery)


def test_wipe_goes_ahead_while_another_process_has_the_vault_open(
    make_vault: MakeVault,
) -> None:
    folder, recovery = _vault_with_evidence(make_vault)
    child = python_child(
        f"""
        import time
        from vault import Vault
        vault = Vault.open({str(folder)!r}, passphrase={PASSPHRASE!r})
        print("open", flush=True)
        time.sleep(600)  # holds the vault (and its lock) until the test kills it
        """
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"open\n", child.stderr
        result = wipe_vault(folder)
    finally:
        child.kill()
        child.wait()
    assert result.was_open and result.folder_removed
    _nothing_opens(folder, recovery)


def test_wipe_in_the_same_process_as_the_open_vault(make_vault: MakeVault) -> None:
    # The terminal app wipes while its own vault is still being closed in the background.
    vault, recovery = make_vault()
    folder = vault.folder
    result = wipe_vault(folder)
    vault.close()  # closing the vault whose files are gone is calm too
    assert result.folder_removed
    _nothing_opens(folder, recovery)


def test_a_vault_missing_its_key_file_is_wiped(make_vault: MakeVault) -> None:
    folder, recovery = _vault_with_evidence(make_vault)
    (folder / "vault.keys").unlink()  # e.g. a wipe cut off after its first step
    (folder / "vault.db-journal").write_bytes(os.urandom(512))

    result = wipe_vault(folder)

    assert set(result.removed) == {"vault.db", "vault.db-journal"}
    assert not folder.exists()
    _nothing_opens(folder, recovery)


def test_a_damaged_vault_is_wiped(make_vault: MakeVault) -> None:
    folder, recovery = _vault_with_evidence(make_vault)
    (folder / "vault.keys").write_bytes(b"garbage")
    with (folder / "vault.db").open("r+b") as f:
        f.truncate(1000)  # a torn database
    (folder / "vault.keys.new").write_bytes(b"half-written")
    (folder / "vault.db.new").write_bytes(os.urandom(100))

    result = wipe_vault(folder)

    assert set(result.removed) == {"vault.keys", "vault.keys.new", "vault.db", "vault.db.new"}
    assert not folder.exists()
    _nothing_opens(folder, recovery)


def test_a_key_file_that_is_a_link_is_removed_without_touching_its_target(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    folder, _ = _vault_with_evidence(make_vault)
    elsewhere = tmp_path / "someone-elses-file"
    elsewhere.write_bytes(b"not the vault's")
    (folder / "vault.keys").unlink()
    (folder / "vault.keys").symlink_to(elsewhere)

    wipe_vault(folder)

    assert elsewhere.read_bytes() == b"not the vault's"
    assert not folder.exists()


def test_a_read_only_key_file_is_still_overwritten(make_vault: MakeVault, tmp_path: Path) -> None:
    folder, _ = _vault_with_evidence(make_vault)
    before = (folder / "vault.keys").read_bytes()
    os.link(folder / "vault.keys", tmp_path / "seen")
    (folder / "vault.keys").chmod(0o400)

    wipe_vault(folder)

    assert (tmp_path / "seen").read_bytes() != before
    assert not folder.exists()


@pytest.mark.parametrize("setup", ["missing", "empty", "foreign", "plain-sqlite", "lock-only"])
def test_no_vault_means_nothing_is_touched(tmp_path: Path, setup: str) -> None:
    folder = tmp_path / "folder"
    if setup != "missing":
        folder.mkdir()
    if setup == "foreign":
        (folder / "notes.txt").write_text("mine", encoding="utf-8")
    if setup == "plain-sqlite":  # another program's unencrypted database of the same name
        sqlite3.connect(folder / "vault.db").execute("CREATE TABLE t (x)").connection.close()
    if setup == "lock-only":
        (folder / "vault.lock").write_bytes(b"")
    before = sorted(p.name for p in folder.iterdir()) if folder.exists() else None

    with pytest.raises(NotAVault) as excinfo:
        ensure_wipeable(folder)
    with pytest.raises(NotAVault):
        wipe_vault(folder)

    assert "Nothing was removed" in excinfo.value.message
    assert (sorted(p.name for p in folder.iterdir()) if folder.exists() else None) == before


def test_leftovers_of_a_killed_rekey_are_wiped_too(make_vault: MakeVault, tmp_path: Path) -> None:
    """A re-encryption killed half-way (vault/store/rekey.py) leaves ``vault.keys.old`` (still
    wrapping the old database key), ``vault.db.old`` and ``vault.db.rekey``: the wipe overwrites
    the key file and removes them all, and the folder goes."""
    folder, _ = _vault_with_evidence(make_vault)
    keys = (folder / "vault.keys").read_bytes()
    (folder / "vault.keys.old").write_bytes(keys)
    (folder / "vault.db.old").write_bytes((folder / "vault.db").read_bytes())
    (folder / "vault.db.rekey").write_bytes(os.urandom(4096))
    os.link(folder / "vault.keys.old", tmp_path / "seen-old")

    result = wipe_vault(folder)

    assert {"vault.keys.old", "vault.db.old", "vault.db.rekey"} <= set(result.removed)
    assert not folder.exists()
    after = (tmp_path / "seen-old").read_bytes()
    assert len(after) == len(keys) and after != keys and keys[:8] not in after
