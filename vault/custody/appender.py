"""Appending many item events in one transaction: the same events as :func:`log.append`, cheaper.

Why a second way in: adding 2,000 screenshots signs 2,000 ``item.created`` events. ``append``
reads the chain head back from the database for every event, checks that the vault keeps sealed
details, canonicalises the details, and writes three statements per event. Here the head is read
once and then kept in memory, the details are sealed ahead (on the thread that prepares the next
files, :func:`seal_ahead`), and the rows are written with one ``executemany`` per table per batch.

The events are byte for byte what ``append`` would write given the same inputs (one signed body
per item, sealed details kept beside it, docs/format.md §5 and §5.6), so every item stays
verifiable on its own, in the vault, in bundles and with stock tools. Nothing else may append
between :meth:`Appender.sign` and :meth:`Appender.flush` unless :meth:`Appender.reload` is
called after it (the caller holds the vault's mutex and transaction, so nothing else does).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any

from crypto import constants as c
from crypto import custody as fmt
from crypto import sealing
from crypto.canonical import canonical_json
from crypto.identity import SigningKey
from vault.custody import log
from vault.store.db import Connection, insert_rows


@dataclass(frozen=True, repr=False)
class Sealed:
    """An event's details made ready ahead: their canonical bytes, the salt and the commitment."""

    details: dict[str, Any]
    kept: bytes
    salt: bytes
    commitment: str

    def __repr__(self) -> str:
        return "Sealed(<details>)"  # the details say what the evidence is: never in a log line


def seal_ahead(details: dict[str, Any]) -> Sealed:
    """Seal ``details`` as :func:`log.append` does; pure, so any thread may do it."""
    kept = canonical_json(details)
    salt = os.urandom(c.SEALED_SALT_BYTES)
    return Sealed(details, kept, salt, sealing.commitment_of_canonical(kept, salt))


class Appender:
    """Signs item events against a chain head kept in memory; writes them in batches."""

    def __init__(self, conn: Connection, key: SigningKey, vault_id: str) -> None:
        self._conn = conn
        self._key = key
        self._vault_id = vault_id
        self._events: list[tuple[Any, ...]] = []
        self._kept: list[tuple[int, bytes, bytes]] = []
        self._links: list[tuple[str, int]] = []
        self._seq, self._prev, self._time = log.head(conn)
        self._sealing = log.seals_details(conn)  # False only before migration 6 (tests)

    def __repr__(self) -> str:
        return f"Appender(seq={self._seq})"

    def reload(self) -> None:
        """Read the head again after events were appended some other way (nothing may be
        waiting in this appender then)."""
        if self._events:
            raise RuntimeError("flush the appender before another writer appends")
        self._seq, self._prev, self._time = log.head(self._conn)

    def template(
        self, event_type: str, time: str, item: dict[str, str], sealed: Sealed
    ) -> fmt.EventTemplate | None:
        """The event's body made ahead but for its place in the chain; pure, so the thread
        that prepares the next files makes it (None in the rare case make_event must do it)."""
        return fmt.event_template(
            self._key.public_key,
            event_id=str(uuid.uuid4()),
            event_type=event_type,
            time=time,
            vault_id=self._vault_id,
            item=item,
            reason=None,
            details=self._details(sealed),
        )

    def _details(self, sealed: Sealed) -> dict[str, Any]:
        return {sealing.SEALED: sealed.commitment} if self._sealing else sealed.details

    def sign(
        self,
        event_type: str,
        time: str,
        item: dict[str, str],
        sealed: Sealed,
        template: fmt.EventTemplate | None = None,
    ) -> None:
        """Sign the next event about ``item`` (from ``template`` when one was made ahead with
        the same fields); its rows wait for :meth:`flush`."""
        if time < self._time:
            # The same rule as log.append: a wrong clock never reorders the log; the event
            # says what the clock reported. The details change, so they are sealed again.
            sealed = seal_ahead({**sealed.details, "clock_reported": time})
            time = self._time
            template = None
        if template is None or template.time != time:
            template = self.template(event_type, time, item, sealed)
        if template is not None:
            event_id = template.event_id
            event = fmt.sign_template(self._key, template, self._seq + 1, self._prev)
        else:  # a field holds a template's stand-in text: made the ordinary way
            event_id = str(uuid.uuid4())
            event = fmt.make_event(
                self._key,
                seq=self._seq + 1,
                event_id=event_id,
                event_type=event_type,
                time=time,
                vault_id=self._vault_id,
                item=item,
                reason=None,
                details=self._details(sealed),
                prev=self._prev,
            )
        self._events.append((event.seq, event_id, time, event.body, event.hash, event.signature))
        if self._sealing:
            self._kept.append((event.seq, sealed.salt, sealed.kept))
        self._links.append((item["id"], event.seq))
        self._seq, self._prev, self._time = event.seq, event.hash, time

    def flush(self) -> None:
        """Write the signed events waiting here (inside the caller's transaction)."""
        if not self._events:
            return
        conn = self._conn
        insert_rows(
            conn, "INSERT INTO custody (seq, id, time, body, hash, signature)", self._events
        )
        insert_rows(conn, "INSERT INTO custody_disclosures (seq, salt, details)", self._kept)
        insert_rows(conn, "INSERT OR IGNORE INTO custody_items (item_id, seq)", self._links)
        self._events.clear()
        self._kept.clear()
        self._links.clear()
