"""`Vault.backup`: a checked copy of the encrypted vault elsewhere that opens with the same secrets,
refuses to touch anything but an earlier backup of the same vault, stays consistent while the
vault is in use, changes few pages when little changed, and survives a kill at any moment."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest
import sqlcipher3

from tests.children import python_child
from tests.conftest import PASSPHRASE, MakeVault, fast_kdf
from vault import Metadata, Vault
from vault.errors import Cancelled, InvalidInput, VaultBusy, VaultExists
from vault.store import copyfolder

BLOCK = 4096


def _blocks_differing(a: Path, b: Path) -> tuple[int, int]:
    """(4096-byte blocks that differ, blocks in all): what rsync or Syncthing would move."""
    one, two = a.read_bytes(), b.read_bytes()
    total = max(len(one), len(two)) // BLOCK
    differ = sum(
        1
        for i in range(total)
        if one[i * BLOCK : (i + 1) * BLOCK] != two[i * BLOCK : (i + 1) * BLOCK]
    )
    return differ, total


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_backup_opens_with_the_same_passphrase_and_recovery_key(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    vault, recovery = make_vault()
    added = vault.add_note("a note to keep", Metadata(title="kept"))
    dest = tmp_path / "stick" / "Copy.evault"  # its parent folder does not exist yet

    result = vault.backup(dest)

    assert result.ok and not result.updated
    assert result.items_checked == 1
    assert sorted(p.name for p in dest.iterdir()) == ["vault.db", "vault.keys"]
    for name in ("vault.db", "vault.keys"):
        assert (dest / name).stat().st_mode & 0o777 == 0o600
    assert (dest / "vault.keys").read_bytes() == (vault.folder / "vault.keys").read_bytes()
    vault.close()
    with Vault.open(dest, passphrase=PASSPHRASE) as copy:
        assert [i.id for i in copy.list_items()] == [added.item_id]
        assert copy.check().ok
    with Vault.open(dest, recovery_key=recovery) as copy:
        assert copy.read_text(added.item_id) == "a note to keep"


def test_the_backup_is_recorded_by_folder_name_and_the_copy_holds_its_own_record(
    vault: Vault, tmp_path: Path
) -> None:
    dest = tmp_path / "Dropbox" / "private-copy"
    vault.backup(dest)
    last = vault.custody_log()[-1]
    assert last.type == "vault.backed_up"
    assert last.details == {"folder": "private-copy"}  # no path: it could name a provider
    head = vault.custody_head()
    vault.close()
    with Vault.open(dest, passphrase=PASSPHRASE) as copy:
        assert copy.custody_head() == head


def test_a_folder_that_is_not_empty_or_holds_another_vault_is_never_touched(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    vault, _ = make_vault("mine.evault")
    other, _ = make_vault("other.evault")
    other.close()
    before_other = _tree(tmp_path / "other.evault")
    with pytest.raises(VaultExists, match="different vault"):
        vault.backup(tmp_path / "other.evault")
    assert _tree(tmp_path / "other.evault") == before_other

    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "holiday.jpg").write_bytes(b"not evidence")
    with pytest.raises(VaultExists, match="not empty"):
        vault.backup(photos)
    assert sorted(p.name for p in photos.iterdir()) == ["holiday.jpg"]

    a_file = tmp_path / "file.txt"
    a_file.write_bytes(b"x")
    with pytest.raises(VaultExists):
        vault.backup(a_file)
    with pytest.raises(InvalidInput, match="outside"):
        vault.backup(vault.folder / "inside")
    with pytest.raises(InvalidInput, match="outside"):
        vault.backup(vault.folder)
    assert sorted(p.name for p in vault.folder.iterdir()) == ["vault.db", "vault.keys"]


def test_a_backup_folder_open_elsewhere_is_not_written(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    vault, _ = make_vault()
    dest = tmp_path / "copy"
    vault.backup(dest)
    before = _tree(dest)
    with Vault.open(dest, passphrase=PASSPHRASE), pytest.raises(VaultBusy, match="backup folder"):
        vault.backup(dest)
    assert _tree(dest) == before


def test_a_second_backup_brings_the_first_up_to_date(vault: Vault, tmp_path: Path) -> None:
    dest = tmp_path / "copy"
    vault.backup(dest)
    added = vault.add_note("added after the first backup")
    vault.change_passphrase("a new passphrase for this vault", kdf=fast_kdf)

    result = vault.backup(dest)

    assert result.ok and result.updated
    assert sorted(p.name for p in dest.iterdir()) == ["vault.db", "vault.keys"]
    vault.close()
    with Vault.open(dest, passphrase="a new passphrase for this vault") as copy:
        assert added.item_id in [i.id for i in copy.list_items()]
        assert copy.check().ok


def test_a_backup_used_on_its_own_since_is_not_overwritten(vault: Vault, tmp_path: Path) -> None:
    dest = tmp_path / "copy"
    vault.backup(dest)
    with Vault.open(dest, passphrase=PASSPHRASE) as copy:
        copy.add_note("evidence added to the copy only")
    before = _tree(dest)
    with pytest.raises(VaultExists, match="history this vault does not have"):
        vault.backup(dest)
    assert _tree(dest) == before


def test_after_a_rekey_the_backup_is_brought_up_to_date(vault: Vault, tmp_path: Path) -> None:
    dest = tmp_path / "copy"
    vault.backup(dest)
    added = vault.add_note("added after the first backup")
    vault.rekey()

    result = vault.backup(dest)

    assert result.ok and result.updated and result.notes == []
    vault.close()
    with Vault.open(dest, passphrase=PASSPHRASE) as copy:
        assert added.item_id in [i.id for i in copy.list_items()]


def test_a_backup_used_on_its_own_is_not_overwritten_after_a_rekey_either(
    vault: Vault, tmp_path: Path
) -> None:
    """The earlier copy is under the old database key; the kept slot keys still read it."""
    dest = tmp_path / "copy"
    vault.backup(dest)
    with Vault.open(dest, passphrase=PASSPHRASE) as copy:
        copy.add_note("evidence added to the copy only")
    vault.rekey()
    before = _tree(dest)

    with pytest.raises(VaultExists, match="history this vault does not have"):
        vault.backup(dest)
    assert _tree(dest) == before


def test_a_backup_under_keys_the_vault_no_longer_has_is_replaced_with_a_note(
    vault: Vault, tmp_path: Path
) -> None:
    """New passphrase, new recovery key and a rekey: nothing this vault holds opens the earlier
    copy, so it cannot be checked; the result says so rather than staying silent."""
    dest = tmp_path / "copy"
    vault.backup(dest)
    vault.change_passphrase("a new passphrase for this vault", kdf=fast_kdf)
    vault.confirm_recovery_key(vault.new_recovery_key().split("-")[-1])
    vault.rekey()

    result = vault.backup(dest)

    assert result.ok and result.updated
    assert any("could not check" in note for note in result.notes)
    vault.close()
    with Vault.open(dest, passphrase="a new passphrase for this vault") as copy:
        assert copy.check().ok


def test_a_journal_left_in_the_backup_folder_is_not_played_onto_the_new_copy(
    vault: Vault, tmp_path: Path
) -> None:
    """A session on the old copy cut off mid-write leaves its rollback journal; played back onto
    the new vault.db it would damage it, so it goes with the copy it belonged to."""
    dest = tmp_path / "copy"
    vault.backup(dest)
    for i in range(20):
        vault.add_note(f"note {i} " * 50)
    journal = bytes.fromhex("d9d505f920a163d7") + os.urandom(16384 * 3)
    (dest / "vault.db-journal").write_bytes(journal)
    assert vault.backup(dest).ok
    assert not (dest / "vault.db-journal").exists()
    vault.close()
    with Vault.open(dest, passphrase=PASSPHRASE) as copy:
        assert len(copy.list_items()) == 20
        assert copy.check().ok


def test_opening_a_folder_finishes_a_backup_killed_while_moving_its_files(
    vault: Vault, tmp_path: Path
) -> None:
    """The state a kill leaves after the commit point (the ready folder) and after the key file
    moved up: the folder holds a new vault.keys and an old vault.db. Opening it moves the new
    vault.db into place first, so the mixed pair is never opened."""
    dest = tmp_path / "copy"
    vault.backup(dest)
    vault.change_passphrase("a new passphrase for this vault", kdf=fast_kdf)
    added = vault.add_note("only in the new copy")
    newer = tmp_path / "newer"
    vault.backup(newer)
    ready = dest / copyfolder.READY_NAME
    ready.mkdir()
    os.replace(newer / "vault.db", ready / "vault.db")
    os.replace(newer / "vault.keys", dest / "vault.keys")  # the key file had moved up already
    vault.close()

    with Vault.open(dest, passphrase="a new passphrase for this vault") as copy:
        assert added.item_id in [i.id for i in copy.list_items()]
        assert copy.check().ok
    assert sorted(p.name for p in dest.iterdir()) == ["vault.db", "vault.keys"]


@pytest.mark.slow
def test_a_backup_made_while_items_are_being_added_opens_and_passes_check(
    vault: Vault, tmp_path: Path
) -> None:
    """Another thread of the app keeps adding files and notes while backups are made: each copy
    is one moment of the vault (it passes check, and holds exactly the items it was checked
    with), because the copy is taken under the vault's mutex and a SQLite read lock. The vault is
    big enough (8 MiB and growing by 1 MiB recordings) that copying it takes many reads, between
    which a writer could otherwise commit: without the locks, every run found torn copies
    (index entries missing, items the custody log records but the copy lacks)."""
    for i in range(30):
        vault.add_bytes(os.urandom(256 * 1024), f"video part {i}.bin")
    stop = threading.Event()
    added: list[str] = []
    errors: list[BaseException] = []

    def keep_adding() -> None:
        try:
            i = 0
            while not stop.is_set():
                if i % 2:
                    result = vault.add_bytes(os.urandom(1024 * 1024), f"recording {i}.ogg")
                else:
                    result = vault.add_note(f"note {i} " * 200, Metadata(title=f"n{i}"))
                added.append(result.item_id)
                i += 1
        except BaseException as exc:  # reported by the test below
            errors.append(exc)

    writer = threading.Thread(target=keep_adding)
    writer.start()
    copies: list[tuple[Path, dict[str, object]]] = []
    try:
        for n in range(4):
            while len(added) < 5 * (n + 1) and writer.is_alive():
                threading.Event().wait(0.01)
            dest = tmp_path / f"copy{n}"
            result = vault.backup(dest)
            assert result.ok, result.problems
            copies.append((dest, {"items": result.items_checked}))
    finally:
        stop.set()
        writer.join()
    assert not errors
    vault.close()
    counts = []
    for dest, expected in copies:
        with Vault.open(dest, passphrase=PASSPHRASE) as copy:
            report = copy.check()
            assert report.ok, report.problems
            counts.append(len(copy.list_items()))
            assert counts[-1] == expected["items"]
    assert counts == sorted(counts) and counts[0] >= 35 and counts[-1] < 30 + len(added)


@pytest.mark.slow
def test_a_second_backup_after_a_small_change_differs_in_few_blocks(
    vault: Vault, tmp_path: Path
) -> None:
    """What rsync, restic or Syncthing have to move after one small item is added to a vault of
    300 items: few 4096-byte blocks, because untouched encrypted pages are copied byte for byte.
    SQLite's online backup API, by contrast, re-encrypts every page with a fresh IV."""
    for i in range(250):
        vault.add_message(f"threat message {i}: " + "words of abuse " * 20, Metadata(title=f"m{i}"))
    for i in range(50):
        vault.add_bytes(os.urandom(60 * 1024), f"screenshot {i}.png")
    dest = tmp_path / "copy"
    vault.backup(dest)
    first = tmp_path / "first.db"
    shutil.copyfile(dest / "vault.db", first)

    vault.add_note("one small note")
    vault.backup(dest)

    differ, total = _blocks_differing(first, dest / "vault.db")
    print(f"blocks differing: {differ} of {total}")
    assert total > 1000
    # About 20 pages of 16 KiB: the item's rows, its index entries, the search index, two custody
    # events and the header; the same whatever the vault's size (measured: 88 of 1156 blocks).
    assert differ * BLOCK <= 512 * 1024, (differ, total)
    assert differ / total < 0.1, (differ, total)

    # The alternative the design rejects: two online backups of the unchanged vault.
    key = vault._keyring.db_key
    online = []
    for n in range(2):
        target = sqlcipher3.connect(str(tmp_path / f"online{n}.db"))
        target.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        target.execute("PRAGMA cipher_page_size = 16384")
        with vault._mutex:
            vault.session.conn.backup(target)
        target.close()
        online.append(tmp_path / f"online{n}.db")
    differ_online, total_online = _blocks_differing(*online)
    assert differ_online == total_online


def _wait_for(dest: Path, when: str) -> None:
    """Return at the moment the kill is meant to land (spinning: a sleep would miss it)."""
    if when not in ("ready", "published"):
        threading.Event().wait(float(when))
        return
    ready = dest / copyfolder.READY_NAME
    deadline = time.monotonic() + 5  # missed it: the child then waits, its backup complete
    while not ready.exists() and time.monotonic() < deadline:
        pass
    if when == "published":
        while ready.exists() and time.monotonic() < deadline:
            pass


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("when", ["0", "0.02", "0.05", "ready", "published"])
def test_a_backup_killed_at_any_moment_leaves_the_previous_or_the_new_copy(
    tmp_path: Path, when: str
) -> None:
    """Killed with SIGKILL after a delay, or as soon as the copy is complete (its ready folder
    appears: the moves into place are under way), or once it is in place: opening the folder
    finds the earlier backup or the new one, whole and matching, never a mixed pair."""
    folder = tmp_path / "v.evault"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    for i in range(30):
        vault.add_bytes(os.urandom(50 * 1024), f"picture {i}.png")
    vault.close()
    dest = tmp_path / "copy"
    child = python_child(
        f"""
        import hashlib, sys
        from pathlib import Path
        from tests.conftest import fast_kdf
        from vault import Vault
        folder, dest = Path({str(folder)!r}), Path({str(dest)!r})
        vault = Vault.open(folder, passphrase={PASSPHRASE!r})
        def sha(p):
            return hashlib.sha256(p.read_bytes()).hexdigest()
        for i in range(1000):
            vault.add_note("note %d " % i * 100)
            if i % 2:
                vault.change_passphrase({PASSPHRASE!r}, kdf=fast_kdf)  # a new salt: new bytes
            seq = vault.custody_head()["seq"] + 1  # the copy holds its own backup event
            print("start", seq, sha(folder / "vault.keys"), flush=True)
            sys.stdin.readline()  # the test says when: then it knows which backup it kills
            vault.backup(dest)
            print("done", seq, flush=True)
        """,
        stdin=True,
    )
    assert child.stdout is not None and child.stdin is not None
    published: tuple[int, str] | None = None
    started: tuple[int, str] | None = None
    while True:
        line = child.stdout.readline().split()
        assert line, child.stderr.read() if child.stderr else b""
        if line[0] == b"start":
            started = (int(line[1]), line[2].decode())
            if published is not None and int(line[1]) > 12:
                break
            child.stdin.write(b"go\n")
            child.stdin.flush()
        else:
            assert started is not None and int(line[1]) == started[0]
            published = started
    child.stdin.write(b"go\n")
    child.stdin.flush()
    _wait_for(dest, when)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert published is not None and started is not None

    copyfolder.finish_interrupted(dest)  # what opening the folder does first (under its lock)
    keys_sha = _sha(dest / "vault.keys")
    with Vault.open(dest, passphrase=PASSPHRASE) as copy:
        report = copy.check()
        assert report.ok, report.problems
        # Opening may add events (a passphrase change noted in vault.keys): the copy is named
        # by its own backup event, its newest when it was made.
        backups = [e.seq for e in copy.custody_log() if e.type == "vault.backed_up"]
        state = (backups[-1], keys_sha)
    assert state in (published, started)
    assert not (dest / copyfolder.STAGING_NAME).exists()


def test_a_backup_stopped_midway_keeps_the_earlier_one(vault: Vault, tmp_path: Path) -> None:
    """The panic key sets the task's cancel event: the copy stops at the next chunk, nothing is
    put in place, and the earlier backup is as it was."""
    vault.add_bytes(os.urandom(3 * 1024 * 1024), "recording.ogg")
    dest = tmp_path / "copy"
    vault.backup(dest)
    before = _tree(dest)
    vault.add_note("added since")
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        cancel.set()  # as locking the app does, from another thread

    with pytest.raises(Cancelled):
        vault.backup(dest, progress=progress, cancel=cancel)
    assert _tree(dest) == before
    assert sorted(p.name for p in dest.iterdir()) == ["vault.db", "vault.keys"]
