"""The command line shows nothing made from a sensitive item's content without ``--reveal``: not its
title (an imported message's first line, a file's name), description or file name; with
``--reveal`` it does, and records that in custody like the app's reveal (issue 14, item 2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.runner import run_main
from tests.conftest import PASSPHRASE, MakeVault
from tests.sensitive_support import (
    CHAT_KEY,
    CHAT_SENDER,
    CHAT_WORD,
    DESCRIPTION_WORD,
    FILE_WORD,
    MESSAGE_WORD,
    SEARCH_WORD,
    SENDER,
    fill,
    planted_in,
)
from vault import Vault

REVEAL_HOW = "details shown on the command line"


class Cli:
    """``evault --vault V --passphrase-file P ...`` in-process, on the filled vault."""

    def __init__(self, folder: Path, pwfile: Path, ids: dict[str, str]) -> None:
        self.folder = folder
        self.pwfile = pwfile
        self.ids = ids

    def __call__(self, *args: str) -> str:
        auth = ["--vault", str(self.folder), "--passphrase-file", str(self.pwfile)]
        code, out, err = run_main([*auth, *args])
        assert code == 0, err
        return out

    def views(self) -> list[tuple[str, str]]:
        """(item id, how) of every ``item.viewed`` custody event."""
        with Vault.open(self.folder, passphrase=PASSPHRASE) as vault:
            return [
                (e.item_id or "", str(e.details.get("how", "")))
                for e in vault.custody_log()
                if e.type == "item.viewed"
            ]


@pytest.fixture
def cli(make_vault: MakeVault, tmp_path: Path) -> Cli:
    vault, _ = make_vault("sensitive.evault")
    ids = fill(vault, tmp_path)
    folder = vault.folder
    vault.close()
    pw = tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return Cli(folder, pw, ids)


# Each command: its arguments (given the item ids), and the planted words its output would hold
# if the sensitive items' details were shown.
COMMANDS: dict[str, tuple[Callable[[dict[str, str]], list[str]], list[str]]] = {
    "list": (lambda ids: ["list"], [MESSAGE_WORD, FILE_WORD, CHAT_WORD]),
    "show-message": (lambda ids: ["show", ids["message"]], [MESSAGE_WORD]),
    "show-photo": (lambda ids: ["show", ids["photo"]], [FILE_WORD, DESCRIPTION_WORD]),
    "show-chat-message": (lambda ids: ["show", ids["chat_message"]], [CHAT_WORD]),
    "search": (lambda ids: ["search", SEARCH_WORD], [MESSAGE_WORD]),
    "chat": (lambda ids: ["chat", CHAT_KEY], [CHAT_WORD]),
    "similar": (lambda ids: ["similar", ids["photo"]], [FILE_WORD]),
}


@pytest.mark.parametrize("json_output", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_sensitive_details_hidden_without_reveal_and_shown_with_it(
    cli: Cli, command: str, json_output: bool
) -> None:
    make_args, words = COMMANDS[command]
    args = make_args(cli.ids) + (["--json"] if json_output else [])
    if json_output:
        json.loads(cli(*args))  # still valid JSON
    hidden = cli(*args)
    assert planted_in(hidden) == []
    assert "Sensitive " in hidden
    assert cli.views() == []  # nothing revealed, nothing recorded

    shown = cli(*args, "--reveal")
    assert sorted(planted_in(shown)) == sorted(words)
    views = cli.views()
    assert views, "a reveal on the command line is recorded in custody"
    assert {how for _, how in views} == {REVEAL_HOW}
    # Only sensitive items' reveals are recorded, never the ordinary one's.
    assert cli.ids["plain"] not in {item_id for item_id, _ in views}


def test_show_keeps_the_sender_and_says_what_is_hidden(cli: Cli) -> None:
    out = cli("show", cli.ids["photo"])
    assert SENDER in out
    assert "Sensitive picture (Telegram" in out
    assert "(hidden until you reveal it)" in out  # the description and the file name
    assert cli.ids["photo"] in out


def test_chat_keeps_sender_and_time_of_a_sensitive_message(cli: Cli) -> None:
    out = cli("chat", CHAT_KEY)
    (line,) = [x for x in out.splitlines() if "SENSITIVE" in x]
    assert "2023-11-14" in line and f"{CHAT_SENDER}: Sensitive message" in line


def test_list_reveal_records_one_view_per_sensitive_item(cli: Cli) -> None:
    cli("list", "--reveal")
    viewed = sorted(item_id for item_id, _ in cli.views())
    assert viewed == sorted([cli.ids["message"], cli.ids["photo"], cli.ids["chat_message"]])


def test_log_json_hides_what_was_recorded_about_sensitive_items(cli: Cli) -> None:
    """The custody events recorded each item's title, description and file name when it was
    added: printed with the same rule (the signed log itself is unchanged: check passes)."""
    hidden = cli("log", "--json")
    assert planted_in(hidden) == []
    assert "(hidden until you reveal it)" in hidden
    assert cli.views() == []
    shown = cli("log", "--json", "--reveal")
    assert sorted(planted_in(shown)) == sorted(
        [MESSAGE_WORD, FILE_WORD, DESCRIPTION_WORD, CHAT_WORD]
    )
    assert sorted(i for i, _ in cli.views()) == sorted(
        [cli.ids["message"], cli.ids["photo"], cli.ids["chat_message"]]
    )
    assert "Everything holds" in cli("check")
