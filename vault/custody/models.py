"""Plain data about the custody log and integrity checks: what ``log`` and ``check`` return."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Self

from vault.i18n import _


class Finding(str):
    """One sentence of a check, in English, that can also be shown in the reader's language.

    Why both: ``evault check --json`` is read by scripts, so its values stay English whatever the
    language (the string itself); a person reads :meth:`shown`, the same sentence translated, with
    the same details put in. ``msgid`` is marked for translation where the finding is made."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Self:
        made = super().__new__(cls, msgid.format(**params) if params else msgid)
        made.msgid = msgid
        made.params = params
        return made

    def __reduce__(self) -> tuple[Any, ...]:  # copies (dataclasses.asdict) keep the finding whole
        return (_finding, (self.msgid, self.params))

    def shown(self) -> str:
        """The sentence in the current language."""
        return _(self.msgid).format(**self.params) if self.params else _(self.msgid)


def _finding(msgid: str, params: dict[str, Any]) -> Finding:
    return Finding(msgid, **params)


def shown(text: str) -> str:
    """A check's sentence as a person reads it: a :class:`Finding` translated, other text as is
    (translated too when it is a marked sentence on its own)."""
    return text.shown() if isinstance(text, Finding) else _(text)


@dataclass(frozen=True)
class CustodyRecord:
    """One custody event, parsed, with whether it verified."""

    seq: int
    id: str
    type: str
    time: str
    item_id: str | None
    item_sha256: str | None
    reason: str | None
    details: dict[str, Any]
    hash: str
    prev: str | None
    signature: str  # base64

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckReport:
    """What ``check`` found. ``problems`` empty means everything holds."""

    items_checked: int = 0
    bytes_checked: int = 0
    events_checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        """Everything in English: scripts read these values (``evault check --json``)."""
        data = asdict(self)
        data["problems"] = [str.__str__(p) for p in self.problems]
        data["notes"] = [str.__str__(n) for n in self.notes]
        data["ok"] = self.ok
        return data

    def shown_problems(self) -> list[str]:
        """The problems in the reader's language (what ``evault check`` and the app print)."""
        return [shown(p) for p in self.problems]

    def shown_notes(self) -> list[str]:
        """The notes in the reader's language."""
        return [shown(n) for n in self.notes]
