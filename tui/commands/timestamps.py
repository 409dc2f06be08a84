"""`evault timestamp request|add|list`: independent proof of time carried by hand (issue 17).

evault never goes online: ``request`` writes a file and prints the commands that get it answered
on any computer that is; ``add`` checks the answer and keeps it; ``list`` shows what is kept.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tui import render
from tui.commands import Command
from tui.context import PROG, Context
from tui.paragraphs import lines_for_terminal
from tui.proof_words import pending_line, request_instructions, token_kept, token_line
from vault import EXIT_OK, _


def cmd_timestamp(args: argparse.Namespace, ctx: Context) -> int:
    ctx.err.write(
        lines_for_terminal(
            ctx.err,
            _("Say what to do: '{prog} timestamp request', 'add' or 'list'.").format(prog=PROG)
            + "\n",
        )
    )
    return 2


def cmd_request(args: argparse.Namespace, ctx: Context) -> int:
    out = ctx.output_path(args.out)
    with ctx.open_vault() as vault:
        request = vault.timestamp_request(out)
    if args.json:
        render.emit_json({"path": str(out), **request.to_json()}, ctx.out)
        return EXIT_OK
    ctx.out.write(request_instructions(out, request.head_seq) + "\n")
    ctx.advise_about_output(out)
    return EXIT_OK


def cmd_add(args: argparse.Namespace, ctx: Context) -> int:
    ca = Path(args.ca).expanduser() if args.ca else None
    with ctx.open_vault() as vault:
        token = vault.timestamp_add(Path(args.answer).expanduser(), ca=ca)
    if args.json:
        render.emit_json(token.to_json(), ctx.out)
        return EXIT_OK
    ctx.out.write(token_kept(token) + "\n")
    return EXIT_OK


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        found = vault.timestamps()
    if args.json:
        render.emit_json(
            {
                "tokens": [t.to_json() for t in found["tokens"]],
                "pending": [r.to_json() for r in found["pending"]],
            },
            ctx.out,
        )
        return EXIT_OK
    if not found["tokens"] and not found["pending"]:
        ctx.out.write(
            lines_for_terminal(
                ctx.out,
                _("No proof of time yet: '{prog} timestamp request' starts one.").format(prog=PROG)
                + "\n",
            )
        )
    for token in found["tokens"]:
        ctx.out.write(token_line(token) + "\n")
    for request in found["pending"]:
        ctx.out.write(pending_line(request) + "\n")
    return EXIT_OK


def register(command: Command) -> None:
    p = command(
        "timestamp",
        cmd_timestamp,
        _("independent proof of time for the custody log, carried by hand to an online computer"),
    )
    sub = p.add_subparsers(dest="timestamp_command", metavar="ACTION")
    json_help = _("machine-readable output (JSON) for scripts")
    help_text = _("write a time-stamp request file (.tsq) to carry to a computer that is online")
    s = sub.add_parser("request", help=help_text, description=help_text)
    s.set_defaults(handler=cmd_request)
    s.add_argument("--out", metavar="FILE.tsq", required=True, help=_("the new request file"))
    s.add_argument("--json", action="store_true", help=json_help)
    help_text = _("check the authority's answer (.tsr) and keep it in the vault")
    s = sub.add_parser("add", help=help_text, description=help_text)
    s.set_defaults(handler=cmd_add)
    s.add_argument("answer", metavar="FILE.tsr", help=_("the answer file"))
    s.add_argument(
        "--ca",
        metavar="CERTS.pem",
        help=_(
            "the authority's certificates (its root and any intermediate), as published by it; "
            "needed the first time an authority is used"
        ),
    )
    s.add_argument("--json", action="store_true", help=json_help)
    help_text = _("show the kept proofs of time, what each covers, and requests still waiting")
    s = sub.add_parser("list", help=help_text, description=help_text)
    s.set_defaults(handler=cmd_list)
    s.add_argument("--json", action="store_true", help=json_help)
