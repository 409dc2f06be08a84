"""Dates and times in a document's language (Babel's CLDR data), always with their zone.

A lawyer in Baku reads "7 dekabr 2026", one in Geneva "7 December 2026": the same instant, each in
words the reader's court uses. The zone is always written out, because an hour without its zone is
not evidence of anything. Babel is imported only when a date is first formatted, so the app's first
frame does not wait for its locale data (this module is loaded lazily by ``vault``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_date, format_time

from vault.i18n import language

# English documents go to courts and mechanisms worldwide: day before month ("7 December 2026").
BABEL_LOCALES = {"en": "en_GB", "az": "az", "ru": "ru"}


def _locale(lang: str | None) -> str:
    return BABEL_LOCALES.get(lang or language(), "en_GB")


def long_date(when: datetime, lang: str | None = None) -> str:
    """The day in words: "7 December 2026", "7 dekabr 2026", "7 декабря 2026 г."."""
    return str(format_date(when.astimezone(UTC).date(), format="long", locale=_locale(lang)))


def date_time(when: datetime, lang: str | None = None) -> str:
    """Day, time to the second and zone: "7 December 2026, 09:29:06 UTC"."""
    moment = when.astimezone(UTC)
    clock = format_time(moment, "HH:mm:ss", locale=_locale(lang))
    return f"{long_date(moment, lang)}, {clock} UTC"
