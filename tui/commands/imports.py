"""`evault import`, `imports`, `chats`, `chat`, `similar` and `hashes`: platform exports.

Each handler opens the vault through :class:`Context` and calls one ``Vault`` method; the parsers
and the import pipeline live in ``vault`` (this module only turns options into ``ImportOptions``
and summaries into a few readable lines). Nothing here reads or shows a picture: ``similar`` and
``hashes`` work on perceptual hashes only.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui import render
from tui.commands import Command, pictures
from tui.commands.pictures import REVEAL_HELP, REVEAL_HOW
from tui.context import Context
from tui.paragraphs import for_terminal, lines_for_terminal
from tui.progress import progress_line
from tui.terminal_text import terminal_text
from vault import (
    DATE_ORDERS,
    EXIT_OK,
    IMPORTERS,
    InvalidInput,
    _,
    document_language,
    ngettext,
    shown_title,
)

if TYPE_CHECKING:
    from vault import Chat, ChatLine, ImportOptions

CHAT_PAGE = 200


# ---------------------------------------------------------------------- import


def _profile_urls(values: list[str] | None) -> dict[str, str]:
    """``NAME=URL`` pairs; split at the first ``=`` because profile URLs often contain one."""
    from vault import split_profile_link  # noqa: PLC0415 - only when importing

    urls: dict[str, str] = {}
    for value in values or ():
        pair = split_profile_link(value)
        if pair is None:
            raise InvalidInput(
                _(
                    "--profile-url needs a sender's name and a link joined by '=', e.g. "
                    '--profile-url "Qara Qurd=https://www.facebook.com/profile.php?id=1". '
                    "Nothing was imported."
                )
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
        raise InvalidInput(
            _("{path} does not exist. Check the name and try again.").format(path=path)
        )
    options = _options(args)
    with ctx.open_vault() as vault, progress_line(ctx, _("Importing")) as line:
        progress = line.stage if line is not None else None
        summary = vault.import_export(args.importer, path, options, progress=progress)
    if args.json:
        render.emit_json(summary.to_json(), ctx.out)
    else:
        text = render.import_summary(summary, options, more=_("see --json"), out=ctx.out)
        if not summary.already_imported:
            text += "\n" + for_terminal(ctx.out, _("See the messages with: evault chats"))
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
        ctx.out.write(
            _("No imports yet. Import an export with: evault import telegram PATH") + "\n"
        )
        return EXIT_OK
    for entry in imports:
        summary: dict[str, Any] = entry.get("summary") or {}
        when = render.readable_time(entry["created"])[:16]
        total = int(summary.get("messages", 0))
        counts = ngettext("{new} new of {n} message", "{new} new of {n} messages", total).format(
            new=summary.get("messages_new", 0), n=total
        )
        first = f"{when}  {entry['importer']:<8}  "
        rest = f"{terminal_text(entry['source_name'])}  {counts}  {str(entry['id'])[:8]}"
        ctx.out.write(for_terminal(ctx.out, rest, first=first, hang=" " * len(first)) + "\n")
    ctx.out.write(
        ngettext(
            "{n} import. Full ids: --json.", "{n} imports. Full ids: --json.", len(imports)
        ).format(n=len(imports))
        + "\n"
    )
    return EXIT_OK


def _span(first: str | None, last: str | None) -> str:
    if not first:
        return _("times unknown")
    start, end = render.readable_time(first)[:16], render.readable_time(last)[:16]
    if start == end:
        return f"{start} UTC"
    return _("{first} to {last} UTC").format(first=start, last=end)


def cmd_chats(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        chats = vault.chats()
    if args.json:
        render.emit_json([c.to_json() for c in chats], ctx.out)
        return EXIT_OK
    if not chats:
        ctx.out.write(
            lines_for_terminal(
                ctx.out,
                _("No imported chats yet. Import an export with: evault import telegram PATH")
                + "\n",
            )
        )
        return EXIT_OK
    for chat in chats:
        # TRANSLATORS: one chat in a list: "Family: 12 messages, 2026-03-01 09:00 to ... UTC  key: 123".
        line = ngettext(
            "{title}: {n} message, {span}  key: {key}",
            "{title}: {n} messages, {span}  key: {key}",
            chat.messages,
        ).format(
            title=terminal_text(chat.title),
            n=chat.messages,
            span=terminal_text(_span(chat.first, chat.last)),
            key=terminal_text(chat.key),
        )
        # On a terminal a long line continues under the title, never cut inside a word: the
        # key at its end is what 'evault chat KEY' needs, whole.
        first = f"{terminal_text(chat.platform):<10}  "
        ctx.out.write(for_terminal(ctx.out, line, first=first, hang=" " * len(first)) + "\n")
    ctx.out.write(
        ngettext(
            "{n} chat. Show one: evault chat KEY",
            "{n} chats. Show one: evault chat KEY",
            len(chats),
        ).format(n=len(chats))
        + "\n"
    )
    return EXIT_OK


def _choose_chat(chats: list[Chat], key: str, platform: str | None) -> Chat:
    found = [c for c in chats if c.key == key]
    if platform is not None:
        found = [c for c in found if c.platform == platform.strip().lower()]
    if not found:
        raise InvalidInput(
            _("No imported chat has that key. 'evault chats' lists the chats with their keys.")
        )
    if len(found) > 1:
        platforms = terminal_text(", ".join(sorted({c.platform for c in found})))
        raise InvalidInput(
            _(
                "Chats on several platforms have that key ({platforms}). Choose one with "
                "--platform."
            ).format(platforms=platforms)
        )
    return found[0]


def _chat_line(line: ChatLine, reveal: bool) -> tuple[str, str]:
    """(the time column, the rest: sender, title, marks and the short id)."""
    when = render.readable_time(line.time_utc) if line.time_utc else _("time unknown")
    marks = []
    if line.attachments:
        marks.append(
            ngettext("{n} attachment", "{n} attachments", line.attachments).format(
                n=line.attachments
            )
        )
    if line.missing_media:
        marks.append(_("{n} media missing from the export").format(n=line.missing_media))
    if line.sensitive:
        marks.append(_("SENSITIVE"))
    mark = f" [{', '.join(marks)}]" if marks else ""
    sender = line.sender_name or line.sender_id or _("(no sender)")  # shown: not the content
    title = shown_title(line, revealed=reveal, details=False)
    return f"{terminal_text(when):<23}  ", (
        f"{terminal_text(sender)}: {terminal_text(title)}{mark}  {terminal_text(line.item_id[:8])}"
    )


def cmd_chat(args: argparse.Namespace, ctx: Context) -> int:
    if args.limit < 1:
        raise InvalidInput(_("--limit must be 1 or more."))
    if args.offset < 0:
        raise InvalidInput(_("--offset must be 0 or more."))
    with ctx.open_vault() as vault:
        chat = _choose_chat(vault.chats(), args.chat_key, args.platform)
        lines = vault.chat_lines(chat.platform, chat.key, offset=args.offset, limit=args.limit)
        if args.reveal:
            vault.record_reveal([line.item_id for line in lines if line.sensitive], how=REVEAL_HOW)
    if args.json:
        with document_language("en"):  # --json: every value English, for scripts
            messages = [
                dict(line.to_json(), title=shown_title(line, revealed=args.reveal, details=False))
                for line in lines
            ]
        render.emit_json({"chat": chat.to_json(), "messages": messages}, ctx.out)
        return EXIT_OK
    header = ngettext(
        "{title} ({platform}): {n} message", "{title} ({platform}): {n} messages", chat.messages
    ).format(
        title=terminal_text(chat.title), platform=terminal_text(chat.platform), n=chat.messages
    )
    ctx.out.write(for_terminal(ctx.out, header) + "\n")
    for line in lines:
        when, rest = _chat_line(line, args.reveal)  # on a terminal, continued under the sender
        ctx.out.write(for_terminal(ctx.out, rest, first=when, hang=" " * len(when)) + "\n")
    if not lines:
        ctx.out.write(_("No messages at this offset.") + "\n")
    elif len(lines) == args.limit:
        ctx.out.write(
            _("More: --offset {offset}. Full ids: --json.").format(offset=args.offset + len(lines))
            + "\n"
        )
    else:
        ctx.out.write(_("Full ids: --json. Details of one message: evault show ID") + "\n")
    return EXIT_OK


# ---------------------------------------------------------------------- parser


def register(command: Command) -> None:
    names = [row.name for row in IMPORTERS]
    platforms = [row.platform for row in IMPORTERS]
    p = command(
        "import",
        cmd_import,
        _("import a {platforms} or {last} export").format(
            platforms=", ".join(platforms[:-1]), last=platforms[-1]
        ),
        json=True,
    )
    p.add_argument(
        "importer",
        choices=names,
        metavar="{" + ",".join(names) + "}",
        help=_("the kind of export: {kinds}").format(
            kinds="; ".join(f"{row.name}: {row.platform}" for row in IMPORTERS)
        ),
    )
    p.add_argument(
        "path", metavar="PATH", help=_("the export: its folder, ZIP file or single file")
    )
    p.add_argument(
        "--timezone",
        metavar="ZONE",
        help=_(
            "the phone's or computer's time zone, e.g. Asia/Baku (required for WhatsApp and "
            "for old Telegram exports, whose times carry no zone)"
        ),
    )
    p.add_argument(
        "--date-order",
        choices=DATE_ORDERS,
        help=_(
            "WhatsApp only: the phone's date order, when no date in the file shows whether the "
            "day or the month comes first"
        ),
    )
    p.add_argument("--case", help=_("case (incident) the imported evidence belongs to"))
    p.add_argument("--tag", action="append", help=_("a tag for everything imported (repeat)"))
    p.add_argument(
        "--show-media",
        action="store_true",
        help=_(
            "do not mark imported pictures and videos sensitive (by default they are, so they "
            "are never previewed without asking: a leak may hold intimate images)"
        ),
    )
    p.add_argument(
        "--profile-url",
        action="append",
        metavar="NAME=URL",
        help=_(
            "Meta only: a sender's profile link, kept with their messages (Meta exports give "
            "names only); repeat for several"
        ),
    )

    command("imports", cmd_imports, _("list past imports of platform exports"), json=True)

    command("chats", cmd_chats, _("list imported chats (conversations)"), json=True)

    p = command("chat", cmd_chat, _("show an imported chat's messages in time order"), json=True)
    p.add_argument(
        "chat_key", metavar="CHAT_KEY", help=_("the chat's key, as 'evault chats' shows")
    )
    p.add_argument(
        "--platform", help=_("the chat's platform, when chats on several platforms share the key")
    )
    p.add_argument(
        "--limit", type=int, default=CHAT_PAGE, metavar="N", help=_("show at most N messages")
    )
    p.add_argument(
        "--offset", type=int, default=0, metavar="N", help=_("skip the first N messages")
    )
    p.add_argument("--reveal", action="store_true", help=_(REVEAL_HELP))

    pictures.register(command)
