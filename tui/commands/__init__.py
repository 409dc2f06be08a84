"""The ``evault`` commands, by what they work on: ``vaults`` (create, check, keys, identity, demo,
the app), ``evidence`` (add, list, show, search, edit, delete, cases), ``bundles`` (export, verify,
age keys for lawyers), ``imports`` (platform exports, chats, picture hashes) and ``wipe`` (the
emergency wipe).

Each module has a ``register(command)`` that adds its commands to the parser, and one handler per
command that opens the vault through :class:`tui.context.Context` and calls one ``Vault`` method.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

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


class Parser(argparse.ArgumentParser):
    """argparse repeats what was typed in its errors ("invalid choice: …"): shown safely too."""

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        super()._print_message(terminal_text(message, multiline=True), file)


def json_option() -> Parser:
    """The one ``--json`` option, as a parent parser for every command that can answer in JSON."""
    parent = Parser(add_help=False)
    parent.add_argument(
        "--json", action="store_true", help="machine-readable output (JSON) for scripts"
    )
    return parent
