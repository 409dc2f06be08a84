"""The ``evault`` commands, by what they work on: ``vaults`` (create, check, keys, identity, demo,
the app), ``evidence`` (add, list, show, search, edit, delete, cases), ``bundles`` (export, verify,
age keys for lawyers), ``imports`` (platform exports, chats, picture hashes) and ``wipe`` (the
emergency wipe).

Each module has a ``register(command)`` that adds its commands to the parser, and one handler per
command that opens the vault through :class:`tui.context.Context` and calls one ``Vault`` method.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn, Protocol

from tui.context import Context
from tui.terminal_text import terminal_text

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

Handler = Callable[[argparse.Namespace, Context], int]


class Command(Protocol):
    """``command(name, handler, help, json=...)``: add a subcommand (``--json`` if asked)."""

    def __call__(
        self, name: str, handler: Handler, help_text: str, *, json: bool = False
    ) -> argparse.ArgumentParser: ...


class UsageProblem(Exception):
    """What was typed does not fit the commands: one calm sentence for ``main`` to print (exit 2).

    argparse's own ``usage: …`` block and ``error:`` line are for programmers; a defender gets a
    sentence that says what is wrong and where the help is."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


def _and(names: str) -> str:
    """'id, --out' -> 'id and --out'."""
    head, _, last = names.rpartition(", ")
    return f"{head} and {last}" if head else names


def _usage_sentence(prog: str, message: str) -> str:
    """argparse's error ``message`` as one sentence in the project's style (what, then what to do)."""
    hint = f"see '{prog} --help'"
    argument = ""
    found = re.match(r"argument (\S+?)(?:/\S+)?: (.*)$", message, flags=re.S)
    if found:
        argument, message = found.group(1), found.group(2)
    command = argument in {"COMMAND", "ACTION"}  # the subcommand slot: a word, not a value
    if argument.startswith("{"):  # a positional with choices has no name of its own
        argument = ""
    rules: list[tuple[str, Callable[[re.Match[str]], str]]] = [
        (
            r"invalid choice: '(.*)' \(choose from (.*)\)$",
            lambda m: (
                f"'{m.group(1)}' is not a command of {prog}; '{prog} --help' lists them"
                if command
                else f"'{m.group(1)}' is not one of the choices"
                f"{' for ' + argument if argument else ''} "
                f"({m.group(2).replace(chr(39), '')}); {hint}"
            ),
        ),
        (
            r"the following arguments are required: (.*)$",
            lambda m: f"'{prog}' needs {_and(m[1])}; {hint}",
        ),
        (
            r"one of the arguments (.*) is required$",
            lambda m: f"'{prog}' needs one of {m[1]}; {hint}",
        ),
        (r"unrecognized arguments: (.*)$", lambda m: f"'{prog}' does not know {m[1]}; {hint}"),
        (r"expected .*argument$", lambda m: f"{argument} needs a value after it; {hint}"),
        (
            r"not allowed with argument (.*)$",
            lambda m: f"Use either {argument} or {m[1]}, not both; {hint}",
        ),
        (
            r"invalid \S+ value: '(.*)'$",
            lambda m: f"'{m[1]}' is not a valid value for {argument}; {hint}",
        ),
        (
            r"ambiguous option: (\S+) could match (.*)$",
            lambda m: f"{m[1]} could mean {m[2]}: type more of it; {hint}",
        ),
    ]
    for pattern, words in rules:
        match = re.match(pattern, message, flags=re.S)
        if match:
            return words(match) + "."
    text = f"{argument}: {message}" if argument else message
    return f"{text[:1].upper()}{text[1:]}; {hint}."


class Parser(argparse.ArgumentParser):
    """argparse repeats what was typed in its errors ("invalid choice: …"): shown safely too, and
    in one calm sentence instead of a usage block (``--help`` is unchanged)."""

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        super()._print_message(terminal_text(message, multiline=True), file)

    def error(self, message: str) -> NoReturn:
        raise UsageProblem(_usage_sentence(self.prog, message))


def json_option() -> Parser:
    """The one ``--json`` option, as a parent parser for every command that can answer in JSON."""
    parent = Parser(add_help=False)
    parent.add_argument(
        "--json", action="store_true", help="machine-readable output (JSON) for scripts"
    )
    return parent
