"""Importing a platform export into the vault, in one transaction, with its provenance kept.

The order of work follows the Berkeley Protocol's idea of provenance: first the export itself is
stored unchanged (the ZIP or single file as one item; a folder as every one of its files plus a
SHA256SUMS-style listing that fingerprints the whole folder), then each message becomes a message
item whose original is the message exactly as exported, with media linked to it, and last one
signed ``import.completed`` event records the importer, its version, the declared time zone and
settings, and what was found. Any error or a cancel rolls everything back: nothing is
half-imported.

Fields the export's author chose are bounded before they go into a signed custody event
(``bounds``), so one message with a huge Cc cannot stop the import; the stored original keeps them
whole. Anything the import meets that is not already one calm sentence (a parser surprised by
data it does not understand) is refused as one: nothing is kept, and the vault is unharmed.

Re-importing the same export adds nothing (its fingerprint is known). A later export of the same
chat adds only what is new or changed, and lists the earlier messages it no longer contains (in the
time span it covers): messages deleted since, which are evidence too.

The run is in this module; what it stores is in its neighbours: ``files`` (the export's own files
and the media of its messages), ``messages`` (what a message becomes: original bytes, title,
reported time, details) and ``history`` (earlier imports, and the messages they had that a later
export no longer has).
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path

from vault.custody import log as custody
from vault.custody.models import Finding
from vault.errors import Cancelled, InvalidInput
from vault.evidence.cases import ensure_case
from vault.evidence.models import MessageFields, Metadata
from vault.i18n import N_, _
from vault.imports import history, registry
from vault.imports.bounds import RECIPIENTS_MAX, Cuts, clean_value
from vault.imports.committed import CommittedMessages
from vault.imports.files import ExportFiles
from vault.imports.history import iter_imports
from vault.imports.messages import (
    import_details,
    import_fields,
    message_title,
    raw_bytes,
    raw_media_type,
    reported_time,
)
from vault.imports.options import ImportOptions, ImportProgress
from vault.imports.parsers.records import (
    TIME_FROM_DECLARED_ZONE,
    ImportedChat,
    ImportedMessage,
    ImportProblem,
)
from vault.imports.parsers.source import ExportSource
from vault.imports.refusals import calm, not_an_export
from vault.imports.summary import ChatSummary, ImportSummary
from vault.store import db
from vault.store.session import Session, now_text, rollback, translate
from vault.version import PROGRAM

IMPORT_COMPLETED = "import.completed"
IMPORT_CACHE_KIB = 48 * 1024  # three times the usual page cache (store.db.CACHE_KIB)
MAX_PROBLEMS_KEPT = 500
MAX_MISSING_IN_EVENT = 200
MESSAGE_MAX_BYTES = 256 * 1024 * 1024
CANCELLED = N_("The import was stopped. Nothing from it was kept.")
_KEEP = frozenset({"raw", "path"})

__all__ = [
    "CANCELLED",
    "IMPORT_CACHE_KIB",
    "IMPORT_COMPLETED",
    "MAX_MISSING_IN_EVENT",
    "MAX_PROBLEMS_KEPT",
    "MESSAGE_MAX_BYTES",
    "import_export",
    "iter_imports",
]


def import_export(
    session: Session,
    importer: str,
    path: Path,
    options: ImportOptions,
    *,
    progress: ImportProgress | None = None,
    cancel: threading.Event | None = None,
    now: datetime | None = None,
) -> ImportSummary:
    """Import the export at ``path`` with the parser ``importer``; see the module docstring."""
    row = registry.importer(importer)
    options.validate(importer)  # the front ends did so too; the rules live in one place
    parser = row.parser()
    with calm(path, row), ExportSource(path) as source:
        if not parser.detect(source):
            raise InvalidInput(not_an_export(path.name, row))
        run = _Run(session, parser, row, source, options, progress, cancel, now_text(now))
        conn = session.conn
        # A larger page cache while importing: the indexes of a 100,000-message import outgrow
        # the usual 16 MiB and every insert then waits on the disk (docs/performance.md).
        conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        conn.execute("BEGIN IMMEDIATE")
        try:
            summary = run.execute()
            if summary.already_imported:
                rollback(conn)
                return summary
            conn.execute("COMMIT")
        except BaseException as exc:
            rollback(conn)
            raise translate(exc) from None
        finally:
            conn.execute(f"PRAGMA cache_size = -{db.CACHE_KIB}")
    return summary


class _Run:
    """One import in progress (inside the caller's transaction)."""

    def __init__(
        self,
        session: Session,
        parser: registry.Parser,
        row: registry.Importer,
        source: ExportSource,
        options: ImportOptions,
        progress: ImportProgress | None,
        cancel: threading.Event | None,
        stamp: str,
    ) -> None:
        self.session = session
        self.conn = session.conn
        self.parser = parser
        self.row = row
        self.importer = row.name
        self.source = source
        self.options = options
        self.progress = progress
        self.cancel = cancel
        self.stamp = stamp
        self.import_id = str(uuid.uuid4())
        self.summary = ImportSummary(
            importer=row.name,
            importer_version=str(parser.VERSION),
            source_name=source.path.name,
            source_kind=source.kind,
            source_sha256="",
            import_id=self.import_id,
            skipped_files=list(source.skipped),
        )
        self.files = ExportFiles(
            session,
            row,
            source,
            options,
            self.summary,
            progress=progress,
            cancel=cancel,
            check_cancel=self._check_cancel,
            stamp=stamp,
            import_id=self.import_id,
        )
        self.chats: dict[str, ImportedChat] = {}
        self.chat_summaries: dict[str, ChatSummary] = {}
        self.seen_keys: dict[str, set[str]] = {}
        self.chat_known: dict[str, bool] = {}  # chat key -> an earlier import has messages of it
        self.chat_span: dict[str, tuple[str | None, str | None]] = {}
        self.senders: set[tuple[str, str]] = set()
        self.transformations: Counter[str] = Counter()
        self._committed: CommittedMessages | None = None

    @property
    def committed(self) -> CommittedMessages:
        """The import's messages (format 2), made at the first message: its case, if new, is
        created then, after the export's own files."""
        if self._committed is None:
            case_id = ensure_case(self.session, self.options.case, self.stamp)
            self._committed = CommittedMessages(self.session, self.import_id, self.stamp, case_id)
        return self._committed

    # ------------------------------------------------------------------ provenance

    def execute(self) -> ImportSummary:
        self.files.store_export()
        if self._already_imported():
            self.summary.already_imported = True
            return self.summary
        self.conn.execute(
            "INSERT INTO imports (id, importer, importer_version, source_name, source_kind,"
            " source_sha256, source_item_id, settings, summary, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}', ?)",
            (
                self.import_id,
                self.importer,
                self.summary.importer_version,
                self.summary.source_name,
                self.source.kind,
                self.files.source_sha256,
                self.files.source_item_id,
                json.dumps(self.options.settings(), ensure_ascii=False, sort_keys=True),
                self.stamp,
            ),
        )
        parse_options = {name: getattr(self.options, name) for name in self.row.options}
        records = self.parser.parse(self.source, timezone=self.options.timezone, **parse_options)
        for found in records:
            self._check_cancel()
            # Derived fields cannot hold lone surrogates; the original (``raw``) and the names of
            # the export's files (``path``, a key) stay as they are.
            record = clean_value(found, keep=_KEEP)
            if isinstance(record, ImportedChat):
                self._chat(record)
            elif isinstance(record, ImportedMessage):
                self._message(record)
            elif isinstance(record, ImportProblem):
                self._problem(Finding(N_("{where}: {what}"), where=record.where, what=record.what))
        if self.summary.messages == 0 and not self.chats:
            # The parser's own reason (e.g. a chat without an id) says what to do about it.
            # (The parser's reason, in the reader's language; stored in English with the summary.)
            name = self.source.path.name
            if self.summary.problems:
                raise InvalidInput(
                    _("No messages were found in {name} ({why}). Nothing was imported.").format(
                        name=name, why=self.summary.problems[0].rstrip(".")
                    )
                )
            raise InvalidInput(
                _("No messages were found in {name}. Nothing was imported.").format(name=name)
            )
        self._find_missing()
        self._finish()
        return self.summary

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled(_(CANCELLED))

    def _already_imported(self) -> bool:
        row = self.conn.execute(
            "SELECT i.id FROM imports i JOIN items it ON it.id = i.source_item_id"
            " WHERE i.importer = ? AND i.source_sha256 = ? AND it.deleted_at IS NULL LIMIT 1",
            (self.importer, self.files.source_sha256),
        ).fetchone()
        if row is None:
            return False
        self.summary.import_id = str(row[0])
        return True

    # ------------------------------------------------------------------ records

    def _problem(self, text: str) -> None:
        self.summary.problem_count += 1
        if len(self.summary.problems) < MAX_PROBLEMS_KEPT:
            self.summary.problems.append(text)

    def _chat(self, chat: ImportedChat) -> None:
        self.chats[chat.key] = chat
        if chat.key not in self.chat_summaries:
            summary = ChatSummary(chat.key, chat.title, chat.platform)
            self.chat_summaries[chat.key] = summary
            self.summary.chats.append(summary)

    def _message(self, message: ImportedMessage) -> None:
        chat = self.chats.get(message.chat_key)
        if chat is None:
            chat = ImportedChat(message.chat_key, message.chat_key, self.row.platform_value)
            self._chat(chat)
        chat_summary = self.chat_summaries[chat.key]
        chat_summary.messages += 1
        summary = self.summary
        summary.messages += 1
        if self.progress is not None and summary.messages % 200 == 0:
            self.progress("reading", summary.messages, None)
        if message.kind == "service":
            summary.service_messages += 1
        summary.note_joined(message.details)
        seen = self.seen_keys.setdefault(chat.key, set())
        repeated = message.key in seen
        seen.add(message.key)
        utc = message.time.utc
        if utc is not None:
            first, last = self.chat_span.get(chat.key, (None, None))
            self.chat_span[chat.key] = (
                utc if first is None or utc < first else first,
                utc if last is None or utc > last else last,
            )
            if summary.first_time is None or utc < summary.first_time:
                summary.first_time = utc
            if summary.last_time is None or utc > summary.last_time:
                summary.last_time = utc
        else:
            summary.times_unknown += 1
        if message.time.source == TIME_FROM_DECLARED_ZONE:
            summary.times_declared_zone += 1
        if message.sender_name or message.sender_id:
            self.senders.add((message.sender_name, message.sender_id))
        for transformation in message.transformations:
            self.transformations[transformation] += 1

        self._store(chat, chat_summary, message, repeated)

    def _store(
        self,
        chat: ImportedChat,
        chat_summary: ChatSummary,
        message: ImportedMessage,
        repeated: bool,
    ) -> None:
        """Store one message (unless the vault holds it already, unchanged). The vault is asked
        for an earlier copy only where one can be: the chat was imported before, or this export
        holds the same message key twice (a first import of a chat skips the look-up)."""
        summary = self.summary
        data = raw_bytes(message.raw)
        if len(data) > MESSAGE_MAX_BYTES:
            self._problem(
                Finding(
                    N_("{where}, message {key}: too large; skipped"),
                    where=chat.title[:80],
                    key=message.key[:40],
                )
            )
            return
        if chat.key not in self.chat_known:
            self.chat_known[chat.key] = history.chat_imported_before(self.conn, chat)
        earlier = None
        if repeated or self.chat_known[chat.key]:
            self.committed.flush()  # an earlier copy may be waiting in this batch
            earlier = history.earlier_copy(self.conn, chat, message.key)
        parent_id: str | None = None
        if earlier is not None:
            if earlier[1] == hashlib.sha256(data).hexdigest():
                summary.messages_already += 1
                return
            parent_id = earlier[0]  # the same message, changed since (edited, reactions)
        self._insert_message(chat, message, data, parent_id)
        if parent_id is not None:
            summary.messages_changed += 1
        summary.messages_new += 1
        chat_summary.new += 1

    def _insert_message(
        self, chat: ImportedChat, message: ImportedMessage, data: bytes, parent_id: str | None
    ) -> None:
        committed = self.committed
        if message.media:
            committed.flush()  # media become items: the batch's rowids must be written first
        media_ids, missing_media = self.files.media(message, chat)
        sent = reported_time(message)
        cuts = Cuts()
        profile = str(message.details.get("sender_profile_url") or "")
        meta = Metadata(
            title=message_title(message),
            platform=chat.platform,
            source_url=cuts.bound("source_url", profile),
            sender_handle=cuts.bound("sender_handle", message.sender_name),
            sender_id=cuts.bound("sender_id", message.sender_id),
            occurred=sent[0],
            occurred_tz=sent[1],
            case=self.options.case,
            tags=self.options.tags,
            parent_id=parent_id,
        )
        fields = MessageFields(
            recipient=cuts.bound("recipient", ", ".join(message.recipients), RECIPIENTS_MAX),
            sent=sent[0],
            sent_tz=sent[1],
            thread=cuts.bound("thread", chat.title),
        )
        reported = None
        if sent[0] is not None:
            from vault.clock import parse_reported_time  # noqa: PLC0415

            reported = parse_reported_time(sent[0], sent[1])
        body = message.text
        if message.subject and message.subject not in body:
            body = f"{message.subject}\n{body}"
        # The sender is indexed with the item's fields (meta) already, unless it was cut there.
        sender = message.sender_name if message.sender_name != meta.sender_handle else ""
        search_extra = " ".join(
            part for part in (chat.title, message.forwarded_from, sender) if part
        )
        committed.add(
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
            meta=meta,
            media_type=raw_media_type(message.raw),
            message=(fields, reported),
            body=f"{body}\n{search_extra}",
            extra_details=import_details(self.import_id, self.importer, chat, message, cuts),
            import_fields=import_fields(chat, message, missing_media),
            attachments=media_ids,
        )

    # ------------------------------------------------------------------ the end

    def _find_missing(self) -> None:
        """Earlier-imported messages of these chats that this export no longer has."""
        if self._committed is not None:
            self._committed.flush()
        for chat_key, keys in self.seen_keys.items():
            span = self.chat_span.get(chat_key, (None, None))
            missing = history.find_missing(
                self.session, self.import_id, self.chats[chat_key], keys, span
            )
            self.chat_summaries[chat_key].missing += len(missing)
            self.summary.missing.extend(missing)

    def _finish(self) -> None:
        summary = self.summary
        commitment = self._committed.finish() if self._committed is not None else None
        summary.senders = len(self.senders)
        summary.transformations = dict(sorted(self.transformations.items()))
        self.conn.execute(
            "UPDATE imports SET summary = ? WHERE id = ?",
            (json.dumps(summary.to_json(), ensure_ascii=False, sort_keys=True), self.import_id),
        )
        self.session.event(
            IMPORT_COMPLETED,
            self.stamp,
            details={
                "import_id": self.import_id,
                "importer": self.importer,
                "importer_version": summary.importer_version,
                "program": PROGRAM,
                "source": {
                    "name": summary.source_name,
                    "kind": summary.source_kind,
                    "sha256": summary.source_sha256,
                    "item_id": summary.source_item_id,
                    "files": summary.export_files,
                },
                "settings": self.options.settings(),
                "counts": {
                    "chats": len(summary.chats),
                    "messages": summary.messages,
                    "new": summary.messages_new,
                    "already_in_vault": summary.messages_already,
                    "changed": summary.messages_changed,
                    "media_stored": summary.media_stored,
                    "media_missing": summary.media_missing,
                    "problems": summary.problem_count,
                    "missing_since_earlier_import": len(summary.missing),
                    "lines_joined": summary.lines_joined,
                },
                "lines_joined_at": summary.lines_joined_at,
                "time_range_utc": [summary.first_time, summary.last_time],
                "transformations": summary.transformations,
                "missing_item_ids": [m["item_id"] for m in summary.missing][:MAX_MISSING_IN_EVENT],
                # Format 2 (§7.7): every message this import kept, by its creation record's
                # line in the import statement, which this event's signature covers.
                **({"messages_committed": commitment} if commitment is not None else {}),
            },
            # Named for each item it added, so `evault log ID` and bundles of any imported item
            # carry the import's provenance (the event body stays small: ids are only indexed).
            related=[summary.source_item_id, *self.files.created],
        )
        seq, _hash, _time = custody.head(self.conn)
        if self._committed is not None and commitment is not None:
            self.conn.execute(
                "UPDATE imports SET format = ?, event_seq = ?, record_hashes = ? WHERE id = ?",
                (commitment["format"], seq, self._committed.record_hashes(), self.import_id),
            )
        else:
            self.conn.execute(
                "UPDATE imports SET event_seq = ? WHERE id = ?", (seq, self.import_id)
            )
