"""The custody part of the :class:`vault.facade.Vault` facade: the log, its head, and the full
integrity check."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from crypto.errors import FormatError
from vault.custody import commitments
from vault.custody import log as custody
from vault.custody.check import run_check
from vault.custody.models import CheckReport, CustodyRecord
from vault.evidence import intake
from vault.evidence.items import resolve_id
from vault.store.unlocked import Unlocked, calm


class CustodyAPI(Unlocked):
    """Reading the chain of custody, and proving nothing was altered."""

    @calm
    def custody_log(self, item_id: str | None = None) -> list[CustodyRecord]:
        """The custody events of the whole vault, or of one item (deleted items included)."""
        with self._mutex:
            conn = self.session.conn
            creations: list[commitments.Creation] = []
            if item_id is None:
                events = custody.all_events(conn)
                creations = list(commitments.iter_creations(conn))
            else:
                found = resolve_id(conn, item_id, include_deleted=True)
                events = custody.events_for_item(conn, found)
                creation = commitments.creation_of(conn, found)
                creations = [creation] if creation is not None and creation.record else []
            kept = custody.disclosures(conn, [e.seq for e in events])
            records = [custody.to_record(e, kept.get(e.seq)) for e in events]
            # An imported message's creation record (§7.7) reads as an "added" line just before
            # its import event, whose signature covers it through the statement.
            before: dict[int, list[CustodyRecord]] = {}
            for creation in creations:
                with contextlib.suppress(FormatError):
                    before.setdefault(creation.event_seq, []).append(creation.to_record())
            if before:
                records = [line for r in records for line in (*before.pop(r.seq, []), r)] + [
                    line for lines in before.values() for line in lines
                ]
            return records

    @calm
    def custody_head(self) -> dict[str, Any]:
        """The newest event's sequence number and hash: a summary of the whole history so far."""
        with self._mutex:
            seq, digest, stamp = custody.head(self.session.conn)
        return {"seq": seq, "hash": digest, "time": stamp}

    # ------------------------------------------------------------------ check

    def check(
        self,
        *,
        progress: intake.Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> CheckReport:
        """Re-hash every original, walk the custody chain, run SQLCipher's integrity checks."""
        with self._mutex:
            return run_check(
                self.session.conn,
                self.public_key,
                self.vault_id,
                self._keyring,
                progress,
                cancel,
            )
