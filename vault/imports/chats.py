"""Imported conversations, browsable chat by chat: who wrote what, when, in which chat.

Reads only ``import_messages`` and ``items`` (never the content), so listing a 100,000-message chat
page by page costs no decryption of message bodies beyond the database pages themselves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from vault.store.db import Connection


@dataclass(frozen=True)
class Chat:
    platform: str
    key: str
    title: str
    messages: int
    first: str | None
    last: str | None

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass(frozen=True)
class ChatLine:
    item_id: str
    time_utc: str | None
    time_raw: str
    time_source: str
    sender_name: str
    sender_id: str
    kind: str
    title: str
    sensitive: bool
    attachments: int
    missing_media: int

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def list_chats(conn: Connection) -> list[Chat]:
    rows = conn.execute(
        "SELECT m.platform, m.chat_key, max(m.chat_title), count(DISTINCT m.message_key),"
        " min(m.time_utc), max(m.time_utc)"
        " FROM import_messages m JOIN items i ON i.id = m.item_id WHERE i.deleted_at IS NULL"
        " GROUP BY m.platform, m.chat_key ORDER BY max(m.time_utc) DESC"
    ).fetchall()
    return [Chat(str(r[0]), str(r[1]), str(r[2]), int(r[3]), r[4], r[5]) for r in rows]


def chat_lines(
    conn: Connection, platform: str, chat_key: str, *, offset: int = 0, limit: int = 200
) -> list[ChatLine]:
    """Messages of one chat in time order (unknown times last), one page."""
    rows = conn.execute(
        "SELECT m.item_id, m.time_utc, m.time_raw, m.time_source, m.sender_name, m.sender_id,"
        " m.kind, i.title, i.sensitive,"
        " (SELECT count(*) FROM message_attachments a WHERE a.message_id = m.item_id),"
        " json_array_length(m.missing_media)"
        " FROM import_messages m JOIN items i ON i.id = m.item_id"
        " WHERE m.platform = ? AND m.chat_key = ? AND i.deleted_at IS NULL"
        " ORDER BY m.time_utc IS NULL, m.time_utc, i.rowid LIMIT ? OFFSET ?",
        (platform, chat_key, limit, offset),
    ).fetchall()
    return [
        ChatLine(
            str(r[0]),
            r[1],
            str(r[2]),
            str(r[3]),
            str(r[4]),
            str(r[5]),
            str(r[6]),
            str(r[7]),
            bool(r[8]),
            int(r[9]),
            int(r[10] or 0),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Provenance:
    """Where an imported message came from: the export, the chat, the time as exported."""

    import_id: str
    importer: str
    source_name: str
    source_sha256: str
    source_item_id: str
    chat_title: str
    message_key: str
    time_raw: str
    time_utc: str | None
    time_source: str
    time_zone: str
    kind: str
    reply_to: str
    forwarded_from: str
    edited_raw: str | None
    missing_media: list[dict[str, str]]
    transformations: list[str]
    attachments: list[str]

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def provenance(conn: Connection, item_id: str) -> Provenance | None:
    """The import record of a message item, or None if it was not imported."""
    row = conn.execute(
        "SELECT m.import_id, i.importer, i.source_name, i.source_sha256, i.source_item_id,"
        " m.chat_title, m.message_key, m.time_raw, m.time_utc, m.time_source, m.time_zone,"
        " m.kind, m.reply_to, m.forwarded_from, m.edited_raw, m.missing_media, m.transformations"
        " FROM import_messages m JOIN imports i ON i.id = m.import_id WHERE m.item_id = ?",
        (item_id,),
    ).fetchone()
    if row is None:
        return None
    attachments = [
        str(r[0])
        for r in conn.execute(
            "SELECT item_id FROM message_attachments WHERE message_id = ? ORDER BY item_id",
            (item_id,),
        ).fetchall()
    ]
    return Provenance(
        str(row[0]),
        str(row[1]),
        str(row[2]),
        str(row[3]),
        str(row[4]),
        str(row[5]),
        str(row[6]),
        str(row[7]),
        row[8],
        str(row[9]),
        str(row[10]),
        str(row[11]),
        str(row[12]),
        str(row[13]),
        row[14],
        json.loads(row[15]),
        json.loads(row[16]),
        attachments,
    )
