"""What a line of a WhatsApp export looks like, in every locale seen so far.

A message starts with a header line (date, time, sender) in one of two families, Android and iOS;
the body may be a placeholder WhatsApp wrote itself (an attachment, omitted media, a deleted or
edited message) in the phone's language. The patterns are kept together here so that a new locale
is one place to add, and are only matched, never used to change ``raw``.
"""

from __future__ import annotations

import re

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
HEADERS: dict[str, re.Pattern[str]] = {
    # 14/11/2023, 21:05 - Name: text        11/14/23, 9:05 PM - Name: text
    "android": re.compile(rf"^{_MARKS}{_STAMP} [-–] (?P<rest>.*)$"),
    # [14/11/2023, 21:05:33] Name: text     ‎[11/14/23, 9:05:33 PM] Name: text
    "ios": re.compile(rf"^{_MARKS}\[{_STAMP}\] (?P<rest>.*)$"),
}
FAMILIES = ("android", "ios")
AM = {"am", "öə"}  # after dots and spaces are dropped: AM, a.m., a. m., ö.ə.
PM = {"pm", "ös"}

# iOS: ‎<attached: 00000012-PHOTO-2023-11-14-21-06-01.jpg>
ATTACHED_RE = re.compile(r"^<(?P<word>[^<>:]{1,40}): (?P<name>[^<>]+)>$")
ATTACHED_WORDS = {"attached", "anhang", "прикреплено", "вложение", "adjunto", "anexo", "əlavə"}
# iOS: image omitted / sticker omitted / Report.pdf • 3 pages document omitted
OMITTED_RE = re.compile(
    r"^(?:(?P<name>[^•]*?)\s*•[^•]*\s)?(?P<word>image|video|audio|sticker|document|gif|"
    r"contact card|video note) omitted$",
    re.IGNORECASE,
)
# Android: IMG-20231114-WA0003.jpg (file attached)
FILE_ATTACHED_RE = re.compile(r"^(?P<name>\S.*?\.\w{2,5}) \((?P<phrase>[^()]+)\)$")
FILE_ATTACHED_PHRASES = {
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
PLACEHOLDER_RE = re.compile(r"^<[^<>]+>$")
EDITED_RE = re.compile(
    r"\s*<(?:This message was edited|Bu mesaj redaktə edilib|Сообщение изменено|"
    r"Это сообщение было изменено|Diese Nachricht wurde bearbeitet|Se editó este mensaje|"
    r"Este mensaje se editó|Ce message a été modifié|Esta mensagem foi editada)>$",
    re.IGNORECASE,
)
DELETED = {
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
PHONE_RE = re.compile(r"^\+[\d \u00a0\u202f\-().\u2011]{6,30}$")
_NAME_QUOTES = set('"“”«»„')


def clean_text(text: str) -> str:
    """``text`` without invisible bidi marks and BOMs (for ``text`` and names, never ``raw``)."""
    return _INVISIBLE.sub("", text)


def split_sender(rest: str) -> tuple[str | None, str]:
    """("Name", body) for "Name: body"; (None, rest) for a system line with no sender."""
    name, sep, body = rest.partition(": ")
    if not sep and rest.endswith(":"):
        name, sep, body = rest[:-1], ":", ""
    clean = clean_text(name).strip()
    if not sep or not clean or len(clean) > 100 or _NAME_QUOTES & set(clean):
        return None, rest
    return clean, body


def is_ios_service(body_first: str) -> bool:
    """iOS marks system lines ("‎Messages and calls are end-to-end encrypted") with a leading LRM.

    Placeholders (attachments, omitted media, deleted messages) carry the mark too but are messages.
    """
    if not body_first.startswith("\u200e"):
        return False
    clean = clean_text(body_first).strip()
    return not (
        ATTACHED_RE.match(clean)
        or OMITTED_RE.match(clean)
        or PLACEHOLDER_RE.match(clean)
        or clean.rstrip(".").casefold() in DELETED
    )
