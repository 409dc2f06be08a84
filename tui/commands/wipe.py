"""`evault wipe`: destroy the vault in a hurry, with one deliberate confirmation and no passphrase.

At a terminal it asks once: the defender types WIPE. Scripts (and a panic shortcut someone set up
in advance) pass ``--yes``; without a terminal and without ``--yes`` nothing is removed. The
lock is not waited for: a vault open in another evault window is wiped too, and the summary says
so (``vault.store.wipe`` explains why).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui import render
from tui.commands import Command
from tui.context import PROG, Context
from tui.paragraphs import fill
from tui.wipe_words import is_wipe_word
from vault import EXIT_OK, N_, Cancelled, InvalidInput, _

if TYPE_CHECKING:
    from vault import WipeResult

NOT_WIPED = N_("Not wiped: nothing was removed.")


def cmd_wipe(args: argparse.Namespace, ctx: Context) -> int:
    from vault import ensure_wipeable, wipe_vault  # noqa: PLC0415 - loaded only for this command

    folder = ctx.vault_path
    ensure_wipeable(folder)  # "no vault here" before any question
    if not args.yes:
        if not ctx.interactive():
            raise InvalidInput(
                _(
                    "'{prog} wipe' needs --yes when it is not run at a terminal. Not wiped: "
                    "nothing was removed."
                ).format(prog=PROG)
            )
        ctx.out.write(_wrap(_(render.WIPE_WARNING).format(folder=folder)))
        # TRANSLATORS: {word} is WIPE, which is typed as it is in every language.
        typed = ctx.ask(
            _("Type {word} to destroy it, or anything else to stop: ").format(word=render.WIPE_WORD)
        )
        if not is_wipe_word(typed):
            raise Cancelled(_(NOT_WIPED))
    result = wipe_vault(folder)
    if args.json:
        render.emit_json(_as_json(result), ctx.out)
    else:
        paragraphs = render.wipe_summary(result, open_elsewhere=result.was_open)
        ctx.out.write("\n".join(_wrap(p) for p in paragraphs))
    return EXIT_OK


def _wrap(paragraph: str) -> str:
    return fill(paragraph) + "\n"


def _as_json(result: WipeResult) -> dict[str, object]:
    return {
        "wiped": True,
        "vault": str(result.folder),
        "removed": list(result.removed),
        "left": list(result.left),
        "folder_removed": result.folder_removed,
        "was_open_elsewhere": result.was_open,
    }


def register(command: Command) -> None:
    p = command(
        "wipe",
        cmd_wipe,
        _(
            "destroy this vault at once (no passphrase needed; cannot be undone except from a "
            "backup)"
        ),
        json=True,
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help=_("do not ask: wipe at once (for scripts and prepared shortcuts)"),
    )
