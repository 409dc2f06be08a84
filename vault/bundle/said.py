"""What ``evault verify`` found, in English for machines and in the reader's language for people.

A check's name and detail, and an item's problems, are part of ``evault verify --json``: scripts
read them, so they stay English there, always. A lawyer reading the same result on screen or on the
certificate reads it in her language. A :class:`Said` is both: the English sentence itself (a
``str``, so JSON, comparisons and ``"; ".join`` see exactly the English text as before), which also
remembers its catalog id and named values, so :func:`shown` can say it again in the language chosen
now. A value may itself be a :class:`Said` (a list of problems joined into one detail), and is
then translated too; any other value (a file name, a hash, a fingerprint) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vault.i18n import _, ngettext


class Said(str):
    """An English sentence that can be said again in another language (see the module docstring).

    Made with :func:`say`, :func:`ungettext` or :func:`joined`; never with ``Said(...)`` directly."""

    msgid: str = ""
    plural: str | None = None
    number: int = 0
    values: dict[str, Any]
    parts: tuple[Any, ...] | None = None
    separator: str = "; "

    def shown(self) -> str:
        """The sentence in the current language (English: the same text)."""
        if self.parts is not None:
            return self.separator.join(shown(p) for p in self.parts)
        values = {k: shown(v) for k, v in self.values.items()}
        if self.plural is not None:
            return ngettext(self.msgid, self.plural, self.number).format(**values)
        return _(self.msgid).format(**values)


def _english(msgid: str, plural: str | None, count: int, values: dict[str, Any]) -> str:
    template = msgid if plural is None or count == 1 else plural
    return template.format(**{k: str(v) for k, v in values.items()})


def say(msgid: str, /, **values: Any) -> Said:
    """``msgid`` (marked for extraction with ``N_`` by the caller) with its named values."""
    said = Said(_english(msgid, None, 0, values))
    said.msgid, said.values = msgid, dict(values)
    return said


def ungettext(singular: str, plural: str, n: int, /, **values: Any) -> Said:
    """A sentence about ``n`` things (``{n}`` is filled in), in each language's plural form.

    Named like gettext's own function so that the catalog extraction lists both forms."""
    values = {"n": n, **values}
    said = Said(_english(singular, plural, n, values))
    said.msgid, said.plural, said.number, said.values = singular, plural, n, values
    return said


def joined(parts: Iterable[Any], separator: str = "; ") -> Said:
    """Several findings as one detail, each shown in the current language."""
    items = tuple(parts)
    said = Said(separator.join(str(p) for p in items))
    said.parts, said.separator, said.values = items, separator, {}
    return said


def shown(value: Any) -> str:
    """``value`` for a person: a :class:`Said` in the current language, anything else as text."""
    if isinstance(value, Said) and (value.msgid or value.parts is not None):
        return value.shown()
    return "" if value is None else str(value)
