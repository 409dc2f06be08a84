"""`evault wipe` in-process against real vaults: asks once at a terminal, --yes for scripts, needs
no passphrase, and afterwards evault says calmly that there is no vault."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from tests.cli.runner import Runner, run_main
from tests.conftest import PASSPHRASE
from tui.cli import main


class Terminal(io.StringIO):
    """Standard input and output of a person at a terminal (``isatty``), with what they type."""

    def isatty(self) -> bool:
        return True


def _at_terminal(argv: list[str], typed: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    out, err = Terminal(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", Terminal(typed))
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue() + err.getvalue()


@pytest.fixture
def made(tmp_path: Path, patch_fast_kdf: None) -> tuple[Runner, str]:
    """A vault with one message, and its recovery key in a file."""
    pw = tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE + "\n", encoding="utf-8")
    run = Runner(tmp_path / "case.evault", pw)
    code, out, err = run("init", "--json")
    assert code == 0, err
    recovery = tmp_path / "recovery.txt"
    recovery.write_text(json.loads(out)["recovery_key"] + "\n", encoding="utf-8")
    code, _, err = run("add-message", "--platform", "telegram", stdin=b"you will regret this\n")
    assert code == 0, err
    return run, str(recovery)


def _says_no_vault(run: Runner, recovery: str) -> None:
    """The passphrase and the recovery key both meet one calm sentence: there is no vault."""
    for argv in (
        ["--vault", str(run.folder), "--passphrase-file", str(run.pwfile), "list"],
        ["--vault", str(run.folder), "--recovery-key-file", recovery, "list"],
        ["--vault", str(run.folder), "check"],
    ):
        code, out, err = run_main(argv)
        assert code == 2, err
        assert (
            err
            == f"evault: There is no vault at {run.folder}. Check the path, or create one with 'evault init'.\n"
        )
        assert out == ""


def test_wipe_yes_needs_no_passphrase_and_nothing_opens_afterwards(
    made: tuple[Runner, str],
) -> None:
    run, recovery = made
    code, out, err = run("wipe", "--yes", auth=False)
    assert code == 0, err
    out = " ".join(out.split())  # the words, whatever the line breaks
    assert f"The vault in {run.folder} was wiped" in out
    assert "cannot be opened any more" in out
    assert "USB sticks" in out  # what flash media may keep, said plainly
    assert not run.folder.exists()
    _says_no_vault(run, recovery)


def test_wipe_json_for_scripts(made: tuple[Runner, str]) -> None:
    run, _ = made
    (run.folder / "mine.txt").write_text("keep me", encoding="utf-8")
    code, out, err = run("wipe", "--yes", "--json", auth=False)
    assert code == 0, err
    answer = json.loads(out)
    assert answer["wiped"] is True and answer["left"] == ["mine.txt"]
    assert "vault.keys" in answer["removed"] and answer["folder_removed"] is False
    assert (run.folder / "mine.txt").read_text(encoding="utf-8") == "keep me"


# The keys W I P E, whatever the keyboard is switched to: Latin, Russian ЙЦУКЕН, Azerbaijani.
@pytest.mark.parametrize("typed", ["WIPE\n", "wipe\n", "цшзу\n", "üipe\n", "ÜİPE\n"])
def test_at_a_terminal_typing_wipe_destroys_it(
    made: tuple[Runner, str], monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    run, recovery = made
    code, text = _at_terminal(["--vault", str(run.folder), "wipe"], typed, monkeypatch)
    assert code == 0, text
    text = " ".join(text.split())
    assert "Type WIPE to destroy it" in text and "was wiped" in text
    assert not run.folder.exists()
    _says_no_vault(run, recovery)


@pytest.mark.parametrize("typed", ["\n", "y\n", "yes\n", "WIP\n", "", "ЦШЗ\n", "WIPEE\n"])
def test_at_a_terminal_anything_else_keeps_the_vault(
    made: tuple[Runner, str], monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    run, _ = made
    code, text = _at_terminal(["--vault", str(run.folder), "wipe"], typed, monkeypatch)
    assert code == 130
    assert "evault: Not wiped: nothing was removed.\n" in text
    code, out, err = run("list", "--json")
    assert code == 0, err
    assert len(json.loads(out)) == 1  # the vault and its message are all there


def test_without_a_terminal_it_needs_yes(made: tuple[Runner, str]) -> None:
    run, _ = made
    code, out, err = run("wipe", auth=False, stdin=b"WIPE\n")
    assert code == 2 and out == ""
    assert (
        err
        == "evault: 'evault wipe' needs --yes when it is not run at a terminal. Not wiped: nothing was removed.\n"
    )
    assert (run.folder / "vault.keys").is_file()
    code, _, err = run("check")
    assert code == 0, err


def test_wipe_where_there_is_no_vault_says_so_and_asks_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "not-a-vault"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    code, text = _at_terminal(["--vault", str(folder), "wipe"], "WIPE\n", monkeypatch)
    assert code == 2
    assert text == f"evault: {folder} holds no evidence vault. Nothing was removed.\n"
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_wipe_a_vault_whose_key_file_is_already_gone(made: tuple[Runner, str]) -> None:
    run, recovery = made
    (run.folder / "vault.keys").unlink()
    code, _, err = run("list")
    assert code == 2 and "vault.keys" in err  # damaged: it says what is missing
    code, _, err = run("wipe", "--yes", auth=False)
    assert code == 0, err
    _says_no_vault(run, recovery)
