"""What the command line asks a person at a terminal (issue 14): `rm` asks before deleting (and
scripts say --yes), a mistyped passphrase may be typed again, and `init` checks a new passphrase's
length before asking for it a second time."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from tests.cli.runner import Runner, run_main
from tests.conftest import PASSPHRASE
from tui.cli import main


class Terminal(io.StringIO):
    """Standard input or output of a person at a terminal, with what they type."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """Secrets typed at the (no-echo) prompt, in order, and the prompts that asked for them."""
    answers: list[str] = []
    prompts: list[str] = []

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        if not answers:
            raise EOFError
        return answers.pop(0)

    monkeypatch.setattr("tui.secrets_input.getpass.getpass", getpass)
    monkeypatch.setattr("tui.secrets_input.terminal_available", lambda: True)
    return answers, prompts


def _at_terminal(
    argv: list[str], typed: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    out, err = Terminal(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", Terminal(typed))
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _note(run: Runner, title: str) -> str:
    return str(run.json("add-note", "--title", title, stdin=b"a note")["item_id"])


def _deleted(run: Runner, item_id: str) -> bool:
    items = {i["id"]: i for i in run.json("list", "--all")}
    return items[item_id]["deleted_at"] is not None


def test_rm_at_a_terminal_asks_first(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    item_id = _note(run, "Ещё одно слово")
    argv = ["--vault", str(run.folder), "--passphrase-file", str(run.pwfile)]
    code, out, err = _at_terminal([*argv, "rm", item_id, "--reason", "dup"], "no\n", monkeypatch)
    assert code == 130 and "Not deleted: nothing was changed." in err
    assert f"item {item_id[:8]} (note, added " in out and "Type yes to delete it" in out
    assert "Ещё" not in out  # the question never shows the title
    assert not _deleted(run, item_id)
    code, out, err = _at_terminal([*argv, "rm", item_id, "--reason", "dup"], "yes\n", monkeypatch)
    assert code == 0, err
    assert "Deleted the content of" in out
    assert _deleted(run, item_id)


def test_rm_for_good_at_a_terminal_says_so(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    item_id = _note(run, "x")
    argv = ["--vault", str(run.folder), "--passphrase-file", str(run.pwfile)]
    code, out, _ = _at_terminal(
        [*argv, "rm", item_id, "--reason", "r", "--purge"], "\n", monkeypatch
    )
    assert code == 130 and "FOR GOOD" in out and "It cannot be\nundone." in out
    assert not _deleted(run, item_id)


def test_rm_without_a_terminal_needs_yes(
    run: Runner, typed: tuple[list[str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    item_id = _note(run, "x")
    code, out, err = run("rm", item_id, "--reason", "dup")
    assert code == 2 and out == ""
    assert "add --yes" in err and "Not deleted" in err and err.count("\n") == 1
    assert not _deleted(run, item_id)
    # Refused before any passphrase is asked for.
    _, prompts = typed
    code, _, err = run("rm", item_id, "--reason", "dup", auth=False)
    assert code == 2 and "--yes" in err and prompts == []
    code, out, err = run("rm", item_id, "--reason", "dup", "--yes")
    assert code == 0, err
    assert _deleted(run, item_id)


def test_a_mistyped_passphrase_may_be_typed_again(
    run: Runner, typed: tuple[list[str], list[str]]
) -> None:
    answers, prompts = typed
    answers += ["wrong one", "wrong two", PASSPHRASE]
    code, out, err = run("list", auth=False)
    assert code == 0, err
    assert "No items." in out
    assert prompts == ["Passphrase: "] * 3
    assert err.splitlines() == [
        "evault: That passphrase does not open this vault; try again (2 tries left).",
        "evault: That passphrase does not open this vault; try again (1 try left).",
    ]
    assert max(len(line) for line in err.splitlines()) < 80  # one line at 80 columns


def test_three_wrong_passphrases_end_the_command(
    run: Runner, typed: tuple[list[str], list[str]]
) -> None:
    answers, prompts = typed
    answers += ["wrong one", "wrong two", "wrong three", PASSPHRASE]
    code, out, err = run("list", auth=False)
    assert code == 2 and out == ""
    assert len(prompts) == 3
    assert err.splitlines()[-1] == (
        "evault: That passphrase does not open this vault. Check it and try again."
    )


def test_a_passphrase_from_a_file_is_tried_once(run: Runner, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n", encoding="utf-8")
    code, _, err = run_main(["--vault", str(run.folder), "--passphrase-file", str(wrong), "list"])
    assert code == 2 and err.count("\n") == 1 and "tries left" not in err


def test_a_missing_keyfile_is_not_asked_again(
    tmp_path: Path, patch_fast_kdf: None, typed: tuple[list[str], list[str]]
) -> None:
    pw = tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE + "\n", encoding="utf-8")
    keyfile = tmp_path / "photo.jpg"
    keyfile.write_bytes(os.urandom(64))
    folder = tmp_path / "k.evault"
    argv = ["--vault", str(folder), "--passphrase-file", str(pw), "--keyfile", str(keyfile)]
    assert run_main([*argv, "init"])[0] == 0
    answers, prompts = typed
    answers += [PASSPHRASE, PASSPHRASE, PASSPHRASE]
    code, _, err = run_main(["--vault", str(folder), "list"])
    assert code == 2 and "keyfile" in err and len(prompts) == 1


def test_init_checks_the_length_before_asking_twice(
    tmp_path: Path, patch_fast_kdf: None, typed: tuple[list[str], list[str]]
) -> None:
    answers, prompts = typed
    answers += ["short", PASSPHRASE, PASSPHRASE]
    folder = tmp_path / "new.evault"
    code, out, err = run_main(["--vault", str(folder), "init"])
    assert code == 0, err
    assert prompts == ["New passphrase: ", "New passphrase: ", "Type it again: "]
    assert err.startswith("evault: A passphrase needs at least 8 characters.")
    assert "Vault created" in out


def test_init_stops_after_three_short_passphrases(
    tmp_path: Path, patch_fast_kdf: None, typed: tuple[list[str], list[str]]
) -> None:
    answers, prompts = typed
    answers += ["a", "bb", "ccc", PASSPHRASE]
    folder = tmp_path / "new.evault"
    code, out, err = run_main(["--vault", str(folder), "init"])
    assert code == 2 and out == ""
    assert prompts == ["New passphrase: "] * 3
    assert err.splitlines()[-1].startswith("evault: A passphrase needs at least 8 characters.")
    assert not (folder / "vault.keys").exists()


def test_init_over_a_vault_says_so_before_asking(
    run: Runner, typed: tuple[list[str], list[str]]
) -> None:
    _, prompts = typed
    code, out, err = run("init", auth=False)
    assert code == 2 and out == "" and prompts == []
    assert "already holds a vault" in err
