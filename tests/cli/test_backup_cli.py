"""`evault backup --to DIR` and `evault restore --from DIR`, run through ``main()`` on real vaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import Runner, new_vault_runner, run_main


@pytest.fixture
def run(tmp_path: Path, patch_fast_kdf: None) -> Runner:
    runner = new_vault_runner(tmp_path)
    code, _, err = runner("add-note", "--title", "the note", stdin=b"what happened on Monday")
    assert code == 0, err
    return runner


def _titles(folder: Path, pwfile: Path) -> list[str]:
    code, out, err = run_main(
        ["--vault", str(folder), "--passphrase-file", str(pwfile), "list", "--json"]
    )
    assert code == 0, err
    return [row["title"] for row in json.loads(out)]


def test_backup_writes_a_checked_copy_and_updates_it(run: Runner, tmp_path: Path) -> None:
    stick = tmp_path / "stick" / "Copy.evault"
    code, out, err = run("backup", "--to", str(stick))
    assert code == 0, err
    assert out.startswith(f"Backup written: {stick}\nThe copy was checked: 1 item and")
    assert "opens with the same passphrase" in out
    assert _titles(stick, run.pwfile) == ["the note"]

    code, _, err = run("add-note", "--title", "second", stdin=b"later")
    assert code == 0, err
    result = run.json("backup", "--to", str(stick))
    assert result["ok"] and result["updated"] and result["items_checked"] == 2
    assert sorted(_titles(stick, run.pwfile)) == ["second", "the note"]


def test_backup_refuses_a_folder_with_other_files_calmly(run: Runner, tmp_path: Path) -> None:
    busy = tmp_path / "documents"
    busy.mkdir()
    (busy / "letter.odt").write_bytes(b"mine")
    code, out, err = run("backup", "--to", str(busy))
    assert code == 2 and out == ""
    assert err.startswith("evault: ") and err.count("\n") == 1 and "Traceback" not in err
    assert "not empty" in err
    assert sorted(p.name for p in busy.iterdir()) == ["letter.odt"]


def test_a_backup_opens_directly_and_restores_into_a_new_folder(
    run: Runner, tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    assert run("backup", "--to", str(copy))[0] == 0
    # Simply opening the copy works (what a defender does after losing the laptop).
    assert _titles(copy, run.pwfile) == ["the note"]

    new_home = tmp_path / "new-laptop" / "Evidence.evault"
    code, out, err = run_main(
        [
            "--passphrase-file",
            str(run.pwfile),
            "restore",
            "--from",
            str(copy),
            "--to",
            str(new_home),
        ]
    )
    assert code == 0, err
    assert out.startswith(f"Vault restored: {new_home}\n")
    assert f"Open it with: evault --vault {new_home}" in out
    assert _titles(new_home, run.pwfile) == ["the note"]


def test_restore_over_the_same_vault_needs_replace_and_keeps_the_old_one(
    run: Runner, tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    assert run("backup", "--to", str(copy))[0] == 0
    code, _, err = run("add-note", "--title", "added after the backup", stdin=b"x")
    assert code == 0, err
    argv = ["--vault", str(run.folder), "--passphrase-file", str(run.pwfile), "restore"]
    before = {p.name: p.read_bytes() for p in run.folder.iterdir()}

    code, out, err = run_main([*argv, "--from", str(copy)])
    assert code == 2 and "--replace" in err and out == ""
    assert {p.name: p.read_bytes() for p in run.folder.iterdir()} == before

    code, out, err = run_main([*argv, "--from", str(copy), "--replace"])
    assert code == 0, err
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("case.evault.replaced-")]
    assert len(kept) == 1
    assert f"kept, whole, as: {kept[0]}" in out
    assert {p.name: p.read_bytes() for p in kept[0].iterdir()} == before
    assert _titles(run.folder, run.pwfile) == ["the note"]
    assert sorted(_titles(kept[0], run.pwfile)) == ["added after the backup", "the note"]


def test_restore_never_replaces_a_different_vault(run: Runner, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    assert run("backup", "--to", str(copy))[0] == 0
    other = Runner(tmp_path / "other.evault", run.pwfile)
    assert other("init")[0] == 0
    before = {p.name: p.read_bytes() for p in other.folder.iterdir()}
    code, _, err = other("restore", "--from", str(copy), "--replace")
    assert code == 2 and "different vault" in err
    assert {p.name: p.read_bytes() for p in other.folder.iterdir()} == before
