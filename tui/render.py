"""Plain-text and JSON output for the command line. Formatting only; no vault logic."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from vault.models import CheckReport, CustodyRecord, Item


def emit_json(value: Any, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    json.dump(value, out, ensure_ascii=False, indent=2, sort_keys=True)
    out.write("\n")


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
        when = (item.occurred_at or "time unknown")[:16]
        out.write(
            f"{item.id[:8]}  {item.kind:<7}  {when:<16}  {item.platform[:12]:<12}  "
            f"{item.title}{mark}\n"
        )
    out.write(f"{len(items)} item{'s' if len(items) != 1 else ''}. Full ids: --json.\n")


def item_details(item: Item, out: TextIO) -> None:
    rows: list[tuple[str, str]] = [
        ("ID", item.id),
        ("Kind", item.kind),
        ("Title", item.title),
        ("Description", item.description),
        ("SHA-256", item.sha256),
        ("Size", f"{item.size} bytes ({human_size(item.size)})"),
        ("Media type", item.media_type),
        ("Original name", item.original_filename),
        ("Added", item.captured_at),
        ("Happened", f"{item.occurred_at or 'unknown'} (time zone: {item.occurred_tz})"),
        ("Platform", item.platform),
        ("URL", item.source_url),
        ("Sender", item.sender_handle),
        ("Sender id", item.sender_id),
        ("Case", item.case or ""),
        ("Tags", ", ".join(item.tags)),
        ("Sensitive", "yes — never previewed without asking" if item.sensitive else "no"),
        ("Derived from", item.parent_id or ""),
    ]
    if item.message:
        rows.append(("Recipient", item.message.get("recipient") or ""))
        sent = item.message.get("sent_at")
        rows.append(("Sent", f"{sent or 'unknown'} (time zone: {item.message.get('sent_tz')})"))
    if item.deleted_at:
        rows.append(("Deleted", f"{item.deleted_at}: {item.deleted_reason}"))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        if value:
            out.write(f"{label + ':':<{width + 2}}{value}\n")


def custody_lines(records: list[CustodyRecord], out: TextIO) -> None:
    if not records:
        out.write("No custody events.\n")
        return
    for r in records:
        target = f" item {r.item_id[:8]}" if r.item_id else ""
        why = f' — "{r.reason}"' if r.reason else ""
        out.write(f"#{r.seq:<5} {r.time}  {r.type}{target}{why}\n")


def check_text(report: CheckReport, out: TextIO) -> None:
    out.write(
        f"Checked {report.items_checked} items ({human_size(report.bytes_checked)}) "
        f"and {report.events_checked} custody events.\n"
    )
    for note in report.notes:
        out.write(f"Note: {note}\n")
    if report.ok:
        out.write(
            "Everything holds: every original matches its SHA-256, the custody log is complete "
            "and correctly signed, and the database is intact.\n"
        )
        return
    out.write(f"PROBLEMS FOUND ({len(report.problems)}):\n")
    for problem in report.problems:
        out.write(f"  - {problem}\n")
    out.write(
        "Keep this vault folder exactly as it is, make a copy of it, and contact the person "
        "who helps you with evidence.\n"
    )
