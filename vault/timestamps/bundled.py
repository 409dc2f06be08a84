"""Which kept proofs of time go into a bundle, and under which names (docs/format.md §6.9).

For each exported item, the kept token with the earliest time whose chain statement covers the
item's ``item.created`` event; each chosen token once, numbered from 1 in the order of its time.
A token goes with exactly the statement bytes it stamped and the certificates it was checked
against, so a lawyer runs ``openssl ts -verify -data timestamps/1.data -in timestamps/1.tsr
-CAfile timestamps/1.ca.pem``.
"""

from __future__ import annotations

from vault.store.session import Session
from vault.timestamps import keeping

DIR = "timestamps/"


def member_names(number: int) -> tuple[str, str, str]:
    """(token, stamped statement, CA certificates) of token ``number`` in a bundle."""
    return f"{DIR}{number}.tsr", f"{DIR}{number}.data", f"{DIR}{number}.ca.pem"


def chosen(session: Session, item_ids: list[str]) -> list[tuple[bytes, bytes, bytes]]:
    """(token, statement, CA PEM) of the tokens a bundle of ``item_ids`` carries, in order."""
    if not _has_tokens(session):
        return []
    picked: dict[int, keeping.Token] = {}
    for item_id in item_ids:
        seq = keeping.item_created_seq(session, item_id)
        token = None if seq is None else keeping.earliest_covering(session, seq)
        if token is not None:
            picked[token.id] = token
    ordered = sorted(picked.values(), key=lambda t: (t.gen_time, t.id))
    return [keeping.token_files(session, t.id) for t in ordered]


def _has_tokens(session: Session) -> bool:
    found = session.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'timestamps'"
    ).fetchone()
    if found is None:
        return False
    return session.conn.execute("SELECT 1 FROM timestamps LIMIT 1").fetchone() is not None
