"""Re-encryption under a new database key (issue 13, item 1b): ``rekey`` and ``rm --purge``.

The old key must be gone (what the disk freed before cannot be read even with the passphrase),
every slot must open the re-encrypted vault, and a process killed with SIGKILL at any named step
must leave a vault that opens with its passphrase and its recovery key.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
from pathlib import Path

import pytest

from tests.children import python_child
from tests.conftest import PASSPHRASE, MakeVault, fast_kdf
from tests.vault.pages import found_in_pages
from tests.vault.support import db_key, raw_db
from tui.cli import main
from vault import Metadata, Vault
from vault.errors import InvalidInput

WORD = "qxfreedword"


def _cli(folder: Path, args: list[str], tmp_path: Path) -> tuple[int, str, str]:
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n", "utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["--vault", str(folder), "--passphrase-file", str(secret), *args], stdout=out, stderr=err
    )
    return code, out.getvalue(), err.getvalue()


def test_rekey_changes_the_key_and_every_slot_still_opens(make_vault: MakeVault) -> None:
    vault, recovery = make_vault()
    folder = vault.folder
    added = vault.add_note("a note about harbours", Metadata(title="kept"))
    before = db_key(folder)
    vault.rekey()
    assert vault.search("harbours")[0].id == added.item_id  # the session goes on, on the new file
    vault.close()
    after = db_key(folder)
    assert after != before
    assert sorted(os.listdir(folder)) == ["vault.db", "vault.keys"]
    with raw_db(folder) as conn:  # the copy keeps the search index's secure-delete option
        assert ("secure-delete", 1) in conn.execute("SELECT k, v FROM search_config").fetchall()
    for way in ({"passphrase": PASSPHRASE}, {"recovery_key": recovery}):
        with Vault.open(folder, **way) as reopened:  # type: ignore[arg-type]
            assert reopened.get_item(added.item_id).title == "kept"
            report = reopened.check()
            assert report.ok, report.problems
            assert "vault.rekeyed" in [e.type for e in reopened.custody_log()]


def test_what_the_disk_kept_from_before_cannot_be_read_with_the_passphrase_after_a_purge(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """The freed blocks of the disk are stood in for by a copy of vault.db taken before the
    deletion (the rollback journal of ``rm`` holds the same pages, under the same key)."""
    vault, _ = make_vault()
    folder = vault.folder
    added = vault.add_note(f"they wrote {WORD}", Metadata(title="gone"))
    vault.close()
    freed = tmp_path / "freed-blocks"
    shutil.copyfile(folder / "vault.db", freed)
    assert found_in_pages(freed, db_key(folder), [WORD.encode()]) == {WORD.encode()}

    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        vault.delete_item(added.item_id, reason="not needed", purge=True)
    assert found_in_pages(freed, db_key(folder), [WORD.encode()]) == set()


def test_a_slot_whose_key_this_vault_never_saw_makes_rekey_refuse_and_change_nothing(
    make_vault: MakeVault,
) -> None:
    """A vault from before this change knows only the slot keys of the slots used since: the
    recovery key must be used once (or replaced) before the vault can be re-encrypted."""
    vault, recovery = make_vault()
    folder = vault.folder
    added = vault.add_note("kept safe", Metadata(title="kept"))
    vault.close()
    with raw_db(folder) as conn:  # as a vault from before: no slot keys kept
        conn.execute("DELETE FROM slot_keys")
    before = {name: (folder / name).read_bytes() for name in ("vault.keys",)}

    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        with pytest.raises(InvalidInput, match="recovery key"):
            vault.rekey()
        with pytest.raises(InvalidInput, match="recovery key"):
            vault.delete_item(added.item_id, reason="x", purge=True)
        assert vault.get_item(added.item_id).deleted_at is None  # a refused purge deletes nothing
    assert (folder / "vault.keys").read_bytes() == before["vault.keys"]

    with Vault.open(folder, recovery_key=recovery) as vault:  # the recovery key is seen once
        vault.rekey()
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        assert vault.check().ok


def test_a_new_recovery_key_is_rewrapped_too(make_vault: MakeVault) -> None:
    vault, _ = make_vault()
    folder = vault.folder
    new = vault.new_recovery_key()
    vault.rekey()  # the pending slot and the old recovery slot, both re-wrapped
    vault.confirm_recovery_key(new)
    vault.rekey()
    vault.close()
    with Vault.open(folder, recovery_key=new) as reopened:
        assert reopened.check().ok


def test_the_command_line_rekey_and_rm_purge(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, _ = make_vault()
    folder = vault.folder
    added = vault.add_note("gone for good", Metadata(title="t"))
    vault.close()
    before = db_key(folder)
    code, out, err = _cli(folder, ["rekey"], tmp_path)
    assert code == 0, err
    assert "re-encrypted" in out
    middle = db_key(folder)
    assert middle != before
    code, out, err = _cli(
        folder, ["rm", added.item_id, "--reason", "x", "--purge", "--yes"], tmp_path
    )
    assert code == 0, err
    assert "for good" in out
    assert db_key(folder) != middle


# ------------------------------------------------------------------ kills


POINTS = ["exported", "new-db-written", "keys-replaced", "db-replaced"]


def _kill_at(folder: Path, point: str) -> None:
    child = python_child(
        f"""
        import time
        from pathlib import Path
        from vault import Vault
        from vault.store import rekey
        def stop(name):
            if name == {point!r}:
                print("ready", flush=True)
                time.sleep(60)
        rekey._point = stop
        vault = Vault.open(Path({str(folder)!r}), passphrase={PASSPHRASE!r})
        vault.rekey()
        print("finished", flush=True)
        """
    )
    assert child.stdout is not None and child.stderr is not None
    line = child.stdout.readline()
    if line.strip() != b"ready":
        child.kill()
        child.wait()
        pytest.fail(f"the child never reached {point}: {child.stderr.read()!r}")
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_a_rekey_killed_at_any_step_leaves_a_vault_that_opens(tmp_path: Path, point: str) -> None:
    folder = tmp_path / "v.evault"
    vault, recovery = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    added = vault.add_note("still here after the kill", Metadata(title="kept"))
    vault.close()
    before = db_key(folder)
    _kill_at(folder, point)

    for way in ({"passphrase": PASSPHRASE}, {"recovery_key": recovery}):
        with Vault.open(folder, **way) as reopened:  # type: ignore[arg-type]
            assert reopened.get_item(added.item_id).title == "kept"
            report = reopened.check()
            assert report.ok, report.problems
    committed = point in ("keys-replaced", "db-replaced")
    assert (db_key(folder) != before) == committed
    assert sorted(os.listdir(folder)) == ["vault.db", "vault.keys"]  # nothing left over
    with Vault.open(folder, passphrase=PASSPHRASE) as reopened:
        reopened.rekey()  # and it can be re-encrypted again
        assert reopened.check().ok
