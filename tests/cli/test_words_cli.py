"""The command line in words a defender understands (issue 14): calm usage errors, plurals, the
custody log in plain words and local time, a missing output folder named as such."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.runner import Runner, run_main
from tests.conftest import PASSPHRASE
from vault import EVENT_WORDS, event_words

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def baku(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process's local time zone is Asia/Baku (UTC+04:00, no summer time) for the test."""
    monkeypatch.setenv("TZ", "Asia/Baku")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["bogus"], "'bogus' is not a command of evault; 'evault --help' lists them."),
        (["add"], "'evault add' needs FILE; see 'evault add --help'."),
        (["get", "x"], "'evault get' needs --out; see 'evault get --help'."),
        (["export", "--out"], "--out needs a value after it; see 'evault export --help'"),
        (["import", "myspace", "x"], "'myspace' is not one of the choices (telegram, "),
        (["import", "telegram", "x", "--date-order", "zz"], "choices for --date-order (dmy, "),
        (["passwd", "--new-keyfile", "k", "--no-keyfile"], "Use either --no-keyfile or "),
        (["list", "--colour"], "'evault' does not know --colour; see 'evault --help'"),
        (["case", "frob"], "'frob' is not a command of evault case"),
    ],
)
def test_usage_errors_are_one_calm_sentence(argv: list[str], words: str) -> None:
    code, out, err = run_main(argv)
    assert code == 2 and out == ""
    assert err.startswith("evault: ") and words in err, err
    assert err.count("\n") == 1 and err.endswith(".\n")
    assert "usage:" not in err and "error:" not in err


def test_help_is_still_argparse_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run_main(["add", "--help"])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("usage: evault add")


def test_counts_of_one_are_singular(run: Runner, tmp_path: Path) -> None:
    one = tmp_path / "one.txt"
    one.write_text("a threat\n", encoding="utf-8")
    assert run("add", str(one))[0] == 0
    code, out, _ = run("list")
    assert code == 0 and "\n1 item. Full ids" in out
    code, out, _ = run("check")
    assert code == 0 and out.startswith("Checked 1 item (") and "1 items" not in out
    code, out, err = run("backup", "--to", str(tmp_path / "copy"))
    assert code == 0, err
    assert "1 item and 3 custody events" in out
    code, out, err = run("export", "--all", "--out", str(tmp_path / "b.zip"))
    assert code == 0, err
    assert "(1 item, " in out
    code, out, _ = run_main(["verify", str(tmp_path / "b.zip")])
    assert "all passed (1 item, " in out and "1 items" not in out
    item_id = run.json("list")[0]["id"]
    one_byte = tmp_path / "byte"
    one_byte.write_bytes(b"x")
    new_id = run.json("add", str(one_byte))[0]["item_id"]
    code, out, err = run("get", new_id, "--out", str(tmp_path / "back"))
    assert code == 0, err
    assert out.startswith("Wrote 1 byte to ") and "file code (SHA-256)" in out
    assert item_id


def test_get_into_a_missing_folder_names_it(run: Runner, tmp_path: Path) -> None:
    note = run.json("add-note", "--title", "n", stdin=b"a note")["item_id"]
    missing = tmp_path / "not-there"
    code, out, err = run("get", note, "--out", str(missing / "copy.txt"))
    assert code == 2 and out == ""
    assert f"The folder {missing} does not exist." in err
    assert "removed" not in err and err.count("\n") == 1
    assert not missing.exists()


def test_a_missing_folder_is_named_by_the_vault_too(run: Runner, tmp_path: Path) -> None:
    """The app calls the vault directly: its error names the folder as well."""
    from vault import InvalidInput, Vault

    note = run.json("add-note", "--title", "n", stdin=b"a note")["item_id"]
    missing = tmp_path / "gone"
    with (
        Vault.open(run.folder, passphrase=PASSPHRASE) as vault,
        pytest.raises(InvalidInput, match=r"The folder .*gone does not exist"),
    ):
        vault.export_content(note, missing / "x.txt")


def test_log_speaks_plain_words_in_local_time(run: Runner, tmp_path: Path, baku: None) -> None:
    note = run.json("add-note", "--title", "n", stdin=b"a note")["item_id"]
    assert run("edit", note, "--title", "new", "--reason", "typo")[0] == 0
    assert run("export", note, "--out", str(tmp_path / "b.zip"))[0] == 0
    code, out, err = run("log")
    assert code == 0, err
    assert "vault created" in out and "details edited" in out and '"typo"' in out
    assert "added to the vault" in out and "exported for a lawyer" in out
    assert "item.metadata_changed" not in out and "vault.created" not in out
    events = run.json("log")
    first = events[0]
    assert first["type"] == "vault.created" and first["time"].endswith("Z")  # --json: exact
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", first["time"])
    utc = first["time"]
    hour = (int(utc[11:13]) + 4) % 24
    line = out.splitlines()[0]
    assert f" {hour:02d}:{utc[14:16]}:{utc[17:19]} (UTC+04:00)  vault created" in line, line
    assert utc[:19] not in out and ".0" not in line  # no UTC stamp, no microseconds


def test_every_event_type_the_vault_writes_has_words() -> None:
    written: set[str] = set()
    for path in (ROOT / "vault").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r'"((?:vault|item|case|bundle|key|import)\.[a-z_]+)"', text))
    files = {"vault.db", "vault.keys", "vault.lock", "bundle.zip"}  # names of files, not events
    modules = {"vault.facade", "vault.version"}
    events = written - files - modules
    assert len(events) >= 20
    assert events <= set(EVENT_WORDS), events - set(EVENT_WORDS)
    for words in EVENT_WORDS.values():
        assert "." not in words.replace("vault.keys", "") and "_" not in words


def test_app_and_command_line_share_the_words() -> None:
    from tui.screens import item

    assert vars(item)["event_words"] is event_words  # the item page's timeline uses the table
    assert json.dumps(EVENT_WORDS)  # plain strings
    assert event_words("item.viewed", {"how": "details shown"}).startswith("title and details")
    assert event_words("item.viewed", {"how": "details shown on the command line"}).endswith(
        "on the command line"
    )


def test_no_command_without_a_terminal_is_one_line_on_opening_the_app() -> None:
    code, out, err = run_main([])
    assert code == 0 and err == ""
    assert out.count("\n") == 1 and "usage:" not in out
    assert "type evault in a terminal window" in out and "evault demo ~/demo" in out
    assert len(out) <= 80


def test_readme_run_command_opens_the_app() -> None:
    """The README's first command ends by starting evault itself, not by printing --help."""
    lines = [ln for ln in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if ln]
    assert lines[1].startswith("Run: `") and lines[1].endswith(" && .venv/bin/evault`")


def test_plain_words_lead_and_the_exact_terms_follow(
    run: Runner, tmp_path: Path, baku: None
) -> None:
    """ "file code (SHA-256)": the defender's words first, the lawyer's in brackets."""
    picture = tmp_path / "threat.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    item_id = run.json("add", str(picture))[0]["item_id"]
    code, out, _ = run("show", item_id)
    assert code == 0
    assert "\nFile code:     " in out and "\nFile type:     image/png" in out
    assert "(File code: the SHA-256 of the original" in out
    assert "SHA-256:" not in out and "Media type" not in out
    assert "(UTC+04:00)" in out.split("Added:", 1)[1].splitlines()[0]  # local time, with zone
    assert max(len(line) for line in out.splitlines()) < 80
    assert run.json("show", item_id)["captured_at"].endswith("Z")  # --json keeps UTC
    code, out, _ = run("add", str(picture))
    assert "already in the vault (same file code, SHA-256)" in out
    code, out, _ = run("check")
    assert "every original matches its file code (SHA-256)" in out
    code, out, _ = run("identity")
    assert "Public key that checks your signatures (Ed25519): " in out
    code, out, _ = run("export", "--all", "--out", str(tmp_path / "b.zip"))
    assert "File code of the bundle (SHA-256, recorded in your custody log):\n    " in out
