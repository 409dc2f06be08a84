"""Words for people: plain-text and JSON output of the command line, and the texts the app shows
too (item details, import provenance, the import report). Formatting only; no vault logic.

Every value that came from outside (a title, a sender, a chat, a file name, a case) goes through
:func:`tui.terminal_text.terminal_text` here, so it stays on its line and cannot act on a terminal.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from tui.terminal_text import json_text, terminal_text
from vault import IMPORTERS, event_words

if TYPE_CHECKING:
    from vault import (
        CheckReport,
        CustodyRecord,
        ImportOptions,
        ImportSummary,
        Item,
        Provenance,
        WipeResult,
    )


def emit_json(value: Any, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    out.write(json_text(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)) + "\n")


def item_summary(item: Item) -> dict[str, Any]:
    """The ``list``/``search`` JSON object: at least id, kind, title, sha256, size."""
    return {
        "id": item.id,
        "kind": item.kind,
        "title": item.title,
        "sha256": item.sha256,
        "size": item.size,
        "media_type": item.media_type,
        "captured_at": item.captured_at,
        "occurred_at": item.occurred_at,
        "occurred_tz": item.occurred_tz,
        "platform": item.platform,
        "case": item.case,
        "tags": list(item.tags),
        "sensitive": item.sensitive,
        "deleted_at": item.deleted_at,
    }


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def item_table(items: list[Item], out: TextIO) -> None:
    if not items:
        out.write("No items.\n")
        return
    for item in items:
        marks = []
        if item.sensitive:
            marks.append("SENSITIVE")
        if item.deleted_at:
            marks.append("DELETED")
        mark = f" [{', '.join(marks)}]" if marks else ""
        when = terminal_text((item.occurred_at or "time unknown")[:16])
        platform = terminal_text(item.platform[:12])
        out.write(
            f"{item.id[:8]}  {item.kind:<7}  {when:<16}  {platform:<12}  "
            f"{terminal_text(item.title)}{mark}\n"
        )
    out.write(f"{plural(len(items), 'item')}. Full ids: --json.\n")


def readable_time(stamp: str | None) -> str:
    """'2026-03-09T17:14:05.123456Z' -> '2026-03-09 17:14:05 UTC'; other forms as given."""
    if not stamp:
        return ""
    if stamp.endswith("Z") and len(stamp) >= 19 and stamp[10] == "T":
        return f"{stamp[:10]} {stamp[11:19]} UTC"
    return stamp.replace("T", " ", 1)


def _reported(when: str | None, zone: str | None, utc: str | None, readable: bool) -> str:
    if not when:
        return "unknown"
    if not readable:
        return f"{when} (time zone: {zone or 'unknown'})"
    if utc and (when.endswith("Z") or when.endswith("+00:00")):
        return readable_time(utc)
    local = when.replace("T", " ", 1)
    if zone and local.endswith(zone):  # "21:14:00+04:00" with zone "+04:00": say it once
        local = local[: -len(zone)]
    text = f"{local} ({zone or 'time zone unknown'})"
    return f"{text} = {readable_time(utc)}" if utc else text


def item_rows(item: Item, *, readable: bool = False) -> list[tuple[str, str]]:
    """Label/value pairs describing an item: the one description the CLI and the app share.

    ``readable`` turns RFC 3339 stamps into "2026-03-09 17:14:05 UTC" for people; the command line
    keeps the exact stamps scripts rely on.
    """
    stamp = readable_time if readable else (lambda value: value or "")
    # Short labels on screen, so a SHA-256 fits an 80-column terminal beside its label.
    original, derived = ("File name", "Copy of") if readable else ("Original name", "Derived from")
    # On screen, plain words for a defender (the guide says what they are); the command line keeps
    # the exact terms a lawyer's expert and scripts look for.
    sha, media = ("File code", "File type") if readable else ("SHA-256", "Media type")
    rows: list[tuple[str, str]] = [
        ("ID", item.id),
        ("Kind", item.kind),
        ("Title", item.title),
        ("Description", item.description),
        (sha, item.sha256),
        ("Size", f"{plural(item.size, 'byte')} ({human_size(item.size)})"),
        (media, item.media_type),
        (original, item.original_filename),
        ("Added", stamp(item.captured_at)),
        ("Happened", _reported(item.occurred_at, item.occurred_tz, item.occurred_utc, readable)),
        ("Platform", item.platform),
        ("URL", item.source_url),
        ("Sender", item.sender_handle),
        ("Sender id", item.sender_id),
        ("Case", item.case or ""),
        ("Tags", ", ".join(item.tags)),
        (
            "Sensitive",
            "YES — shown only when you reveal it" if item.sensitive else "no",
        ),
        (derived, item.parent_id or ""),
    ]
    if item.message:
        rows.append(("Recipient", item.message.get("recipient") or ""))
        rows.append(
            (
                "Sent",
                _reported(
                    item.message.get("sent_at"),
                    item.message.get("sent_tz"),
                    item.message.get("sent_utc"),
                    readable,
                ),
            )
        )
    if item.deleted_at:
        rows.append(("Deleted", f"{stamp(item.deleted_at)}: {item.deleted_reason}"))
    return [(label, value) for label, value in rows if value]


TIME_SOURCES = {
    "export-utc": "an exact time in the export",
    "declared-timezone": "the phone's local time, read in the time zone given at import",
    "unknown": "not known",
}


def provenance_rows(p: Provenance, *, readable: bool = False) -> list[tuple[str, str]]:
    """How an imported message came in: shown under its details by the CLI and the app.

    Labels stay short (11 characters at most) so a SHA-256 still fits beside them at 80 columns.
    """
    stamp = readable_time if readable else (lambda value: value or "")
    rows = [
        ("Export", f"{p.source_name} ({p.importer}; export item {p.source_item_id[:8]})"),
        ("Chat", p.chat_title),
        ("Message key", p.message_key),
        ("As exported", p.time_raw + (f" (zone {p.time_zone})" if p.time_zone else "")),
        (
            "Time (UTC)",
            f"{stamp(p.time_utc) or 'unknown'}, from {TIME_SOURCES.get(p.time_source, p.time_source)}",
        ),
        ("Reply to", p.reply_to),
        ("Forwarded", p.forwarded_from),
        ("Edited", p.edited_raw or ""),
        ("Attachments", ", ".join(a[:8] for a in p.attachments)),
        (
            "Missing",
            "; ".join(
                f"{m.get('role', '')} {m.get('name', '')}".strip()
                + (f" ({m['note']})" if m.get("note") else "")
                for m in p.missing_media
            ),
        ),
        ("Transformed", "; ".join(p.transformations)),
    ]
    return [(label, value) for label, value in rows if value]


PLATFORM_NAMES = {row.name: row.platform for row in IMPORTERS}
PROBLEMS_SHOWN = 10
MISSING_SHOWN = 50


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def _transformation(name: str, count: int) -> str:
    """'mojibake-repaired: text decoded as ...' -> 'mojibake repaired (text decoded as ...)'."""
    head, _, why = name.partition(": ")
    label = head.replace("-", " ")
    return f"{label}{f' ({why})' if why else ''}: {plural(count, 'message')}"


def import_summary(summary: ImportSummary, options: ImportOptions, *, more: str) -> str:
    """What an import found, in plain words: the one report the command line and the app show.

    ``more`` says where the rest of a shortened list is ("see --json" on the command line).
    """
    if summary.already_imported:
        return (
            f"This export was imported before (import {summary.import_id[:8] or 'unknown'}); "
            "nothing was added."
        )
    kind = {"folder": "folder", "zip": "ZIP file", "file": "file"}.get(
        summary.source_kind, summary.source_kind
    )
    lines = [
        f"Imported {terminal_text(summary.source_name)} "
        f"({PLATFORM_NAMES.get(summary.importer, '')} export, "
        f"{kind}) as import {summary.import_id[:8]}.",
        f"The export itself is kept unchanged ({plural(summary.export_files, 'file')}), "
        "with its SHA-256 in the custody log.",
        "",
        "Chats:",
    ]
    for chat in summary.chats:
        line = f"  {terminal_text(chat.title)}: {plural(chat.messages, 'message')}, {chat.new} new"
        if chat.missing:
            line += f", {chat.missing} missing since an earlier import"
        lines.append(line)
    media = str(summary.media_stored)
    if kind == "folder":
        media += " more (the folder's own files are all kept, above)"
    rows = [
        ("Messages", str(summary.messages)),
        ("New", str(summary.messages_new)),
        ("Already in the vault", str(summary.messages_already)),
        ("Changed since an earlier import", str(summary.messages_changed)),
        ("Media stored", media),
        ("Media named but not in the export", str(summary.media_missing)),
        ("Senders", str(summary.senders)),
    ]
    if summary.first_time:
        rows.append(
            (
                "Dates (UTC)",
                f"{readable_time(summary.first_time)} to {readable_time(summary.last_time)}",
            )
        )
    if summary.times_declared_zone:
        rows.append(
            (
                f"Times read in {terminal_text(options.timezone or '')} (declared)",
                str(summary.times_declared_zone),
            )
        )
    if summary.times_unknown:
        rows.append(("Messages with no readable time", str(summary.times_unknown)))
    if summary.lines_joined:  # lines with no date of their own, kept with the message before
        first = ", ".join(map(str, summary.lines_joined_at))
        etc = ", …" if summary.lines_joined > len(summary.lines_joined_at) else ""
        rows.append(
            ("Lines joined to the message before", f"{summary.lines_joined} (lines {first}{etc})")
        )
    lines += ["", format_rows(rows)]
    if summary.transformations:
        lines += ["", "Changes made for reading (the original of every message is kept as is):"]
        lines += [
            f"  {terminal_text(_transformation(k, v))}" for k, v in summary.transformations.items()
        ]
    if summary.problem_count:
        lines += ["", f"Problems ({summary.problem_count}); the rest was imported:"]
        lines += [f"  - {terminal_text(p)}" for p in summary.problems[:PROBLEMS_SHOWN]]
        if summary.problem_count > PROBLEMS_SHOWN:
            lines.append(f"  and {summary.problem_count - PROBLEMS_SHOWN} more ({more}).")
    if summary.skipped_files:
        lines.append(
            f"Files in the export that were skipped: {len(summary.skipped_files)} ({more})."
        )
    if summary.missing:
        lines += [
            "",
            "Messages missing since an earlier import of the same chat (deleted by the sender?).",
            "The earlier copies stay in the vault; they are evidence:",
        ]
        for gone in summary.missing[:MISSING_SHOWN]:
            when = terminal_text(readable_time(gone.get("time")) or "time unknown")
            lines.append(
                f"  {terminal_text(gone.get('chat', ''))}  {when}  "
                f"{terminal_text(gone.get('sender', ''))}  {gone.get('item_id', '')[:8]}"
            )
        if len(summary.missing) > MISSING_SHOWN:
            lines.append(f"  and {len(summary.missing) - MISSING_SHOWN} more ({more}).")
    lines.append("")
    if options.sensitive_media:
        lines.append(
            "Pictures and videos from the export are marked sensitive: they are never previewed "
            "without asking."
        )
    return "\n".join(lines).rstrip("\n")


def format_rows(rows: list[tuple[str, str]]) -> str:
    """Aligned "Label: value" lines; a value is one line, whatever it holds."""
    width = max((len(label) for label, _ in rows), default=0)
    return "\n".join(f"{label + ':':<{width + 2}}{terminal_text(value)}" for label, value in rows)


CLI_LABELS = {"SHA-256": "File code", "Media type": "File type"}


def item_details(item: Item, out: TextIO) -> None:
    """``evault show``: the item's details, led by plain words; the exact term for the lawyer is
    in the line under them (the label must stay short: a SHA-256 beside it fills 80 columns)."""
    local = {"Added": local_time(item.captured_at)}  # this computer's clock; --json: UTC
    if item.deleted_at:
        local["Deleted"] = f"{local_time(item.deleted_at)}: {item.deleted_reason}"
    rows = [
        (CLI_LABELS.get(label, label), local.get(label, value)) for label, value in item_rows(item)
    ]
    out.write(format_rows(rows) + "\n")
    if item.sha256:
        out.write("(File code: the SHA-256 of the original; one changed byte changes it.)\n")


def local_time(stamp: str) -> str:
    """'2026-03-09T17:14:05.123456Z' -> '2026-03-09 21:14:05 (UTC+04:00)' in this computer's time
    zone, named where the system has a name for it ('CET (UTC+01:00)'): a defender reads their own
    clock, not UTC. Anything that is not such a stamp is shown as it is."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        return stamp
    local = moment.astimezone()
    offset = local.strftime("%z")  # +0400
    offset = f"UTC{offset[:3]}:{offset[3:5]}" if offset else "UTC"
    name = local.tzname() or ""
    if name == "UTC" and offset == "UTC+00:00":
        return f"{local:%Y-%m-%d %H:%M:%S} UTC"
    zone = f"{name} ({offset})" if name.isalpha() else f"({offset})"
    return f"{local:%Y-%m-%d %H:%M:%S} {zone}"


def custody_lines(records: list[CustodyRecord], out: TextIO) -> None:
    """The custody log in words: what happened, when by this computer's clock, to which item.
    The exact types and UTC stamps are what ``--json`` prints."""
    if not records:
        out.write("No custody events.\n")
        return
    for r in records:
        target = f"  item {terminal_text(r.item_id[:8])}" if r.item_id else ""
        why = f' — "{terminal_text(r.reason)}"' if r.reason else ""
        what = terminal_text(event_words(r.type, r.details))
        out.write(f"#{r.seq:<4} {terminal_text(local_time(r.time))}  {what}{target}{why}\n")
    out.write("Times are this computer's local time; exact times in UTC: --json.\n")


def check_text(report: CheckReport, out: TextIO) -> None:
    out.write(
        f"Checked {plural(report.items_checked, 'item')} ({human_size(report.bytes_checked)}) "
        f"and {plural(report.events_checked, 'custody event')}.\n"
    )
    for note in report.notes:
        out.write(f"Note: {terminal_text(note)}\n")
    if report.ok:
        out.write(
            "Everything holds: every original matches its file code (SHA-256), the custody log is complete "
            "and correctly signed, and the database is intact.\n"
        )
        return
    out.write(f"PROBLEMS FOUND ({len(report.problems)}):\n")
    for problem in report.problems:
        out.write(f"  - {terminal_text(problem)}\n")
    out.write(
        "Keep this vault folder exactly as it is, make a copy of it, and contact the person "
        "who helps you with evidence.\n"
    )


# ---------------------------------------------------------------------- the emergency wipe

WIPE_WORD = "WIPE"  # what the defender types to confirm, at the command line and in the app
WIPE_WARNING = (
    "This destroys the vault in {folder} for good: nobody, not even you, will be able to open "
    "it again. Only a backup copy, with its passphrase or recovery key (or recovery shares), can "
    "bring the evidence back."
)
WIPE_FLASH_NOTE = (
    "On SSDs, USB sticks and memory cards the drive may keep old copies of some blocks where no "
    "program can reach them, old bytes of vault.keys among them. Reading those needs forensic "
    "equipment and then still your passphrase or recovery key; full-disk encryption closes this "
    "gap, and destroying a stick is the only certain end. Copies made before (backups, cloud "
    "sync, a copy someone took) are not touched and still open with their passphrase."
)
WIPE_OPEN_ELSEWHERE = (
    "Another evault window or command had this vault open. Close it (or press its lock key) now: "
    "until then it still holds the vault's key in memory."
)


def wipe_summary(result: WipeResult, *, open_elsewhere: bool) -> list[str]:
    """The paragraphs that say what the wipe did, what it left, and what flash media may keep."""
    folder = terminal_text(str(result.folder))
    paragraphs = [
        f"The vault in {folder} was wiped: its keys were overwritten and removed, and its "
        "database removed. It cannot be opened any more, by you or by anyone."
    ]
    if result.left:
        left = ", ".join(terminal_text(name) for name in result.left)
        paragraphs.append(f"Left in the folder (not the vault's, so not touched): {left}.")
    elif not result.folder_removed:
        paragraphs.append("The empty folder could not be removed; it holds nothing of the vault.")
    if open_elsewhere:
        paragraphs.append(WIPE_OPEN_ELSEWHERE)
    paragraphs.append(WIPE_FLASH_NOTE)
    return paragraphs
