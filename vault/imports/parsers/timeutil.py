"""Turning an export's timestamps into UTC, and saying where each UTC time came from.

Exports give either an absolute instant (Unix time, or a time with an offset) or a phone-local
wall-clock time with no zone at all. The second kind is only as good as the zone the user declares
for it, so that zone is recorded beside every time read with it (``TIME_FROM_DECLARED_ZONE``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vault.errors import InvalidInput
from vault.i18n import _
from vault.imports.parsers.records import (
    TIME_FROM_DECLARED_ZONE,
    TIME_FROM_EXPORT,
    TIME_UNKNOWN,
    RawTime,
)

# Unix times outside these bounds are not real message times (and would overflow on some systems).
_MIN_UNIX = 0  # 1970
_MAX_UNIX = 4_102_444_800  # 2100-01-01


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (e.g. ``Asia/Baku``), or a calm error saying how to write one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            _(
                "'{name}' is not a time zone name I know. Use a name such as Asia/Baku or "
                "Europe/Moscow (the zone the phone or computer was set to)."
            ).format(name=name[:40])
        ) from None


def format_z(moment: datetime) -> str:
    """RFC 3339 UTC, seconds precision, with ``Z`` — how imported message times are stored.
    Always four digits of year (``strftime("%Y")`` writes the year 300 as ``300``, which no reader
    of this format accepts)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def plausible(moment: datetime) -> bool:
    """Whether an absolute time can be a real message's (1970 to 2100, as for Unix times): an
    e-mail dated the year 300 was forged or broken, and its time is then unknown (kept as written)."""
    try:
        seconds = moment.timestamp()
    except (OverflowError, ValueError, OSError):
        return False
    return _MIN_UNIX <= seconds < _MAX_UNIX


def from_unix(raw: str | int | float) -> RawTime:
    """A Unix time in seconds as the export wrote it (kept as text in ``raw``)."""
    text = str(raw)
    try:
        seconds = float(text)
    except ValueError:
        return RawTime(text, None, TIME_UNKNOWN)
    if not _MIN_UNIX <= seconds < _MAX_UNIX:
        return RawTime(text, None, TIME_UNKNOWN)
    return RawTime(text, format_z(datetime.fromtimestamp(seconds, UTC)), TIME_FROM_EXPORT)


def from_unix_ms(raw: str | int) -> RawTime:
    """A Unix time in milliseconds (Meta's ``timestamp_ms``)."""
    text = str(raw)
    try:
        millis = int(text)
    except ValueError:
        return RawTime(text, None, TIME_UNKNOWN)
    seconds = millis / 1000
    if not _MIN_UNIX <= seconds < _MAX_UNIX:
        return RawTime(text, None, TIME_UNKNOWN)
    return RawTime(text, format_z(datetime.fromtimestamp(seconds, UTC)), TIME_FROM_EXPORT)


def from_local(raw: str, moment: datetime | None, zone_name: str | None) -> RawTime:
    """A wall-clock time (``moment`` is naive) read in the declared zone.

    ``moment`` None means ``raw`` could not be read; ``zone_name`` None means no zone was declared:
    either way the UTC time is unknown and only ``raw`` is kept. A time that falls twice (clocks go
    back) is read as the first of the two, as phones display it.
    """
    if moment is not None and moment.tzinfo is not None:
        return RawTime(raw, format_z(moment), TIME_FROM_EXPORT)
    if moment is None or zone_name is None:
        return RawTime(raw, None, TIME_UNKNOWN, zone_name or "")
    return RawTime(
        raw,
        format_z(moment.replace(tzinfo=zone(zone_name), fold=0)),
        TIME_FROM_DECLARED_ZONE,
        zone_name,
    )
