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

from tui.paragraphs import for_terminal
from tui.terminal_text import json_text, terminal_text
from tui.wipe_words import WIPE_FLASH_NOTE as WIPE_FLASH_NOTE  # noqa: PLC0414 - re-exported
from tui.wipe_words import WIPE_OPEN_ELSEWHERE as WIPE_OPEN_ELSEWHERE  # noqa: PLC0414
from tui.wipe_words import WIPE_WARNING as WIPE_WARNING  # noqa: PLC0414
from tui.wipe_words import WIPE_WORD as WIPE_WORD  # noqa: PLC0414
from tui.wipe_words import wipe_summary as wipe_summary  # noqa: PLC0414
from vault import IMPORTERS, N_, _, ngettext

if TYPE_CHECKING:
    from vault import (
        ImportOptions,
        ImportSummary,
        Item,
        Provenance,
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


# TRANSLATORS: units of size (bytes, binary kilo/mega/gigabytes), shown after a number.
SIZE_UNITS = (N_("B"), N_("KiB"), N_("MiB"), N_("GiB"))
# What kind of item it is, in words (the stored kind stays English: --json prints it).
KIND_WORDS = {"file": N_("file"), "message": N_("message"), "note": N_("note")}


def kind_word(kind: str) -> str:
    """An item's kind in the current language (a kind we have no word for: as stored)."""
    word = KIND_WORDS.get(kind)
    return _(word) if word is not None else kind


def human_size(size: int) -> str:
    value = float(size)
    for unit in SIZE_UNITS:
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {_(unit)}" if unit == "B" else f"{value:.1f} {_(unit)}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def item_table(items: list[Item], out: TextIO) -> None:
    if not items:
        out.write(_("No items.") + "\n")
        return
    kind_width = max(7, *(len(kind_word(item.kind)) for item in items))
    for item in items:
        marks = []
        if item.sensitive:
            # TRANSLATORS: a mark after an item's title in a list, in capitals in English.
            marks.append(_("SENSITIVE"))
        if item.deleted_at:
            # TRANSLATORS: a mark after an item's title in a list, in capitals in English.
            marks.append(_("DELETED"))
        mark = f" [{', '.join(marks)}]" if marks else ""
        when = terminal_text((item.occurred_at or _("time unknown"))[:16])
        platform = terminal_text(item.platform[:12])
        columns = (
            f"{item.id[:8]}  {kind_word(item.kind):<{kind_width}}  {when:<16}  {platform:<12}  "
        )
        # On a terminal a long title continues under itself (never cut: its marks come last).
        title = f"{terminal_text(item.title)}{mark}"
        out.write(for_terminal(out, title, first=columns, hang=" " * len(columns)) + "\n")
    out.write(
        ngettext("{n} item. Full ids: --json.", "{n} items. Full ids: --json.", len(items)).format(
            n=len(items)
        )
        + "\n"
    )


def readable_time(stamp: str | None) -> str:
    """'2026-03-09T17:14:05.123456Z' -> '2026-03-09 17:14:05 UTC'; other forms as given."""
    if not stamp:
        return ""
    if stamp.endswith("Z") and len(stamp) >= 19 and stamp[10] == "T":
        return f"{stamp[:10]} {stamp[11:19]} UTC"
    return stamp.replace("T", " ", 1)


def _reported(when: str | None, zone: str | None, utc: str | None, readable: bool) -> str:
    if not when:
        return _("unknown")
    if not readable:
        return _("{time} (time zone: {zone})").format(time=when, zone=zone or _("unknown"))
    if utc and (when.endswith("Z") or when.endswith("+00:00")):
        return readable_time(utc)
    local = when.replace("T", " ", 1)
    if zone and local.endswith(zone):  # "21:14:00+04:00" with zone "+04:00": say it once
        local = local[: -len(zone)]
    text = f"{local} ({zone or _('time zone unknown')})"
    return f"{text} = {readable_time(utc)}" if utc else text


def item_rows(item: Item, *, readable: bool = False) -> list[tuple[str, str]]:
    """Label/value pairs describing an item: the one description the CLI and the app share.

    ``readable`` turns RFC 3339 stamps into "2026-03-09 17:14:05 UTC" for people; the command line
    keeps the exact stamps scripts rely on. The labels are in the current language.
    """
    return [(_(label), value) for label, value in _item_rows(item, readable=readable)]


def _item_rows(item: Item, *, readable: bool) -> list[tuple[str, str]]:
    """``item_rows`` with the labels in English (marked for the catalog; translated by callers)."""
    stamp = readable_time if readable else (lambda value: value or "")
    # Short labels on screen, so a SHA-256 fits an 80-column terminal beside its label.
    original, derived = (
        (N_("File name"), N_("Copy of")) if readable else (N_("Original name"), N_("Derived from"))
    )
    # On screen, plain words for a defender (the guide says what they are); the command line keeps
    # the exact terms a lawyer's expert and scripts look for.
    sha, media = (N_("File code"), N_("File type")) if readable else ("SHA-256", N_("Media type"))
    rows: list[tuple[str, str]] = [
        (N_("ID"), item.id),
        (N_("Kind"), kind_word(item.kind)),
        (N_("Title"), item.title),
        (N_("Description"), item.description),
        (sha, item.sha256),
        (
            N_("Size"),
            ngettext("{n} byte ({size})", "{n} bytes ({size})", item.size).format(
                n=item.size, size=human_size(item.size)
            ),
        ),
        (media, item.media_type),
        (original, item.original_filename),
        (N_("Added"), stamp(item.captured_at)),
        (
            N_("Happened"),
            _reported(item.occurred_at, item.occurred_tz, item.occurred_utc, readable),
        ),
        (N_("Platform"), item.platform),
        (N_("URL"), item.source_url),
        (N_("Sender"), item.sender_handle),
        (N_("Sender id"), item.sender_id),
        (N_("Case"), item.case or ""),
        (N_("Tags"), ", ".join(item.tags)),
        (
            N_("Sensitive"),
            _("YES — shown only when you reveal it") if item.sensitive else _("no"),
        ),
        (derived, item.parent_id or ""),
    ]
    if item.message:
        rows.append((N_("Recipient"), item.message.get("recipient") or ""))
        rows.append(
            (
                N_("Sent"),
                _reported(
                    item.message.get("sent_at"),
                    item.message.get("sent_tz"),
                    item.message.get("sent_utc"),
                    readable,
                ),
            )
        )
    if item.deleted_at:
        rows.append((N_("Deleted"), f"{stamp(item.deleted_at)}: {item.deleted_reason}"))
    return [(label, value) for label, value in rows if value]


TIME_SOURCES = {
    "export-utc": N_("an exact time in the export"),
    "declared-timezone": N_("the phone's local time, read in the time zone given at import"),
    "unknown": N_("not known"),
}


def provenance_rows(p: Provenance, *, readable: bool = False) -> list[tuple[str, str]]:
    """How an imported message came in: shown under its details by the CLI and the app.

    Labels stay short (11 characters at most) so a SHA-256 still fits beside them at 80 columns.
    """
    stamp = readable_time if readable else (lambda value: value or "")
    source = TIME_SOURCES.get(p.time_source)
    rows = [
        (
            N_("Export"),
            _("{name} ({importer}; export item {id})").format(
                name=p.source_name, importer=p.importer, id=p.source_item_id[:8]
            ),
        ),
        (N_("Chat"), p.chat_title),
        (N_("Message key"), p.message_key),
        (
            N_("As exported"),
            _("{time} (zone {zone})").format(time=p.time_raw, zone=p.time_zone)
            if p.time_zone
            else p.time_raw,
        ),
        (
            N_("Time (UTC)"),
            # TRANSLATORS: {time} is a time in UTC (or "unknown"), {source} where it was read from.
            _("{time}, from {source}").format(
                time=stamp(p.time_utc) or _("unknown"),
                source=_(source) if source is not None else p.time_source,
            ),
        ),
        (N_("Reply to"), p.reply_to),
        (N_("Forwarded"), p.forwarded_from),
        (N_("Edited"), p.edited_raw or ""),
        (N_("Attachments"), ", ".join(a[:8] for a in p.attachments)),
        (
            N_("Missing"),
            "; ".join(
                f"{m.get('role', '')} {m.get('name', '')}".strip()
                + (f" ({m['note']})" if m.get("note") else "")
                for m in p.missing_media
            ),
        ),
        (N_("Transformed"), "; ".join(p.transformations)),
    ]
    return [(_(label), value) for label, value in rows if value]


PLATFORM_NAMES = {row.name: row.platform for row in IMPORTERS}
PROBLEMS_SHOWN = 10
MISSING_SHOWN = 50


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def _transformation(name: str, count: int) -> str:
    """'mojibake-repaired: text decoded as ...' -> 'mojibake repaired (text decoded as ...)'."""
    head, _sep, why = name.partition(": ")
    label = head.replace("-", " ")
    messages = ngettext("{n} message", "{n} messages", count).format(n=count)
    return f"{label}{f' ({why})' if why else ''}: {messages}"


def import_summary(
    summary: ImportSummary, options: ImportOptions, *, more: str, out: TextIO | None = None
) -> str:
    """What an import found, in plain words: the one report the command line and the app show.

    ``more`` says where the rest of a shortened list is ("see --json" on the command line).
    Written to ``out`` on a terminal, every line is filled to 80 columns, a list entry or a
    value continuing under itself (the app's own widget wraps what it shows).
    """
    lines = [
        (kept, line)
        for kept, text in _import_summary_parts(summary, options, more, out)
        for line in text.split("\n")
    ]
    if out is None:
        return "\n".join(line for _kept, line in lines)
    return "\n".join(line if kept else _filled(out, line) for kept, line in lines)


def _filled(out: TextIO, line: str) -> str:
    """One line of the report filled on a terminal: a list entry ("  - …", "  chat: …")
    continues two columns further in than it starts."""
    text = line.lstrip(" ")
    indent = line[: len(line) - len(text)]
    hang = indent + "  " if indent or text.startswith("- ") else ""
    return for_terminal(out, text, first=indent, hang=hang) if text else ""


def _import_summary_parts(
    summary: ImportSummary, options: ImportOptions, more: str, out: TextIO | None
) -> list[tuple[bool, str]]:
    """The report's parts, each with whether it is laid out already (the aligned rows)."""
    if summary.already_imported:
        said = _("This export was imported before (import {id}); nothing was added.")
        return [(False, said.format(id=summary.import_id[:8] or _("unknown")))]
    kinds = {"folder": N_("folder"), "zip": N_("ZIP file"), "file": N_("file")}
    kind = summary.source_kind
    kind_shown = _(kinds[kind]) if kind in kinds else kind
    lines = [
        # TRANSLATORS: {platform} is e.g. "Telegram", {kind} "folder", "ZIP file" or "file".
        _("Imported {name} ({platform} export, {kind}) as import {id}.").format(
            name=terminal_text(summary.source_name),
            platform=PLATFORM_NAMES.get(summary.importer, ""),
            kind=kind_shown,
            id=summary.import_id[:8],
        ),
        ngettext(
            "The export itself is kept unchanged ({n} file), with its SHA-256 in the custody log.",
            "The export itself is kept unchanged ({n} files), with its SHA-256 in the custody log.",
            summary.export_files,
        ).format(n=summary.export_files),
        "",
        _("Chats:"),
    ]
    for chat in summary.chats:
        line = ngettext(
            "  {title}: {n} message, {new} new", "  {title}: {n} messages, {new} new", chat.messages
        ).format(title=terminal_text(chat.title), n=chat.messages, new=chat.new)
        if chat.missing:
            line += _(", {n} missing since an earlier import").format(n=chat.missing)
        lines.append(line)
    media = str(summary.media_stored)
    if kind == "folder":
        media = _("{n} more (the folder's own files are all kept, above)").format(
            n=summary.media_stored
        )
    rows = [
        (_("Messages"), str(summary.messages)),
        (_("New"), str(summary.messages_new)),
        (_("Already in the vault"), str(summary.messages_already)),
        (_("Changed since an earlier import"), str(summary.messages_changed)),
        (_("Media stored"), media),
        (_("Media named but not in the export"), str(summary.media_missing)),
        (_("Senders"), str(summary.senders)),
    ]
    if summary.first_time:
        rows.append(
            (
                _("Dates (UTC)"),
                _("{first} to {last}").format(
                    first=readable_time(summary.first_time), last=readable_time(summary.last_time)
                ),
            )
        )
    if summary.times_declared_zone:
        rows.append(
            (
                _("Times read in {zone} (declared)").format(
                    zone=terminal_text(options.timezone or "")
                ),
                str(summary.times_declared_zone),
            )
        )
    if summary.times_unknown:
        rows.append((_("Messages with no readable time"), str(summary.times_unknown)))
    if summary.lines_joined:  # lines with no date of their own, kept with the message before
        first = ", ".join(map(str, summary.lines_joined_at))
        etc = ", …" if summary.lines_joined > len(summary.lines_joined_at) else ""
        rows.append(
            (
                _("Lines joined to the message before"),
                _("{n} (lines {lines})").format(n=summary.lines_joined, lines=f"{first}{etc}"),
            )
        )
    parts = [(False, line) for line in lines] + [(False, ""), (True, format_rows(rows, out))]
    lines = []
    if summary.transformations:
        lines += [
            "",
            _("Changes made for reading (the original of every message is kept as is):"),
        ]
        lines += [
            f"  {terminal_text(_transformation(k, v))}" for k, v in summary.transformations.items()
        ]
    if summary.problem_count:
        lines += [
            "",
            _("Problems ({n}); the rest was imported:").format(n=summary.problem_count),
        ]
        lines += [f"  - {terminal_text(p)}" for p in summary.problems[:PROBLEMS_SHOWN]]
        if summary.problem_count > PROBLEMS_SHOWN:
            lines.append(_more(summary.problem_count - PROBLEMS_SHOWN, more))
    if summary.skipped_files:
        lines.append(
            _("Files in the export that were skipped: {n} ({more}).").format(
                n=len(summary.skipped_files), more=more
            )
        )
    if summary.missing:
        lines += [
            "",
            _(
                "Messages missing since an earlier import of the same chat (deleted by the "
                "sender?)."
            ),
            _("The earlier copies stay in the vault; they are evidence:"),
        ]
        for gone in summary.missing[:MISSING_SHOWN]:
            when = terminal_text(readable_time(gone.get("time")) or _("time unknown"))
            lines.append(
                f"  {terminal_text(gone.get('chat', ''))}  {when}  "
                f"{terminal_text(gone.get('sender', ''))}  {gone.get('item_id', '')[:8]}"
            )
        if len(summary.missing) > MISSING_SHOWN:
            lines.append(_more(len(summary.missing) - MISSING_SHOWN, more))
    lines.append("")
    if options.sensitive_media:
        lines.append(
            _(
                "Pictures and videos from the export are marked sensitive: they are never "
                "previewed without asking."
            )
        )
    while lines and not lines[-1]:
        lines.pop()
    return parts + [(False, line) for line in lines]


def _more(count: int, where: str) -> str:
    # TRANSLATORS: the end of a shortened list; {more} says where the rest is ("see --json").
    return _("  and {n} more ({more}).").format(n=count, more=where)


def format_rows(rows: list[tuple[str, str]], out: TextIO | None = None) -> str:
    """Aligned "Label: value" lines; a value is one line, whatever it holds, except when written
    to ``out`` and that is a terminal: then a long value continues under itself, never cut
    inside a word (a title of 80 characters beside its label ran past 80 columns)."""
    width = max((len(label) for label, _value in rows), default=0)
    lines = []
    for label, value in rows:
        first = f"{label + ':':<{width + 2}}"
        text = terminal_text(value)
        if out is None:
            lines.append(first + text)
        else:
            lines.append(for_terminal(out, text, first=first, hang=" " * len(first)))
    return "\n".join(lines)


CLI_LABELS = {"SHA-256": N_("File code"), "Media type": N_("File type")}


def item_details(item: Item, out: TextIO) -> None:
    """``evault show``: the item's details, led by plain words; the exact term for the lawyer is
    in the line under them (the label must stay short: a SHA-256 beside it fills 80 columns)."""
    local = {"Added": local_time(item.captured_at)}  # this computer's clock; --json: UTC
    if item.deleted_at:
        local["Deleted"] = f"{local_time(item.deleted_at)}: {item.deleted_reason}"
    rows = [
        (_(CLI_LABELS.get(label, label)), local.get(label, value))
        for label, value in _item_rows(item, readable=False)
    ]
    out.write(format_rows(rows, out) + "\n")
    if item.sha256:
        out.write(
            _("(File code: the SHA-256 of the original; one changed byte changes it.)") + "\n"
        )


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
