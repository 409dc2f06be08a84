"""Imported conversations, browsable chat by chat: who wrote what, when, in which chat.

Reads only ``import_messages`` and ``items`` (never the content), so listing a 100,000-message chat
page by page costs no decryption of message bodies beyond the database pages themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vault.db import Connection


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
