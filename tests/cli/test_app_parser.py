"""The app's short way through the command line (issue 18, start-up).

``evault`` and ``evault ui`` are parsed by a parser that knows only the ``ui`` command, so that the
other command modules are not imported before the app's first frame (``tui.cli.parse_words``).
It must change nothing a person sees: every command line gives the same result, the same error
sentence and the same help as the whole parser does.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import build_parser, parse_words
from tui.commands import UsageProblem

ROOT = Path(__file__).resolve().parents[2]

SAME_RESULT = [
    [],
    ["ui"],
    ["--vault", "x.evault", "ui"],
    ["--vault=x.evault"],
    ["--lang", "ru", "--vault", "x.evault", "ui"],
    ["--portable", "/media/stick", "ui"],
    ["--keyfile", "k", "--passphrase-file", "-", "ui"],
    ["--vault", "ui"],  # a folder called "ui", and no command
    ["--vau", "x.evault", "ui"],  # argparse accepts an option's unambiguous start
    ["--version"],
    ["list"],
    ["--vault", "x.evault", "check", "--json"],
    ["verify", "bundle.zip"],
]

SAME_ERROR = [
    ["ui", "extra"],
    ["ui", "--json"],
    ["--lang", "xx"],
    ["nosuch"],
    ["--vault"],
    ["--nosuch", "ui"],
    ["check", "--nosuch"],
]


def _plain(args: argparse.Namespace) -> dict[str, object]:
    return dict(vars(args))  # the handler is the same function object in both


@pytest.mark.parametrize("words", SAME_RESULT, ids=lambda w: " ".join(w) or "(none)")
def test_the_app_parser_gives_what_the_whole_parser_gives(words: list[str]) -> None:
    assert _plain(parse_words(words)) == _plain(build_parser().parse_args(words))


@pytest.mark.parametrize("words", SAME_ERROR, ids=" ".join)
def test_a_mistake_gets_the_whole_parser_s_sentence(words: list[str]) -> None:
    with pytest.raises(UsageProblem) as whole:
        build_parser().parse_args(words)
    with pytest.raises(UsageProblem) as short:
        parse_words(words)
    assert short.value.sentence == whole.value.sentence


@pytest.mark.parametrize("words", [["-h"], ["--help"], ["--he"], ["ui", "-h"]])
def test_help_comes_from_the_whole_parser(
    words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(words)
    whole = capsys.readouterr().out
    with pytest.raises(SystemExit):
        parse_words(words)
    assert capsys.readouterr().out == whole


def test_other_command_modules_load_only_for_other_commands() -> None:
    """The app's words load no other command module; any other command loads them all."""
    probe = (
        "import sys; from tui.cli import parse_words; parse_words(sys.argv[1:]); "
        "print(sorted(m for m in sys.modules if m.startswith('tui.commands.')))"
    )

    def loaded(*words: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe, *words],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        return done.stdout.strip()

    assert loaded("--vault", "x.evault", "ui") == "['tui.commands.ui']"
    assert "tui.commands.evidence" in loaded("--vault", "x.evault", "list")
