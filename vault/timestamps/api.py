"""The proof-of-time part of the :class:`vault.facade.Vault` facade (issue 17).

The program never opens a socket: a request is written to a file, carried to any computer that is
online, answered there by a public time-stamping authority with stock tools (docs/user-guide.md),
and the answer is carried back and added here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from vault.errors import InvalidInput
from vault.evidence.items import resolve_id
from vault.i18n import _
from vault.store.session import now_text
from vault.store.unlocked import Unlocked, calm
from vault.timestamps import keeping, proof


class TimestampAPI(Unlocked):
    """Independent proof that the custody log, and so every item in it, existed by a time."""

    @calm
    def timestamp_request(self, out: Path, *, now: datetime | None = None) -> keeping.Request:
        """Write a time-stamp request (``.tsq``) over the custody log's head; keep it pending."""
        with self._mutex:
            return keeping.write_request(self.session, Path(out), now_text(now))

    @calm
    def timestamp_add(
        self, answer: Path, *, ca: Path | None = None, now: datetime | None = None
    ) -> keeping.Token:
        """Check an authority's answer (``.tsr``) against its request and keep it."""
        tsr = _read(Path(answer), proof.MAX_TOKEN_BYTES)
        ca_pem = _read(Path(ca), proof.MAX_CA_BYTES) if ca is not None else None
        with self._mutex:
            return keeping.add_answer(self.session, tsr, ca_pem, now_text(now))

    @calm
    def timestamps(self) -> dict[str, Any]:
        """The kept tokens (what each covers, when) and the requests still waiting for an answer."""
        with self._mutex:
            return {
                "tokens": keeping.tokens(self.session),
                "pending": keeping.pending(self.session),
            }

    @calm
    def proof_of_time(self, item_id: str) -> keeping.Token | None:
        """The earliest kept token that covers the item's arrival in the vault, if any."""
        with self._mutex:
            found = resolve_id(self.session.conn, item_id, include_deleted=True)
            seq = keeping.item_created_seq(self.session, found)
            return None if seq is None else keeping.earliest_covering(self.session, seq)


def _read(path: Path, cap: int) -> bytes:
    """A small file given by the user, whole; one calm sentence if it cannot be."""
    try:
        with path.open("rb") as f:
            data = f.read(cap + 1)
    except OSError:
        raise InvalidInput(
            _("{name} could not be read. Check the path.").format(name=path)
        ) from None
    if len(data) > cap:
        raise InvalidInput(
            _("{name} is far larger than such a file can be, so it was refused.").format(name=path)
        )
    return data
