"""`evault ui` (and `evault` with no command): open the terminal app.

A module of its own, apart from the other vault commands (``tui.commands.vaults``), so that opening
the app imports nothing the unlock screen's first frame does not need: the command line parses
the words with only this command registered (``tui.cli``), and the other command modules, with
the words they print (``tui.render``) and what those load, are never imported.
"""

from __future__ import annotations

import argparse

from tui.context import Context
from vault import EXIT_OK, N_

UI_HELP = N_("open the terminal app (also: evault with no command)")


def cmd_ui(args: argparse.Namespace, ctx: Context) -> int:
    from tui.app import make_app  # noqa: PLC0415 - Textual loads only for the app

    portable = ctx.portable
    make_app(
        ctx.vault_path,
        files_folder=portable.root if portable else None,
        exports_folder=portable.exports if portable else None,
        notices=portable.warnings if portable else [],
        language_fixed=bool(getattr(args, "language_fixed", False)),
    ).run()
    return EXIT_OK
