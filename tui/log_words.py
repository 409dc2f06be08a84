"""The custody log and ``evault check``'s report in words (``evault log``, ``evault check``).

Formatting only: what the vault recorded or found, said in the language chosen, every outside
value through :func:`tui.terminal_text.terminal_text`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from tui.paragraphs import for_terminal
from tui.render import human_size, local_time
from tui.terminal_text import terminal_text
from vault import _, event_words, ngettext

if TYPE_CHECKING:
    from vault import CheckReport, CustodyRecord


def custody_lines(records: list[CustodyRecord], out: TextIO) -> None:
    """The custody log in words: what happened, when by this computer's clock, to which item.
    The exact types and UTC stamps are what ``--json`` prints."""
    if not records:
        out.write(_("No custody events.") + "\n")
        return
    for r in records:
        target = "  " + _("item {id}").format(id=terminal_text(r.item_id[:8])) if r.item_id else ""
        why = f' — "{terminal_text(r.reason)}"' if r.reason else ""
        what = terminal_text(event_words(r.type, r.details))
        # An imported message's creation record has no signature or number of its own: it is
        # shown at its import event's place as "(#N)", not as a second event #N.
        number = f"#{r.seq}" if r.signature else f"(#{r.seq})"
        line = f"{number:<5} {terminal_text(local_time(r.time))}  {what}{target}{why}"
        out.write(for_terminal(out, line, hang=" " * 6) + "\n")  # long titles: under the time
    footnote = _("(#N): a message's import record, covered by the signature of import event #N.")
    if not all(r.signature for r in records):
        out.write(footnote + "\n")
    out.write(_("Times are this computer's local time; exact times in UTC: --json.") + "\n")


def check_text(report: CheckReport, out: TextIO) -> None:
    items = ngettext("{n} item", "{n} items", report.items_checked).format(n=report.items_checked)
    events = ngettext("{n} custody event", "{n} custody events", report.events_checked).format(
        n=report.events_checked
    )
    # TRANSLATORS: {items} is "3 items", {size} "1.2 MiB", {events} "12 custody events".
    out.write(
        _("Checked {items} ({size}) and {events}.").format(
            items=items, size=human_size(report.bytes_checked), events=events
        )
        + "\n"
    )
    for note in report.notes:
        out.write(for_terminal(out, _("Note: {note}").format(note=terminal_text(note))) + "\n")
    if report.ok:
        holds = _(
            "Everything holds: every original matches its file code (SHA-256), the custody "
            "log is complete and correctly signed, and the database is intact."
        )
        out.write(for_terminal(out, holds, hang="") + "\n")
        return
    out.write(_("PROBLEMS FOUND ({n}):").format(n=len(report.problems)) + "\n")
    for problem in report.problems:
        out.write(for_terminal(out, terminal_text(problem), first="  - ", hang="    ") + "\n")
    keep = _(
        "Keep this vault folder exactly as it is, make a copy of it, and contact the person "
        "who helps you with evidence."
    )
    out.write(for_terminal(out, keep, hang="") + "\n")
