"""`evault add`, `add-message`, `add-note`, `list`, `show`, `get`, `search`, `log`, `rm`, `edit` and
`case`: the evidence in the vault and what is said about it."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from tui import log_words, render
from tui.commands import Command, deleting
from tui.context import Context
from tui.paragraphs import for_terminal
from tui.progress import ProgressLine, progress_line
from tui.secrets_input import read_stdin
from tui.terminal_text import terminal_text
from vault import (
    EXIT_OK,
    N_,
    AddResult,
    InvalidInput,
    Item,
    MessageFields,
    Metadata,
    _,
    document_language,
    ngettext,
    shown_item,
)

if TYPE_CHECKING:
    from vault import Vault

REVEAL_HOW = "details shown on the command line"


def _shown(vault: Vault, items: list[Item], reveal: bool, *, json: bool = False) -> list[Item]:
    """What may be printed of ``items``: a sensitive item's title, description and file name
    only with ``--reveal``, which is recorded in custody like the app's reveal. For ``--json`` the
    neutral words stay English, like every other value a script reads."""
    if reveal:
        vault.record_reveal([i.id for i in items if i.sensitive], how=REVEAL_HOW)
    with document_language("en") if json else contextlib.nullcontext():
        return [shown_item(item, revealed=reveal) for item in items]


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
            raise InvalidInput(
                _("{path} is not a file that can be read. Nothing was added.").format(path=path)
            )
    meta = _metadata(args)

    def report(r: AddResult) -> None:
        # Printed as soon as the file is safely committed, so if a later file fails (a full
        # disk, say) the defender still sees exactly which ones are in the vault.
        if line is not None:
            line.clear()
        if args.json:
            return
        if r.duplicate:
            ctx.out.write(
                _("{id}  already in the vault (same file code, SHA-256): {file}").format(
                    id=r.item_id, file=terminal_text(r.source)
                )
                + "\n"
            )
        else:
            ctx.out.write(
                _("{id}  added: {file}").format(id=r.item_id, file=terminal_text(r.source)) + "\n"
            )
        ctx.out.flush()

    with ctx.open_vault() as vault, progress_line(ctx, _adding(len(paths))) as line:
        counted = _FileCounter(line, len(paths)) if line is not None else None
        results = vault.add_files(paths, meta, on_result=report, progress=counted)
    if args.json:
        render.emit_json([r.to_json() for r in results], ctx.out)
    return EXIT_OK


def _adding(count: int) -> str:
    return _("Adding the file") if count == 1 else _adding_file(1, count)


def _adding_file(index: int, count: int) -> str:
    # TRANSLATORS: a progress line: which of several files is being added.
    return _("Adding file {index} of {count}").format(index=index, count=count)


class _FileCounter:
    """Says which of several files is being stored: the vault reports each file's bytes from 0,
    so a report after one that reached its total is the next file's."""

    def __init__(self, line: ProgressLine, count: int) -> None:
        self.line = line
        self.count = count
        self.index = 1
        self.finished = False

    def __call__(self, done: int, total: int | None) -> None:
        if self.finished and self.index < self.count:
            self.index += 1
            self.line.what = _adding_file(self.index, self.count)
        self.finished = total is not None and done >= total
        self.line(done, total)


NOT_UTF8 = {
    "message": N_("The message text is not UTF-8. Nothing was added."),
    "note": N_("The note text is not UTF-8. Nothing was added."),
}


def _read_stdin_text(ctx: Context, what: str) -> str:
    ctx.stdin.take(f"{what} text")
    data = read_stdin(16 * 1024 * 1024 + 1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(_(NOT_UTF8[what])) from None


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
        ctx.out.write(_("{id}  already in the vault (same message)").format(id=result["item_id"]))
        ctx.out.write("\n")
    else:
        ctx.out.write(_("{id}  added").format(id=result["item_id"]) + "\n")
    return EXIT_OK


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        items = _shown(
            vault, vault.list_items(include_deleted=args.all), args.reveal, json=args.json
        )
    if args.json:
        render.emit_json([render.item_summary(i) for i in items], ctx.out)
    else:
        render.item_table(items, ctx.out)
    return EXIT_OK


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        item = _shown(
            vault, [vault.get_item(args.id, include_deleted=True)], args.reveal, json=args.json
        )[0]
        origin = vault.import_provenance(item.id) if item.kind == "message" else None
    if args.json:
        data = item.to_json()
        if origin is not None:
            data["import"] = origin.to_json()
        render.emit_json(data, ctx.out)
    else:
        render.item_details(item, ctx.out)
        if origin is not None:
            ctx.out.write(render.format_rows(render.provenance_rows(origin), ctx.out) + "\n")
    return EXIT_OK


def cmd_get(args: argparse.Namespace, ctx: Context) -> int:
    out = ctx.output_path(args.out)
    if not out.parent.is_dir():  # said before the passphrase is asked for, not after
        raise InvalidInput(
            _(
                "The folder {folder} does not exist. Create it or choose another place; "
                "nothing was written."
            ).format(folder=out.parent)
        )
    with ctx.open_vault() as vault, progress_line(ctx, _("Writing the copy")) as line:
        item = vault.export_content(
            args.id, out, reason=args.reason, overwrite=args.force, progress=line
        )
    ctx.advise(
        _(
            "Warning: {file} is an unencrypted copy outside the vault. Anyone who can use your "
            "account on this computer, or who gets this disk, can open it. Delete it when you no "
            "longer need it."
        ).format(file=out)
    )
    ctx.advise_about_output(out)
    ctx.out.write(
        ngettext(
            "Wrote {n} byte to {file}; its file code (SHA-256) is {sha256}.",
            "Wrote {n} bytes to {file}; its file code (SHA-256) is {sha256}.",
            item.size,
        ).format(n=item.size, file=out, sha256=item.sha256)
        + "\n"
    )
    return EXIT_OK


def cmd_search(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        items = _shown(vault, vault.search(args.query), args.reveal, json=args.json)
    if args.json:
        render.emit_json([render.item_summary(i) for i in items], ctx.out)
    else:
        render.item_table(items, ctx.out)
    return EXIT_OK


def cmd_log(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        records = vault.custody_log(args.id)
        # What was recorded about a sensitive item (its title...) only with --reveal.
        records = vault.shown_records(records, reveal=args.reveal, how=REVEAL_HOW)
    if args.json:
        render.emit_json([r.to_json() for r in records], ctx.out)
    else:
        log_words.custody_lines(records, ctx.out)
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
        raise InvalidInput(_("Nothing to change: give at least one option such as --title."))
    occurred_tz = changes.pop("occurred_tz", None)
    with ctx.open_vault() as vault:
        if "occurred" in changes:
            changes["occurred_tz"] = occurred_tz
        item = vault.update_metadata(args.id, changes, reason=args.reason)
    ctx.out.write(
        _("Updated {id}. The change is recorded in the custody log.").format(id=item.id) + "\n"
    )
    return EXIT_OK


def cmd_case(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        if args.case_command == "rename":
            case = vault.rename_case(args.old, args.new)
            ctx.out.write(
                _("Renamed to '{name}'. The change is in the custody log.").format(
                    name=terminal_text(case.name)
                )
                + "\n"
            )
            return EXIT_OK
        if args.case_command == "new":
            case = vault.create_case(args.name)
            ctx.out.write(_("Case '{name}' created.").format(name=terminal_text(case.name)) + "\n")
            return EXIT_OK
        cases = vault.list_cases()
    if args.json:
        render.emit_json(
            [{"id": c.id, "name": c.name, "created": c.created} for c in cases], ctx.out
        )
    elif not cases:
        none = _("No cases yet. Add evidence with --case NAME, or: evault case new NAME")
        ctx.out.write(for_terminal(ctx.out, none, hang="") + "\n")
    else:
        for case in cases:
            ctx.out.write(f"{terminal_text(case.name)}\n")
    return EXIT_OK


def _metadata_options(p: argparse.ArgumentParser, *, occurred: bool = True) -> None:
    p.add_argument("--title", help=_("short title (default: the file name or first line)"))
    p.add_argument("--description", help=_("what this is and why it matters"))
    p.add_argument(
        "--platform", help=_("where it was posted or sent (Telegram, Facebook, e-mail…)")
    )
    p.add_argument("--url", help=_("link to where it was seen"))
    p.add_argument("--sender", help=_("sender's handle or display name"))
    p.add_argument("--sender-id", help=_("sender's stable id or phone number, where known"))
    if occurred:
        p.add_argument(
            "--occurred",
            metavar="ISO-8601",
            help=_("when it happened, e.g. 2026-03-09T21:14+04:00, or 'unknown'"),
        )
        p.add_argument(
            "--occurred-tz",
            metavar="ZONE",
            help=_("time zone for --occurred given without offset, e.g. Asia/Baku"),
        )
    p.add_argument("--case", help=_("case (incident) it belongs to; created if new"))
    p.add_argument("--tag", action="append", help=_("a tag (repeat for several)"))
    p.add_argument(
        "--sensitive",
        action="store_true",
        help=_("intimate or sensitive: never previewed without asking"),
    )


def _reveal_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--reveal",
        action="store_true",
        help=_(
            "also print the titles, descriptions and file names of sensitive items (hidden "
            "otherwise; recorded in the custody log)"
        ),
    )


def register(command: Command) -> None:
    p = command("add", cmd_add, _("add files as evidence (original bytes, unchanged)"), json=True)
    p.add_argument("files", nargs="+", metavar="FILE")
    _metadata_options(p)

    p = command(
        "add-message",
        cmd_add_message,
        _("add a threat message; its text is read from standard input"),
        json=True,
    )
    _metadata_options(p)
    p.add_argument("--sent", metavar="ISO-8601", help=_("when it was sent"))
    p.add_argument("--sent-tz", metavar="ZONE", help=_("time zone for --sent given without offset"))
    p.add_argument("--recipient", help=_("who received it"))

    p = command(
        "add-note",
        cmd_add_note,
        _("add your own note; its text is read from standard input"),
        json=True,
    )
    _metadata_options(p)

    p = command("list", cmd_list, _("list the evidence in the vault"), json=True)
    p.add_argument("--all", action="store_true", help=_("include deleted items (tombstones)"))
    _reveal_option(p)

    p = command("show", cmd_show, _("show an item's details (not its content)"), json=True)
    p.add_argument("id")
    _reveal_option(p)

    p = command(
        "get", cmd_get, _("write an item's original bytes to a file (leaves the vault unencrypted)")
    )
    p.add_argument("id")
    p.add_argument("--out", required=True, metavar="PATH", help=_("file to write"))
    p.add_argument("--reason", help=_("why it is taken out (recorded in the custody log)"))
    p.add_argument("--force", action="store_true", help=_("replace PATH if it exists"))

    p = command(
        "search", cmd_search, _("find items by words in titles, messages and details"), json=True
    )
    p.add_argument("query")
    _reveal_option(p)

    p = command(
        "log", cmd_log, _("show the chain of custody (of the vault, or of one item)"), json=True
    )
    p.add_argument("id", nargs="?")
    _reveal_option(p)

    deleting.register(command)

    p = command("edit", cmd_edit, _("change an item's details (recorded in the custody log)"))
    p.add_argument("id")
    p.add_argument("--title")
    p.add_argument("--description")
    p.add_argument("--platform")
    p.add_argument("--url")
    p.add_argument("--sender")
    p.add_argument("--sender-id")
    p.add_argument("--occurred", metavar="ISO-8601")
    p.add_argument("--occurred-tz", metavar="ZONE")
    p.add_argument("--case", help=_("move to this case ('' to remove from its case)"))
    p.add_argument("--tag", action="append", help=_("replace the tags (repeat for several)"))
    sens = p.add_mutually_exclusive_group()
    sens.add_argument("--sensitive", dest="sensitive", action="store_true", default=None)
    sens.add_argument("--not-sensitive", dest="sensitive", action="store_false")
    p.add_argument("--reason", help=_("why (recorded in the custody log)"))

    p = command("case", cmd_case, _("list, create or rename cases (incidents)"), json=True)
    case_sub = p.add_subparsers(dest="case_command", metavar="ACTION")
    case_sub.add_parser("list", help=_("list the cases"))
    new_case = case_sub.add_parser("new", help=_("create a case"))
    new_case.add_argument("name")
    rename = case_sub.add_parser("rename", help=_("rename a case (recorded in the custody log)"))
    rename.add_argument("old")
    rename.add_argument("new")
