"""`evault import`, `imports`, `chats`, `chat`, `similar` and `hashes`: platform exports.

Each handler opens the vault through :class:`Context` and calls one ``Vault`` method; the parsers
and the import pipeline live in ``vault`` (this module only turns options into ``ImportOptions``
and summaries into a few readable lines). Nothing here reads or shows a picture: ``similar`` and
``hashes`` work on perceptual hashes only.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tui import render
from tui.commands import Command
from tui.context import Context
from tui.progress import progress_line
from tui.terminal_text import terminal_text
from vault import DATE_ORDERS, EXIT_OK, IMPORTERS, InvalidInput, shown_title

if TYPE_CHECKING:
    from vault import Chat, ChatLine, ImportOptions, SimilarResult

CHAT_PAGE = 200
HASH_COLUMNS = ("sha256", "algorithm", "perceptual_hash", "media_type", "size")


# ---------------------------------------------------------------------- import


def _profile_urls(values: list[str] | None) -> dict[str, str]:
    """``NAME=URL`` pairs; split at the first ``=`` because profile URLs often contain one."""
    from vault import split_profile_link  # noqa: PLC0415 - only when importing

    urls: dict[str, str] = {}
    for value in values or ():
        pair = split_profile_link(value)
        if pair is None:
            raise InvalidInput(
                "--profile-url needs a sender's name and a link joined by '=', e.g. "
                '--profile-url "Qara Qurd=https://www.facebook.com/profile.php?id=1". '
                "Nothing was imported."
            )
        urls[pair[0]] = pair[1]
    return urls


def _options(args: argparse.Namespace) -> ImportOptions:
    """The defender's choices, refused early when they cannot apply to this kind of export (the
    rules are the vault's, ``ImportOptions.validate``, the same the app follows)."""
    from vault import ImportOptions  # noqa: PLC0415 - loaded only when importing

    options = ImportOptions(
        timezone=args.timezone,
        date_order=args.date_order,
        case=args.case,
        tags=tuple(args.tag or ()),
        sensitive_media=not args.show_media,
        profile_urls=_profile_urls(args.profile_url),
    )
    options.validate(args.importer)
    return options


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    path = Path(args.path).expanduser()
    if not path.exists():
        raise InvalidInput(f"{path} does not exist. Check the name and try again.")
    options = _options(args)
    with ctx.open_vault() as vault, progress_line(ctx, "Importing") as line:
        progress = line.stage if line is not None else None
        summary = vault.import_export(args.importer, path, options, progress=progress)
    if args.json:
        render.emit_json(summary.to_json(), ctx.out)
    else:
        text = render.import_summary(summary, options, more="see --json")
        if not summary.already_imported:
            text += "\nSee the messages with: evault chats"
        ctx.out.write(text + "\n")
    return EXIT_OK


# ---------------------------------------------------------------------- imports, chats, chat


def cmd_imports(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        imports = vault.imports()
    if args.json:
        render.emit_json(imports, ctx.out)
        return EXIT_OK
    if not imports:
        ctx.out.write("No imports yet. Import an export with: evault import telegram PATH\n")
        return EXIT_OK
    for entry in imports:
        summary: dict[str, Any] = entry.get("summary") or {}
        when = render.readable_time(entry["created"])[:16]
        counts = (
            f"{summary.get('messages_new', 0)} new of "
            f"{render.plural(int(summary.get('messages', 0)), 'message')}"
        )
        ctx.out.write(
            f"{when}  {entry['importer']:<8}  {terminal_text(entry['source_name'])}  {counts}  "
            f"{str(entry['id'])[:8]}\n"
        )
    ctx.out.write(f"{render.plural(len(imports), 'import')}. Full ids: --json.\n")
    return EXIT_OK


def _span(first: str | None, last: str | None) -> str:
    if not first:
        return "times unknown"
    start, end = render.readable_time(first)[:16], render.readable_time(last)[:16]
    return f"{start} to {end} UTC" if start != end else f"{start} UTC"


def cmd_chats(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        chats = vault.chats()
    if args.json:
        render.emit_json([c.to_json() for c in chats], ctx.out)
        return EXIT_OK
    if not chats:
        ctx.out.write("No imported chats yet. Import an export with: evault import telegram PATH\n")
        return EXIT_OK
    for chat in chats:
        ctx.out.write(
            f"{terminal_text(chat.platform):<10}  {terminal_text(chat.title)}: "
            f"{render.plural(chat.messages, 'message')}, "
            f"{terminal_text(_span(chat.first, chat.last))}  key: {terminal_text(chat.key)}\n"
        )
    ctx.out.write(f"{render.plural(len(chats), 'chat')}. Show one: evault chat KEY\n")
    return EXIT_OK


def _choose_chat(chats: list[Chat], key: str, platform: str | None) -> Chat:
    found = [c for c in chats if c.key == key]
    if platform is not None:
        found = [c for c in found if c.platform == platform.strip().lower()]
    if not found:
        raise InvalidInput(
            "No imported chat has that key. 'evault chats' lists the chats with their keys."
        )
    if len(found) > 1:
        platforms = terminal_text(", ".join(sorted({c.platform for c in found})))
        raise InvalidInput(
            f"Chats on several platforms have that key ({platforms}). Choose one with --platform."
        )
    return found[0]


REVEAL_HOW = "details shown on the command line"
REVEAL_HELP = (
    "also print the titles of sensitive items (hidden otherwise; recorded in the custody log)"
)


def _chat_line(line: ChatLine, reveal: bool) -> str:
    when = render.readable_time(line.time_utc) if line.time_utc else "time unknown"
    marks = []
    if line.attachments:
        marks.append(f"{render.plural(line.attachments, 'attachment')}")
    if line.missing_media:
        marks.append(f"{line.missing_media} media missing from the export")
    if line.sensitive:
        marks.append("SENSITIVE")
    mark = f" [{', '.join(marks)}]" if marks else ""
    sender = line.sender_name or line.sender_id or "(no sender)"  # shown: not the content
    title = shown_title(line, revealed=reveal, details=False)
    return (
        f"{terminal_text(when):<23}  {terminal_text(sender)}: {terminal_text(title)}{mark}  "
        f"{terminal_text(line.item_id[:8])}\n"
    )


def cmd_chat(args: argparse.Namespace, ctx: Context) -> int:
    if args.limit < 1:
        raise InvalidInput("--limit must be 1 or more.")
    if args.offset < 0:
        raise InvalidInput("--offset must be 0 or more.")
    with ctx.open_vault() as vault:
        chat = _choose_chat(vault.chats(), args.chat_key, args.platform)
        lines = vault.chat_lines(chat.platform, chat.key, offset=args.offset, limit=args.limit)
        if args.reveal:
            vault.record_reveal([line.item_id for line in lines if line.sensitive], how=REVEAL_HOW)
    if args.json:
        messages = [
            dict(line.to_json(), title=shown_title(line, revealed=args.reveal, details=False))
            for line in lines
        ]
        render.emit_json({"chat": chat.to_json(), "messages": messages}, ctx.out)
        return EXIT_OK
    ctx.out.write(
        f"{terminal_text(chat.title)} ({terminal_text(chat.platform)}): "
        f"{render.plural(chat.messages, 'message')}\n"
    )
    for line in lines:
        ctx.out.write(_chat_line(line, args.reveal))
    if not lines:
        ctx.out.write("No messages at this offset.\n")
    elif len(lines) == args.limit:
        ctx.out.write(f"More: --offset {args.offset + len(lines)}. Full ids: --json.\n")
    else:
        ctx.out.write("Full ids: --json. Details of one message: evault show ID\n")
    return EXIT_OK


# ---------------------------------------------------------------------- similar, hashes


def _print_similar(result: SimilarResult, out: TextIO, reveal: bool) -> None:
    seen = f"Seen {render.plural(result.times_seen, 'time')}"
    chats = result.chats
    if chats:
        seen += f", in {render.plural(len(chats), 'chat')}: {terminal_text(', '.join(chats))}."
    else:
        seen += " (in no imported chat)."
    out.write(seen + "\n")
    if result.hash is None:
        out.write(
            "Its perceptual hash could not be computed (the picture could not be decoded), so "
            "re-posts of it cannot be recognised.\n"
        )
    else:
        out.write(f"Perceptual hash ({result.algorithm}): {result.hash}\n")
    out.write(
        "\nPictures that look the same (distance 0: the same picture; up to 10: re-encoded, "
        "resized or lightly edited copies). Nothing is shown or opened:\n"
    )
    for match in result.matches:
        item = match.item
        this = "  (this item)" if item.id == result.item.id else ""
        out.write(
            f"  distance {match.distance:<2}  {item.id[:8]}  "
            f"{terminal_text(shown_title(item, revealed=reveal))}  "
            f"{render.human_size(item.size)}{this}\n"
        )
        for sighting in match.sightings:
            when = render.readable_time(sighting.time) if sighting.time else "time unknown"
            sender = sighting.sender or "(no sender)"
            out.write(
                f"      seen in {terminal_text(sighting.chat or '(no chat)')}, "
                f"{terminal_text(when)}, from {terminal_text(sender)}\n"
            )


def cmd_similar(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        result = vault.similar(args.id)
        if args.reveal:
            ids = [m.item.id for m in result.matches if m.item.sensitive]
            vault.record_reveal(ids, how=REVEAL_HOW)
    if args.json:
        data = result.to_json()
        for match, shown in zip(result.matches, data["matches"], strict=True):
            shown["title"] = shown_title(match.item, revealed=args.reveal)
        render.emit_json(data, ctx.out)
    else:
        _print_similar(result, ctx.out, args.reveal)
    return EXIT_OK


def _hash_rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only what a takedown service needs: no titles, names, cases or ids."""
    return [
        {
            "sha256": e["sha256"],
            "algorithm": e["algorithm"],
            "perceptual_hash": e["hash"],
            "media_type": e["media_type"],
            "size": e["size"],
        }
        for e in entries
    ]


def _csv_text(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HASH_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _write_new_file(path: Path, text: str) -> None:
    from vault import write_output_file  # noqa: PLC0415 - loaded only when used

    try:
        write_output_file(path, text.encode("utf-8"))
    except FileExistsError:
        raise InvalidInput(
            f"{path} already exists. Choose another name; nothing was written."
        ) from None
    except OSError:
        raise InvalidInput(f"The list could not be written to {path}.") from None


def cmd_hashes(args: argparse.Namespace, ctx: Context) -> int:
    out_path = Path(args.out).expanduser() if args.out else None
    if out_path is not None and out_path.exists():
        raise InvalidInput(f"{out_path} already exists. Choose another name; nothing was written.")
    with ctx.open_vault() as vault:
        if args.case is not None and args.case not in {c.name for c in vault.list_cases()}:
            raise InvalidInput("There is no case with that name. 'evault case' lists the cases.")
        entries = vault.picture_hashes(args.case)
    rows = _hash_rows(entries)
    if out_path is None:
        if args.json:
            render.emit_json(
                [{"id": e["id"], **r} for e, r in zip(entries, rows, strict=True)], ctx.out
            )
        else:
            ctx.out.write(_csv_text(rows))
        return EXIT_OK
    _write_new_file(out_path, _csv_text(rows))
    ctx.advise_about_output(out_path)
    if args.json:
        render.emit_json({"out": str(out_path), "pictures": len(rows)}, ctx.out)
    else:
        ctx.out.write(
            f"Wrote the hashes of {render.plural(len(rows), 'picture')} to {out_path}.\n"
            "It holds only hashes, sizes and types: no picture, title or name leaves the vault.\n"
        )
    return EXIT_OK


# ---------------------------------------------------------------------- parser


def register(command: Command) -> None:
    names = [row.name for row in IMPORTERS]
    platforms = [row.platform for row in IMPORTERS]
    p = command(
        "import",
        cmd_import,
        f"import a {', '.join(platforms[:-1])} or {platforms[-1]} export",
        json=True,
    )
    p.add_argument(
        "importer",
        choices=names,
        metavar="{" + ",".join(names) + "}",
        help="the kind of export: " + "; ".join(f"{row.name}: {row.platform}" for row in IMPORTERS),
    )
    p.add_argument("path", metavar="PATH", help="the export: its folder, ZIP file or single file")
    p.add_argument(
        "--timezone",
        metavar="ZONE",
        help="the phone's or computer's time zone, e.g. Asia/Baku (required for WhatsApp and "
        "for old Telegram exports, whose times carry no zone)",
    )
    p.add_argument(
        "--date-order",
        choices=DATE_ORDERS,
        help="WhatsApp only: the phone's date order, when no date in the file shows whether the "
        "day or the month comes first",
    )
    p.add_argument("--case", help="case (incident) the imported evidence belongs to")
    p.add_argument("--tag", action="append", help="a tag for everything imported (repeat)")
    p.add_argument(
        "--show-media",
        action="store_true",
        help="do not mark imported pictures and videos sensitive (by default they are, so they "
        "are never previewed without asking: a leak may hold intimate images)",
    )
    p.add_argument(
        "--profile-url",
        action="append",
        metavar="NAME=URL",
        help="Meta only: a sender's profile link, kept with their messages (Meta exports give "
        "names only); repeat for several",
    )

    command("imports", cmd_imports, "list past imports of platform exports", json=True)

    command("chats", cmd_chats, "list imported chats (conversations)", json=True)

    p = command("chat", cmd_chat, "show an imported chat's messages in time order", json=True)
    p.add_argument("chat_key", metavar="CHAT_KEY", help="the chat's key, as 'evault chats' shows")
    p.add_argument(
        "--platform", help="the chat's platform, when chats on several platforms share the key"
    )
    p.add_argument(
        "--limit", type=int, default=CHAT_PAGE, metavar="N", help="show at most N messages"
    )
    p.add_argument("--offset", type=int, default=0, metavar="N", help="skip the first N messages")
    p.add_argument("--reveal", action="store_true", help=REVEAL_HELP)

    p = command(
        "similar",
        cmd_similar,
        "find re-posts of a picture by its perceptual hash (none shown)",
        json=True,
    )
    p.add_argument("id", metavar="ID", help="a picture's item id (or its first characters)")
    p.add_argument("--reveal", action="store_true", help=REVEAL_HELP)

    p = command(
        "hashes",
        cmd_hashes,
        "list the pictures' perceptual hashes as CSV, for hash-matching takedown requests",
        json=True,
    )
    p.add_argument("--case", help="only the pictures of this case")
    p.add_argument("--out", metavar="FILE", help="write the CSV to FILE (which must not exist yet)")
