"""`evault similar` and `evault hashes`: pictures by their perceptual hashes. Nothing here reads or
shows a picture: re-posts are found, and takedown lists written, from hashes alone."""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tui import render
from tui.commands import Command
from tui.context import Context
from tui.paragraphs import lines_for_terminal
from tui.terminal_text import terminal_text
from vault import EXIT_OK, N_, InvalidInput, _, document_language, ngettext, shown_title

if TYPE_CHECKING:
    from vault import SimilarResult

HASH_COLUMNS = ("sha256", "algorithm", "perceptual_hash", "media_type", "size")

REVEAL_HOW = "details shown on the command line"
REVEAL_HELP = N_(
    "also print the titles of sensitive items (hidden otherwise; recorded in the custody log)"
)


def _print_similar(result: SimilarResult, out: TextIO, reveal: bool) -> None:
    times = ngettext("Seen {n} time", "Seen {n} times", result.times_seen).format(
        n=result.times_seen
    )
    chats = result.chats
    if chats:
        # TRANSLATORS: {times} is "Seen 3 times", {where} is "in 2 chats".
        seen = _("{times}, {where}: {chats}.").format(
            times=times,
            where=ngettext("in {n} chat", "in {n} chats", len(chats)).format(n=len(chats)),
            chats=terminal_text(", ".join(chats)),
        )
    else:
        seen = _("{times} (in no imported chat).").format(times=times)
    out.write(seen + "\n")
    if result.hash is None:
        out.write(
            _(
                "Its perceptual hash could not be computed (the picture could not be decoded), so "
                "re-posts of it cannot be recognised."
            )
            + "\n"
        )
    else:
        out.write(
            _("Perceptual hash ({algorithm}): {hash}").format(
                algorithm=result.algorithm, hash=result.hash
            )
            + "\n"
        )
    out.write(
        "\n"
        + _(
            "Pictures that look the same (distance 0: the same picture; up to 10: re-encoded, "
            "resized or lightly edited copies). Nothing is shown or opened:"
        )
        + "\n"
    )
    for match in result.matches:
        item = match.item
        this = "  " + _("(this item)") if item.id == result.item.id else ""
        # TRANSLATORS: the start of a line in a list of similar pictures: "distance 3".
        distance = _("distance {n}").format(n=f"{match.distance:<2}")
        out.write(
            f"  {distance}  {item.id[:8]}  "
            f"{terminal_text(shown_title(item, revealed=reveal))}  "
            f"{render.human_size(item.size)}{this}\n"
        )
        for sighting in match.sightings:
            when = render.readable_time(sighting.time) if sighting.time else _("time unknown")
            sender = sighting.sender or _("(no sender)")
            seen_in = _("seen in {chat}, {time}, from {sender}").format(
                chat=terminal_text(sighting.chat or _("(no chat)")),
                time=terminal_text(when),
                sender=terminal_text(sender),
            )
            out.write(f"      {seen_in}\n")


def cmd_similar(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        result = vault.similar(args.id)
        if args.reveal:
            ids = [m.item.id for m in result.matches if m.item.sensitive]
            vault.record_reveal(ids, how=REVEAL_HOW)
    if args.json:
        data = result.to_json()
        with document_language("en"):  # --json: every value English, for scripts
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
            _("{path} already exists. Choose another name; nothing was written.").format(path=path)
        ) from None
    except OSError:
        raise InvalidInput(
            _("The list could not be written to {path}.").format(path=path)
        ) from None


def cmd_hashes(args: argparse.Namespace, ctx: Context) -> int:
    out_path = Path(args.out).expanduser() if args.out else None
    if out_path is not None and out_path.exists():
        raise InvalidInput(
            _("{path} already exists. Choose another name; nothing was written.").format(
                path=out_path
            )
        )
    with ctx.open_vault() as vault:
        if args.case is not None and args.case not in {c.name for c in vault.list_cases()}:
            raise InvalidInput(_("There is no case with that name. 'evault case' lists the cases."))
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
            lines_for_terminal(
                ctx.out,
                ngettext(
                    "Wrote the hashes of {n} picture to {file}.",
                    "Wrote the hashes of {n} pictures to {file}.",
                    len(rows),
                ).format(n=len(rows), file=out_path)
                + "\n"
                + _(
                    "It holds only hashes, sizes and types: no picture, title or name leaves the vault."
                )
                + "\n",
            )
        )
    return EXIT_OK


def register(command: Command) -> None:
    p = command(
        "similar",
        cmd_similar,
        _("find re-posts of a picture by its perceptual hash (none shown)"),
        json=True,
    )
    p.add_argument("id", metavar="ID", help=_("a picture's item id (or its first characters)"))
    p.add_argument("--reveal", action="store_true", help=_(REVEAL_HELP))

    p = command(
        "hashes",
        cmd_hashes,
        _("list the pictures' perceptual hashes as CSV, for hash-matching takedown requests"),
        json=True,
    )
    p.add_argument("--case", help=_("only the pictures of this case"))
    p.add_argument(
        "--out", metavar="FILE", help=_("write the CSV to FILE (which must not exist yet)")
    )
