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


# What report.html says of one item: (the token's number in the bundle, its time, the authority).
ProofOfTime = tuple[int, str, str]


def chosen(
    session: Session, item_ids: list[str]
) -> tuple[list[tuple[bytes, bytes, bytes]], dict[str, ProofOfTime]]:
    """(token, statement, CA PEM) of the tokens a bundle of ``item_ids`` carries, in order, and
    for each covered item the token that covers it (for the report; ``verify`` checks it)."""
    if not _has_tokens(session):
        return [], {}
    picked: dict[int, keeping.Token] = {}
    covering: dict[str, keeping.Token] = {}
    for item_id in item_ids:
        seq = keeping.item_created_seq(session, item_id)
        token = None if seq is None else keeping.earliest_covering(session, seq)
        if token is not None:
            picked[token.id] = token
            covering[item_id] = token
    ordered = sorted(picked.values(), key=lambda t: (t.gen_time, t.id))
    numbers = {token.id: number for number, token in enumerate(ordered, 1)}
    proofs = {
        item_id: (numbers[token.id], token.gen_time, token.tsa)
        for item_id, token in covering.items()
    }
    return [keeping.token_files(session, t.id) for t in ordered], proofs


def _has_tokens(session: Session) -> bool:
    found = session.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'timestamps'"
    ).fetchone()
    if found is None:
        return False
    return session.conn.execute("SELECT 1 FROM timestamps LIMIT 1").fetchone() is not None
