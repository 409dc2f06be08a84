"""`evault demo PATH`: a vault of invented evidence for workshops, run in-process through main()."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.runner import run_main
from vault.host.demo import DEMO_PASSPHRASE

pytestmark = pytest.mark.usefixtures("patch_fast_kdf")


def _open_args(folder: Path, tmp_path: Path) -> list[str]:
    secret = tmp_path / "demo-pass.txt"
    secret.write_text(DEMO_PASSPHRASE + "\n", encoding="utf-8")
    return ["--vault", str(folder), "--passphrase-file", str(secret)]


def test_demo_prints_where_the_passphrase_and_the_recovery_key(tmp_path: Path) -> None:
    folder = tmp_path / "Workshop.evault"
    code, out, err = run_main(["demo", str(folder)])
    assert code == 0, err
    assert f"Demo vault created: {folder}" in out
    assert DEMO_PASSPHRASE in out
    assert "This vault holds invented evidence for practice only." in out
    assert re.search(r"Recovery key.*\n    \S+", out)
    assert (folder / "vault.keys").is_file()

    # The printed passphrase really opens it, and the evidence is all marked DEMO.
    code, listed, err = run_main([*_open_args(folder, tmp_path), "list", "--json"])
    assert code == 0, err
    items = json.loads(listed)
    assert len(items) == 12
    # A sensitive item shows a neutral title until revealed (`list --reveal`).
    assert all(i["title"].startswith("DEMO") for i in items if not i["sensitive"])
    assert [i["title"][:18] for i in items if i["sensitive"]] == ["Sensitive picture "]
    code, found, err = run_main([*_open_args(folder, tmp_path), "search", "meqaleni", "--json"])
    assert code == 0, err
    assert len(json.loads(found)) == 1
    code, checked, err = run_main([*_open_args(folder, tmp_path), "check"])
    assert code == 0, checked + err


def test_demo_json(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    code, out, err = run_main(["demo", str(folder), "--json"])
    assert code == 0, err
    data = json.loads(out)
    assert data["vault"] == str(folder)
    assert data["passphrase"] == DEMO_PASSPHRASE
    assert data["items"] == 12
    assert data["recovery_key"] and data["fingerprint"]
    # The recovery key printed once opens the vault too.
    key_file = tmp_path / "rk.txt"
    key_file.write_text(data["recovery_key"] + "\n", encoding="utf-8")
    code, _, err = run_main(["--vault", str(folder), "--recovery-key-file", str(key_file), "list"])
    assert code == 0, err


@pytest.mark.parametrize("contents", [False, True])
def test_existing_folder_is_refused_calmly(tmp_path: Path, contents: bool) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    if contents:
        (folder / "mine.txt").write_text("keep", encoding="utf-8")
    code, out, err = run_main(["demo", str(folder)])
    assert code == 2
    assert out == ""
    assert err.startswith("evault: ") and "already exists" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in folder.iterdir()) == (["mine.txt"] if contents else [])


def test_portable_mode_puts_a_relative_path_on_the_stick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Keep this test process's environment as it is (the real program redirects HOME, TMP...).
    monkeypatch.setattr("vault.host.portable._redirect_environment", lambda portable: None)
    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.chdir(tmp_path)
    code, out, err = run_main(["--portable", str(stick), "demo", "Workshop.evault", "--json"])
    assert code == 0, err
    expected = stick.resolve() / "vaults" / "Workshop.evault"
    assert json.loads(out)["vault"] == str(expected)
    assert (expected / "vault.db").is_file()
    assert not (tmp_path / "Workshop.evault").exists()


def test_demo_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run_main(["--help"])  # argparse prints help on sys.stdout
    assert code == 0
    assert "create a vault of invented evidence" in capsys.readouterr().out
