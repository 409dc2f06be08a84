"""Plain data about the custody log and integrity checks: what ``log`` and ``check`` return."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Self

from vault.i18n import _


class Finding(str):
    """One sentence of a check: in the reader's language, and in English for scripts.

    Why both: a person reads the string itself, translated into the language chosen when the check
    ran (``evault check``, the app); ``evault check --json`` is read by scripts, so it gives
    :attr:`english` whatever the language. ``msgid`` is marked for translation where the finding
    is made; the details put in (an item id, an error) are the same in both."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Self:
        made = super().__new__(cls, _(msgid).format(**params) if params else _(msgid))
        made.msgid = msgid
        made.params = params
        return made

    def __reduce__(self) -> tuple[Any, ...]:  # copies (dataclasses.asdict) keep the finding whole
        return (_finding, (self.msgid, self.params))

    @property
    def english(self) -> str:
        """The sentence in English, as ``--json`` gives it."""
        return self.msgid.format(**self.params) if self.params else self.msgid

    def shown(self) -> str:
        """The sentence in the current language (which may have changed since it was made)."""
        return _(self.msgid).format(**self.params) if self.params else _(self.msgid)


def _finding(msgid: str, params: dict[str, Any]) -> Finding:
    return Finding(msgid, **params)


def english(text: str) -> str:
    """A check's sentence as a script reads it: a :class:`Finding` in English, other text as is."""
    return text.english if isinstance(text, Finding) else text


def shown(text: str) -> str:
    """A check's sentence as a person reads it now: a :class:`Finding` translated, other text as
    is (translated too when it is a marked sentence on its own)."""
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
        data["problems"] = [english(p) for p in self.problems]
        data["notes"] = [english(n) for n in self.notes]
        data["ok"] = self.ok
        return data

    def shown_problems(self) -> list[str]:
        """The problems in the current language (they are already in the language the check ran
        in; this is for a reader who changed it since, as the app can at unlock)."""
        return [shown(p) for p in self.problems]

    def shown_notes(self) -> list[str]:
        """The notes in the reader's language."""
        return [shown(n) for n in self.notes]
