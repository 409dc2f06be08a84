"""WhatsApp "Export chat" output: the Android and iOS text formats, as a .txt, a ZIP or a folder.

WhatsApp writes one line per message start, in the phone's locale, with a phone-local wall-clock
time and no zone. Nothing in the file says whether 03/04/23 is the 3rd of April or the 4th of
March, so the date order is decided over the WHOLE file: one line with 13 or more in a field proves
the order for every line, and a file that never proves it is refused (unless the user states the
order with ``--date-order``) rather than silently read one way. The file is therefore read twice —
once to decide the format, once to yield messages — so only one message is held in memory at a time.

This module is the parser's entry (``VERSION``, ``detect``, ``parse``). The rest, by concept:
``chat_file`` (finding and reading the chat file, naming the chat), ``grammar`` (what a line looks
like: headers, senders, system lines, placeholders, in every locale seen), ``survey`` (the first
pass: the format of the whole file), ``dates`` (date orders, and reading one header's time),
``media`` (attachments named in the chat), ``messages`` (the second pass: one message's record).
"""

from __future__ import annotations

from collections.abc import Iterator

from vault.custody.models import Finding
from vault.errors import EvaultError, InvalidInput
from vault.i18n import N_, _
from vault.imports.parsers.records import ImportedChat, ImportedMessage, ImportProblem
from vault.imports.parsers.source import ExportSource
from vault.imports.parsers.timeutil import zone
from vault.imports.parsers.whatsapp.chat_file import (
    chat_name,
    choose_chat_file,
    looks_like_chat,
    text_members,
)
from vault.imports.parsers.whatsapp.dates import DATE_ORDERS
from vault.imports.parsers.whatsapp.messages import read_messages
from vault.imports.parsers.whatsapp.survey import decide, survey_file

IMPORTER = "whatsapp"
VERSION = "2"
PLATFORM = "whatsapp"

MAX_CHAT_BYTES = (
    512 << 20
)  # far beyond any real chat (WhatsApp caps an export at ~40k-100k messages)
DETECT_MAX_FILES = 20


def detect(source: ExportSource) -> bool:
    """Cheap: is there a .txt whose first non-empty line is a WhatsApp message header?"""
    try:
        return any(
            looks_like_chat(source, name) for name in text_members(source)[:DETECT_MAX_FILES]
        )
    except EvaultError:
        return False


def parse(
    source: ExportSource,
    *,
    timezone: str | None = None,
    date_order: str | None = None,
    **options: object,
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    """Yield the chat, then its messages, from a WhatsApp chat export.

    ``timezone`` (required, CLI ``--timezone``) is the zone the phone was set to; ``date_order``
    (CLI ``--date-order``: "dmy", "mdy" or "ymd") is needed only when the file never shows it.
    """
    if timezone is None:
        raise InvalidInput(
            _(
                "WhatsApp exports give times in the phone's local time without a zone. State the "
                "phone's time zone with --timezone, e.g. --timezone Asia/Baku."
            )
        )
    zone(timezone)
    if date_order is not None:
        date_order = date_order.strip().lower()
        if date_order not in DATE_ORDERS:
            raise InvalidInput(
                _("--date-order must be dmy (day/month/year), mdy (month/day/year) or ymd.")
            )
    chat_file, others = choose_chat_file(source)
    size = source.members[chat_file].size
    if size > MAX_CHAT_BYTES:
        raise InvalidInput(
            _(
                "{name} is larger than any WhatsApp chat export ({size:,} bytes); it was refused."
            ).format(name=chat_file, size=size)
        )
    surveys = survey_file(source, chat_file)
    fmt = decide(surveys, date_order, chat_file)
    name = chat_name(source, chat_file)
    yield ImportedChat(
        key=name,
        title=name,
        platform=PLATFORM,
        participants=tuple(surveys[fmt.family].senders),
    )
    for other in others:
        yield ImportProblem(
            other,
            Finding(
                N_(
                    "This file also looks like a WhatsApp chat; only {name} was read as the chat. "
                    "If it is a separate chat, import it on its own."
                ),
                name=chat_file,
            ),
        )
    yield from read_messages(source, chat_file, fmt, name, timezone)
