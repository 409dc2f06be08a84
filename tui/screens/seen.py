"""Where a picture (or a re-posted copy of it) was seen, in words: the item view's "Seen elsewhere".

Words only, never another picture: a defender looking at one leaked image must not be shown the
others. Kept apart from ``item.py`` so each module stays small.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.render import readable_time
from vault import _, ngettext

if TYPE_CHECKING:
    from vault import SimilarResult


def similar_text(result: SimilarResult) -> str:
    """'Seen 5 times, in 3 chats', and which items: words only, never a picture."""
    if result.hash is None:
        return _("This picture could not be read, so it cannot be compared with others.")
    others = len([m for m in result.matches if m.item.id != result.item.id])
    chats, times = len(result.chats), result.times_seen
    # TRANSLATORS: one sentence in up to three clauses, each with its own number: "Seen 5 times"
    # + ", in 3 chats" (left out when none) + "; 2 other pictures … look the same" + ".".
    sentence = ngettext("Seen {n} time", "Seen {n} times", times).format(n=times)
    if chats:
        sentence += ngettext(", in {n} chat", ", in {n} chats", chats).format(n=chats)
    sentence += (
        ngettext(
            "; {n} other picture in the vault look the same (re-posted copies?)",
            "; {n} other pictures in the vault look the same (re-posted copies?)",
            others,
        ).format(n=others)
        if others
        else _("; no other picture in the vault looks like it")
    )
    lines = [sentence + "."]
    for match in result.matches[:8]:
        where = ", ".join(
            dict.fromkeys(
                f"{s.chat or s.platform} ({readable_time(s.time)[:10]})" for s in match.sightings
            )
        )
        this = match.item.id == result.item.id
        label = _("this item") if this else _("item {id}").format(id=match.item.id[:8])
        lines.append(f"  {label}: {where or _('not attached to a message')}")
    lines.append(
        _("Picture fingerprint ({algorithm}): {hash}").format(
            algorithm=result.algorithm, hash=result.hash
        )
    )
    return "\n".join(lines)
