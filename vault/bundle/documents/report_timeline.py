"""The custody timeline of report.html: every event (and every imported message's creation
record) in time order, each said in one plain sentence.

The plain words for metadata fields and custody events live here: only the report tells them in
this form (the app and the command line have their own, ``vault.custody.wording``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Final

from vault.bundle.documents.common import _dict, _e, _or_dash, _s, _utc
from vault.i18n import N_, _

FIELD_WORDS: Final = {
    "title": N_("title"),
    "description": N_("description"),
    "media_type": N_("media type"),
    "size": N_("size"),
    "captured_at": N_("time added"),
    "occurred_at": N_("when it happened"),
    "occurred_tz": N_("time zone of when it happened"),
    "platform": N_("platform"),
    "source_url": N_("source address"),
    "sender_handle": N_("sender"),
    "sender_id": N_("sender id"),
    "original_filename": N_("original file name"),
    "sensitive": N_("sensitive flag"),
    "case": N_("case"),
    "parent_id": N_("derived from"),
    "tags": N_("tags"),
    "message": N_("message details"),
}

DETAILS_SHOWN: Final = N_(
    "The hidden title and details of this sensitive evidence were shown in the vault{how} "
    "(not its content)."
)
# One plain sentence per custody event type (docs/format.md §5). ``{…}`` are filled from
# ``details`` (already escaped); unknown types are shown as their type name.
EVENT_WORDS: Final = {
    "vault.created": N_("The vault was created{program}."),
    "item.created": N_("The evidence was added to the vault{source}."),
    "item.metadata_changed": N_("The description of the evidence was edited: {fields}."),
    "item.viewed": N_("The original was opened in the vault{how}."),
    "item.exported": N_("The original was saved to a file outside the vault{destination}."),
    "item.deleted": N_(
        "The evidence was deleted from the vault{title}; this signed record of the deletion "
        "remains."
    ),
    "case.created": N_("A case was created{name}."),
    "bundle.export_started": N_(
        "An evidence bundle was written and was about to be saved under its name{bundle}."
    ),
    "bundle.exported": N_("An evidence bundle was exported{bundle}."),
    "key.passphrase_changed": N_(
        "The vault passphrase was changed{slot}. The signing key stays the same."
    ),
    "key.recovery_replaced": N_(
        "The recovery key was replaced{slot}. The signing key stays the same."
    ),
    "key.keyfile_changed": N_("The key file was changed{slot}. The signing key stays the same."),
    "key.shares_issued": N_(
        "Recovery shares were given to trusted people{slot}. The signing key stays the same."
    ),
    "key.shares_replaced": N_(
        "New recovery shares were given to trusted people; the earlier set no longer opens the "
        "vault{slot}. The signing key stays the same."
    ),
    "key.shares_revoked": N_(
        "The recovery shares held by trusted people were withdrawn{slot}. The signing key "
        "stays the same."
    ),
    "key.file_upgraded": N_(
        "vault.keys (the file holding the vault's wrapped keys) was rewritten in its newer, "
        "fully authenticated form{slot}. The keys stay the same."
    ),
    "key.file_repaired": N_(
        "vault.keys (the file holding the vault's wrapped keys), found altered outside evault, "
        "was rewritten from the key that opened the vault{slot}. The signing key stays the same."
    ),
}


# An imported message's creation record (docs/format.md §7.7), shown as its "added" line at its
# import's place: {record} is its member in the bundle, {seq} the import's signed event.
RECORD_WORDS: Final = N_(
    "The evidence was added to the vault from an import. Its creation record, {record}, is not "
    "signed on its own: the import statement lists it, and the import's signed record (number "
    "{seq}) commits to that statement."
)


def _event_sort_key(indexed: tuple[int, dict[str, Any]]) -> tuple[int, datetime | str, int]:
    position, event = indexed
    time = _s(event.get("time"))
    try:
        parsed = datetime.fromisoformat(time)
    except ValueError:
        return (2, time, position)
    if parsed.tzinfo is None:  # not a custody time; keep such events after the rest
        return (1, time, position)
    return (0, parsed, position)


def _event_words(event: dict[str, Any]) -> str:
    """What happened, in plain words (HTML)."""
    kind = _s(event.get("type"))
    details = _dict(event.get("details"))

    def opt(fragment: str, key: str) -> str:
        value = _s(details.get(key)).strip()
        return _(fragment).format(value=_e(value)) if value else ""

    template = EVENT_WORDS.get(kind)
    if kind == "item.viewed" and _s(details.get("how")).startswith("details shown"):
        # A reveal of a sensitive item's title and details, not of its content.
        template = DETAILS_SHOWN
    record = _s(event.get("creation_record"))
    if kind == "item.created" and record:
        words = _(RECORD_WORDS).format(
            record=f'<code class="path">{_e(record)}</code>', seq=_e(event.get("seq"))
        )
    elif template is None:
        words = _("Event of type <code>{type}</code>.").format(type=_e(kind) or "(none)")
    else:
        source = _s(details.get("source"))
        # TRANSLATORS: fragments added to an event's sentence, each with its leading space or
        # punctuation, e.g. "The evidence was added to the vault from a file."
        source_words = {"file": N_(" from a file"), "typed": N_(", typed in by the defender")}
        changes = details.get("changes")
        if isinstance(changes, dict) and changes:
            fields = ", ".join(_e(_(FIELD_WORDS.get(str(f), str(f)))) for f in changes)
        else:
            fields = _("(fields not listed)")
        if source in source_words:
            source_html = _e(_(source_words[source]))
        else:
            source_html = _e(_(" ({source})").format(source=source) if source else "")
        # TRANSLATORS: fragments added to an event's sentence ({value}: a name, a program, an id)
        words = _(template).format(
            program=opt(N_(" by {value}"), "program"),
            source=source_html,
            fields=fields,
            how=opt(N_(" ({value})"), "how"),
            destination=opt(N_(": {value}"), "destination"),
            title=opt(N_(" (title: {value})"), "title"),
            name=opt(N_(": {value}"), "name"),
            bundle=opt(N_(" (bundle id {value})"), "bundle_id"),
            slot=opt(N_(" (key slot {value})"), "slot"),
        )
    item = _dict(event.get("item"))
    if kind == "item.created" and item.get("sha256"):
        words += _(' SHA-256 when added: <span class="hash">{sha256}</span>.').format(
            sha256=_e(item.get("sha256"))
        )
    if kind == "bundle.exported" and details.get("include_sensitive_text") is True:
        words += _(" Its report printed the texts marked sensitive, as the person exporting chose.")
    clock = _s(details.get("clock_reported")).strip()
    if clock:
        words += _(
            " The computer's clock said {time}, earlier than the event before; the "
            "record keeps the earlier event's time so that it never goes backwards."
        ).format(time=_e(_utc(clock)))
    return words


def _timeline(events: list[dict[str, Any]], numbers: dict[str, int], titles: dict[str, str]) -> str:
    return "".join(_timeline_parts(events, numbers, titles))


def _timeline_parts(
    events: Sequence[dict[str, Any]],
    numbers: dict[str, int],
    titles: dict[str, str],
    order: list[int] | None = None,
) -> Iterator[str]:
    """The timeline table, a row at a time (made as taken: report.html is streamed).

    ``order``: the events' positions in time order (:func:`_event_sort_key`), when the caller
    found it already; each event is read once more, when its row is made."""
    if not events:
        yield "<p>" + _("No custody events are included.") + "</p>"
        return
    # TRANSLATORS: column headings of the custody timeline; the columns are narrow
    no, when, what, item_word, reason = (
        _("No."),
        _("Time (UTC)"),
        _("What happened"),
        _("Item"),
        _("Reason given"),
    )
    yield (
        f'<table class="timeline"><thead><tr><th class="c-no">{no}</th>'
        f'<th class="c-when">{when}</th><th>{what}</th>'
        f'<th class="c-item">{item_word}</th><th class="c-reason">{reason}'
        "</th></tr></thead><tbody>"
    )
    if order is None:
        order = [p for p, _event in sorted(enumerate(events), key=_event_sort_key)]
    for position in order:
        event = events[position]
        item = _dict(event.get("item"))
        item_id = _s(item.get("id"))
        if item_id:
            number = numbers.get(item_id)
            label = (
                _("Item {number}").format(number=number)
                if number
                else _("Item {id}").format(id=_e(item_id))
            )
            title = titles.get(item_id, "")
            if not title.strip():
                title = _s(_dict(event.get("details")).get("title"))
            item_html = f"{label}: {_e(title)}" if title.strip() else label
        else:
            item_html = "—"
        yield (
            f"<tr><td>{_e(event.get('seq'))}</td><td>{_e(_utc(event.get('time')))}</td>"
            f"<td>{_event_words(event)}</td><td>{item_html}</td>"
            f'<td class="text">{_or_dash(event.get("reason"))}</td></tr>'
        )
    yield "</tbody></table>"
