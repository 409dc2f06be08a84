"""`evault recovery shares`: split a recovery secret among trusted people (docs/cli.md).

A command group, so recovery through other people can grow more commands beside ``shares``
without touching ``recovery-key`` (the defender's own paper key, which stays as it is).
"""

from __future__ import annotations

import argparse

from tui import render
from tui.commands import Command
from tui.context import PROG, Context
from tui.paragraphs import lines_for_terminal
from vault import EXIT_OK, EXIT_USER_ERROR, N_, InvalidInput, _, ngettext

AFTER_ISSUING = N_(
    "Print each page and give it to one trusted person, in person. Then delete the files from\n"
    "this computer (and from any stick): anyone who finds {threshold} of them, and a copy of the\n"
    "vault, can open it. Each holder can read the set number and their share number aloud to you.\n"
)


def cmd_recovery(args: argparse.Namespace, ctx: Context) -> int:
    ctx.err.write(
        f"{PROG}: "
        + _("Say what to do, e.g. '{prog} recovery shares --help'.").format(prog=PROG)
        + "\n"
    )
    return EXIT_USER_ERROR


def cmd_recovery_shares(args: argparse.Namespace, ctx: Context) -> int:
    if args.revoke:
        return _revoke(args, ctx)
    if not args.out:
        raise InvalidInput(
            _("Say where to write the share pages: --out DIR (a new or empty folder).")
        )
    out = ctx.output_path(args.out)
    with ctx.open_vault() as vault:
        replaced = vault.recovery_shares is not None
        issued = vault.issue_recovery_shares(args.threshold, args.count, out)
    if args.json:
        render.emit_json(
            {
                "set_number": issued.set_number,
                "threshold": issued.threshold,
                "count": issued.count,
                "pages": [str(p) for p in issued.pages],
                "replaced_earlier_set": replaced,
            },
            ctx.out,
        )
        return EXIT_OK
    ctx.out.write(
        lines_for_terminal(
            ctx.out,
            ngettext(
                "Recovery shares written: {n} page in {folder}\n",
                "Recovery shares written: {n} pages in {folder}\n",
                issued.count,
            ).format(n=issued.count, folder=out)
            + _(
                "Set {set_number}: any {threshold} of the {count} shares, with a copy of the vault, "
                "open it.\n\n"
            ).format(set_number=issued.set_number, threshold=issued.threshold, count=issued.count),
        )
    )
    ctx.out.write(_(AFTER_ISSUING).format(threshold=issued.threshold))
    if replaced:
        ctx.out.write(_("The earlier set of shares no longer opens this vault.") + "\n")
    ctx.advise_about_output(*issued.pages[:1])
    return EXIT_OK


def _revoke(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        removed = vault.revoke_recovery_shares()
    if args.json:
        render.emit_json({"revoked": removed}, ctx.out)
    elif removed:
        ctx.out.write(
            _(
                "The recovery shares were withdrawn: no set of shares opens this vault any more.\n"
                "(Old backup copies of the folder still open with the old shares.)\n"
            )
        )
    else:
        ctx.out.write(_("This vault had no recovery shares; nothing was changed.") + "\n")
    return EXIT_OK


def register(command: Command) -> None:
    p = command("recovery", cmd_recovery, _("recovery through trusted people (shares)"))
    sub = p.add_subparsers(dest="recovery_command", metavar="COMMAND")
    help_text = _(
        "split a new recovery secret into shares for trusted people (the earlier set stops working)"
    )
    s = sub.add_parser("shares", help=help_text, description=help_text)
    s.set_defaults(handler=cmd_recovery_shares)
    s.add_argument(
        "--json", action="store_true", help=_("machine-readable output (JSON) for scripts")
    )
    s.add_argument(
        "--threshold",
        type=int,
        default=2,
        metavar="K",
        help=_("how many shares together open the vault (at least 2; default 2)"),
    )
    s.add_argument(
        "--count",
        type=int,
        default=3,
        metavar="N",
        help=_("how many trusted people get a share (2 to 16; default 3)"),
    )
    s.add_argument(
        "--out", metavar="DIR", help=_("new or empty folder for the pages, one file per person")
    )
    s.add_argument(
        "--revoke",
        action="store_true",
        help=_("withdraw the shares: no set opens the vault any more"),
    )
