"""Attachments a chat names: found in the export when they are there, noted when they are not.

A chat line only names a file (or says media was omitted), so each named attachment is looked for
beside the chat file first, then anywhere in the export; its role (photo, voice, ...) comes from
WhatsApp's own file naming or the extension, or from the words of an "omitted" placeholder.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from vault.imports.parsers.records import ImportedMedia
from vault.imports.parsers.source import ExportSource, safe_name
from vault.imports.parsers.whatsapp.grammar import (
    ATTACHED_RE,
    ATTACHED_WORDS,
    FILE_ATTACHED_PHRASES,
    FILE_ATTACHED_RE,
    OMITTED_ENDINGS,
    OMITTED_RE,
    PLACEHOLDER_RE,
)

NOTE_NOT_IN_EXPORT = "named in the chat but not in the export"
NOTE_OMITTED = "media omitted in the export"

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
    # the words of localised placeholders (grammar.OMITTED_RE)
    "bild": "photo",
    "imagen": "photo",
    "изображение": "photo",
    "dokument": "file",
    "видео": "video",
    "аудио": "audio",
    "стикер": "sticker",
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


class Media:
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
        if match := ATTACHED_RE.match(line):
            name = match["name"].strip()
            path = self.resolve(name)
            if path is not None:
                return ImportedMedia(_role_for_file(name), name, path)
            if match["word"].strip().casefold() in ATTACHED_WORDS:
                return ImportedMedia(_role_for_file(name), name, None, note=NOTE_NOT_IN_EXPORT)
        if line.casefold().endswith(OMITTED_ENDINGS) and (match := OMITTED_RE.match(line)):
            name = (match["name"] or "").strip()
            word = match["word"] or match["de"] or match["es"] or match["ru"]
            return ImportedMedia(_role_for_words(word), name, None, note=NOTE_OMITTED)
        if line.endswith(")") and (match := FILE_ATTACHED_RE.match(line)):
            name = match["name"]
            path = self.resolve(name)
            if path is not None:
                return ImportedMedia(_role_for_file(name), name, path)
            if match["phrase"].strip().casefold() in FILE_ATTACHED_PHRASES:
                return ImportedMedia(_role_for_file(name), name, None, note=NOTE_NOT_IN_EXPORT)
        if PLACEHOLDER_RE.match(line):
            return ImportedMedia(_role_for_words(line), "", None, note=NOTE_OMITTED)
        return None
