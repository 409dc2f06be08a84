"""`evault init --keyfile`, `evault recovery-key` and the key-file notices, run through ``main()``.

Each of these failed on the code of commit 1f2ca1c: ``--keyfile /dev/null`` made a vault, and
``recovery-key`` replaced the old key at once, before anyone had seen the new one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import Runner, run_main
from tests.conftest import PASSPHRASE


@pytest.fixture
def made(tmp_path: Path, patch_fast_kdf: None) -> tuple[Runner, str]:
    """A vault made with ``evault init`` and the recovery key it printed."""
    pw = tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE + "\n", encoding="utf-8")
    runner = Runner(tmp_path / "case.evault", pw)
    code, out, err = runner("init", "--json")
    assert code == 0, err
    return runner, json.loads(out)["recovery_key"]


def _with_recovery(folder: Path, key: str, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    path = tmp_path / "rk.txt"
    path.write_text(key + "\n", encoding="utf-8")
    return run_main(["--vault", str(folder), "--recovery-key-file", str(path), *args])


def test_init_refuses_dev_null_as_a_keyfile(tmp_path: Path, patch_fast_kdf: None) -> None:
    pw = tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE + "\n", encoding="utf-8")
    folder = tmp_path / "new.evault"
    argv = ["--vault", str(folder), "--passphrase-file", str(pw), "--keyfile", "/dev/null"]
    code, _, err = run_main([*argv, "init"])
    assert code != 0
    assert "32 bytes" in err and "Traceback" not in err
    assert not (folder / "vault.keys").exists()


def test_recovery_key_stays_pending_until_confirmed(
    made: tuple[Runner, str], tmp_path: Path
) -> None:
    run, old_key = made
    rotated = run.json("recovery-key")
    new_key = rotated["recovery_key"]

    # Not confirmed: both keys open the vault, and opening says so.
    code, _, err = _with_recovery(run.folder, old_key, tmp_path, "list")
    assert code == 0, err
    assert "never confirmed" in err
    assert rotated["confirmed"] is False
    code, _, err = _with_recovery(run.folder, new_key, tmp_path, "list")
    assert code == 0, err

    confirm = tmp_path / "new.txt"
    confirm.write_text(new_key + "\n", encoding="utf-8")
    code, out, err = run("recovery-key", "--confirm", "--new-recovery-key-file", str(confirm))
    assert code == 0, err
    assert "Confirmed" in out

    code, _, err = _with_recovery(run.folder, old_key, tmp_path, "list")
    assert code == 2 and "does not open" in err
    code, _, err = _with_recovery(run.folder, new_key, tmp_path, "list")
    assert code == 0 and "never confirmed" not in err
    assert [e["type"] for e in run.json("log")][-1] == "key.recovery_replaced"


def test_recovery_key_without_a_terminal_says_how_to_confirm(made: tuple[Runner, str]) -> None:
    run, _ = made
    code, out, err = run("recovery-key")
    assert code == 0, err
    assert "NEW RECOVERY KEY" in out
    assert "OLD recovery key still opens" in out and "recovery-key --confirm" in out


def test_confirming_with_another_key_changes_nothing(
    made: tuple[Runner, str], tmp_path: Path
) -> None:
    run, old_key = made
    run.json("recovery-key")
    before = (run.folder / "vault.keys").read_bytes()
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(old_key + "\n", encoding="utf-8")
    code, _, err = run("recovery-key", "--confirm", "--new-recovery-key-file", str(wrong))
    assert code != 0 and "not the new recovery key" in err
    assert (run.folder / "vault.keys").read_bytes() == before
    code, _, err = run("recovery-key", "--cancel")
    assert code == 0, err
    code, _, err = _with_recovery(run.folder, old_key, tmp_path, "list")
    assert code == 0 and "never confirmed" not in err
