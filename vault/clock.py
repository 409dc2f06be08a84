"""Time: UTC timestamps for the custody log, and parsing of times people give us.

Clock-dependent code takes ``now`` as an argument so tests can fix time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vault.errors import InvalidInput

UNKNOWN_ZONE = "unknown"


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_utc(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds and ``Z``: the one time format of custody events."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    # isoformat, not strftime("%Y"): the year 300 must read 0300 (the same for every real year).
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


@dataclass(frozen=True)
class ReportedTime:
    """When something happened, as reported: the text given, its zone, and UTC where knowable."""

    text: str
    zone: str
    utc: str | None


def parse_reported_time(text: str, zone: str | None = None) -> ReportedTime:
    """Parse an ISO 8601 time a person typed.

    With an offset (``2026-03-09T21:14+04:00`` or ``Z``) the zone is that offset. Without one, the
    zone is ``zone`` (an IANA name such as ``Asia/Baku``) if given, else recorded as "unknown" and no
    UTC time is claimed: a court must not be told a precision we do not have.
    """
    cleaned = text.strip()
    if cleaned.lower() == UNKNOWN_ZONE:
        return ReportedTime(UNKNOWN_ZONE, UNKNOWN_ZONE, None)
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise InvalidInput(
            f"'{cleaned[:40]}' is not a date and time I can read. "
            "Use the form 2026-03-09T21:14+04:00 (or 2026-03-09 with --occurred-tz)."
        ) from None
    if moment.tzinfo is not None:
        offset = moment.strftime("%z")
        label = "Z" if offset == "+0000" else f"{offset[:3]}:{offset[3:]}"
        return ReportedTime(moment.isoformat(), label, format_utc(moment))
    if zone is None or zone == UNKNOWN_ZONE:
        return ReportedTime(moment.isoformat(), UNKNOWN_ZONE, None)
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"'{zone[:40]}' is not a time zone name I know. Use a name such as Asia/Baku."
        ) from None
    return ReportedTime(moment.isoformat(), zone, format_utc(moment.replace(tzinfo=tz)))
