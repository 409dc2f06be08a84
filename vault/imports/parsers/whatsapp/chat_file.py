"""The chat file of an export: which member it is, its lines (streamed, capped), the chat's name.

An export may hold several ``.txt`` files (or be one), and the chat's name is only in the file or
ZIP names, so both are decided here. The file is read as strict UTF-8, line by line, each line
capped; the caps on a line and on one message (which both passes enforce) live here, because a
file that breaks them is not a WhatsApp chat.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import PurePosixPath

from vault.errors import InvalidInput
from vault.i18n import _
from vault.imports.parsers.source import ExportSource
from vault.imports.parsers.whatsapp.dates import plausible
from vault.imports.parsers.whatsapp.grammar import FAMILIES, clean_text, header_match

MAX_LINE_BYTES = 4 << 20  # WhatsApp caps a message at 65,536 characters (<= 256 KiB of UTF-8)
MAX_MESSAGE_BYTES = 16 << 20  # one message's lines together; more means this is not a chat
DETECT_HEAD_BYTES = 8192

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


def read_lines(source: ExportSource, name: str) -> Iterator[tuple[int, str]]:
    """(line number, line without its line ending), decoded strictly as UTF-8, streamed."""
    with source.open(name) as raw, io.BufferedReader(raw, 1 << 16) as stream:
        number = 0
        while data := stream.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(data) > MAX_LINE_BYTES:
                raise InvalidInput(
                    _(
                        "{name} has a line longer than any WhatsApp message (line {line}), so it does not "
                        "look like a WhatsApp chat export."
                    ).format(name=name, line=number)
                )
            if data.endswith(b"\n"):
                data = data[:-2] if data.endswith(b"\r\n") else data[:-1]
            if number == 1 and data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8) :]
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput(
                    _(
                        "{name} is not UTF-8 text (line {line}), and WhatsApp always writes its chat exports "
                        "as UTF-8. Export the chat again from WhatsApp and import that."
                    ).format(name=name, line=number)
                ) from None
            yield number, text


def _head_lines(source: ExportSource, name: str) -> list[str]:
    """The first few lines of a member, decoded leniently — only for guessing, never for storing."""
    with source.open(name) as stream:
        head = stream.read(DETECT_HEAD_BYTES) or b""
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    return head.decode("utf-8", errors="ignore").split("\n")[:40]


def looks_like_chat(source: ExportSource, name: str) -> bool:
    """The first non-empty line of ``name`` is a WhatsApp message header."""
    for line in _head_lines(source, name):
        if not line.strip():
            continue
        head = line.rstrip("\r")
        return any((m := header_match(f, head)) is not None and plausible(m) for f in FAMILIES)
    return False


def text_members(source: ExportSource) -> list[str]:
    """Members that could be the chat file, most likely first."""
    names = [n for n in source.names() if n.casefold().endswith(".txt")]

    def rank(name: str) -> tuple[int, int, int, str]:
        base = PurePosixPath(name).name.casefold()
        return (base != "_chat.txt", "whatsapp" not in base, name.count("/"), name)

    return sorted(names, key=rank)


def choose_chat_file(source: ExportSource) -> tuple[str, list[str]]:
    """The chat file of the export, and other files that also look like chats (reported)."""
    if source.kind == "file":
        return source.names()[0], []
    candidates = text_members(source)
    if not candidates:
        raise InvalidInput(
            _(
                "{name} holds no .txt chat file, so it does not look like a WhatsApp chat export. Use"
                " WhatsApp's Export chat and import the .zip or .txt it makes."
            ).format(name=source.path.name)
        )
    ios = [n for n in candidates if PurePosixPath(n).name.casefold() == "_chat.txt"]
    if ios:
        return ios[0], ios[1:]
    if len(candidates) == 1:
        return candidates[0], []
    chats = [n for n in candidates if looks_like_chat(source, n)]
    if not chats:
        raise InvalidInput(
            _("None of the .txt files in {name} looks like a WhatsApp chat export.").format(
                name=source.path.name
            )
        )
    return chats[0], chats[1:]


def chat_name(source: ExportSource, chat_file: str) -> str:
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
    return clean_text(stem).strip() or "WhatsApp chat"
