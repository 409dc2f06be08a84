"""`evault backup` and `evault restore`: a checked copy of the encrypted vault elsewhere, and back."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from tui import render
from tui.commands import Command
from tui.context import PROG, Context
from tui.paragraphs import lines_for_terminal
from tui.progress import progress_line
from vault import EXIT_OK, EXIT_VERIFY_FAILED, N_, _, ngettext

if TYPE_CHECKING:
    from vault import BackupResult

BAD_COPY = N_(
    "THE NEW COPY DID NOT PASS THE CHECK, so it was not put in place; an earlier backup in that "
    "folder is unchanged. Run '{prog} check' on your vault, and try another disk or stick."
)


def cmd_backup(args: argparse.Namespace, ctx: Context) -> int:
    destination = ctx.vault_folder(args.to)
    with ctx.open_vault() as vault, progress_line(ctx, _("Copying the vault")) as line:
        result = vault.backup(destination, progress=line)
    how = _("Backup brought up to date") if result.updated else _("Backup written")
    return _report(args, ctx, result, how)


def cmd_restore(args: argparse.Namespace, ctx: Context) -> int:
    source = ctx.vault_folder(args.source)
    destination = ctx.vault_folder(args.to) if args.to else ctx.vault_path
    with ctx.open_vault(source) as backup, progress_line(ctx, _("Putting the copy back")) as line:
        result = backup.restore_to(destination, replace=args.replace, progress=line)
    code = _report(args, ctx, result, _("Vault restored"))
    if result.ok and not args.json:
        ctx.out.write(
            _("Open it with: {prog} --vault {folder}").format(prog=PROG, folder=destination) + "\n"
        )
    return code


def _report(args: argparse.Namespace, ctx: Context, result: BackupResult, what: str) -> int:
    if args.json:
        render.emit_json(result.to_json(), ctx.out)
        return EXIT_OK if result.ok else EXIT_VERIFY_FAILED
    if not result.ok:
        ctx.out.write(_(BAD_COPY).format(prog=PROG) + "\n")
        for problem in result.problems:
            ctx.out.write(f"  - {problem}\n")
        return EXIT_VERIFY_FAILED
    items = ngettext("{n} item", "{n} items", result.items_checked).format(n=result.items_checked)
    events = ngettext("{n} custody event", "{n} custody events", result.events_checked).format(
        n=result.events_checked
    )
    ctx.out.write(
        lines_for_terminal(
            ctx.out,
            # TRANSLATORS: {what} is "Backup written", "Backup brought up to date" or "Vault restored".
            _("{what}: {folder}").format(what=what, folder=result.folder)
            + "\n"
            # TRANSLATORS: {items} is "3 items", {events} is "12 custody events".
            + _(
                "The copy was checked: {items} and {events}, every original against its file code "
                "(SHA-256), the database and the key file."
            ).format(items=items, events=events)
            + "\n"
            + _(
                "It opens with the same passphrase and recovery key. Keep it as safe as the vault "
                "itself: with the passphrase, it opens."
            )
            + "\n",
        )
    )
    if result.replaced is not None:
        ctx.out.write(
            _("The vault that was there is kept, whole, as: {folder}").format(
                folder=result.replaced
            )
            + "\n"
        )
    for note in result.notes:
        ctx.out.write(_("Note: {note}").format(note=note) + "\n")
    return EXIT_OK


def register(command: Command) -> None:
    p = command(
        "backup",
        cmd_backup,
        _(
            "write a checked copy of the encrypted vault into a folder (another stick, a synced "
            "folder); again into the same folder, it is brought up to date"
        ),
        json=True,
    )
    p.add_argument(
        "--to",
        metavar="DIR",
        required=True,
        help=_("a new or empty folder, or an earlier backup of this vault"),
    )
    p = command(
        "restore",
        cmd_restore,
        _(
            "put a backup back as the vault folder (unlock it with the backup's passphrase or "
            "recovery key); a backup also opens directly with --vault DIR"
        ),
        json=True,
    )
    p.add_argument(
        "--from", dest="source", metavar="DIR", required=True, help=_("the backup folder")
    )
    p.add_argument(
        "--to",
        metavar="FOLDER",
        help=_(
            "where the vault goes: a new or empty folder (default: --vault, or the usual place)"
        ),
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help=_(
            "FOLDER holds this same vault: put the backup in its place and keep the old one "
            "beside it, renamed"
        ),
    )
