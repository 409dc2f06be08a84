"""`evault wipe`: destroy the vault in a hurry, with one deliberate confirmation and no passphrase.

At a terminal it asks once: the defender types WIPE. Scripts (and a panic shortcut someone set up
in advance) pass ``--yes``; without a terminal and without ``--yes`` nothing is removed.
"""

from __future__ import annotations

import argparse

from tui import render
from tui.commands import Command
from tui.context import PROG, Context
from vault import (
    EXIT_OK,
    Cancelled,
    InvalidInput,
    WipeResult,
    ensure_wipeable,
    wipe_vault,
)

CONFIRM_WORD = "WIPE"
NOT_WIPED = "Not wiped: nothing was removed."
FLASH_NOTE = (
    "On SSDs, USB sticks and memory cards the drive may keep old copies of some blocks where no\n"
    "program can reach them. They are encrypted, and the key to them was in vault.keys, which is\n"
    "gone: only someone who copied vault.keys (or the whole folder) before could use them.\n"
    "Backup copies of the vault are not touched and still open with their passphrase.\n"
)
OPEN_ELSEWHERE_NOTE = (
    "Another evault window or command had this vault open. Close it (or press its lock key)\n"
    "now: until then it still holds the vault's key in memory.\n"
)


def cmd_wipe(args: argparse.Namespace, ctx: Context) -> int:
    folder = ctx.vault_path
    ensure_wipeable(folder)  # "no vault here" before any question
    if not args.yes:
        if not ctx.interactive():
            raise InvalidInput(
                f"'{PROG} wipe' needs --yes when it is not run at a terminal. {NOT_WIPED}"
            )
        ctx.out.write(
            f"This destroys the vault in {folder} for good: nobody, not even you, will be\n"
            "able to open it again. Only a backup copy, with its passphrase or recovery key\n"
            "(or recovery shares), can bring the evidence back.\n"
        )
        typed = ctx.ask(f"Type {CONFIRM_WORD} to destroy it, or anything else to stop: ")
        if typed is None or typed.strip().upper() != CONFIRM_WORD:
            raise Cancelled(NOT_WIPED)
    result = wipe_vault(folder)
    if args.json:
        render.emit_json(_as_json(result), ctx.out)
        return EXIT_OK
    ctx.out.write(_summary(result))
    return EXIT_OK


def _summary(result: WipeResult) -> str:
    lines = [
        f"The vault in {result.folder} was wiped: its keys were overwritten and removed, and its\n"
        "database removed. It cannot be opened any more, by you or by anyone.\n"
    ]
    if result.left:
        lines.append(
            "Left in the folder (not the vault's, so not touched): " + ", ".join(result.left) + "\n"
        )
    elif not result.folder_removed:
        lines.append("The empty folder could not be removed; it holds nothing of the vault.\n")
    if result.was_open:
        lines.append(OPEN_ELSEWHERE_NOTE)
    lines.append(FLASH_NOTE)
    return "".join(lines)


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
        "destroy this vault at once (no passphrase needed; cannot be undone except from a backup)",
        json=True,
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help="do not ask: wipe at once (for scripts and prepared shortcuts)",
    )
