"""The imports part of the :class:`vault.facade.Vault` facade: import an export, list imports,
browse imported chats, and say where an imported message came from. Parsers load only when used."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault.evidence.items import resolve_id
from vault.store.unlocked import Unlocked, calm

if TYPE_CHECKING:
    from vault.imports.chats import Chat, ChatLine, Provenance
    from vault.imports.options import ImportOptions, ImportProgress
    from vault.imports.summary import ImportSummary


class ImportsAPI(Unlocked):
    """Platform exports in, with their provenance; chats out, page by page."""

    # ------------------------------------------------------------------ imports

    @calm
    def import_export(
        self,
        importer: str,
        path: Path,
        options: ImportOptions | None = None,
        *,
        progress: ImportProgress | None = None,
        cancel: threading.Event | None = None,
        now: datetime | None = None,
    ) -> ImportSummary:
        """Import a Telegram, Meta, WhatsApp or e-mail export in one transaction (vault.imports.pipeline)."""
        from vault.imports import pipeline as importing  # noqa: PLC0415 - parsers load only when importing
        from vault.imports.options import ImportOptions  # noqa: PLC0415

        with self._mutex:
            return importing.import_export(
                self.session,
                importer,
                Path(path),
                options or ImportOptions(),
                progress=progress,
                cancel=cancel,
                now=now,
            )

    @calm
    def imports(self) -> list[dict[str, Any]]:
        """Every import so far, newest first, with what it found."""
        from vault.imports import pipeline as importing  # noqa: PLC0415

        with self._mutex:
            return list(importing.iter_imports(self.session))

    @calm
    def chats(self) -> list[Chat]:
        """Imported conversations, most recent first."""
        from vault.imports import chats  # noqa: PLC0415

        with self._mutex:
            return chats.list_chats(self.session.conn)

    @calm
    def chat_lines(
        self, platform: str, chat_key: str, *, offset: int = 0, limit: int = 200
    ) -> list[ChatLine]:
        """One page of a chat's messages in time order: sender, time, title (no content read)."""
        from vault.imports import chats  # noqa: PLC0415

        with self._mutex:
            return chats.chat_lines(
                self.session.conn, platform, chat_key, offset=offset, limit=limit
            )

    @calm
    def import_provenance(self, item_id: str) -> Provenance | None:
        """For an imported message: the export, chat, raw time and source of its UTC time."""
        from vault.imports import chats  # noqa: PLC0415

        with self._mutex:
            conn = self.session.conn
            return chats.provenance(conn, resolve_id(conn, item_id, include_deleted=True))
