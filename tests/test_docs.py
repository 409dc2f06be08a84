"""Docs are part of the feature: every command is documented and shown in --help."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from tui.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:  # argparse has no public way to list subcommands
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_command_is_documented_in_cli_md() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `evault ([a-z-]+)", text, flags=re.M))
    assert documented == set(_commands())
    assert "### `evault recipient new" in text


def test_every_option_is_documented() -> None:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parsers = list(_commands().items())
    for action in dict(parsers)["recipient"]._actions:
        if isinstance(action, argparse._SubParsersAction):
            parsers += [(f"recipient {n}", p) for n, p in action.choices.items()]
    parsers.append(("(global)", build_parser()))
    for name, sub in parsers:
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in text, f"{name} {option} is not in docs/cli.md"


def test_readme_starts_with_the_two_commands() -> None:
    lines = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if line]
    assert lines[1].startswith("Run: `") and "evault" in lines[1]
    assert lines[2].startswith("Test: `") and "pytest" in lines[2]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = lines[2].removeprefix("Test: `").removesuffix("`")
    assert test_command in ci


def test_exit_codes_match_the_code() -> None:
    from vault import errors

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for code in (
        errors.EXIT_OK,
        errors.EXIT_VERIFY_FAILED,
        errors.EXIT_USER_ERROR,
        errors.EXIT_INTERNAL,
        errors.EXIT_INTERRUPTED,
    ):
        assert f"| {code} |" in text
