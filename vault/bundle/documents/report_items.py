"""The items of report.html: the table of contents and one block per item, with the text of
each message and note.

The text is what a lawyer prints to put before a court, so it is shown as stored, but inert: it
comes from the people threatening the defender. It is escaped by ``_e`` (which shows hidden control
and direction characters as ``[U+202E]``) and isolated line by line in ``<bdi>``, so it can
neither become markup nor reorder the rest of the page. Pictures and other files are never shown.
A text marked sensitive is withheld unless the person exporting chose to include it; a very long
one is cut at ``TEXT_LIMIT`` characters, and the report says where the whole text is. By the same
choice, a sensitive item's title (often its first line, or a file's name), description, original
file name and sender are withheld too (``withheld``: the ids of such items): the title shown is a
neutral one (``vault.evidence.shown``), the rest says "withheld".
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterable, Iterator
from typing import Any, Final

from vault.bundle.documents.common import (
    _dict,
    _e,
    _list,
    _number,
    _or_dash,
    _s,
    _size,
    _unknown,
    _utc,
)
from vault.evidence.shown import snapshot_title
from vault.i18n import N_, _

SENSITIVE_MARK: Final = N_("sensitive — not previewed")
SENSITIVE_SHOWN_MARK: Final = N_("sensitive — text printed")
TEXT_LIMIT: Final = 20_000
"""At most this many characters of a message or note are printed; the rest is in its file."""
TEXT_KINDS: Final = frozenset({"message", "note"})
WITHHELD: Final = N_("withheld (marked sensitive)")
# An item block holding more than this (HTML characters) may break across pages; shorter ones
# are kept on one page.
LONG_BLOCK: Final = 2_500
# A reported local time in ISO 8601 form: date, time, optional fraction (dropped), offset.
_LOCAL_RE: Final = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"
)

KIND_WORDS: Final = {
    "file": N_("file"),
    "message": N_("message (text)"),
    "note": N_("note written by the defender"),
}


def _kind(kind: str) -> str:
    """The kind of an item in words (a kind this version does not know: as it is written)."""
    words = KIND_WORDS.get(kind)
    return _(words) if words else kind


def _occurred(meta: dict[str, Any]) -> str:
    """When it happened, as reported, with its time zone or 'unknown' (plain text)."""
    at = _s(meta.get("occurred_at")).strip()
    tz = _s(meta.get("occurred_tz")).strip() or _unknown()
    if not at or at == "unknown":
        return _unknown()
    return _("{time} (time zone: {zone})").format(time=at, zone=tz)


def _sender(meta: dict[str, Any]) -> str:
    handle = _s(meta.get("sender_handle")).strip()
    sender_id = _s(meta.get("sender_id")).strip()
    if handle and sender_id:
        return _("{handle} (id: {id})").format(handle=handle, id=sender_id)
    if sender_id:
        return _("(id: {id})").format(id=sender_id)
    return handle


def _machine(value: Any) -> str:
    """A long machine string (address, file name, id) that may break anywhere, but only where a
    line cannot hold it whole (HTML)."""
    text = _s(value)
    return f'<span class="machine">{_e(text)}</span>' if text.strip() else "—"


def _item_title(item: dict[str, Any], withheld: set[str]) -> str:
    """The item's title, or a neutral one ("Sensitive picture (Telegram, …)") if withheld."""
    revealed = _s(item.get("id")) not in withheld
    meta = _dict(item.get("metadata"))
    return _s(snapshot_title(item.get("kind"), item.get("media_type"), meta, revealed=revealed))


def withheld_ids(items: list[dict[str, Any]], include_sensitive_text: bool) -> set[str]:
    """The items marked sensitive whose title, description, file name and sender the report
    withholds: all of them, unless the person exporting chose to print sensitive texts."""
    if include_sensitive_text:
        return set()
    return {_s(i.get("id")) for i in items if _dict(i.get("metadata")).get("sensitive") is True}


Field = tuple[str, str]  # a label and its value (HTML)


def _item_fields(rows: list[tuple[Field, ...]]) -> str:
    """An item's fields: two short ones side by side (label, value, label, value), a long one
    across the row. The first row is a pair, so the fixed table layout takes its four widths."""
    cells = []
    for row in rows:
        if len(row) == 2:
            (k1, v1), (k2, v2) = row
            cells.append(
                f'<tr><th class="f" scope="row">{_e(k1)}</th><td>{v1}</td>'
                f'<th class="f g" scope="row">{_e(k2)}</th><td>{v2}</td></tr>'
            )
        else:
            ((k, v),) = row
            cells.append(f'<tr><th class="f" scope="row">{_e(k)}</th><td colspan="3">{v}</td></tr>')
    return f'<table class="fields item-fields">{"".join(cells)}</table>'


def _flag(item: dict[str, Any], shown: set[str]) -> str:
    """The sensitive mark (HTML, with a leading space), or '' for an item not marked sensitive."""
    if _dict(item.get("metadata")).get("sensitive") is not True:
        return ""
    mark = SENSITIVE_SHOWN_MARK if _s(item.get("id")) in shown else SENSITIVE_MARK
    return f' <span class="flag">{_e(_(mark))}</span>'


def _text_block(
    item: dict[str, Any], texts: dict[str, str], shown: set[str], read: Collection[str]
) -> str:
    """The text of a message or note, or the sentence saying why it is not printed (HTML).

    The text is escaped by ``_e`` (hidden and direction characters shown as ``[U+202E]``) and
    each of its lines is isolated in a ``<bdi>``, so nothing in it can become markup or reorder
    the rest of the page. CR LF line ends are shown as plain line breaks (e-mails use them)."""
    item_id = _s(item.get("id"))
    path = _s(item.get("path")).strip()
    where = f'<code class="path">{_e(path)}</code>' if path else _("its file in the bundle")
    sensitive = _dict(item.get("metadata")).get("sensitive") is True
    if sensitive and item_id not in shown:
        return (
            '<p class="withheld">'
            + _("<b>Text withheld:</b> marked sensitive; the exact text is in {where}.").format(
                where=where
            )
            + "</p>"
        )
    text = texts.get(item_id)
    if text is None:
        return (
            '<p class="withheld">'
            + _("<b>Text not printed here;</b> the exact text is in {where}.").format(where=where)
            + "</p>"
        )
    if item_id in read:  # an imported message: its text, read from the record in {where}
        intro = (
            _(
                "<b>Text</b> (marked sensitive; printed because the person exporting chose to), "
                "read from its original record in {where}:"
            )
            if sensitive
            else _("<b>Text</b>, read from its original record in {where}:")
        ).format(where=where)
    elif sensitive:
        intro = _(
            "<b>Text</b> (marked sensitive; printed because the person exporting chose to), as "
            "stored in {where}:"
        ).format(where=where)
    else:
        intro = _("<b>Text</b>, as stored in {where}:").format(where=where)
    if len(text) > TEXT_LIMIT:
        intro += _(
            " <b>only its first {limit} characters are printed here;</b> the full text is in "
            "{where}."
        ).format(limit=_number(TEXT_LIMIT), where=where)
    shown_text = text[:TEXT_LIMIT].replace("\r\n", "\n")
    # One <bdi> per line: each line takes its own direction (a line in Arabic reads right to
    # left, the English line after it left to right), and none can reorder another.
    lines = shown_text.split("\n") if shown_text.strip() else [_("(empty)")]
    body = "\n".join(f"<bdi>{_e(line)}</bdi>" for line in lines)
    end = ""
    if len(text) > TEXT_LIMIT:
        end = (
            '<p class="small"><b>'
            + _("[The text continues in {where}.]").format(where=where)
            + "</b></p>"
        )
    return (
        f'<div class="message"><p class="small">{intro}</p>'
        f'<div class="msgtext">{body}</div>{end}</div>'
    )


def _item_block(
    number: int,
    item: dict[str, Any],
    numbers: dict[str, int],
    texts: dict[str, str] | None,
    shown: set[str],
    withheld: set[str],
    proofs: dict[str, tuple[int, str, str]],
    read: Collection[str] = frozenset(),
) -> str:
    """One item: its fields (those with nothing recorded left out, so that several items fit on
    a printed page), then the text of a message or note."""
    meta = _dict(item.get("metadata"))
    title = _item_title(item, withheld)
    hide = _s(item.get("id")) in withheld
    kind = _s(item.get("kind"))
    flag = _flag(item, shown)
    withheld_words = _(WITHHELD)
    # TRANSLATORS: labels of an item's fields in report.html (a narrow column: keep them short)
    rows: list[tuple[Field, ...]] = [
        ((_("Kind"), _e(_kind(kind) or _unknown())), (_("Sensitive"), flag.strip() or _("no"))),
        (
            (
                _("When it happened"),
                _e(_occurred(meta)) + ' <span class="small">' + _("(as reported)") + "</span>",
            ),
        ),
        (
            (_("Added to the vault"), _or_dash(_utc(meta.get("captured_at")))),
            (_("Platform"), _or_dash(meta.get("platform"))),
        ),
        (
            (
                _("Sender"),
                _e(withheld_words) if hide and _sender(meta) else _or_dash(_sender(meta)),
            ),
        ),
    ]
    message = _dict(meta.get("message"))
    if message:
        sent = _s(message.get("sent_at")).strip()
        sent_tz = _s(message.get("sent_tz")).strip() or _unknown()
        sent_words = _("{time} (time zone: {zone})").format(time=sent, zone=sent_tz)
        rows.append(
            (
                (_("Message sent"), _e(sent_words) if sent else _unknown()),
                (_("Recipient"), _or_dash(message.get("recipient"))),
            )
        )
        if _s(message.get("thread")).strip():
            rows.append(((_("Conversation"), _e(message.get("thread"))),))
    if _s(meta.get("source_url")).strip():
        rows.append(((_("Source address"), _machine(meta.get("source_url"))),))
    if _s(meta.get("original_filename")).strip():
        name = _e(withheld_words) if hide else _machine(meta.get("original_filename"))
        rows.append(((_("Original file name"), name),))
    files = f'<code class="path">{_or_dash(item.get("path"))}</code>'
    text_path = _s(item.get("text_path")).strip()
    if text_path:
        files += _("; readable copy (derived): {path}").format(
            path=f'<code class="path">{_e(text_path)}</code>'
        )
    rows += [
        (
            (_("Media type"), _or_dash(item.get("media_type") or meta.get("media_type"))),
            (_("Size"), _e(_size(item.get("size")))),
        ),
        ((_("File in bundle"), files),),
        (("SHA-256", f'<span class="hash">{_or_dash(item.get("sha256"))}</span>'),),
    ]
    proof = proofs.get(_s(item.get("id")))
    if proof is not None:  # a claim like the rest of this report: evault verify checks the token
        number, when, tsa = proof
        stamped = _(
            "existed no later than {time}, signed by the time-stamping authority {tsa} "
            "(token {token}: see VERIFY.txt)"
        ).format(
            time=_e(_utc(when)),
            tsa=_e(tsa),
            token=f'<code class="path">timestamps/{number}.tsr</code>',
        )
        rows.append(((_("Proof of time"), stamped),))
    if _s(meta.get("description")).strip():
        description = withheld_words if hide else _s(meta.get("description"))
        rows.append(((_("Description"), f'<span class="text">{_e(description)}</span>'),))
    tags = ", ".join(_s(t) for t in _list(meta.get("tags")))
    rows.append(((_("Case"), _or_dash(meta.get("case"))), (_("Tags"), _or_dash(tags))))
    parent = _s(meta.get("parent_id")).strip()
    if parent:
        parent_html = (
            _("item {number}").format(number=numbers[parent])
            if parent in numbers
            else _machine(parent)
        )
        rows.append(((_("Derived from"), parent_html),))
    rows.append(((_("Item id"), f'<code class="path">{_or_dash(item.get("id"))}</code>'),))
    shown_title = _e(title) if title.strip() else _("(no title)")
    heading = _("Item {number}: {title}").format(number=number, title=shown_title) + flag
    text = _text_block(item, texts, shown, read) if texts is not None and kind in TEXT_KINDS else ""
    long = " long" if len(text) > LONG_BLOCK else ""
    return f'<div class="item{long}"><h3>{heading}</h3>{_item_fields(rows)}{text}</div>'


def _when_short(meta: dict[str, Any]) -> str:
    """When it happened, for the summary table (HTML): an ISO 8601 time as date and time, so the
    narrow column breaks between them, never inside one; anything else exactly as reported."""
    at = _s(meta.get("occurred_at")).strip()
    tz = _s(meta.get("occurred_tz")).strip() or _unknown()
    if not at or at == "unknown":
        return _unknown()
    match = _LOCAL_RE.match(at)
    shown = f"{match.group(1)} {match.group(2)}{match.group(3) or ''}" if match else at
    return f"{_e(shown)} ({_e(tz)})"


def _from(meta: dict[str, Any], hide: bool) -> str:
    """Platform and sender for the summary table (HTML): the sender's handle, else their id
    (``hide``: the platform only, for an item whose details are withheld)."""
    platform = _s(meta.get("platform")).strip()
    sender = _s(meta.get("sender_handle")).strip() or _s(meta.get("sender_id")).strip()
    if hide:
        sender = ""
    if platform and sender:
        return f"{_e(platform)}: {_machine(sender)}"
    return _e(platform) or (_machine(sender) if sender else "—")


def _summary(items: Iterable[dict[str, Any]], shown: set[str], withheld: set[str]) -> Iterator[str]:
    """The table of contents in pieces, a row each (report.html is streamed), or the sentence
    that there are no items."""
    rows = iter(items)
    first = next(rows, None)
    if first is None:
        yield "<p>" + _("This bundle holds no items.") + "</p>"
        return
    # TRANSLATORS: column headings of the table of contents; the columns are narrow
    no, title, kind_word, when = _("No."), _("Title"), _("Kind"), _("When it happened")
    added, sender = _("Added (UTC)"), _("Platform and sender")
    yield (
        f'<table class="summary"><thead><tr><th class="c-no">{no}</th>'
        f'<th>{title}</th><th class="c-kind">{kind_word}</th>'
        f'<th class="c-when">{when}</th>'
        f'<th class="c-when">{added}</th>'
        f'<th class="c-from">{sender}</th></tr>'
        "</thead><tbody>"
    )
    for number, item in enumerate(itertools.chain([first], rows), start=1):
        meta = _dict(item.get("metadata"))
        kind = _s(item.get("kind"))
        hide = _s(item.get("id")) in withheld
        yield (
            f"<tr><td>{number}</td><td>{_or_dash(_item_title(item, withheld))}"
            f"{_flag(item, shown)}</td>"
            f"<td>{_e(_kind(kind))}</td><td>{_when_short(meta)}</td>"
            f"<td>{_or_dash(_utc(meta.get('captured_at')))}</td><td>{_from(meta, hide)}</td></tr>"
        )
    yield "</tbody></table>"
