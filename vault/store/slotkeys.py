"""The slot keys of ``vault.keys``, kept inside ``vault.db`` so re-encryption can re-wrap every
slot (docs/format.md §3.4).

Re-encrypting the database under a new key (``evault rekey``, ``rm --purge``) must wrap the new
key in every slot of ``vault.keys``, and a slot's key comes from a secret the defender typed in
another session (the recovery key is on paper). So each slot key this program derives — at
creation, at a key change, at an unlock — is kept here, in the encrypted database, by slot id.
It tells nothing new to whoever can read the database: they hold the database key already, and a
slot key is the output of the slot's KDF, not the passphrase or recovery key behind it. Rows of
slots no longer in ``vault.keys`` are removed whenever the file changes.
"""

from __future__ import annotations

from vault.store.db import Connection
from vault.store.session import transaction


def _kept(conn: Connection) -> bool:
    """Whether the database has the table yet (migration 5; never false after opening)."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'slot_keys'"
    ).fetchone()
    return found is not None


def load(conn: Connection) -> dict[str, bytes]:
    """Every slot key kept in the database, by slot id."""
    if not _kept(conn):
        return {}
    return {str(r[0]): bytes(r[1]) for r in conn.execute("SELECT slot_id, slot_key FROM slot_keys")}


def store(conn: Connection, slot_keys: dict[str, bytes]) -> None:
    """Make the table hold exactly ``slot_keys`` (one transaction)."""
    if not _kept(conn) or load(conn) == slot_keys:
        return
    with transaction(conn):
        conn.execute("DELETE FROM slot_keys")
        conn.executemany(
            "INSERT INTO slot_keys (slot_id, slot_key) VALUES (?, ?)", list(slot_keys.items())
        )
