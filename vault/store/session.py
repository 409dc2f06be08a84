"""The unlocked state every domain operation works through: connection, signer, vault id.

Writes go through :func:`transaction`, which wraps a change and its custody event(s) in one SQLite
transaction and turns storage errors into calm messages; :meth:`Session.event` appends the signed
custody event inside it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlcipher3

from crypto.identity import SigningKey
from vault.clock import format_utc, utc_now
from vault.custody import log as custody
from vault.errors import EvaultError
from vault.evidence.models import Item
from vault.store import db


def now_text(now: datetime | None) -> str:
    """The custody time for ``now`` (or the current time): RFC 3339 UTC with microseconds."""
    return format_utc(now or utc_now())


@dataclass(frozen=True, repr=False)
class Session:
    conn: db.Connection
    signer: SigningKey
    vault_id: str

    def __repr__(self) -> str:
        return f"Session(vault_id={self.vault_id!r})"

    def event(
        self,
        event_type: str,
        stamp: str,
        *,
        item: Item | None = None,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
        event_id: str | None = None,
        related: list[str] | None = None,
        sealed: bool = True,
    ) -> None:
        """Append one signed custody event (inside the caller's transaction); an item event's
        details are sealed unless ``sealed`` is False (docs/format.md §5.6)."""
        custody.append(
            self.conn,
            self.signer,
            vault_id=self.vault_id,
            event_type=event_type,
            time=stamp,
            item={"id": item.id, "sha256": item.sha256, "kind": item.kind} if item else None,
            reason=reason or None,
            details=details,
            event_id=event_id,
            related=related,
            sealed=sealed,
        )


@contextlib.contextmanager
def transaction(conn: db.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE … COMMIT; on any failure roll back and raise a calm error."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlcipher3.Error as exc:
        raise db.translate(exc) from None
    try:
        yield
        conn.execute("COMMIT")
    except BaseException as exc:
        rollback(conn)
        raise translate(exc) from None


def rollback(conn: db.Connection) -> None:
    with contextlib.suppress(sqlcipher3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def translate(exc: BaseException) -> BaseException:
    """Keep our own errors and interruptions; turn storage errors into calm sentences."""
    if isinstance(exc, EvaultError | KeyboardInterrupt):
        return exc
    if isinstance(exc, sqlcipher3.Error | OSError):
        return db.translate(exc)
    return exc
