"""Plain data about the custody log and integrity checks: what ``log`` and ``check`` return."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Self

from vault.i18n import _
from vault.i18n import ngettext as gettext_plural


class Finding(str):
    """One sentence of a check or an import: in the reader's language, and in English for scripts.

    Why both: a person reads the string itself, translated into the language chosen when it was
    made (``evault check``, an import, the app); ``--json`` and what is stored (an import's summary)
    take :attr:`english` whatever the language. ``msgid`` is marked for translation where the
    finding is made; the details put in (an item id, an error, a file name) are the same in both,
    and a finding put in another is translated with it. A sentence about a number of things is made
    with :meth:`ngettext`, so each language uses its own plural form."""

    msgid: str
    params: dict[str, Any]
    plural: tuple[str, int] | None

    def __new__(cls, msgid: str, **params: Any) -> Self:
        return cls._made(msgid, None, params)

    @classmethod
    def ngettext(cls, singular: str, plural: str, n: int, **params: Any) -> Self:
        """``ngettext(singular, plural, n)`` with ``{n}`` and ``params`` put in (named like
        gettext's own function, so the extraction finds both forms)."""
        return cls._made(singular, (plural, n), {"n": n, **params})

    @classmethod
    def _made(cls, msgid: str, plural: tuple[str, int] | None, params: dict[str, Any]) -> Self:
        made = super().__new__(cls, _render(msgid, plural, params, translate=True))
        made.msgid, made.plural, made.params = msgid, plural, params
        return made

    def __reduce__(self) -> tuple[Any, ...]:  # copies (dataclasses.asdict) keep the finding whole
        return (_finding, (self.msgid, self.plural, self.params))

    @property
    def english(self) -> str:
        """The sentence in English, as ``--json`` gives it (a finding put inside: its English)."""
        return _render(self.msgid, self.plural, self.params, translate=False)

    def shown(self) -> str:
        """The sentence in the current language (which may have changed since it was made)."""
        return _render(self.msgid, self.plural, self.params, translate=True)


def _render(
    msgid: str, plural: tuple[str, int] | None, params: dict[str, Any], *, translate: bool
) -> str:
    if translate:
        text = gettext_plural(msgid, plural[0], plural[1]) if plural else _(msgid)
        values = {k: shown(v) for k, v in params.items()}
    else:
        text = msgid if plural is None or plural[1] == 1 else plural[0]
        values = {k: english(v) for k, v in params.items()}
    return text.format(**values) if params else text


def _finding(msgid: str, plural: tuple[str, int] | None, params: dict[str, Any]) -> Finding:
    return Finding._made(msgid, plural, params)


def english(text: Any) -> Any:
    """A sentence as a script reads it: a :class:`Finding` in English, anything else as it is."""
    return text.english if isinstance(text, Finding) else text


def shown(text: Any) -> Any:
    """A sentence as a person reads it now: a :class:`Finding` translated, anything else as it is
    (a number, or text that is data, such as a file name or an error from the system)."""
    return text.shown() if isinstance(text, Finding) else text


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
