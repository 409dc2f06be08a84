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
import threading
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
        forecast: Forecast | None = None,
    ) -> bool:
        """Sign the next event about ``item`` (from ``template`` when one was made ahead with
        the same fields), or take ``forecast`` if it was signed at this very place in the chain;
        its rows wait for :meth:`flush`. True if the forecast was taken."""
        taken = (
            forecast is not None
            and template is not None
            and template.time == time >= self._time
            and forecast.event.seq == self._seq + 1
            and forecast.prev == self._prev
        )
        if taken and forecast is not None and template is not None:
            self._append(forecast.event, template.event_id, time, item, sealed)
            return True
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
        self._append(event, event_id, time, item, sealed)
        return False

    def _append(
        self,
        event: fmt.SignedEvent,
        event_id: str,
        time: str,
        item: dict[str, str],
        sealed: Sealed,
    ) -> None:
        self._events.append((event.seq, event_id, time, event.body, event.hash, event.signature))
        if self._sealing:
            self._kept.append((event.seq, sealed.salt, sealed.kept))
        self._links.append((item["id"], event.seq))
        self._seq, self._prev, self._time = event.seq, event.hash, time

    @property
    def head(self) -> tuple[int, str | None]:
        """(seq, hash) of the last event signed here or read as the head."""
        return self._seq, self._prev

    def forecaster(self) -> Forecaster:
        """A :class:`Forecaster` starting from this head, for the preparing thread."""
        return Forecaster(self._key, self._seq, self._prev)

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


@dataclass(frozen=True, repr=False)
class Forecast:
    """An event signed ahead by the preparing thread, at the place in the chain it expected."""

    event: fmt.SignedEvent
    prev: str | None

    def __repr__(self) -> str:
        return f"Forecast(seq={self.event.seq})"


class Forecaster:
    """The chain head as the thread preparing the next files expects it: the head when adding
    began, then each event it signed itself, assuming every file turns out new.

    Why: signing is the largest piece of Python left on the writing thread. When the guess
    holds (every file new, which is the common case), the writer only checks that the forecast
    event's ``seq`` and ``prev`` are its own head's and takes it as signed. When it does not (a
    duplicate, a new case's event, a file streamed, a clock set back), the writer signs that
    event again itself and calls :meth:`stale`; the preparing thread then waits, before signing
    more, until the writer has caught up with everything handed over and called :meth:`settle`
    with its head. A wrong guess costs time, never correctness: the writer checks every event.
    """

    def __init__(self, key: SigningKey, seq: int, prev: str | None) -> None:
        self._key = key
        self._seq = seq
        self._prev = prev
        self._stale = False
        self._generation = 0
        self._changed = threading.Condition()

    def __repr__(self) -> str:
        return f"Forecaster(seq={self._seq})"

    def sign(self, template: fmt.EventTemplate, stop: threading.Event) -> Forecast | None:
        """Sign ``template`` as the next event (preparing thread); None once ``stop`` is set."""
        with self._changed:
            while self._stale:
                if stop.is_set():
                    return None
                self._changed.wait(0.1)
            seq, prev, generation = self._seq + 1, self._prev, self._generation
        event = fmt.sign_template(self._key, template, seq, prev)
        with self._changed:
            if self._generation == generation:  # no stale() or settle() meanwhile
                self._seq, self._prev = seq, event.hash
        return Forecast(event, prev)

    @property
    def is_stale(self) -> bool:
        return self._stale

    def stale(self) -> None:
        """The writer's head left the forecast (writing thread)."""
        with self._changed:
            self._stale = True
            self._generation += 1

    def settle(self, seq: int, prev: str | None) -> None:
        """The writer's head once it has written everything handed over (writing thread)."""
        with self._changed:
            self._seq, self._prev, self._stale = seq, prev, False
            self._generation += 1
            self._changed.notify_all()
