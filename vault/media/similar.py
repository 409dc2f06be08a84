"""Recognising the same picture posted again: perceptual hashes, compared without showing anything.

A leaked photo is re-posted in channel after channel, re-compressed, resized, captioned. Its bytes
(and SHA-256) change each time; its perceptual hash (``vault.media.imaging``) barely does. Comparing
hashes tells the defender "seen 5 times, in 3 chats" without a single picture on the screen, and
the hash alone can be sent to a hash-matching takedown service without sending the image.

Hashes are derived data (like the search index): computed at import, or on first use for pictures
added before, and stored inside the encrypted database. They are not custody events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vault.errors import InvalidInput
from vault.evidence.items import load_item, resolve_id
from vault.evidence.models import Item
from vault.i18n import _
from vault.store.db import Connection
from vault.store.session import Session, transaction

HASH_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Sighting:
    """A message that carried the picture."""

    message_id: str
    chat: str
    platform: str
    sender: str
    time: str | None


@dataclass
class SimilarItem:
    item: Item
    distance: int
    sightings: list[Sighting] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "title": self.item.title,
            "sha256": self.item.sha256,
            "media_type": self.item.media_type,
            "size": self.item.size,
            "sensitive": self.item.sensitive,
            "distance": self.distance,
            "seen_in": [s.__dict__ for s in self.sightings],
        }


@dataclass
class SimilarResult:
    item: Item
    algorithm: str
    hash: str | None
    matches: list[SimilarItem]  # the item itself first (distance 0), then by distance

    @property
    def times_seen(self) -> int:
        return sum(max(len(m.sightings), 1) for m in self.matches)

    @property
    def chats(self) -> list[str]:
        return sorted({s.chat for m in self.matches for s in m.sightings if s.chat})

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "algorithm": self.algorithm,
            "hash": self.hash,
            "times_seen": self.times_seen,
            "chats": self.chats,
            "matches": [m.to_json() for m in self.matches],
        }


def save_hash(conn: Connection, item_id: str, data: bytes) -> bool:
    """Compute and keep the perceptual hash of a picture's bytes (inside the caller's transaction);
    False when the bytes are not a picture that can be read."""
    from vault.media import imaging  # noqa: PLC0415 - Pillow loads only when pictures are hashed

    digest = imaging.perceptual_hash(data)
    if digest is None:
        return False
    conn.execute(
        "INSERT OR REPLACE INTO perceptual_hashes (item_id, algorithm, hash) VALUES (?, ?, ?)",
        (item_id, imaging.PHASH_ALGORITHM, digest),
    )
    return True


def ensure_hashes(session: Session) -> int:
    """Compute the hashes that are missing (pictures added before hashing existed); return how many."""
    from vault.evidence import intake, reading  # noqa: PLC0415

    conn = session.conn
    rows = conn.execute(
        "SELECT i.id, i.size FROM items i LEFT JOIN perceptual_hashes p ON p.item_id = i.id"
        " WHERE p.item_id IS NULL AND i.deleted_at IS NULL AND i.kind = 'file'"
        " AND i.media_type LIKE 'image/%'"
    ).fetchall()
    wanted = [str(item_id) for item_id, size in rows if int(size) <= HASH_MAX_BYTES]
    if not wanted:
        return 0
    computed = 0
    with transaction(conn):
        for item_id in wanted:
            _item, chunk_rows = reading.content_rows(session, item_id)
            data = b"".join(intake.read_chunk(conn, r) for r in chunk_rows)
            computed += save_hash(conn, item_id, data)
    return computed


def sightings(session: Session, item_id: str) -> list[Sighting]:
    rows = session.conn.execute(
        "SELECT a.message_id, coalesce(m.chat_title, msg.thread, ''), i.platform,"
        " i.sender_handle, i.occurred_utc"
        " FROM message_attachments a JOIN items i ON i.id = a.message_id"
        " LEFT JOIN import_messages m ON m.item_id = a.message_id"
        " LEFT JOIN messages msg ON msg.item_id = a.message_id"
        " WHERE a.item_id = ? AND i.deleted_at IS NULL ORDER BY i.occurred_utc",
        (item_id,),
    ).fetchall()
    return [Sighting(str(r[0]), str(r[1]), str(r[2]), str(r[3]), r[4]) for r in rows]


def find_similar(session: Session, item_id: str) -> SimilarResult:
    """Pictures whose hash is within ``imaging.SIMILAR_DISTANCE`` bits of this one's."""
    from vault.media import imaging  # noqa: PLC0415

    conn = session.conn
    target = load_item(conn, resolve_id(conn, item_id))
    if target.kind != "file" or not target.media_type.startswith("image/"):
        raise InvalidInput(
            _(
                "Only pictures can be compared. Choose an item that is a picture (see 'evault list')."
            )
        )
    ensure_hashes(session)
    row = conn.execute(
        "SELECT hash FROM perceptual_hashes WHERE item_id = ?", (target.id,)
    ).fetchone()
    if row is None:
        return SimilarResult(
            target,
            imaging.PHASH_ALGORITHM,
            None,
            [SimilarItem(target, 0, sightings(session, target.id))],
        )
    mine = str(row[0])
    candidates = conn.execute(
        "SELECT p.item_id, p.hash FROM perceptual_hashes p JOIN items i ON i.id = p.item_id"
        " WHERE i.deleted_at IS NULL AND p.algorithm = ?",
        (imaging.PHASH_ALGORITHM,),
    ).fetchall()
    matches: list[SimilarItem] = []
    for other_id, other_hash in candidates:
        distance = imaging.hash_distance(mine, str(other_hash))
        if distance <= imaging.SIMILAR_DISTANCE:
            other = target if other_id == target.id else load_item(conn, str(other_id))
            matches.append(SimilarItem(other, distance, sightings(session, str(other_id))))
    matches.sort(key=lambda m: (m.item.id != target.id, m.distance, m.item.captured_at))
    return SimilarResult(target, imaging.PHASH_ALGORITHM, mine, matches)


def hash_list(session: Session, case: str | None = None) -> list[dict[str, Any]]:
    """Hashes of every picture (or a case's): what a takedown request can carry instead of images."""
    from vault.media import imaging  # noqa: PLC0415

    ensure_hashes(session)
    sql = (
        "SELECT i.id, i.sha256, i.size, i.media_type, p.algorithm, p.hash, c.name"
        " FROM perceptual_hashes p JOIN items i ON i.id = p.item_id"
        " LEFT JOIN cases c ON c.id = i.case_id WHERE i.deleted_at IS NULL"
    )
    params: tuple[Any, ...] = ()
    if case is not None:
        sql += " AND c.name = ?"
        params = (case,)
    rows = session.conn.execute(sql + " ORDER BY i.rowid", params).fetchall()
    del imaging
    return [
        {
            "id": r[0],
            "sha256": r[1],
            "size": r[2],
            "media_type": r[3],
            "algorithm": r[4],
            "hash": r[5],
            "case": r[6],
        }
        for r in rows
    ]
