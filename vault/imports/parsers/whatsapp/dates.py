"""Dates as WhatsApp writes them: the date orders, and the time one header line states.

WhatsApp writes a phone-local wall-clock time in the phone's locale and no zone, and nothing in a
single line says whether 03/04/23 is the 3rd of April or the 4th of March. The order is decided for
the whole file (``survey``); this module reads a date in a given order and a header's time in the
file's format, and returns nothing rather than a guess when they do not fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from vault.i18n import N_, _
from vault.imports.parsers.whatsapp.grammar import AM, PM

DATE_ORDERS = ("dmy", "mdy", "ymd")


def plausible(match: re.Match[str]) -> bool:
    """A header whose date fits some order and whose time is a clock time."""
    dates = (match["d1"], match["d2"], match["d3"])
    if not any(make_date(order, dates) for order in DATE_ORDERS):
        return False
    return int(match["h"]) <= 23 and int(match["mi"]) <= 59 and int(match["s"] or 0) <= 59


def make_date(order: str, fields: tuple[str, str, str]) -> date | None:
    """The calendar date ``fields`` (as written) mean in ``order``, or None if they cannot."""
    d1, d2, d3 = fields
    year, month, day = {"dmy": (d3, d2, d1), "mdy": (d3, d1, d2), "ymd": (d1, d2, d3)}[order]
    if len(year) == 2:
        number = 2000 + int(year)
    elif len(year) == 4:
        number = int(year)
    else:
        return None
    if len(month) > 2 or len(day) > 2:
        return None
    try:
        return date(number, int(month), int(day))
    except ValueError:
        return None


@dataclass(frozen=True)
class Format:
    family: str  # "android" / "ios"
    order: str  # "dmy" / "mdy" / "ymd"
    twelve_hour: bool


# The three orders in words (marked for translation: shown in a problem line of an import).
ORDER_WORDS = {
    "dmy": N_("day/month/year"),
    "mdy": N_("month/day/year"),
    "ymd": N_("year/month/day"),
}


def spell(order: str) -> str:
    return _(ORDER_WORDS[order])


def moment(match: re.Match[str], fmt: Format) -> datetime | None:
    """The naive local time a header states, read in the file's format, or None."""
    day = make_date(fmt.order, (match["d1"], match["d2"], match["d3"]))
    if day is None:
        return None
    hour, minute, second = int(match["h"]), int(match["mi"]), int(match["s"] or 0)
    ampm = match["ampm"]
    if fmt.twelve_hour:
        if ampm is None or hour > 12:
            return None
        marker = re.sub(r"[\s.]", "", ampm).casefold()
        if marker in PM and hour != 12:
            hour += 12
        elif marker in AM and hour == 12:
            hour = 0
        elif marker not in AM | PM:
            return None
    elif ampm is not None:
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    return datetime(day.year, day.month, day.day, hour, minute, second)
