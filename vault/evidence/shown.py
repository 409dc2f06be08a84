"""What may be shown of a sensitive item before the defender reveals it: the one rule every front
end (the app, the command line) and every bundle document follows.

A title is often made from the content itself: an imported message takes its first line, a file
its name ("me_at_the_beach.jpg"). For an item marked sensitive, that title, its description and
its original file name are withheld until the defender reveals the item on purpose; what shows
instead is a neutral title made only of facts that reveal nothing intimate: the kind of item, the
platform and the time ("Sensitive message (Telegram, 2026-03-12 23:05)").

What stays visible: the sender, the platform, the times, sizes, fingerprints, tags and the case.
They are evidence metadata a defender and a lawyer work with, and a name with a time is not the
intimate content; the content and the words made from it are what must not show.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final

from vault.evidence.models import Item
from vault.i18n import N_, _

if TYPE_CHECKING:
    from vault.custody.models import CustodyRecord

    # Types only: importing these would load the database layer, and the app's first screen is
    # drawn before it is needed (docs/performance.md).
    from vault.evidence.listing import ItemRow
    from vault.imports.chats import ChatLine

WITHHELD_FIELDS: Final = ("title", "description", "original_filename")
WITHHELD_TEXT: Final = N_("(hidden until you reveal it)")
# One whole title per kind of thing, so each language can say it with its own grammar and gender.
NEUTRAL_TITLES: Final = {
    "message": N_("Sensitive message"),
    "note": N_("Sensitive note"),
    "picture": N_("Sensitive picture"),
    "video": N_("Sensitive video"),
    "audio recording": N_("Sensitive audio recording"),
    "file": N_("Sensitive file"),
}


def sensitive_noun(kind: str, media_type: str) -> str:
    """'message', 'note', 'picture', 'video', 'audio recording' or 'file': what kind of thing it
    is, from facts that say nothing of its content."""
    if kind in ("message", "note"):
        return kind
    for prefix, noun in (("image/", "picture"), ("video/", "video"), ("audio/", "audio recording")):
        if media_type.startswith(prefix):
            return noun
    return "file"


def neutral_title(kind: str, media_type: str, platform: str = "", when: str | None = None) -> str:
    """'Sensitive picture (Telegram, 2026-03-12 23:05)': kind, platform and time where known."""
    where = [part for part in (platform.strip(), _minute(when)) if part]
    title = _(NEUTRAL_TITLES[sensitive_noun(kind, media_type)])
    if not where:
        return title
    # TRANSLATORS: a sensitive item's neutral title, then where and when, e.g.
    # "Sensitive picture (Telegram, 2026-03-12 23:05)".
    return _("{title} ({where})").format(title=title, where=", ".join(where))


def shown_title(
    item: Item | ItemRow | ChatLine, *, revealed: bool = False, details: bool = True
) -> str:
    """The title to show for ``item``: its own title, or a neutral one while it is sensitive and
    not revealed. ``details``: add the platform and time (leave them out where a table shows them
    in columns of their own). An imported chat's line is always a message of that chat."""
    if not item.sensitive or revealed:
        return item.title
    if hasattr(item, "time_utc"):  # a line of an imported chat: always a message
        kind, media_type, platform, when = "message", "", "", item.time_utc
    else:
        kind, media_type, platform, when = (
            item.kind,
            item.media_type,
            item.platform,
            item.occurred_at,
        )
    if not details:
        return neutral_title(kind, media_type)
    return neutral_title(kind, media_type, platform, when)


def is_withheld(item: Item | ItemRow | ChatLine, *, revealed: bool = False) -> bool:
    """True when what is shown of ``item`` is not all there is (sensitive, not revealed)."""
    return item.sensitive and not revealed


def shown_item(item: Item, *, revealed: bool = False) -> Item:
    """``item`` as it may be shown: for a sensitive item not revealed, a neutral title, and its
    description and original file name replaced by a note that they are hidden. Everything else
    (sender, times, fingerprint, tags, case) is kept. A copy: the item itself never changes."""
    if not is_withheld(item, revealed=revealed):
        return item
    return replace(
        item,
        title=shown_title(item),
        description=_(WITHHELD_TEXT) if item.description.strip() else "",
        original_filename=_(WITHHELD_TEXT) if item.original_filename.strip() else "",
    )


def shown_record(record: CustodyRecord, *, withheld: bool) -> CustodyRecord:
    """A custody record as it may be printed: when ``withheld`` (its item is sensitive and not
    revealed), the title, description and file name its details recorded (at creation, in a
    change, at deletion) are replaced by a note that they are hidden. A copy, for display only:
    the signed record itself never changes, and ``evault check`` verifies the stored one."""
    if not withheld or not record.details:
        return record
    details = copy.deepcopy(record.details)
    for part in (details.get("metadata"), details.get("changes")):
        if isinstance(part, dict):
            for name in WITHHELD_FIELDS:
                if part.get(name):
                    part[name] = _(WITHHELD_TEXT)
    if details.get("title"):
        details["title"] = _(WITHHELD_TEXT)
    return replace(record, details=details)


def snapshot_title(
    kind: Any, media_type: Any, metadata: dict[str, Any], *, revealed: bool = False
) -> str:
    """The title to show for an item described by a bundle's manifest (its ``kind``,
    ``media_type`` and ``metadata`` snapshot, untrusted: any type may be there), by the same rule
    as :func:`shown_title`; ``revealed``: the person exporting chose to print sensitive texts."""
    title = str(metadata.get("title", ""))
    if metadata.get("sensitive") is not True or revealed:
        return title
    return neutral_title(
        _text(kind),
        _text(media_type),
        _text(metadata.get("platform")),
        _text(metadata.get("occurred_at")),
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _minute(stamp: str | None) -> str:
    """'2026-03-12T23:05:41+04:00' -> '2026-03-12 23:05' (as reported, in its own zone)."""
    if not stamp or len(stamp) < 16 or stamp[10] not in "T ":
        return ""
    return f"{stamp[:10]} {stamp[11:16]}"
