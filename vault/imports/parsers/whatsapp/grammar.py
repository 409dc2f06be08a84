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
BOM = "\ufeff"


def header_match(family: str, line: str) -> re.Match[str] | None:
    """The header of ``family`` that ``line`` starts with, BOMs ignored, or None.

    Some exports put U+FEFF before a line or inside its bracket ("\ufeff[\ufeff29.01.18, ...");
    it is invisible in every viewer, so a line that only differs by it still starts a message.
    The match is of the line without BOMs; ``raw`` keeps the line as it is.
    """
    return HEADERS[family].match(line.replace(BOM, "") if BOM in line else line)


# A line the header patterns do not match but that starts like one (a date, a comma, a time):
# "1/23/23, 3:22_AM - Name: text". It is kept with the message before (it may be text), and said.
LOOKS_LIKE_HEADER_RE = re.compile(
    rf"^{_MARKS}\[?\s*\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}\.?,?[ \u00a0]+\d{{1,2}}[:.]\d{{2}}"
)
AM = {"am", "öə"}  # after dots and spaces are dropped: AM, a.m., a. m., ö.ə.
PM = {"pm", "ös"}

# iOS: ‎<attached: 00000012-PHOTO-2023-11-14-21-06-01.jpg>
ATTACHED_RE = re.compile(r"^<(?P<word>[^<>:]{1,40}): (?P<name>[^<>]+)>$")
ATTACHED_WORDS = {"attached", "anhang", "прикреплено", "вложение", "adjunto", "anexo", "əlavə"}
# iOS: image omitted / sticker omitted / Report.pdf • 3 pages document omitted, and the same in
# other languages: German "Bild weggelassen" (seen in a real export), Spanish "imagen omitida",
# Russian "изображение не сохранено" (from other projects' lists of WhatsApp's strings).
OMITTED_RE = re.compile(
    r"^(?:(?P<name>[^•]*?)\s*•[^•]*\s)?(?:(?P<word>image|video|audio|sticker|document|gif|"
    r"contact card|video note) omitted|"
    r"(?P<de>bild|video|audio|sticker|dokument|gif|kontaktkarte|videonachricht) weggelassen|"
    r"(?P<es>imagen|video|audio|sticker|documento|gif|tarjeta de contacto) omitid[oa]|"
    r"(?P<ru>изображение|видео|аудио|стикер|документ|gif|медиафайл) (?:не сохранен[оа]?|"
    r"отсутствует))$",
    re.IGNORECASE,
)
OMITTED_ENDINGS = (" omitted", " weggelassen", " omitido", " omitida", "отсутствует", "сохранено")
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


# What iOS writes, after a leading LRM and a name, as a system line: the encryption notice, group
# and call events. Only these words make such a line a system line: people's own texts start with
# an LRM too (copied text, right-to-left writers), and who wrote them is the evidence.
_CHANGED = (
    r"changed (?:the subject|the group name|this group's icon|the group description|the group "
    r"settings|their phone number)"
)
IOS_SYSTEM_RE = re.compile(
    r"^(?:messages (?:and calls|to this group) are (?:now )?(?:end-to-end encrypted|secured)|"
    r"nachrichten und anrufe sind ende-zu-ende|los mensajes y las llamadas están cifrados|"
    r"сообщения и звонки защищены|mesajlar və zənglər|"
    r"missed (?:group )?(?:voice|video) call|verpasster (?:sprach|video)anruf|"
    r"llamada (?:de voz|de video|de vídeo) perdida|пропущенный (?:аудио|видео)звонок|"
    r"your security code with|dein sicherheitscode mit|tu código de seguridad con|"
    r"this chat is with a business account|disappearing messages|"
    r"you (?:created group|created this group|were added|joined using|blocked this contact|"
    r"unblocked this contact|'re now an admin|are now an admin)|"
    rf"du hast (?:die gruppe|den gruppennamen|das gruppenbild|.{{1,100}} (?:hinzugefügt|entfernt))|"
    r"вы (?:создали группу|добавили|удалили|покинули группу)|"
    rf"\S.{{0,100}}? (?:{_CHANGED}|created group|joined using this group's invite link)|"
    r"\S.{0,100}? (?:added|removed) \S.{0,200}$|\S.{0,100}? left$|"
    r"\S.{0,100}? hat .{1,100} (?:hinzugefügt|entfernt)\.?$|\S.{0,100}? hat die gruppe verlassen)",
    re.IGNORECASE,
)


def is_ios_service(body_first: str) -> bool:
    """An iOS system line: a leading LRM before a system notice ("‎Messages and calls are end-to-end
    encrypted", "‎Anna added Leyla"). A leading LRM alone is not enough: people's own messages
    can start with one, and placeholders (attachments, omitted media) carry it too.
    """
    if not body_first.startswith("\u200e"):
        return False
    return IOS_SYSTEM_RE.match(clean_text(body_first).strip()) is not None
