"""The text of an imported message as a person reads it, worked out again from its original.

An imported message's content is its original exactly as the export held it: a Telegram or Meta
message is a JSON object, an e-mail the message's bytes with its headers and MIME parts. That is
what was hashed at intake and what a court compares, but not what a lawyer should have to read in
a printed report: a bundle's report and the message's readable copy show the message's text
instead, read from that original by the same parser functions the import used (so it is the text
the import indexed for search). The original stays what is stored, hashed and exported; this text
is derived, like the search index, and is never stored. The app's item view shows this text
first and the original under it (docs/user-guide.md §8).

WhatsApp's original is already the chat file's own lines of text: it is shown as it is.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from vault.errors import EvaultError
from vault.imports.parsers.meta.mojibake import MOJIBAKE_NOTE, Fixer, Mojibake
from vault.store.db import Connection

MBOX_UNQUOTED = "mboxrd-unquoted"  # the start of the e-mail parser's note for '>From ' lines
E2EE_CHATS = "e2ee/"  # the key of every chat from an end-to-end encrypted chat's file
Reader = tuple[str, list[str], str]  # (importer, transformations, chat key) of one message
_QUERY_AT_ONCE = 500
_QUERY = (
    "SELECT m.item_id, i.importer, m.transformations, m.chat_key FROM import_messages m"
    " JOIN imports i ON i.id = m.import_id"
)


def readable_text(
    importer: str, original: bytes, transformations: Iterable[str], *, chat_key: str = ""
) -> str | None:
    """The message's text as the import read it from ``original``; None when the original is
    the text already (WhatsApp) or cannot be read again (then the original is shown as it is).
    ``chat_key`` tells a Meta message from an end-to-end encrypted chat (``e2ee/…``)."""
    notes = tuple(transformations)
    try:
        if importer == "telegram":
            return _telegram(original)
        if importer == "meta":
            return _meta(original, notes, e2ee=chat_key.startswith(E2EE_CHATS))
        if importer == "email":
            return _email(original, notes)
    except (ValueError, TypeError, LookupError, RecursionError, EvaultError):
        return None
    return None


def _json_object(original: bytes) -> dict[str, Any] | None:
    value = json.loads(original.decode("utf-8", "surrogateescape"))
    return value if isinstance(value, dict) else None


def _telegram(original: bytes) -> str | None:
    from vault.imports.parsers.telegram.messages import message_text  # noqa: PLC0415

    message = _json_object(original)
    return message_text(message) if message is not None else None


def _meta(original: bytes, notes: tuple[str, ...], *, e2ee: bool) -> str | None:
    from vault.imports.parsers.meta.e2ee import e2ee_text  # noqa: PLC0415
    from vault.imports.parsers.meta.messages import dyi_text  # noqa: PLC0415

    message = _json_object(original)
    if message is None:
        return None
    # The import repaired this message's text only if it says so; repairing again only where the
    # import did gives back the same text.
    mojibake = Mojibake()
    mojibake.present = MOJIBAKE_NOTE in notes
    fix = Fixer(mojibake)
    # The chat says which kind of file the message came from (a message alone may not).
    if e2ee:
        return e2ee_text(message, fix)
    return dyi_text(message, fix)


def _email(original: bytes, notes: tuple[str, ...]) -> str | None:
    from vault.imports.parsers.email.message import read_message  # noqa: PLC0415
    from vault.imports.parsers.records import ImportedMessage  # noqa: PLC0415

    read = read_message(
        original,
        chat_key="",
        where="",
        counts=Counter(),
        used=set(),
        timezone="UTC",  # only its time depends on it, and the time is not wanted here
        extra={},
        mbox=any(note.startswith(MBOX_UNQUOTED) for note in notes),
    )
    return read.text if isinstance(read, ImportedMessage) else None


def import_readers(conn: Connection, item_ids: list[str]) -> dict[str, Reader]:
    """For each of ``item_ids`` that an import brought: (its importer, its transformations)."""
    found: dict[str, Reader] = {}
    for start in range(0, len(item_ids), _QUERY_AT_ONCE):
        batch = item_ids[start : start + _QUERY_AT_ONCE]
        marks = ",".join("?" * len(batch))
        query = f"{_QUERY} WHERE m.item_id IN ({marks})"  # only '?' marks are put in
        rows = conn.execute(query, batch).fetchall()
        for item_id, importer, transformations, chat_key in rows:
            try:
                notes = json.loads(transformations)
            except ValueError:
                notes = []
            kept = [n for n in notes if isinstance(n, str)] if isinstance(notes, list) else []
            found[str(item_id)] = (str(importer), kept, str(chat_key))
    return found


def text_for(reader: Reader | None, original: bytes) -> tuple[str, bool]:
    """(the text to show for a message or note whose original is ``original``, whether it was
    read from an import's original rather than being the original itself)."""
    if reader is not None:
        text = readable_text(reader[0], original, reader[1], chat_key=reader[2])
        if text is not None:
            return text, True
    return original.decode("utf-8", errors="replace"), False
