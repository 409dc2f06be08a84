"""The second pass over the chat file: lines grouped into messages, each turned into a record.

Message keys are derived from what the export shows (timestamp as written, sender, body), because
WhatsApp exports carry no message ids; a later, longer export of the same chat gives the same keys.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from vault.custody.models import Finding
from vault.errors import InvalidInput
from vault.i18n import N_, _
from vault.imports.parsers.records import ImportedMedia, ImportedMessage, ImportProblem, RawTime
from vault.imports.parsers.source import ExportSource
from vault.imports.parsers.timeutil import from_local
from vault.imports.parsers.whatsapp.chat_file import MAX_MESSAGE_BYTES, read_lines
from vault.imports.parsers.whatsapp.dates import ORDER_WORDS, Format, moment
from vault.imports.parsers.whatsapp.grammar import (
    DELETED,
    EDITED_RE,
    FAMILIES,
    LOOKS_LIKE_HEADER_RE,
    PHONE_RE,
    clean_text,
    header_match,
    is_ios_service,
    split_sender,
)
from vault.imports.parsers.whatsapp.media import Media


def _phone_id(name: str) -> str:
    """ "+994 50 123 45 67" → "+994501234567"; "" for anything that is not a phone number."""
    if not PHONE_RE.match(name):
        return ""
    digits = re.sub(r"\D", "", name)
    return f"+{digits}" if 7 <= len(digits) <= 15 else ""


@dataclass
class _Builder:
    """Second pass: turns one message's lines into records; remembers keys for repeat ordinals."""

    chat_key: str
    chat_file: str
    fmt: Format
    timezone: str
    media: Media
    seen: dict[str, int] = field(default_factory=dict)
    last_time: RawTime | None = None

    def build(
        self, match: re.Match[str], lines: list[str], number: int
    ) -> Iterator[ImportedMessage | ImportProblem]:
        where = Finding(N_("{name}, line {line}"), name=self.chat_file, line=number)
        stamp = match["ts"]
        if self.last_time is None or self.last_time.raw != stamp:
            # Messages come in bursts within one minute: read each distinct stamp once.
            self.last_time = from_local(stamp, moment(match, self.fmt), self.timezone)
        time = self.last_time
        if time.utc is None:
            yield ImportProblem(
                where,
                _unread_time(self.fmt.order, twelve_hour=self.fmt.twelve_hour),
            )
        name, first = split_sender(match["rest"])
        body = clean_text("\n".join([first, *lines[1:]]))
        service = name is None or (self.fmt.family == "ios" and is_ios_service(first))

        digest = hashlib.sha256(f"{stamp}\n{name or ''}\n{body}".encode()).hexdigest()[:20]
        count = self.seen.get(digest, 0) + 1
        self.seen[digest] = count
        key = digest if count == 1 else f"{digest}:{count}"

        details: dict[str, object] = {"line": number}
        if len(lines) > 1:
            # Lines without a date of their own were joined to this message: said, never silent.
            details["joined_lines"] = len(lines) - 1
        text = body
        edited = EDITED_RE.search(text) if text.rstrip().endswith(">") else None
        if edited is not None:
            text = text[: edited.start()]
            details["edited_marker"] = True
        media: tuple[ImportedMedia, ...] = ()
        head, newline, tail = text.partition("\n")
        if not service and (found := self.media.read(head.strip())) is not None:
            media = (found,)
            text = tail if newline else ""
        if text.strip() == "null" and not media:
            details["null_text"] = True
            text = ""
        if text.strip().rstrip(".").casefold() in DELETED:
            details["deleted_placeholder"] = True
        if service and name is not None:
            details["shown_as"] = name
        sender = "" if service or name is None else name
        yield ImportedMessage(
            chat_key=self.chat_key,
            key=key,
            sender_name=sender,
            sender_id=_phone_id(sender),
            time=time,
            text=text,
            raw="\n".join(lines),
            kind="service" if service else "message",
            media=media,
            details=details,
        )


def read_messages(
    source: ExportSource, chat_file: str, fmt: Format, chat_key: str, timezone: str
) -> Iterator[ImportedMessage | ImportProblem]:
    """Second pass: group lines into messages (a line that starts no message continues one).

    A continuation line that starts like a header but cannot be read as one ("1/23/23, 3:22_AM -
    ...", or the other family's form) is kept with the message before and reported as a problem.
    """
    other = next(f for f in FAMILIES if f != fmt.family)
    builder = _Builder(chat_key, chat_file, fmt, timezone, Media(source, chat_file))
    current: re.Match[str] | None = None
    lines: list[str] = []
    size = 0
    start = 0
    orphans = 0
    for number, line in read_lines(source, chat_file):
        match = header_match(fmt.family, line)
        if match is not None:
            if current is not None:
                yield from builder.build(current, lines, start)
            elif orphans:
                yield ImportProblem(
                    chat_file,
                    Finding.ngettext(
                        "{n} line(s) before the first message belong to no message and were not "
                        "imported.",
                        "{n} line(s) before the first message belong to no message and were not "
                        "imported.",
                        orphans,
                    ),
                )
            current, lines, size, start = match, [line], len(line), number
        elif current is None:
            orphans += bool(line.strip())
        else:
            size += len(line) + 1
            if size > MAX_MESSAGE_BYTES:
                raise InvalidInput(
                    _(
                        "{name} has a message longer than WhatsApp allows (from line {line}), so it does not "
                        "look like a WhatsApp chat export."
                    ).format(name=chat_file, line=start)
                )
            lines.append(line)
            if LOOKS_LIKE_HEADER_RE.match(line.replace("\ufeff", "")) or header_match(other, line):
                yield ImportProblem(
                    f"{chat_file}, line {number}",
                    "This line starts like a new message, but its date or time is not written as "
                    "in the rest of the chat; it was kept as part of the message before it.",
                )
    if current is not None:
        yield from builder.build(current, lines, start)


def _unread_time(order: str, *, twelve_hour: bool) -> Finding:
    """The problem of a message whose date or time does not read in the chat's own format."""
    if twelve_hour:
        return Finding(
            N_(
                "The date or time of this message could not be read as {order} with AM/PM; it "
                "was kept with its time as written."
            ),
            order=Finding(ORDER_WORDS[order]),
        )
    return Finding(
        N_(
            "The date or time of this message could not be read as {order}, 24-hour; it was "
            "kept with its time as written."
        ),
        order=Finding(ORDER_WORDS[order]),
    )
