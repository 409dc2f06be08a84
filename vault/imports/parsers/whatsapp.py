"""WhatsApp "Export chat" output: the Android and iOS text formats, as a .txt, a ZIP or a folder.

WhatsApp writes one line per message start, in the phone's locale, with a phone-local wall-clock
time and no zone. Nothing in the file says whether 03/04/23 is the 3rd of April or the 4th of
March, so the date order is decided over the WHOLE file: one line with 13 or more in a field proves
the order for every line, and a file that never proves it is refused (unless the user states the
order with ``--date-order``) rather than silently read one way. The file is therefore read twice —
once to decide the format, once to yield messages — so only one message is held in memory at a time.

Message keys are derived from what the export shows (timestamp as written, sender, body), because
WhatsApp exports carry no message ids; a later, longer export of the same chat gives the same keys.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath

from vault.errors import EvaultError, InvalidInput
from vault.imports.parsers.records import (
    ImportedChat,
    ImportedMedia,
    ImportedMessage,
    ImportProblem,
    RawTime,
)
from vault.imports.parsers.source import ExportSource, safe_name
from vault.imports.parsers.timeutil import from_local, zone

IMPORTER = "whatsapp"
VERSION = "1"
PLATFORM = "whatsapp"

MAX_CHAT_BYTES = (
    512 << 20
)  # far beyond any real chat (WhatsApp caps an export at ~40k-100k messages)
MAX_LINE_BYTES = 4 << 20  # WhatsApp caps a message at 65,536 characters (<= 256 KiB of UTF-8)
MAX_MESSAGE_BYTES = 16 << 20  # one message's lines together; more means this is not a chat
MAX_PARTICIPANTS = 2048  # groups hold at most 1,024 members; the list is informative only
DETECT_HEAD_BYTES = 8192
DETECT_MAX_FILES = 20
DATE_ORDERS = ("dmy", "mdy", "ymd")

NOTE_NOT_IN_EXPORT = "named in the chat but not in the export"
NOTE_OMITTED = "media omitted in the export"

# ---- line formats ------------------------------------------------------------------------------

# Bidi marks and the BOM: WhatsApp puts them around names, numbers and placeholders. They are kept
# in ``raw`` (they are what the file holds) and removed from the searchable ``text``.
_INVISIBLE = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_MARKS = "[\u200e\u200f\u202a-\u202e\u2066-\u2069]*"
_DATE = r"(?P<d1>\d{1,4})(?P<sep>[./-])(?P<d2>\d{1,2})(?P=sep)(?P<d3>\d{1,4})\.?"
_TIME = r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2}))?"
_AMPM = (
    r"(?:[ \u00a0\u202f]?(?P<ampm>[AaPp]\.?[ \u00a0\u202f]?[Mm]\.?(?![^\W\d_])|[öÖ]\.[əƏsS]\.))?"
)
_STAMP = rf"(?P<ts>{_DATE},?[ \u00a0]{_TIME}{_AMPM})"
_HEADERS: dict[str, re.Pattern[str]] = {
    # 14/11/2023, 21:05 - Name: text        11/14/23, 9:05 PM - Name: text
    "android": re.compile(rf"^{_MARKS}{_STAMP} [-–] (?P<rest>.*)$"),
    # [14/11/2023, 21:05:33] Name: text     ‎[11/14/23, 9:05:33 PM] Name: text
    "ios": re.compile(rf"^{_MARKS}\[{_STAMP}\] (?P<rest>.*)$"),
}
_FAMILIES = ("android", "ios")
_AM = {"am", "öə"}  # after dots and spaces are dropped: AM, a.m., a. m., ö.ə.
_PM = {"pm", "ös"}

# iOS: ‎<attached: 00000012-PHOTO-2023-11-14-21-06-01.jpg>
_ATTACHED_RE = re.compile(r"^<(?P<word>[^<>:]{1,40}): (?P<name>[^<>]+)>$")
_ATTACHED_WORDS = {"attached", "anhang", "прикреплено", "вложение", "adjunto", "anexo", "əlavə"}
# iOS: image omitted / sticker omitted / Report.pdf • 3 pages document omitted
_OMITTED_RE = re.compile(
    r"^(?:(?P<name>[^•]*?)\s*•[^•]*\s)?(?P<word>image|video|audio|sticker|document|gif|"
    r"contact card|video note) omitted$",
    re.IGNORECASE,
)
# Android: IMG-20231114-WA0003.jpg (file attached)
_FILE_ATTACHED_RE = re.compile(r"^(?P<name>\S.*?\.\w{2,5}) \((?P<phrase>[^()]+)\)$")
_FILE_ATTACHED_PHRASES = {
    "file attached",
    "datei angehängt",
    "fayl əlavə edilib",
    "файл добавлен",
    "файл прикреплён",
    "файл прикреплен",
    "archivo adjunto",
    "fichier joint",
    "arquivo anexado",
    "file allegato",
    "bestand bijgevoegd",
    "dosya ekli",
}
# Android: <Media omitted>, <Medien ausgeschlossen>, <Без медиафайлов> — any <...> alone on a line.
_PLACEHOLDER_RE = re.compile(r"^<[^<>]+>$")
_EDITED_RE = re.compile(
    r"\s*<(?:This message was edited|Bu mesaj redaktə edilib|Сообщение изменено|"
    r"Это сообщение было изменено|Diese Nachricht wurde bearbeitet|Se editó este mensaje|"
    r"Este mensaje se editó|Ce message a été modifié|Esta mensagem foi editada)>$",
    re.IGNORECASE,
)
_DELETED = {
    "this message was deleted",
    "you deleted this message",
    "данное сообщение удалено",
    "это сообщение удалено",
    "вы удалили данное сообщение",
    "вы удалили это сообщение",
    "bu mesaj silindi",
    "bu mesajı sildiniz",
    "siz bu mesajı sildiniz",
}
_PHONE_RE = re.compile(r"^\+[\d \u00a0\u202f\-().\u2011]{6,30}$")
_NAME_QUOTES = set('"“”«»„')

_CHAT_NAME_PREFIXES = (
    "WhatsApp Chat with ",
    "WhatsApp Chat mit ",
    "WhatsApp-Chat mit ",
    "WhatsApp Chat - ",
    "WhatsApp Chat — ",
    "Чат WhatsApp с ",
    "WhatsApp söhbəti: ",
    "WhatsApp söhbəti - ",
    "Conversa do WhatsApp com ",
    "Chat de WhatsApp con ",
    "Discussion WhatsApp avec ",
    "Chat WhatsApp con ",
    "WhatsApp-chat met ",
    "WhatsApp Sohbeti - ",
)


def _clean(text: str) -> str:
    """``text`` without invisible bidi marks and BOMs (for ``text`` and names, never ``raw``)."""
    return _INVISIBLE.sub("", text)


# ---- reading the chat file ---------------------------------------------------------------------


def _lines(source: ExportSource, name: str) -> Iterator[tuple[int, str]]:
    """(line number, line without its line ending), decoded strictly as UTF-8, streamed."""
    with source.open(name) as raw, io.BufferedReader(raw, 1 << 16) as stream:
        number = 0
        while data := stream.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(data) > MAX_LINE_BYTES:
                raise InvalidInput(
                    f"{name} has a line longer than any WhatsApp message (line {number}), so it "
                    "does not look like a WhatsApp chat export."
                )
            if data.endswith(b"\n"):
                data = data[:-2] if data.endswith(b"\r\n") else data[:-1]
            if number == 1 and data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8) :]
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput(
                    f"{name} is not UTF-8 text (line {number}), and WhatsApp always writes its "
                    "chat exports as UTF-8. Export the chat again from WhatsApp and import that."
                ) from None
            yield number, text


def _head_lines(source: ExportSource, name: str) -> list[str]:
    """The first few lines of a member, decoded leniently — only for guessing, never for storing."""
    with source.open(name) as stream:
        head = stream.read(DETECT_HEAD_BYTES) or b""
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    return head.decode("utf-8", errors="ignore").split("\n")[:40]


def _plausible(match: re.Match[str]) -> bool:
    """A header whose date fits some order and whose time is a clock time."""
    dates = (match["d1"], match["d2"], match["d3"])
    if not any(_make_date(order, dates) for order in DATE_ORDERS):
        return False
    return int(match["h"]) <= 23 and int(match["mi"]) <= 59 and int(match["s"] or 0) <= 59


def _looks_like_chat(source: ExportSource, name: str) -> bool:
    """The first non-empty line of ``name`` is a WhatsApp message header."""
    for line in _head_lines(source, name):
        if not line.strip():
            continue
        head = line.rstrip("\r")
        return any((m := _HEADERS[f].match(head)) is not None and _plausible(m) for f in _FAMILIES)
    return False


def _text_members(source: ExportSource) -> list[str]:
    """Members that could be the chat file, most likely first."""
    names = [n for n in source.names() if n.casefold().endswith(".txt")]

    def rank(name: str) -> tuple[int, int, int, str]:
        base = PurePosixPath(name).name.casefold()
        return (base != "_chat.txt", "whatsapp" not in base, name.count("/"), name)

    return sorted(names, key=rank)


def detect(source: ExportSource) -> bool:
    """Cheap: is there a .txt whose first non-empty line is a WhatsApp message header?"""
    try:
        return any(
            _looks_like_chat(source, name) for name in _text_members(source)[:DETECT_MAX_FILES]
        )
    except EvaultError:
        return False


def _choose_chat_file(source: ExportSource) -> tuple[str, list[str]]:
    """The chat file of the export, and other files that also look like chats (reported)."""
    if source.kind == "file":
        return source.names()[0], []
    candidates = _text_members(source)
    if not candidates:
        raise InvalidInput(
            f"{source.path.name} holds no .txt chat file, so it does not look like a WhatsApp "
            "chat export. Use WhatsApp's Export chat and import the .zip or .txt it makes."
        )
    ios = [n for n in candidates if PurePosixPath(n).name.casefold() == "_chat.txt"]
    if ios:
        return ios[0], ios[1:]
    if len(candidates) == 1:
        return candidates[0], []
    chats = [n for n in candidates if _looks_like_chat(source, n)]
    if not chats:
        raise InvalidInput(
            f"None of the .txt files in {source.path.name} looks like a WhatsApp chat export."
        )
    return chats[0], chats[1:]


def _chat_name(source: ExportSource, chat_file: str) -> str:
    """The chat's name from the export's file names ("WhatsApp Chat with Leyla.txt" → "Leyla")."""
    path = PurePosixPath(chat_file)
    stem = path.name[:-4] if path.name.casefold().endswith(".txt") else path.name
    if stem.casefold() == "_chat":
        # iOS names the chat only in the ZIP's (or the unzipped folder's) name.
        if len(path.parts) > 1:
            stem = path.parts[-2]
        elif source.kind == "zip":
            stem = source.path.stem
        elif source.kind == "folder":
            stem = source.path.name
        else:
            stem = source.path.parent.name or stem
    for prefix in _CHAT_NAME_PREFIXES:
        if stem.casefold().startswith(prefix.casefold()) and len(stem) > len(prefix):
            stem = stem[len(prefix) :]
            break
    return _clean(stem).strip() or "WhatsApp chat"


# ---- deciding the format over the whole file ---------------------------------------------------


def _make_date(order: str, fields: tuple[str, str, str]) -> date | None:
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


@dataclass
class _Survey:
    """What one pass over the file saw for one line family."""

    headers: int = 0
    with_ampm: int = 0
    dates: set[tuple[str, str, str]] = field(default_factory=set)
    separators: set[str] = field(default_factory=set)
    senders: dict[str, None] = field(default_factory=dict)  # ordered set
    run: int = 0  # characters since the last header: one message's length


@dataclass(frozen=True)
class _Format:
    family: str  # "android" / "ios"
    order: str  # "dmy" / "mdy" / "ymd"
    twelve_hour: bool


def _split_sender(rest: str) -> tuple[str | None, str]:
    """("Name", body) for "Name: body"; (None, rest) for a system line with no sender."""
    name, sep, body = rest.partition(": ")
    if not sep and rest.endswith(":"):
        name, sep, body = rest[:-1], ":", ""
    clean = _clean(name).strip()
    if not sep or not clean or len(clean) > 100 or _NAME_QUOTES & set(clean):
        return None, rest
    return clean, body


def _is_ios_service(body_first: str) -> bool:
    """iOS marks system lines ("‎Messages and calls are end-to-end encrypted") with a leading LRM.

    Placeholders (attachments, omitted media, deleted messages) carry the mark too but are messages.
    """
    if not body_first.startswith("\u200e"):
        return False
    clean = _clean(body_first).strip()
    return not (
        _ATTACHED_RE.match(clean)
        or _OMITTED_RE.match(clean)
        or _PLACEHOLDER_RE.match(clean)
        or clean.rstrip(".").casefold() in _DELETED
    )


def _survey(source: ExportSource, chat_file: str) -> dict[str, _Survey]:
    """First pass: count headers of each family and collect every date as written."""
    surveys = {family: _Survey() for family in _FAMILIES}
    for number, line in _lines(source, chat_file):
        for family in _FAMILIES:
            survey = surveys[family]
            match = _HEADERS[family].match(line)
            if match is None:
                survey.run += len(line) + 1
                if survey.run > MAX_MESSAGE_BYTES and survey.headers:
                    raise InvalidInput(
                        f"{chat_file} has a message longer than WhatsApp allows (before line "
                        f"{number}), so it does not look like a WhatsApp chat export."
                    )
                continue
            survey.run = len(line)
            survey.headers += 1
            survey.with_ampm += match["ampm"] is not None
            survey.dates.add((match["d1"], match["d2"], match["d3"]))
            survey.separators.add(match["sep"])
            sender, body = _split_sender(match["rest"])
            if (
                sender is not None
                and len(survey.senders) < MAX_PARTICIPANTS
                and not (family == "ios" and _is_ios_service(body))
            ):
                survey.senders.setdefault(sender)
    return surveys


def _decide(surveys: dict[str, _Survey], date_order: str | None, chat_file: str) -> _Format:
    """The line family, date order and clock of the whole file (never decided line by line)."""
    family = max(_FAMILIES, key=lambda f: surveys[f].headers)
    survey = surveys[family]
    if survey.headers == 0:
        raise InvalidInput(
            f"{chat_file} does not look like a WhatsApp chat export (no line starts with a "
            "WhatsApp date and time)."
        )
    candidates = ["dmy", "mdy"]
    if any(len(d1) == 4 for d1, _, _ in survey.dates):
        candidates.append("ymd")
    proven = [o for o in candidates if all(_make_date(o, d) for d in survey.dates)]
    if date_order is not None:
        if len(proven) == 1 and proven[0] != date_order:
            raise InvalidInput(
                f"The dates in {chat_file} can only be read as {_spell(proven[0])}, not "
                f"{_spell(date_order)}. Leave out --date-order, or give --date-order {proven[0]}."
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
            f"The dates in {chat_file} could be day/month/year or month/day/year, and no date "
            "in the file shows which. State the order the phone used with --date-order dmy or "
            "--date-order mdy."
        )
    else:
        raise InvalidInput(
            f"The dates in {chat_file} do not all fit one order (some read only day-first, some "
            "only month-first). State the order the phone used with --date-order dmy or "
            "--date-order mdy; lines that do not fit it will be reported."
        )
    twelve = survey.with_ampm > 0 and survey.with_ampm * 2 >= survey.headers
    return _Format(family, order, twelve)


def _spell(order: str) -> str:
    return {"dmy": "day/month/year", "mdy": "month/day/year", "ymd": "year/month/day"}[order]


def _moment(match: re.Match[str], fmt: _Format) -> datetime | None:
    """The naive local time a header states, read in the file's format, or None."""
    day = _make_date(fmt.order, (match["d1"], match["d2"], match["d3"]))
    if day is None:
        return None
    hour, minute, second = int(match["h"]), int(match["mi"]), int(match["s"] or 0)
    ampm = match["ampm"]
    if fmt.twelve_hour:
        if ampm is None or hour > 12:
            return None
        marker = re.sub(r"[\s.]", "", ampm).casefold()
        if marker in _PM and hour != 12:
            hour += 12
        elif marker in _AM and hour == 12:
            hour = 0
        elif marker not in _AM | _PM:
            return None
    elif ampm is not None:
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    return datetime(day.year, day.month, day.day, hour, minute, second)


# ---- media ------------------------------------------------------------------------------------

_ROLE_BY_WORD = {
    "image": "photo",
    "photo": "photo",
    "video": "video",
    "video note": "video",
    "audio": "audio",
    "voice": "voice",
    "sticker": "sticker",
    "gif": "gif",
    "document": "file",
    "contact card": "file",
}
_ROLE_BY_EXT = {
    ".jpg": "photo",
    ".jpeg": "photo",
    ".png": "photo",
    ".heic": "photo",
    ".gif": "gif",
    ".webp": "sticker",
    ".mp4": "video",
    ".3gp": "video",
    ".mov": "video",
    ".mkv": "video",
    ".opus": "voice",
    ".ogg": "audio",
    ".m4a": "audio",
    ".mp3": "audio",
    ".aac": "audio",
    ".amr": "audio",
    ".wav": "audio",
}


_ROLE_BY_PREFIX = {
    "IMG-": "photo",
    "VID-": "video",
    "PTT-": "voice",
    "AUD-": "audio",
    "STK-": "sticker",
    "DOC-": "file",
}  # Android: IMG-20231114-WA0003.jpg
_ROLE_BY_INFIX = {
    "-PHOTO-": "photo",
    "-VIDEO-": "video",
    "-AUDIO-": "voice",
    "-STICKER-": "sticker",
    "-GIF-": "gif",
}  # iOS: 00000012-PHOTO-2023-...jpg


def _role_for_file(name: str) -> str:
    """Role from WhatsApp's own file naming (IMG-, PTT-, -PHOTO-, ...), else from the extension."""
    base = PurePosixPath(name).name.upper()
    for prefix, role in _ROLE_BY_PREFIX.items():
        if base.startswith(prefix):
            return role
    for infix, role in _ROLE_BY_INFIX.items():
        if infix in base:
            return role
    return _ROLE_BY_EXT.get(PurePosixPath(name).suffix.lower(), "file")


def _role_for_words(text: str) -> str:
    folded = text.casefold()
    for word, role in _ROLE_BY_WORD.items():
        if word in folded:
            return role
    return "file"


class _Media:
    """Finds named attachments in the export: beside the chat file first, then anywhere (once)."""

    def __init__(self, source: ExportSource, chat_file: str) -> None:
        self._source = source
        self._chat_file = chat_file
        parent = PurePosixPath(chat_file).parent.as_posix()
        self._folder = "" if parent == "." else parent
        self._by_base: dict[str, list[str]] | None = None

    def resolve(self, name: str) -> str | None:
        safe = safe_name(name)
        if safe is None or self._source.kind == "file":
            return None
        direct = f"{self._folder}/{safe}" if self._folder else safe
        if direct != self._chat_file and self._source.exists(direct):
            return direct
        if self._by_base is None:
            self._by_base = {}
            for member in self._source.names():
                base = member.rsplit("/", 1)[-1]
                self._by_base.setdefault(base, []).append(member)
        found = [n for n in self._by_base.get(safe, []) if n != self._chat_file]
        return found[0] if len(found) == 1 and "/" not in safe else None

    def read(self, line: str) -> ImportedMedia | None:
        """The media a body's first line stands for (already cleaned and stripped), or None."""
        if match := _ATTACHED_RE.match(line):
            name = match["name"].strip()
            path = self.resolve(name)
            if path is not None:
                return ImportedMedia(_role_for_file(name), name, path)
            if match["word"].strip().casefold() in _ATTACHED_WORDS:
                return ImportedMedia(_role_for_file(name), name, None, note=NOTE_NOT_IN_EXPORT)
        if line[-8:].casefold() == " omitted" and (match := _OMITTED_RE.match(line)):
            name = (match["name"] or "").strip()
            return ImportedMedia(_role_for_words(match["word"]), name, None, note=NOTE_OMITTED)
        if line.endswith(")") and (match := _FILE_ATTACHED_RE.match(line)):
            name = match["name"]
            path = self.resolve(name)
            if path is not None:
                return ImportedMedia(_role_for_file(name), name, path)
            if match["phrase"].strip().casefold() in _FILE_ATTACHED_PHRASES:
                return ImportedMedia(_role_for_file(name), name, None, note=NOTE_NOT_IN_EXPORT)
        if _PLACEHOLDER_RE.match(line):
            return ImportedMedia(_role_for_words(line), "", None, note=NOTE_OMITTED)
        return None


# ---- building messages ------------------------------------------------------------------------


def _phone_id(name: str) -> str:
    """ "+994 50 123 45 67" → "+994501234567"; "" for anything that is not a phone number."""
    if not _PHONE_RE.match(name):
        return ""
    digits = re.sub(r"\D", "", name)
    return f"+{digits}" if 7 <= len(digits) <= 15 else ""


@dataclass
class _Builder:
    """Second pass: turns one message's lines into records; remembers keys for repeat ordinals."""

    chat_key: str
    chat_file: str
    fmt: _Format
    timezone: str
    media: _Media
    seen: dict[str, int] = field(default_factory=dict)
    last_time: RawTime | None = None

    def build(
        self, match: re.Match[str], lines: list[str], number: int
    ) -> Iterator[ImportedMessage | ImportProblem]:
        where = f"{self.chat_file}, line {number}"
        stamp = match["ts"]
        if self.last_time is None or self.last_time.raw != stamp:
            # Messages come in bursts within one minute: read each distinct stamp once.
            self.last_time = from_local(stamp, _moment(match, self.fmt), self.timezone)
        time = self.last_time
        if time.utc is None:
            yield ImportProblem(
                where,
                f"The date or time of this message could not be read as {_spell(self.fmt.order)}"
                f"{' with AM/PM' if self.fmt.twelve_hour else ', 24-hour'}; it was kept with "
                "its time as written.",
            )
        name, first = _split_sender(match["rest"])
        body = _clean("\n".join([first, *lines[1:]]))
        service = name is None or (self.fmt.family == "ios" and _is_ios_service(first))

        digest = hashlib.sha256(f"{stamp}\n{name or ''}\n{body}".encode()).hexdigest()[:20]
        count = self.seen.get(digest, 0) + 1
        self.seen[digest] = count
        key = digest if count == 1 else f"{digest}:{count}"

        details: dict[str, object] = {"line": number}
        text = body
        edited = _EDITED_RE.search(text) if text.rstrip().endswith(">") else None
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
        if text.strip().rstrip(".").casefold() in _DELETED:
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
            "WhatsApp exports give times in the phone's local time without a zone. State the "
            "phone's time zone with --timezone, e.g. --timezone Asia/Baku."
        )
    zone(timezone)
    if date_order is not None:
        date_order = date_order.strip().lower()
        if date_order not in DATE_ORDERS:
            raise InvalidInput(
                "--date-order must be dmy (day/month/year), mdy (month/day/year) or ymd."
            )
    chat_file, others = _choose_chat_file(source)
    size = source.members[chat_file].size
    if size > MAX_CHAT_BYTES:
        raise InvalidInput(
            f"{chat_file} is larger than any WhatsApp chat export ({size:,} bytes); it was refused."
        )
    surveys = _survey(source, chat_file)
    fmt = _decide(surveys, date_order, chat_file)
    name = _chat_name(source, chat_file)
    yield ImportedChat(
        key=name,
        title=name,
        platform=PLATFORM,
        participants=tuple(surveys[fmt.family].senders),
    )
    for other in others:
        yield ImportProblem(
            other,
            f"This file also looks like a WhatsApp chat; only {chat_file} was read as the chat. "
            "If it is a separate chat, import it on its own.",
        )
    yield from _messages(source, chat_file, fmt, name, timezone)


def _messages(
    source: ExportSource, chat_file: str, fmt: _Format, chat_key: str, timezone: str
) -> Iterator[ImportedMessage | ImportProblem]:
    """Second pass: group lines into messages (a line that starts no message continues one)."""
    header = _HEADERS[fmt.family]
    builder = _Builder(chat_key, chat_file, fmt, timezone, _Media(source, chat_file))
    current: re.Match[str] | None = None
    lines: list[str] = []
    size = 0
    start = 0
    orphans = 0
    for number, line in _lines(source, chat_file):
        match = header.match(line)
        if match is not None:
            if current is not None:
                yield from builder.build(current, lines, start)
            elif orphans:
                yield ImportProblem(
                    chat_file,
                    f"{orphans} line(s) before the first message belong to no message and were "
                    "not imported.",
                )
            current, lines, size, start = match, [line], len(line), number
        elif current is None:
            orphans += bool(line.strip())
        else:
            size += len(line) + 1
            if size > MAX_MESSAGE_BYTES:
                raise InvalidInput(
                    f"{chat_file} has a message longer than WhatsApp allows (from line {start}), "
                    "so it does not look like a WhatsApp chat export."
                )
            lines.append(line)
    if current is not None:
        yield from builder.build(current, lines, start)
