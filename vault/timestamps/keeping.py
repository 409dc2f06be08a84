"""Proof of time inside the vault: pending requests, checked tokens, the ``timestamp.added`` event
(docs/format.md §5.7).

A request is kept (its nonce and the exact statement bytes it stamps) until an answer to it is
added; several may be pending, each for the head the log had when it was made. An answer is
matched to its request by imprint and nonce, checked (:mod:`vault.timestamps.proof`), stored with
the certificates it was checked against, and recorded as a custody event in the same transaction.
A bad, foreign or mismatched answer changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from vault.custody import commitments
from vault.custody import log as custody
from vault.errors import InvalidInput
from vault.host.outputs import write_failed, write_new
from vault.i18n import _
from vault.store.session import Session, transaction
from vault.timestamps import proof

TIMESTAMP_ADDED = "timestamp.added"


@dataclass(frozen=True)
class Request:
    """A request written to a file, waiting for its answer."""

    id: int
    created: str
    head_seq: int
    imprint: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Token:
    """A kept, checked proof of time: the custody log up to ``head_seq`` existed by ``gen_time``."""

    id: int
    head_seq: int
    head_hash: str
    gen_time: str
    tsa: str
    token_sha256: str
    added: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def statement_now(session: Session) -> tuple[bytes, int]:
    """The chain statement of the whole log as it is now, and its head's sequence number."""
    rows = session.conn.execute("SELECT seq, hash FROM custody ORDER BY seq").fetchall()
    hashes = [(int(r[0]), str(r[1])) for r in rows]
    return proof.statement(session.vault_id, hashes), hashes[-1][0]


def write_request(session: Session, out: Path, now: str) -> Request:
    """Write a ``TimeStampReq`` over the log's head to ``out`` (a new file) and keep it pending."""
    out = Path(out)
    if not out.parent.is_dir():
        raise InvalidInput(_("The folder {folder} does not exist.").format(folder=out.parent))
    data, head_seq = statement_now(session)
    tsq, nonce = proof.make_request(data)
    imprint = hashlib.sha256(data).hexdigest()
    try:
        write_new(out, tsq)
    except OSError as exc:
        raise write_failed(out, exc) from None
    with transaction(session.conn):
        cur = session.conn.execute(
            "INSERT INTO timestamp_requests (created, nonce, head_seq, imprint, statement)"
            " VALUES (?, ?, ?, ?, ?)",
            (now, str(nonce), head_seq, imprint, data),
        )
    return Request(int(cur.lastrowid or 0), now, head_seq, imprint)


def pending(session: Session) -> list[Request]:
    rows = session.conn.execute(
        "SELECT id, created, head_seq, imprint FROM timestamp_requests ORDER BY id"
    ).fetchall()
    return [Request(int(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in rows]


def tokens(session: Session) -> list[Token]:
    """Every kept token, oldest head first."""
    rows = session.conn.execute(
        "SELECT id, head_seq, head_hash, gen_time, tsa, token_sha256, added FROM timestamps"
        " ORDER BY head_seq, gen_time, id"
    ).fetchall()
    return [
        Token(int(r[0]), int(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]), str(r[6]))
        for r in rows
    ]


def token_files(session: Session, token_id: int) -> tuple[bytes, bytes, bytes]:
    """(token, statement, CA certificates as PEM) of one kept token: what a bundle carries."""
    row = session.conn.execute(
        "SELECT token, statement, ca FROM timestamps WHERE id = ?", (token_id,)
    ).fetchone()
    return bytes(row[0]), bytes(row[1]), bytes(row[2])


def add_answer(session: Session, tsr: bytes, ca_pem: bytes | None, now: str) -> Token:
    """Check ``tsr`` against the pending request it answers and keep it; InvalidInput, with
    nothing changed, if it is unreadable, answers no request of this vault, or does not verify."""
    try:
        imprint, nonce = proof.read_answer(tsr)
    except proof.ProofRefused:
        raise InvalidInput(
            _(
                "This file is not an answer from a time-stamping authority (a .tsr file). "
                "Nothing was changed."
            )
        ) from None
    conn = session.conn
    rows = conn.execute(
        "SELECT id, nonce, statement FROM timestamp_requests WHERE imprint = ?", (imprint,)
    ).fetchall()
    if not rows:
        raise InvalidInput(_answers_nothing(session, imprint))
    matching = [r for r in rows if str(r[1]) == str(nonce)]
    if not matching:
        raise InvalidInput(
            _(
                "This answer is for this vault's request but not the one evault wrote (its number "
                "used once does not match), so it was refused. Nothing was changed."
            )
        )
    request_id, request_nonce, data = (
        int(matching[0][0]),
        int(matching[0][1]),
        bytes(matching[0][2]),
    )
    trusted = _trusted(session, ca_pem)
    try:
        stamp = proof.check_answer(tsr, data, nonce=request_nonce, trusted=trusted)
    except proof.ProofRefused as exc:
        raise InvalidInput(_refusal(exc)) from None
    used = _chain_pem(trusted)
    covered = proof.parse_statement(data)
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO timestamps (head_seq, head_hash, statement, token, token_sha256,"
            " gen_time, tsa, ca, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                covered.head_seq,
                covered.head_hash,
                data,
                tsr,
                stamp.token_sha256,
                stamp.gen_time,
                stamp.tsa,
                used,
                now,
            ),
        )
        conn.execute("DELETE FROM timestamp_requests WHERE id = ?", (request_id,))
        session.event(
            TIMESTAMP_ADDED,
            now,
            details={
                "token_sha256": stamp.token_sha256,
                "gen_time": stamp.gen_time,
                "tsa": stamp.tsa,
                "head_seq": covered.head_seq,
                "head_hash": covered.head_hash,
                "statement_sha256": stamp.imprint,
            },
        )
    return Token(
        int(cur.lastrowid or 0),
        covered.head_seq,
        covered.head_hash,
        stamp.gen_time,
        stamp.tsa,
        stamp.token_sha256,
        now,
    )


def _answers_nothing(session: Session, imprint: str) -> str:
    """The sentence for an answer whose imprint is of no pending request."""
    for (data,) in session.conn.execute("SELECT statement FROM timestamps").fetchall():
        if hashlib.sha256(bytes(data)).hexdigest() == imprint:
            return _("This proof of time is already kept in the vault. Nothing was changed.")
    return _(
        "This answer is not for any request this vault wrote (it stamps something else), so it "
        "was refused. Nothing was changed."
    )


def _refusal(exc: proof.ProofRefused) -> str:
    if exc.reason == "no-roots":
        return _(
            "evault needs the time-stamping authority's certificates to check this answer: "
            "download them from its website and give them with --ca FILE.pem. Nothing was changed."
        )
    return _(
        "This answer does not verify (its signature, or the authority's certificate at the time "
        "it signed, does not hold), so it was refused. Nothing was changed."
    )


def _trusted(session: Session, ca_pem: bytes | None) -> list[x509.Certificate]:
    """The certificates given with --ca, or, without it, those kept with earlier tokens (the
    same authority's answers then need its certificates only once)."""
    if ca_pem is not None:
        try:
            return proof.load_certificates(ca_pem)
        except proof.ProofRefused:
            raise InvalidInput(
                _(
                    "The --ca file holds no certificate (PEM, '-----BEGIN CERTIFICATE-----'). "
                    "Nothing was changed."
                )
            ) from None
    found: list[x509.Certificate] = []
    for (pem,) in session.conn.execute("SELECT ca FROM timestamps ORDER BY id").fetchall():
        try:
            found += proof.load_certificates(bytes(pem))
        except proof.ProofRefused:
            continue
    return found


def _chain_pem(certificates: list[x509.Certificate]) -> bytes:
    seen: list[bytes] = []
    for certificate in certificates:
        pem = certificate.public_bytes(Encoding.PEM)
        if pem not in seen:
            seen.append(pem)
    return b"".join(seen)


def earliest_covering(session: Session, seq: int) -> Token | None:
    """The kept token with the earliest time whose statement covers event ``seq``."""
    covering = [t for t in tokens(session) if t.head_seq >= seq]
    return min(covering, key=lambda t: t.gen_time) if covering else None


def item_created_seq(session: Session, item_id: str) -> int | None:
    """The sequence number of an item's ``item.created`` event (for a message imported in
    format 2, of the import event that commits to its creation record, §7.7)."""
    creation = commitments.creation_of(session.conn, item_id)
    if creation is not None:
        return creation.event_seq
    for event in custody.events_for_item(session.conn, item_id):
        if event.parsed().get("type") == custody.ITEM_CREATED:
            return event.seq
    return None
