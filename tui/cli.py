"""The ``evault`` command line. Each command opens the vault and calls one ``vault`` method.

Exit codes (a contract scripts rely on): 0 success; 1 something does not verify (``check`` found a
problem); 2 usage or user error (wrong passphrase, bad input, damaged files); 3 an internal error
(a bug: please report it); 130 interrupted (nothing half-done is kept).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from tui import bundle_commands, import_commands, render
from tui.context import Context
from tui.secrets_input import read_keyfile, read_stdin
from vault.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USER_ERROR,
    EXIT_VERIFY_FAILED,
    EvaultError,
    InvalidInput,
)
from vault.evidence.models import AddResult, MessageFields, Metadata
from vault.host.paths import default_vault_path
from vault.version import VERSION

PROG = "evault"
MIN_ADVISED_PASSPHRASE = 12

Handler = Callable[[argparse.Namespace, Context], int]


# ---------------------------------------------------------------------- commands


def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    passphrase = ctx.new_passphrase(args.passphrase_file)
    if len(passphrase) < MIN_ADVISED_PASSPHRASE:
        ctx.advise(
            "Advice: this passphrase is short. A longer one (several unrelated words) is much "
            "harder to guess if the computer is taken."
        )
    from vault.facade import Vault  # noqa: PLC0415 - the heavy part loads only when needed

    vault, recovery = Vault.create(ctx.vault_path, passphrase, keyfile=ctx.keyfile())
    with vault:
        identity = vault.identity()
    if args.json:
        render.emit_json(
            {"vault": str(ctx.vault_path), "recovery_key": recovery, **identity}, ctx.out
        )
        return EXIT_OK
    ctx.out.write(
        f"Vault created: {ctx.vault_path}\n\n"
        "RECOVERY KEY — write it on paper now, check it, and keep the paper somewhere safe,\n"
        "away from this computer. It opens the vault if you forget your passphrase.\n"
        "It is shown only this once.\n\n"
        f"    {recovery}\n\n"
        f"Identity fingerprint (read it to your lawyer over the phone):\n"
        f"    {identity['fingerprint']}\n"
    )
    return EXIT_OK


def _metadata(args: argparse.Namespace) -> Metadata:
    return Metadata(
        title=args.title or "",
        description=args.description or "",
        platform=args.platform or "",
        source_url=args.url or "",
        sender_handle=args.sender or "",
        sender_id=args.sender_id or "",
        occurred=getattr(args, "occurred", None),
        occurred_tz=getattr(args, "occurred_tz", None),
        case=args.case,
        tags=tuple(args.tag or ()),
        sensitive=bool(args.sensitive),
    )


def cmd_add(args: argparse.Namespace, ctx: Context) -> int:
    paths = [Path(p) for p in args.files]
    for path in paths:
        if not path.is_file():
            raise InvalidInput(f"{path} is not a file that can be read. Nothing was added.")
    meta = _metadata(args)

    def report(r: AddResult) -> None:
        # Printed as soon as the file is safely committed, so if a later file fails (a full
        # disk, say) the defender still sees exactly which ones are in the vault.
        if args.json:
            return
        if r.duplicate:
            ctx.out.write(f"{r.item_id}  already in the vault (same SHA-256): {r.source}\n")
        else:
            ctx.out.write(f"{r.item_id}  added: {r.source}\n")
        ctx.out.flush()

    with ctx.open_vault() as vault:
        results = vault.add_files(paths, meta, on_result=report)
    if args.json:
        render.emit_json([r.to_json() for r in results], ctx.out)
    return EXIT_OK


def _read_stdin_text(ctx: Context, what: str) -> str:
    ctx.stdin.take(f"{what} text")
    data = read_stdin(16 * 1024 * 1024 + 1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"The {what} text is not UTF-8. Nothing was added.") from None


def cmd_add_message(args: argparse.Namespace, ctx: Context) -> int:
    text = _read_stdin_text(ctx, "message")
    fields = MessageFields(
        recipient=args.recipient or "", sent=args.sent, sent_tz=args.sent_tz, thread=""
    )
    with ctx.open_vault() as vault:
        result = vault.add_message(text, _metadata(args), fields)
    return _print_added(ctx, args, result.to_json())


def cmd_add_note(args: argparse.Namespace, ctx: Context) -> int:
    text = _read_stdin_text(ctx, "note")
    with ctx.open_vault() as vault:
        result = vault.add_note(text, _metadata(args))
    return _print_added(ctx, args, result.to_json())


def _print_added(ctx: Context, args: argparse.Namespace, result: dict[str, object]) -> int:
    if args.json:
        render.emit_json(result, ctx.out)
    elif result["duplicate"]:
        ctx.out.write(f"{result['item_id']}  already in the vault (same message)\n")
    else:
        ctx.out.write(f"{result['item_id']}  added\n")
    return EXIT_OK


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        items = vault.list_items(include_deleted=args.all)
    if args.json:
        render.emit_json([render.item_summary(i) for i in items], ctx.out)
    else:
        render.item_table(items, ctx.out)
    return EXIT_OK


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        item = vault.get_item(args.id, include_deleted=True)
        origin = vault.import_provenance(item.id) if item.kind == "message" else None
    if args.json:
        data = item.to_json()
        if origin is not None:
            data["import"] = origin.to_json()
        render.emit_json(data, ctx.out)
    else:
        render.item_details(item, ctx.out)
        if origin is not None:
            ctx.out.write(render.format_rows(render.provenance_rows(origin)) + "\n")
    return EXIT_OK


def cmd_get(args: argparse.Namespace, ctx: Context) -> int:
    out = ctx.output_path(args.out)
    with ctx.open_vault() as vault:
        item = vault.export_content(args.id, out, reason=args.reason, overwrite=args.force)
    ctx.advise(
        f"Warning: {out} is an unencrypted copy outside the vault. Anyone with access to this "
        "computer can open it. Delete it when you no longer need it."
    )
    ctx.out.write(f"Wrote {item.size} bytes to {out} (SHA-256 {item.sha256}).\n")
    return EXIT_OK


def cmd_search(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        items = vault.search(args.query)
    if args.json:
        render.emit_json([render.item_summary(i) for i in items], ctx.out)
    else:
        render.item_table(items, ctx.out)
    return EXIT_OK


def cmd_log(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        records = vault.custody_log(args.id)
    if args.json:
        render.emit_json([r.to_json() for r in records], ctx.out)
    else:
        render.custody_lines(records, ctx.out)
    return EXIT_OK


def cmd_rm(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        item = vault.delete_item(args.id, reason=args.reason)
    ctx.out.write(
        f"Deleted the content of {item.id}. A signed record of the deletion (with its SHA-256 and "
        "your reason) stays in the custody log.\n"
    )
    return EXIT_OK


def cmd_edit(args: argparse.Namespace, ctx: Context) -> int:
    changes: dict[str, object] = {}
    for name, attr in (
        ("title", "title"),
        ("description", "description"),
        ("platform", "platform"),
        ("source_url", "url"),
        ("sender_handle", "sender"),
        ("sender_id", "sender_id"),
        ("case", "case"),
    ):
        value = getattr(args, attr)
        if value is not None:
            changes[name] = value
    if args.occurred is not None:
        changes["occurred"] = args.occurred
        changes["occurred_tz"] = args.occurred_tz
    if args.tag is not None:
        changes["tags"] = args.tag
    if args.sensitive is not None:
        changes["sensitive"] = args.sensitive
    if not changes:
        raise InvalidInput("Nothing to change: give at least one option such as --title.")
    occurred_tz = changes.pop("occurred_tz", None)
    with ctx.open_vault() as vault:
        if "occurred" in changes:
            changes["occurred_tz"] = occurred_tz
        item = vault.update_metadata(args.id, changes, reason=args.reason)
    ctx.out.write(f"Updated {item.id}. The change is recorded in the custody log.\n")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        report = vault.check()
    if args.json:
        render.emit_json(report.to_json(), ctx.out)
    else:
        render.check_text(report, ctx.out)
    return EXIT_OK if report.ok else EXIT_VERIFY_FAILED


def cmd_passwd(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        new = ctx.new_passphrase(args.new_passphrase_file)
        if args.no_keyfile:
            new_keyfile = None
        elif args.new_keyfile:
            new_keyfile = read_keyfile(args.new_keyfile)
        else:
            new_keyfile = ctx.keyfile()
        vault.change_passphrase(new, keyfile=new_keyfile)
    ctx.out.write(
        "Passphrase changed. The old passphrase no longer opens this vault.\n"
        "Old copies of the vault folder (backups) still open with the old passphrase.\n"
    )
    return EXIT_OK


def cmd_recovery_key(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        recovery = vault.new_recovery_key()
    if args.json:
        render.emit_json({"recovery_key": recovery}, ctx.out)
        return EXIT_OK
    ctx.out.write(
        "NEW RECOVERY KEY — write it on paper now and keep it safe. The old recovery key no longer\n"
        "opens this vault (old backup copies of the folder still open with the old one).\n\n"
        f"    {recovery}\n"
    )
    return EXIT_OK


def cmd_case(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        if args.case_command == "rename":
            case = vault.rename_case(args.old, args.new)
            ctx.out.write(f"Renamed to '{case.name}'. The change is in the custody log.\n")
            return EXIT_OK
        if args.case_command == "new":
            case = vault.create_case(args.name)
            ctx.out.write(f"Case '{case.name}' created.\n")
            return EXIT_OK
        cases = vault.list_cases()
    if args.json:
        render.emit_json(
            [{"id": c.id, "name": c.name, "created": c.created} for c in cases], ctx.out
        )
    elif not cases:
        ctx.out.write("No cases yet. Add evidence with --case NAME, or: evault case new NAME\n")
    else:
        for case in cases:
            ctx.out.write(f"{case.name}\n")
    return EXIT_OK


def cmd_ui(args: argparse.Namespace, ctx: Context) -> int:
    from tui.app import make_app  # noqa: PLC0415 - Textual loads only for the app

    portable = ctx.portable
    make_app(
        ctx.vault_path,
        files_folder=portable.root if portable else None,
        exports_folder=portable.exports if portable else None,
        notices=portable.warnings if portable else [],
    ).run()
    return EXIT_OK


def _start_portable(args: argparse.Namespace, ctx: Context) -> None:
    """Activate portable mode (before any vault is touched) when asked or when on a stick."""
    from vault.host import portable  # noqa: PLC0415

    root = portable.find_root(args.portable)
    if root is None:
        return
    ctx.portable = portable.activate(root)
    for warning in ctx.portable.warnings:
        ctx.err.write(f"{PROG}: {warning}\n")


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    from vault.host.demo import create_demo  # noqa: PLC0415 - Pillow loads only for the demo

    demo = create_demo(ctx.vault_folder(args.path))
    if args.json:
        render.emit_json(
            {
                "vault": str(demo.path),
                "passphrase": demo.passphrase,
                "recovery_key": demo.recovery_key,
                "fingerprint": demo.fingerprint,
                "items": demo.items,
            },
            ctx.out,
        )
        return EXIT_OK
    ctx.out.write(
        f"Demo vault created: {demo.path}\n"
        "This vault holds invented evidence for practice only.\n"
        "Never put real evidence in it: its passphrase is public.\n\n"
        f"Passphrase:\n    {demo.passphrase}\n\n"
        "Recovery key (shown only this once; in a workshop, practise writing it down):\n"
        f"    {demo.recovery_key}\n\n"
        f"Open it with: {PROG} --vault {demo.path}\n"
    )
    return EXIT_OK


def cmd_identity(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        identity = vault.identity()
        head = vault.custody_head()
    if args.json:
        render.emit_json({**identity, "custody_head": head}, ctx.out)
        return EXIT_OK
    ctx.out.write(
        "Identity fingerprint — read these digits to your lawyer over a phone call or in person,\n"
        "so they can check that evidence really comes from this vault:\n\n"
        f"    {identity['fingerprint']}\n\n"
        f"Public key (Ed25519): {identity['public_key']}\n"
        f"Same key for minisign (-P): {identity['minisign_public_key']}\n"
        f"Same key for OpenSSH (ssh-keygen -l): {identity['ssh_fingerprint']}\n"
        f"Custody log: {head['seq']} events, newest {head['hash']}\n"
    )
    return EXIT_OK


# ---------------------------------------------------------------------- parser


def _metadata_options(p: argparse.ArgumentParser, *, occurred: bool = True) -> None:
    p.add_argument("--title", help="short title (default: the file name or first line)")
    p.add_argument("--description", help="what this is and why it matters")
    p.add_argument("--platform", help="where it was posted or sent (Telegram, Facebook, e-mail…)")
    p.add_argument("--url", help="link to where it was seen")
    p.add_argument("--sender", help="sender's handle or display name")
    p.add_argument("--sender-id", help="sender's stable id or phone number, where known")
    if occurred:
        p.add_argument(
            "--occurred",
            metavar="ISO-8601",
            help="when it happened, e.g. 2026-03-09T21:14+04:00, or 'unknown'",
        )
        p.add_argument(
            "--occurred-tz",
            metavar="ZONE",
            help="time zone for --occurred given without offset, e.g. Asia/Baku",
        )
    p.add_argument("--case", help="case (incident) it belongs to; created if new")
    p.add_argument("--tag", action="append", help="a tag (repeat for several)")
    p.add_argument(
        "--sensitive",
        action="store_true",
        help="intimate or sensitive: never previewed without asking",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Offline, encrypted evidence vault with a signed chain of custody.",
        epilog=(
            "Exit codes: 0 success, 1 something does not verify, 2 usage or user error "
            "(wrong passphrase, bad input), 3 internal error, 130 interrupted."
        ),
    )
    parser.add_argument(
        "--version", action="store_true", help="show the program's version and exit"
    )
    parser.add_argument(
        "--vault",
        metavar="PATH",
        help=f"vault folder (default: $EVAULT_VAULT, else {default_vault_path({}, None)})",
    )
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help="read the passphrase from the first line of FILE (- for standard input)",
    )
    parser.add_argument(
        "--recovery-key-file",
        metavar="FILE",
        help="unlock with the recovery key on the first line of FILE (- for standard input)",
    )
    parser.add_argument(
        "--keyfile", metavar="FILE", help="keyfile that, with the passphrase, opens the vault"
    )
    parser.add_argument(
        "--portable",
        metavar="DIR",
        help=(
            "portable mode: keep everything in DIR (a USB stick) and write nothing on this "
            "computer (automatic when evault-portable.txt is beside the program)"
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("init", cmd_init, "create a new vault and show its recovery key once")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("add", cmd_add, "add files as evidence (original bytes, unchanged)")
    p.add_argument("files", nargs="+", metavar="FILE")
    _metadata_options(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command(
        "add-message", cmd_add_message, "add a threat message; its text is read from standard input"
    )
    _metadata_options(p)
    p.add_argument("--sent", metavar="ISO-8601", help="when it was sent")
    p.add_argument("--sent-tz", metavar="ZONE", help="time zone for --sent given without offset")
    p.add_argument("--recipient", help="who received it")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("add-note", cmd_add_note, "add your own note; its text is read from standard input")
    _metadata_options(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("list", cmd_list, "list the evidence in the vault")
    p.add_argument("--all", action="store_true", help="include deleted items (tombstones)")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("show", cmd_show, "show an item's details (not its content)")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command(
        "get", cmd_get, "write an item's original bytes to a file (leaves the vault unencrypted)"
    )
    p.add_argument("id")
    p.add_argument("--out", required=True, metavar="PATH", help="file to write")
    p.add_argument("--reason", help="why it is taken out (recorded in the custody log)")
    p.add_argument("--force", action="store_true", help="replace PATH if it exists")

    p = command("search", cmd_search, "find items by words in titles, messages and details")
    p.add_argument("query")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("log", cmd_log, "show the chain of custody (of the vault, or of one item)")
    p.add_argument("id", nargs="?")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("rm", cmd_rm, "delete an item's content, keeping a signed record of the deletion")
    p.add_argument("id")
    p.add_argument("--reason", required=True, help="why (recorded in the custody log)")

    p = command("edit", cmd_edit, "change an item's details (recorded in the custody log)")
    p.add_argument("id")
    p.add_argument("--title")
    p.add_argument("--description")
    p.add_argument("--platform")
    p.add_argument("--url")
    p.add_argument("--sender")
    p.add_argument("--sender-id")
    p.add_argument("--occurred", metavar="ISO-8601")
    p.add_argument("--occurred-tz", metavar="ZONE")
    p.add_argument("--case", help="move to this case ('' to remove from its case)")
    p.add_argument("--tag", action="append", help="replace the tags (repeat for several)")
    sens = p.add_mutually_exclusive_group()
    sens.add_argument("--sensitive", dest="sensitive", action="store_true", default=None)
    sens.add_argument("--not-sensitive", dest="sensitive", action="store_false")
    p.add_argument("--reason", help="why (recorded in the custody log)")

    p = command("check", cmd_check, "verify every original, the custody log and the database")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("passwd", cmd_passwd, "change the passphrase (only vault.keys is rewritten)")
    p.add_argument(
        "--new-passphrase-file", metavar="FILE", help="new passphrase on the first line of FILE"
    )
    kf = p.add_mutually_exclusive_group()
    kf.add_argument("--new-keyfile", metavar="FILE", help="require this keyfile from now on")
    kf.add_argument("--no-keyfile", action="store_true", help="stop requiring a keyfile")

    p = command(
        "recovery-key", cmd_recovery_key, "issue a new recovery key (the old one stops working)"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("identity", cmd_identity, "show the vault's identity fingerprint and public key")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = command("demo", cmd_demo, "create a vault of invented evidence for workshops and practice")
    p.add_argument("path", metavar="PATH", help="new folder for the demo vault")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    command("ui", cmd_ui, "open the terminal app (also: evault with no command)")

    p = command("case", cmd_case, "list, create or rename cases (incidents)")
    p.add_argument("--json", action="store_true", help="machine-readable output (list)")
    case_sub = p.add_subparsers(dest="case_command", metavar="ACTION")
    case_sub.add_parser("list", help="list the cases")
    new_case = case_sub.add_parser("new", help="create a case")
    new_case.add_argument("name")
    rename = case_sub.add_parser("rename", help="rename a case (recorded in the custody log)")
    rename.add_argument("old")
    rename.add_argument("new")

    bundle_commands.register(command)
    import_commands.register(command)
    return parser


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one command; never lets a traceback reach the user."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    for stream in (out, err):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    if args.version:
        out.write(f"{PROG} (evidence-vault) {VERSION}\n")
        return EXIT_OK
    if args.command is None:
        if not (sys.stdin.isatty() and getattr(out, "isatty", lambda: False)()):
            parser.print_help(out)  # no terminal to draw the app in: show how to use the commands
            return EXIT_OK
        args.command = "ui"
        args.handler = cmd_ui
    if args.passphrase_file and args.recovery_key_file:
        err.write(f"{PROG}: use either --passphrase-file or --recovery-key-file, not both.\n")
        return EXIT_USER_ERROR
    ctx = Context(args, out, err)
    handler: Handler = args.handler
    try:
        _start_portable(args, ctx)
        return handler(args, ctx)
    except EvaultError as exc:
        err.write(f"{PROG}: {exc.message}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        err.write(f"\n{PROG}: Stopped. Nothing half-done was kept.\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug: say so calmly, without details that could hold secrets
        if os.environ.get("EVAULT_DEBUG") == "1":
            raise
        err.write(
            f"{PROG}: Something went wrong inside evault ({type(exc).__name__}). Your vault was "
            "not changed by the failed step. Please report this (without any evidence).\n"
        )
        return EXIT_INTERNAL
