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
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

from tui.context import Context
from tui.terminal_text import terminal_text
from vault import _

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
    """'id, --out' -> 'id and --out' (in the current language)."""
    head, _sep, last = names.rpartition(", ")
    # TRANSLATORS: the last two of a list of option names, e.g. "id, --out and --reason".
    return _("{names} and {last}").format(names=head, last=last) if head else names


def _usage_sentence(prog: str, message: str) -> str:
    """argparse's error ``message`` as one sentence in the project's style (what, then what to do).

    argparse's own words stay English (the standard library is not patched); they are recognised
    here and each whole sentence is said again in the current language, with named placeholders.
    """
    argument = ""
    found = re.match(r"argument (\S+?)(?:/\S+)?: (.*)$", message, flags=re.S)
    if found:
        argument, message = found.group(1), found.group(2)
    command = argument in {"COMMAND", "ACTION"}  # the subcommand slot: a word, not a value
    if argument.startswith("{"):  # a positional with choices has no name of its own
        argument = ""

    def choice(m: re.Match[str]) -> str:
        value, choices = m.group(1), m.group(2).replace(chr(39), "")
        if command:
            return _("'{value}' is not a command of {prog}; '{prog} --help' lists them.").format(
                value=value, prog=prog
            )
        if argument:
            return _(
                "'{value}' is not one of the choices for {argument} ({choices}); "
                "see '{prog} --help'."
            ).format(value=value, argument=argument, choices=choices, prog=prog)
        return _("'{value}' is not one of the choices ({choices}); see '{prog} --help'.").format(
            value=value, choices=choices, prog=prog
        )

    rules: list[tuple[str, Callable[[re.Match[str]], str]]] = [
        (r"invalid choice: '(.*)' \(choose from (.*)\)$", choice),
        (
            r"the following arguments are required: (.*)$",
            lambda m: _("'{prog}' needs {names}; see '{prog} --help'.").format(
                prog=prog, names=_and(m[1])
            ),
        ),
        (
            r"one of the arguments (.*) is required$",
            lambda m: _("'{prog}' needs one of {names}; see '{prog} --help'.").format(
                prog=prog, names=m[1]
            ),
        ),
        (
            r"unrecognized arguments: (.*)$",
            lambda m: _("'{prog}' does not know {words}; see '{prog} --help'.").format(
                prog=prog, words=m[1]
            ),
        ),
        (
            r"expected .*argument$",
            lambda m: _("{argument} needs a value after it; see '{prog} --help'.").format(
                argument=argument, prog=prog
            ),
        ),
        (
            r"not allowed with argument (.*)$",
            lambda m: _("Use either {argument} or {other}, not both; see '{prog} --help'.").format(
                argument=argument, other=m[1], prog=prog
            ),
        ),
        (
            r"invalid \S+ value: '(.*)'$",
            lambda m: _(
                "'{value}' is not a valid value for {argument}; see '{prog} --help'."
            ).format(value=m[1], argument=argument, prog=prog),
        ),
        (
            r"ambiguous option: (\S+) could match (.*)$",
            lambda m: _(
                "{option} could mean {options}: type more of it; see '{prog} --help'."
            ).format(option=m[1], options=m[2], prog=prog),
        ),
    ]
    for pattern, words in rules:
        match = re.match(pattern, message, flags=re.S)
        if match:
            return words(match)
    text = f"{argument}: {message}" if argument else message
    # TRANSLATORS: {problem} is argparse's own English description of what was typed wrong.
    return _("{problem}; see '{prog} --help'.").format(
        problem=f"{text[:1].upper()}{text[1:]}", prog=prog
    )


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout, with its one word of its own ("usage: ") in the current language."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        # TRANSLATORS: the start of the help's first line, "usage: evault [-h] ..." (keep the space).
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """argparse repeats what was typed in its errors ("invalid choice: …"): shown safely too, and
    in one calm sentence instead of a usage block (``--help`` is unchanged)."""

    def __init__(self, *, add_help: bool = True, **kwargs: Any) -> None:
        # argparse names its two groups and its -h option in English when the parser is made;
        # ours are made after the language is chosen, so they are said in that language here,
        # without changing the standard library for anyone else.
        kwargs.setdefault("formatter_class", HelpFormatter)
        parents: list[argparse.ArgumentParser] = kwargs.pop("parents", None) or []
        super().__init__(add_help=False, **kwargs)
        self._positionals.title = _("positional arguments")
        self._optionals.title = _("options")
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", help=_("show this help message and exit")
            )
        for parent in parents:  # after -h, as argparse itself orders them
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        super()._print_message(terminal_text(message, multiline=True), file)

    def error(self, message: str) -> NoReturn:
        raise UsageProblem(_usage_sentence(self.prog, message))


def json_option() -> Parser:
    """The one ``--json`` option, as a parent parser for every command that can answer in JSON."""
    parent = Parser(add_help=False)
    parent.add_argument(
        "--json", action="store_true", help=_("machine-readable output (JSON) for scripts")
    )
    return parent
