"""The evidence part of the :class:`vault.facade.Vault` facade: add, list, search, read, edit, delete,
cases. Each method takes the vault's mutex and calls one function of this package."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vault.custody import log as custody
from vault.evidence import adding, cases, editing, filebatch, intake, listing, reading
from vault.evidence.items import load_item, resolve_id
from vault.evidence.listing import Filters, ItemRow
from vault.evidence.models import AddResult, Case, Item, MessageFields, Metadata
from vault.evidence.shown import shown_record
from vault.store.session import now_text, transaction
from vault.store.unlocked import Unlocked, calm

if TYPE_CHECKING:
    from vault.custody.models import CustodyRecord


class EvidenceAPI(Unlocked):
    """Adding and reading evidence, and what is said about it."""

    # ------------------------------------------------------------------ adding

    def add_file(
        self,
        path: Path,
        meta: Metadata | None = None,
        *,
        progress: intake.Progress | None = None,
        cancel: threading.Event | None = None,
        now: datetime | None = None,
    ) -> AddResult:
        """Add one file's original bytes; report a duplicate instead of storing twice."""
        return self.add_files([path], meta, progress=progress, cancel=cancel, now=now)[0]

    @calm
    def add_files(
        self,
        paths: Iterable[Path],
        meta: Metadata | None = None,
        *,
        progress: intake.Progress | None = None,
        cancel: threading.Event | None = None,
        now: datetime | None = None,
        on_result: Callable[[AddResult], None] | None = None,
    ) -> list[AddResult]:
        """Add many files; each is wholly in the vault or not at all (see vault.evidence.adding)."""
        with self._mutex:
            return filebatch.add_files(
                self.session,
                paths,
                meta or Metadata(),
                progress=progress,
                cancel=cancel,
                now=now,
                on_result=on_result,
            )

    @calm
    def add_bytes(
        self,
        data: bytes,
        filename: str,
        meta: Metadata | None = None,
        *,
        now: datetime | None = None,
    ) -> AddResult:
        """Add bytes held in memory as a file named ``filename``, exactly as :meth:`add_file`
        would (same hash, duplicate check and custody event), without writing them to disk."""
        with self._mutex:
            return adding.add_bytes(self.session, bytes(data), filename, meta or Metadata(), now)

    @calm
    def add_message(
        self,
        text: str,
        meta: Metadata | None = None,
        fields: MessageFields | None = None,
        *,
        now: datetime | None = None,
    ) -> AddResult:
        """Add a typed threat message; its text (UTF-8, exactly as given) is the original."""
        with self._mutex:
            return adding.add_text(
                self.session, "message", text, meta or Metadata(), fields or MessageFields(), now
            )

    @calm
    def add_note(
        self, text: str, meta: Metadata | None = None, *, now: datetime | None = None
    ) -> AddResult:
        """Add a note (the defender's own account of what happened)."""
        with self._mutex:
            return adding.add_text(self.session, "note", text, meta or Metadata(), None, now)

    # ------------------------------------------------------------------ reading

    @calm
    def list_items(self, *, include_deleted: bool = False) -> list[Item]:
        with self._mutex:
            return reading.list_items(self.session, include_deleted=include_deleted)

    @calm
    def item_page(
        self,
        filters: Filters | None = None,
        *,
        sort: str = "captured",
        descending: bool = True,
        offset: int = 0,
        limit: int = 200,
    ) -> list[ItemRow]:
        """One page of light rows for a table (see vault.evidence.listing)."""
        with self._mutex:
            return listing.page(
                self.session,
                filters or Filters(),
                sort=sort,
                descending=descending,
                offset=offset,
                limit=limit,
            )

    @calm
    def count_items(self, filters: Filters | None = None) -> int:
        with self._mutex:
            return listing.count(self.session, filters or Filters())

    @calm
    def filter_choices(self) -> dict[str, list[str]]:
        with self._mutex:
            return listing.distinct_values(self.session)

    @calm
    def get_item(self, item_id: str, *, include_deleted: bool = False) -> Item:
        with self._mutex:
            return reading.get_item(self.session, item_id, include_deleted=include_deleted)

    @calm
    def search(self, query: str, *, limit: int = 500) -> list[Item]:
        """Items whose title, text or metadata contain every word typed (folded, prefix match)."""
        with self._mutex:
            return reading.search(self.session, query, limit=limit)

    @calm
    def record_reveal(
        self, item_ids: Iterable[str], *, how: str = "details shown", now: datetime | None = None
    ) -> int:
        """Record that the withheld details (title, description, file name) of the sensitive
        items among ``item_ids`` were shown on purpose (the command line's ``--reveal``): one
        ``item.viewed`` event each, like the app's reveal, in one transaction. Returns how many."""
        with self._mutex:
            conn = self.session.conn
            items = [load_item(conn, resolve_id(conn, i, include_deleted=True)) for i in item_ids]
            sensitive = [item for item in items if item.sensitive]
            if sensitive:
                with transaction(conn):
                    stamp = now_text(now)
                    for item in sensitive:
                        self.session.event(
                            custody.ITEM_VIEWED, stamp, item=item, details={"how": how}
                        )
        return len(sensitive)

    @calm
    def shown_records(
        self, records: list[CustodyRecord], *, reveal: bool = False, how: str = "details shown"
    ) -> list[CustodyRecord]:
        """Custody records as they may be printed: the details recorded about a sensitive item
        (title, description, file name) hidden, unless ``reveal``, which is recorded like
        :meth:`record_reveal`. Only what is printed changes, never the signed log."""
        with self._mutex:
            rows = self.session.conn.execute("SELECT id FROM items WHERE sensitive = 1")
            sensitive = {str(r[0]) for r in rows.fetchall()}
        concerned = list(dict.fromkeys(r.item_id for r in records if r.item_id in sensitive))
        if reveal:
            self.record_reveal([i for i in concerned if i is not None], how=how)
            return records
        return [shown_record(r, withheld=r.item_id in sensitive) for r in records]

    @calm
    def read_content(
        self,
        item_id: str,
        *,
        how: str = "viewed",
        reason: str | None = None,
        now: datetime | None = None,
    ) -> Iterator[bytes]:
        """Yield the original bytes chunk by chunk. Records an ``item.viewed`` event first."""
        with self._mutex:
            item, chunk_rows = reading.content_rows(self.session, item_id)
            reading.record(
                self.session, custody.ITEM_VIEWED, item, now, reason=reason, details={"how": how}
            )
        return reading.iter_chunks(self.session, chunk_rows, self._mutex)

    def read_text(self, item_id: str, *, now: datetime | None = None) -> str:
        """The original of a message or note as text (records a view). An imported e-mail's
        original may be in another charset (Shift_JIS, ISO-2022-JP): bytes that are not UTF-8
        show as U+FFFD rather than fail."""
        original = b"".join(self.read_content(item_id, how="text shown", now=now))
        return original.decode("utf-8", errors="replace")

    def read_message_text(
        self, item_id: str, *, now: datetime | None = None
    ) -> tuple[str, str | None]:
        """(the original of a message or note as text, as :meth:`read_text`; and for a message
        an import brought, its text as the import read it from that original, else None).
        Records one view. A Telegram or Meta original is JSON and an e-mail's has MIME parts
        and charsets: the app shows the text first, then the original (``vault.imports.readable``)."""
        from vault.imports import readable  # noqa: PLC0415 - only when a message is shown

        original = b"".join(self.read_content(item_id, how="text shown", now=now))
        with self._mutex:
            full_id = resolve_id(self.session.conn, item_id)
            reader = readable.import_readers(self.session.conn, [full_id]).get(full_id)
        text, read = readable.text_for(reader, original)
        return original.decode("utf-8", errors="replace"), (text if read else None)

    @calm
    def export_content(
        self,
        item_id: str,
        destination: Path,
        *,
        reason: str | None = None,
        overwrite: bool = False,
        progress: intake.Progress | None = None,
        cancel: threading.Event | None = None,
        now: datetime | None = None,
    ) -> Item:
        """Write the original bytes to ``destination`` (plaintext leaves the vault) and log it."""
        with self._mutex:
            return reading.export_content(
                self.session,
                item_id,
                Path(destination),
                lock=self._mutex,
                reason=reason,
                overwrite=overwrite,
                progress=progress,
                cancel=cancel,
                now=now,
            )

    # ------------------------------------------------------------------ editing

    @calm
    def update_metadata(
        self,
        item_id: str,
        changes: dict[str, Any],
        *,
        reason: str | None = None,
        now: datetime | None = None,
    ) -> Item:
        """Change descriptive fields (never the original bytes), as a custody event."""
        with self._mutex:
            return editing.update_metadata(self.session, item_id, changes, reason=reason, now=now)

    @calm
    def delete_item(
        self, item_id: str, *, reason: str, purge: bool = False, now: datetime | None = None
    ) -> Item:
        """Remove an item's content and description; keep a signed tombstone.

        With ``purge`` the custody log also lets go of what it said about the item (docs/format.md
        §5.6) and the database is then re-encrypted under a new key (§3.4), so nothing of the
        item stays readable with the passphrase, not even in blocks the disk freed earlier.
        Whether the re-encryption can run is checked first: a refused purge deletes nothing.
        """
        with self._mutex:
            if purge:
                self.check_rekey_possible()
            item = editing.delete_item(self.session, item_id, reason=reason, now=now, purge=purge)
            if purge:
                self._rekey(now_text(now))
            return item

    @calm
    def records_in_clear(self, item_id: str) -> int:
        """How many custody events about the item say what they say in the clear: those signed
        before evault sealed item details (docs/format.md §5.6). A purge cannot change them."""
        with self._mutex:
            conn = self.session.conn
            return custody.cleartext_events(conn, resolve_id(conn, item_id, include_deleted=True))

    # ------------------------------------------------------------------ cases

    @calm
    def create_case(self, name: str, *, now: datetime | None = None) -> Case:
        with self._mutex, transaction(self.session.conn):
            case_id = cases.ensure_case(self.session, name, now_text(now))
        return cases.load_case(self.session, str(case_id))

    @calm
    def rename_case(self, old: str, new: str, *, now: datetime | None = None) -> Case:
        """Rename a case (a custody event); its items follow."""
        with self._mutex, transaction(self.session.conn):
            return cases.rename_case(self.session, old, new, now_text(now))

    @calm
    def list_cases(self) -> list[Case]:
        with self._mutex:
            return cases.list_cases(self.session)
