"""Long work shows one self-overwriting progress line when standard error is a real terminal (a
pseudo-terminal here), and nothing at all when it is a pipe or a file (issue 14)."""

from __future__ import annotations

import io
import os
import select
import zipfile
from pathlib import Path

import pytest

from tests.cli.runner import Runner, run_main
from tui.cli import main

BIG = 3 * 1024 * 1024 + 17  # several chunks, so the line is redrawn at least once


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "voice-note.ogg"
    path.write_bytes(b"OggS" + os.urandom(BIG - 4))
    return path


def on_a_terminal(argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)`` with standard error on a real pseudo-terminal; (code, stdout, what the
    terminal received)."""
    master, slave = os.openpty()
    err = open(slave, "w", encoding="utf-8", closefd=True)  # noqa: SIM115 - closed below
    out = io.StringIO()
    seen = b""
    try:
        assert err.isatty()
        code = main(argv, stdout=out, stderr=err)
    finally:
        err.close()
        while select.select([master], [], [], 0.05)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end is closed: all read
                break
            if not chunk:
                break
            seen += chunk
        os.close(master)
    return code, out.getvalue(), seen.decode("utf-8", "replace")


def _args(run: Runner) -> list[str]:
    return ["--vault", str(run.folder), "--passphrase-file", str(run.pwfile)]


def _line_shown(terminal: str, words: str) -> None:
    assert f"\r{words}: " in terminal, terminal
    wiped = "\r" + " " * 78 + "\r"
    assert terminal.rindex(wiped) > terminal.rindex("(100%)")  # wiped before anything else


def test_add_check_get_backup_show_progress_on_a_terminal(
    run: Runner, big: Path, tmp_path: Path
) -> None:
    code, out, terminal = on_a_terminal([*_args(run), "add", str(big)])
    assert code == 0 and "added: " in out
    _line_shown(terminal, "Adding the file")
    assert "3.0 MiB of 3.0 MiB" in terminal and "voice-note" not in terminal  # no file name
    item_id = run.json("list")[0]["id"]

    code, out, terminal = on_a_terminal([*_args(run), "check"])
    assert code == 0 and out.startswith("Checked 1 item")
    _line_shown(terminal, "Checking every original")

    code, _, terminal = on_a_terminal([*_args(run), "get", item_id, "--out", str(tmp_path / "c")])
    assert code == 0
    _line_shown(terminal, "Writing the copy")

    code, _, terminal = on_a_terminal([*_args(run), "backup", "--to", str(tmp_path / "copy")])
    assert code == 0
    _line_shown(terminal, "Copying the vault")

    restore = ["restore", "--from", str(tmp_path / "copy"), "--to", str(tmp_path / "back")]
    code, out, terminal = on_a_terminal([*_args(run), *restore])
    assert code == 0 and "Vault restored" in out
    _line_shown(terminal, "Putting the copy back")


def test_export_and_verify_show_progress_on_a_terminal(
    run: Runner, big: Path, tmp_path: Path
) -> None:
    assert run("add", str(big))[0] == 0
    bundle = tmp_path / "bundle.zip"
    code, out, terminal = on_a_terminal([*_args(run), "export", "--all", "--out", str(bundle)])
    assert code == 0 and "Bundle written" in out
    _line_shown(terminal, "Writing the bundle")
    assert zipfile.is_zipfile(bundle)
    code, out, terminal = on_a_terminal(["verify", str(bundle)])
    assert code == 4 and "FILES INTACT" in out
    _line_shown(terminal, "Checking the bundle")


def test_several_files_say_which_one(run: Runner, big: Path, tmp_path: Path) -> None:
    second = tmp_path / "second.bin"
    second.write_bytes(os.urandom(BIG))
    code, out, terminal = on_a_terminal([*_args(run), "add", str(big), str(second)])
    assert code == 0 and out.count("added: ") == 2
    assert "\rAdding file 1 of 2: " in terminal and "\rAdding file 2 of 2: " in terminal


def test_nothing_when_piped(run: Runner, big: Path, tmp_path: Path) -> None:
    """Not a terminal (a pipe, a log file): not one byte of progress."""
    code, out, err = run("add", str(big))
    assert code == 0 and err == ""
    assert "Adding" not in out
    for args in (
        ("check",),
        ("backup", "--to", str(tmp_path / "copy")),
        ("export", "--all", "--out", str(tmp_path / "b.zip")),
    ):
        code, _, err = run(*args)
        assert code == 0 and "\r" not in err and "%" not in err, (args, err)
    code, _, err = run_main(["verify", str(tmp_path / "b.zip")])
    assert "\r" not in err and "Checking the bundle" not in err
