"""The first pass over the chat file: the line family, date order and clock of the whole file.

One line with 13 or more in a date field proves the order for every line, and a file that never
proves it is refused (unless the user states the order with ``--date-order``) rather than silently
read one way. The pass also collects the participants, so the chat can be sent before its messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vault.errors import InvalidInput
from vault.i18n import _
from vault.imports.parsers.source import ExportSource
from vault.imports.parsers.whatsapp.chat_file import MAX_MESSAGE_BYTES, read_lines
from vault.imports.parsers.whatsapp.dates import Format, make_date, spell
from vault.imports.parsers.whatsapp.grammar import (
    FAMILIES,
    header_match,
    is_ios_service,
    split_sender,
)

MAX_PARTICIPANTS = 2048  # groups hold at most 1,024 members; the list is informative only


@dataclass
class Survey:
    """What one pass over the file saw for one line family."""

    headers: int = 0
    with_ampm: int = 0
    dates: set[tuple[str, str, str]] = field(default_factory=set)
    separators: set[str] = field(default_factory=set)
    senders: dict[str, None] = field(default_factory=dict)  # ordered set
    run: int = 0  # characters since the last header: one message's length


def survey_file(source: ExportSource, chat_file: str) -> dict[str, Survey]:
    """First pass: count headers of each family and collect every date as written."""
    surveys = {family: Survey() for family in FAMILIES}
    for number, line in read_lines(source, chat_file):
        for family in FAMILIES:
            survey = surveys[family]
            match = header_match(family, line)
            if match is None:
                survey.run += len(line) + 1
                if survey.run > MAX_MESSAGE_BYTES and survey.headers:
                    raise InvalidInput(
                        _(
                            "{name} has a message longer than WhatsApp allows (before line {line}), so it does "
                            "not look like a WhatsApp chat export."
                        ).format(name=chat_file, line=number)
                    )
                continue
            survey.run = len(line)
            survey.headers += 1
            survey.with_ampm += match["ampm"] is not None
            survey.dates.add((match["d1"], match["d2"], match["d3"]))
            survey.separators.add(match["sep"])
            sender, body = split_sender(match["rest"])
            if (
                sender is not None
                and len(survey.senders) < MAX_PARTICIPANTS
                and not (family == "ios" and is_ios_service(body))
            ):
                survey.senders.setdefault(sender)
    return surveys


def decide(surveys: dict[str, Survey], date_order: str | None, chat_file: str) -> Format:
    """The line family, date order and clock of the whole file (never decided line by line)."""
    family = max(FAMILIES, key=lambda f: surveys[f].headers)
    survey = surveys[family]
    if survey.headers == 0:
        raise InvalidInput(
            _(
                "{name} does not look like a WhatsApp chat export (no line starts with a WhatsApp "
                "date and time)."
            ).format(name=chat_file)
        )
    candidates = ["dmy", "mdy"]
    if any(len(d1) == 4 for d1, _, _ in survey.dates):
        candidates.append("ymd")
    proven = [o for o in candidates if all(make_date(o, d) for d in survey.dates)]
    if date_order is not None:
        if len(proven) == 1 and proven[0] != date_order:
            raise InvalidInput(
                _(
                    "The dates in {name} can only be read as {found}, not {given}. Leave out "
                    "--date-order, or give --date-order {code}."
                ).format(
                    name=chat_file, found=spell(proven[0]), given=spell(date_order), code=proven[0]
                )
            )
        order = date_order
    elif len(proven) == 1:
        order = proven[0]
    elif survey.separators <= {".", "-"}:
        # Dotted and dashed dates are day-first wherever WhatsApp writes them (14.11.23);
        # year-first dashed dates (2023-11-14) were proven above.
        order = "dmy"
    elif proven:
        raise InvalidInput(
            _(
                "The dates in {name} could be day/month/year or month/day/year, and no date in the "
                "file shows which. State the order the phone used with --date-order dmy or "
                "--date-order mdy."
            ).format(name=chat_file)
        )
    else:
        raise InvalidInput(
            _(
                "The dates in {name} do not all fit one order (some read only day-first, some only "
                "month-first). State the order the phone used with --date-order dmy or --date-order "
                "mdy; lines that do not fit it will be reported."
            ).format(name=chat_file)
        )
    twelve = survey.with_ampm > 0 and survey.with_ampm * 2 >= survey.headers
    return Format(family, order, twelve)
