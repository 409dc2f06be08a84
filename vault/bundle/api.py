"""The bundle part of the :class:`vault.facade.Vault` facade: writing a signed evidence bundle.

Verifying a bundle needs no vault (``vault.bundle.checking``): that is what a lawyer runs.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlcipher3

from vault.evidence import intake
from vault.store.session import translate
from vault.store.unlocked import Unlocked

if TYPE_CHECKING:
    from vault.bundle.export import ExportResult


class BundleAPI(Unlocked):
    """Evidence bundles for lawyers."""

    def export_bundle(
        self,
        out: Path,
        *,
        item_ids: list[str] | None = None,
        case: str | None = None,
        everything: bool = False,
        note: str | None = None,
        recipients: list[str] | None = None,
        passphrase: str | None = None,
        include_sensitive_text: bool = False,
        languages: Sequence[str] | None = None,
        progress: intake.Progress | None = None,
        cancel: threading.Event | None = None,
        now: datetime | None = None,
    ) -> ExportResult:
        """Write a signed evidence bundle (docs/format.md §6), optionally age-encrypted, and
        record the export in the custody log.

        report.html prints the text of each message and note; one marked sensitive is withheld
        unless ``include_sensitive_text`` (the choice is recorded in the custody event).

        report.html and VERIFY.txt are written in ``languages`` (the first keeps those names,
        each further one adds ``report.<lang>.html`` and ``VERIFY.<lang>.txt``); by default in
        the language evault speaks now, so the app's export follows the app's language."""
        # Imported here: the bundle code is not needed to unlock, so start-up stays quick.
        from vault.bundle import export  # noqa: PLC0415

        with self._mutex:
            item_ids = export.select_items(self.session, list(item_ids or []), case, everything)
        try:
            return export.export_bundle(
                self.session,
                self.public_key,
                self._mutex,
                Path(out),
                item_ids=item_ids,
                case=case,
                note=note,
                recipients=list(recipients or []),
                passphrase=passphrase,
                progress=progress,
                cancel=cancel,
                now=now,
                include_sensitive_text=include_sensitive_text,
                languages=languages,
            )
        except (sqlcipher3.Error, OSError) as exc:
            raise translate(exc) from None
