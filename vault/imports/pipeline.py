"""Importing a platform export into the vault, in one transaction, with its provenance kept.

The order of work follows the Berkeley Protocol's idea of provenance: first the export itself is
stored unchanged (the ZIP or single file as one item; a folder as every one of its files plus a
SHA256SUMS-style listing that fingerprints the whole folder), then each message becomes a message
item whose original is the message exactly as exported, with media linked to it, and last one
signed ``import.completed`` event records the importer, its version, the declared time zone and
settings, and what was found. Any error or a cancel rolls everything back: nothing is
half-imported.

Re-importing the same export adds nothing (its fingerprint is known). A later export of the same
chat adds only what is new or changed, and lists the earlier messages it no longer contains (in the
time span it covers): messages deleted since, which are evidence too.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from vault.errors import Cancelled, InvalidInput
from vault.evidence import adding, intake
from vault.evidence.mediatype import sniff
from vault.evidence.models import MessageFields, Metadata
from vault.imports import registry
from vault.imports.options import ImportOptions, ImportProgress
from vault.imports.parsers.records import (
    TIME_FROM_DECLARED_ZONE,
    ImportedChat,
    ImportedMedia,
    ImportedMessage,
    ImportProblem,
)
from vault.imports.parsers.source import ExportSource
from vault.imports.summary import ChatSummary, ImportSummary
from vault.media import similar
from vault.store import db
from vault.store.session import Session, now_text, rollback, translate
from vault.version import PROGRAM

IMPORT_COMPLETED = "import.completed"
IMPORT_CACHE_KIB = 48 * 1024  # three times the usual page cache (store.db.CACHE_KIB)
MAX_PROBLEMS_KEPT = 500
MAX_MISSING_IN_EVENT = 200
MESSAGE_MAX_BYTES = 256 * 1024 * 1024
TEXT_SUFFIXES = (".json", ".txt", ".html", ".htm", ".css", ".js", ".eml", ".mbox", ".csv")
CANCELLED = "The import was stopped. Nothing from it was kept."


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
    with ExportSource(path) as source:
        if not parser.detect(source):
            raise InvalidInput(
                f"{path.name} does not look like a {row.platform} export. "
                "Check that you chose the right file or folder and the right kind of import."
            )
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
        self.member_items: dict[str, str] = {}  # export member -> item id holding its bytes
        # Files this import added (export files, media, attachments: thousands at most); the
        # messages it added are found through import_messages, so memory does not grow with them.
        self.created: list[str] = []
        self.chats: dict[str, ImportedChat] = {}
        self.chat_summaries: dict[str, ChatSummary] = {}
        self.seen_keys: dict[str, set[str]] = {}
        self.chat_span: dict[str, tuple[str | None, str | None]] = {}
        self.senders: set[tuple[str, str]] = set()
        self.transformations: Counter[str] = Counter()
        self.source_item_id = ""
        self.source_sha256 = ""

    # ------------------------------------------------------------------ provenance

    def execute(self) -> ImportSummary:
        self._store_export()
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
                self.source_sha256,
                self.source_item_id,
                json.dumps(self.options.settings(), ensure_ascii=False, sort_keys=True),
                self.stamp,
            ),
        )
        parse_options = {name: getattr(self.options, name) for name in self.row.options}
        records = self.parser.parse(self.source, timezone=self.options.timezone, **parse_options)
        for record in records:
            self._check_cancel()
            if isinstance(record, ImportedChat):
                self._chat(record)
            elif isinstance(record, ImportedMessage):
                self._message(record)
            elif isinstance(record, ImportProblem):
                self._problem(f"{record.where}: {record.what}")
        if self.summary.messages == 0 and not self.chats:
            raise InvalidInput(
                f"No messages were found in {self.source.path.name}. Nothing was imported."
            )
        self._find_missing()
        self._finish()
        return self.summary

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled(CANCELLED)

    def _label(self) -> str:
        return f"{self.row.platform} export"

    def _export_meta(self, title: str, name: str = "") -> Metadata:
        # A folder's pictures and videos may be the leaked images themselves: hidden by default.
        media = bool(name) and not name.lower().endswith(TEXT_SUFFIXES)
        return Metadata(
            title=title,
            platform=self.row.platform_value,
            case=self.options.case,
            tags=tuple(dict.fromkeys((*self.options.tags, "export"))),
            sensitive=media and self.options.sensitive_media,
        )

    def _store_export(self) -> None:
        """Store the export unchanged: the file itself, or every file of the folder + a listing."""
        source = self.source
        if source.kind in ("zip", "file"):
            try:
                reader = source.path.open("rb")
            except OSError as exc:
                raise translate(exc) from None
            with reader:
                total = source.path.stat().st_size
                item_id, sha256 = self._store_bytes(
                    reader,
                    total,
                    self._export_meta(f"{self._label()}: {source.path.name}"),
                    source.path.name,
                    stage="storing",
                    extra={"import_role": "export"},
                )
            self.source_item_id, self.source_sha256 = item_id, sha256
            if source.kind == "file":
                self.member_items[source.names()[0]] = item_id
            self.summary.export_files = 1
        else:
            listing_lines = []
            total = sum(m.size for m in source.iter_members())
            done = 0
            for member in source.iter_members():
                self._check_cancel()
                base = done

                def step(count: int, _total: int | None, base: int = base) -> None:
                    if self.progress is not None:
                        self.progress("storing", base + count, total)

                with source.open(member.name) as member_reader:
                    item_id, sha256 = self._store_bytes(
                        member_reader,
                        member.size,
                        self._export_meta(f"{self._label()} file: {member.name}", member.name),
                        member.name,
                        stage=None,
                        step=step,
                        extra={"import_role": "export file", "export_path": member.name},
                    )
                done += member.size
                self.member_items[member.name] = item_id
                if member.size <= similar.HASH_MAX_BYTES:
                    self._maybe_hash(
                        item_id, functools.partial(source.read, member.name, similar.HASH_MAX_BYTES)
                    )
                listing_lines.append(f"{sha256}  {member.name}\n")
            listing = "".join(listing_lines).encode("utf-8")
            item_id, sha256 = self._store_bytes(
                io.BytesIO(listing),
                len(listing),
                self._export_meta(
                    f"{self._label()} (folder {source.path.name}): SHA256SUMS of its "
                    f"{len(listing_lines)} files"
                ),
                "SHA256SUMS",
                stage=None,
                media_type="text/plain; charset=utf-8",
                extra={"import_role": "export listing", "export_files": len(listing_lines)},
            )
            self.source_item_id, self.source_sha256 = item_id, sha256
            self.summary.export_files = len(listing_lines)
        self.summary.source_sha256 = self.source_sha256
        self.summary.source_item_id = self.source_item_id

    def _already_imported(self) -> bool:
        row = self.conn.execute(
            "SELECT i.id FROM imports i JOIN items it ON it.id = i.source_item_id"
            " WHERE i.importer = ? AND i.source_sha256 = ? AND it.deleted_at IS NULL LIMIT 1",
            (self.importer, self.source_sha256),
        ).fetchone()
        if row is None:
            return False
        self.summary.import_id = str(row[0])
        return True

    def _store_bytes(
        self,
        reader: Any,
        size: int,
        meta: Metadata,
        name: str,
        *,
        stage: str | None,
        step: intake.Progress | None = None,
        media_type: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> tuple[str, str]:
        """Store bytes as a file item (or find the item that already holds them)."""

        def report(done: int, total: int | None) -> None:
            if stage is not None and self.progress is not None:
                self.progress(stage, done, total)

        stored = intake.store_stream(
            self.conn, reader, total=size, progress=step or report, cancel=self.cancel
        )
        if stored.existing:
            holder = adding.find_duplicate(self.session, stored.sha256, "file", meta)
            if holder is not None:
                return holder, stored.sha256
        item_id = adding.insert_item(
            self.session,
            kind="file",
            stored=stored,
            meta=meta,
            media_type=media_type or sniff(stored.head, name),
            original_filename=name.rsplit("/", 1)[-1],
            stamp=self.stamp,
            body="",
            source="import",
            extra_details={"import_id": self.import_id, "importer": self.importer, **(extra or {})},
        )
        self.created.append(item_id)
        return item_id, stored.sha256

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
        self.seen_keys.setdefault(chat.key, set()).add(message.key)
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

        data = _raw_bytes(message.raw)
        if len(data) > MESSAGE_MAX_BYTES:
            self._problem(f"{chat.title}, message {message.key[:40]}: too large; skipped")
            return
        sha256 = hashlib.sha256(data).hexdigest()
        earlier = self.conn.execute(
            "SELECT m.item_id, i.sha256 FROM import_messages m JOIN items i ON i.id = m.item_id"
            " WHERE m.platform = ? AND m.chat_key = ? AND m.message_key = ?"
            " AND i.deleted_at IS NULL ORDER BY i.rowid DESC LIMIT 1",
            (chat.platform, chat.key, message.key),
        ).fetchone()
        parent_id: str | None = None
        if earlier is not None:
            if str(earlier[1]) == sha256:
                summary.messages_already += 1
                return
            parent_id = str(earlier[0])  # the same message, changed since (edited, reactions)
            summary.messages_changed += 1
        summary.messages_new += 1
        chat_summary.new += 1
        self._insert_message(chat, message, data, parent_id)

    def _insert_message(
        self, chat: ImportedChat, message: ImportedMessage, data: bytes, parent_id: str | None
    ) -> None:
        media_ids, missing_media = self._media(message)
        sent = _reported(message)
        profile = str(message.details.get("sender_profile_url") or "")
        meta = Metadata(
            title=_title(message),
            platform=chat.platform,
            source_url=profile,
            sender_handle=message.sender_name,
            sender_id=message.sender_id,
            occurred=sent[0],
            occurred_tz=sent[1],
            case=self.options.case,
            tags=self.options.tags,
            parent_id=parent_id,
        )
        fields = MessageFields(
            recipient=", ".join(message.recipients),
            sent=sent[0],
            sent_tz=sent[1],
            thread=chat.title,
        )
        reported = None
        if sent[0] is not None:
            from vault.clock import parse_reported_time  # noqa: PLC0415

            reported = parse_reported_time(sent[0], sent[1])
        stored = intake.store_stream(self.conn, io.BytesIO(data), total=len(data))
        body = message.text
        if message.subject and message.subject not in body:
            body = f"{message.subject}\n{body}"
        search_extra = " ".join(
            part for part in (chat.title, message.forwarded_from, message.sender_name) if part
        )
        item_id = adding.insert_item(
            self.session,
            kind="message",
            stored=stored,
            meta=meta,
            media_type=_raw_media_type(message.raw),
            original_filename="",
            stamp=self.stamp,
            body=f"{body}\n{search_extra}",
            source="import",
            message=(fields, reported),
            extra_details={
                "import_id": self.import_id,
                "importer": self.importer,
                "chat": chat.key,
                "message_key": message.key,
                "time_raw": message.time.raw,
                "time_source": message.time.source,
                **(
                    {"transformations": list(message.transformations)}
                    if message.transformations
                    else {}
                ),
            },
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO message_attachments (message_id, item_id) VALUES (?, ?)",
            [(item_id, media_id) for media_id in media_ids],
        )
        self.conn.execute(
            "INSERT INTO import_messages (item_id, import_id, platform, chat_key, chat_title,"
            " message_key, sender_name, sender_id, time_raw, time_utc, time_source, time_zone,"
            " kind, reply_to, forwarded_from, edited_raw, missing_media, transformations, details)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item_id,
                self.import_id,
                chat.platform,
                chat.key,
                chat.title,
                message.key,
                message.sender_name,
                message.sender_id,
                message.time.raw,
                message.time.utc,
                message.time.source,
                message.time.zone,
                message.kind,
                message.reply_to,
                message.forwarded_from,
                message.edited.raw if message.edited is not None else None,
                json.dumps(missing_media, ensure_ascii=False),
                json.dumps(list(message.transformations), ensure_ascii=False),
                _details_json(message.details),
            ),
        )

    def _media(self, message: ImportedMessage) -> tuple[list[str], list[dict[str, str]]]:
        """Store (or find) each attached file; note the ones the export only names."""
        ids: list[str] = []
        missing: list[dict[str, str]] = []
        for media in message.media:
            if media.path is None or not self.source.exists(media.path):
                missing.append({"role": media.role, "name": media.name, "note": media.note})
                self.summary.media_missing += 1
                continue
            item_id = self.member_items.get(media.path)
            if item_id is None:
                item_id = self._store_member(media, message)
                self.member_items[media.path] = item_id
            ids.append(item_id)
        attachments = message.details.get("attachments")
        if isinstance(attachments, list):
            for attachment in attachments:
                if not isinstance(attachment, dict) or not isinstance(
                    attachment.get("data"), bytes
                ):
                    continue
                ids.append(self._store_attachment(attachment, message))
        return ids, missing

    def _media_meta(self, title: str, role: str, message: ImportedMessage) -> Metadata:
        chat = self.chats.get(message.chat_key)
        sensitive = self.options.sensitive_media and role in (
            "photo",
            "video",
            "gif",
            "sticker",
            "attachment",
            "file",
            "video_message",
        )
        return Metadata(
            title=title,
            platform=chat.platform if chat else "",
            sender_handle=message.sender_name,
            sender_id=message.sender_id,
            case=self.options.case,
            tags=self.options.tags,
            sensitive=sensitive,
            parent_id=self.source_item_id if self.source.kind == "zip" else None,
        )

    def _store_member(self, media: ImportedMedia, message: ImportedMessage) -> str:
        assert media.path is not None  # noqa: S101 - checked by the caller
        size = self.source.members[media.path].size
        with self.source.open(media.path) as reader:
            item_id, _sha = self._store_bytes(
                reader,
                size,
                self._media_meta(f"{media.role}: {media.name or media.path}", media.role, message),
                media.path,
                stage=None,
                extra={"import_role": "media", "export_path": media.path},
            )
        self.summary.media_stored += 1
        if size <= similar.HASH_MAX_BYTES:
            self._maybe_hash(
                item_id, lambda: self.source.read(media.path or "", similar.HASH_MAX_BYTES)
            )
        return item_id

    def _store_attachment(self, attachment: dict[str, Any], message: ImportedMessage) -> str:
        data: bytes = attachment["data"]
        name = str(attachment.get("name") or "attachment")
        item_id, _sha = self._store_bytes(
            io.BytesIO(data),
            len(data),
            self._media_meta(f"attachment: {name}", "attachment", message),
            name,
            stage=None,
            extra={"import_role": "attachment"},
        )
        self.summary.media_stored += 1
        self._maybe_hash(item_id, lambda: data)
        return item_id

    def _maybe_hash(self, item_id: str, load: Callable[[], bytes]) -> None:
        row = self.conn.execute(
            "SELECT i.media_type, p.hash FROM items i LEFT JOIN perceptual_hashes p"
            " ON p.item_id = i.id WHERE i.id = ?",
            (item_id,),
        ).fetchone()
        if row is None or row[1] is not None or not str(row[0]).startswith("image/"):
            return
        similar.save_hash(self.conn, item_id, load())

    # ------------------------------------------------------------------ the end

    def _find_missing(self) -> None:
        """Earlier-imported messages of these chats that this export no longer has."""
        for chat_key, keys in self.seen_keys.items():
            chat = self.chats[chat_key]
            first, last = self.chat_span.get(chat_key, (None, None))
            rows = self.conn.execute(
                "SELECT m.item_id, m.message_key, m.time_utc, m.sender_name FROM import_messages m"
                " JOIN items i ON i.id = m.item_id"
                " WHERE m.platform = ? AND m.chat_key = ? AND m.import_id != ?"
                " AND i.deleted_at IS NULL ORDER BY m.time_utc",
                (chat.platform, chat_key, self.import_id),
            ).fetchall()
            reported: set[str] = set()
            for item_id, key, time_utc, sender in rows:
                if key in keys or key in reported:
                    continue
                outside = (
                    time_utc is not None
                    and first is not None
                    and last is not None
                    and not first <= time_utc <= last
                )
                if outside:
                    continue  # outside the span this export covers: not evidence of deletion
                reported.add(key)
                self.chat_summaries[chat_key].missing += 1
                self.summary.missing.append(
                    {
                        "chat": chat.title,
                        "item_id": str(item_id),
                        "time": str(time_utc or ""),
                        "sender": str(sender),
                    }
                )

    def _finish(self) -> None:
        summary = self.summary
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
                },
                "time_range_utc": [summary.first_time, summary.last_time],
                "transformations": summary.transformations,
                "missing_item_ids": [m["item_id"] for m in summary.missing][:MAX_MISSING_IN_EVENT],
            },
            # Named for each item it added, so `evault log ID` and bundles of any imported item
            # carry the import's provenance (the event body stays small: ids are only indexed).
            related=[summary.source_item_id, *self.created],
        )
        seq = self.conn.execute("SELECT max(seq) FROM custody").fetchone()[0]
        self.conn.execute(
            "INSERT OR IGNORE INTO custody_items (item_id, seq)"
            " SELECT item_id, ? FROM import_messages WHERE import_id = ?",
            (seq, self.import_id),
        )


# ---------------------------------------------------------------------- helpers


def _json_default(value: object) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(type(value).__name__)


def _details_json(details: dict[str, Any]) -> str:
    """What the parser read beside the text (headers, reactions, ...); attachment bytes are items."""
    kept = {k: v for k, v in details.items() if k != "attachments"}
    attachments = details.get("attachments")
    if isinstance(attachments, list):
        kept["attachments"] = [
            {k: v for k, v in a.items() if k != "data"} for a in attachments if isinstance(a, dict)
        ]
    return json.dumps(kept, ensure_ascii=False, default=_json_default, sort_keys=True)


def _raw_bytes(raw: Any) -> bytes:
    """The message's original as stored: bytes as they were, text as UTF-8, JSON re-serialised
    (the export file itself is kept byte for byte as the provenance item)."""
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        return raw.encode("utf-8")
    return json.dumps(raw, ensure_ascii=False, default=_json_default).encode("utf-8")


def _raw_media_type(raw: Any) -> str:
    if isinstance(raw, bytes):
        return "message/rfc822"
    if isinstance(raw, str):
        return "text/plain; charset=utf-8"
    return "application/json"


def _title(message: ImportedMessage) -> str:
    if message.subject:
        text = message.subject
    else:
        text = next((line.strip() for line in message.text.splitlines() if line.strip()), "")
    if not text:
        roles = [m.role for m in message.media]
        text = f"[{', '.join(roles)}]" if roles else f"[{message.kind}]"
    return text if len(text) <= 80 else text[:79] + "…"


def _reported(message: ImportedMessage) -> tuple[str | None, str | None]:
    """(time text, zone) for the item's "happened" fields: the local time in the declared zone
    when the export gave a local time, else the UTC instant; (None, None) when unknown."""
    time = message.time
    if time.utc is None:
        return None, None
    moment = datetime.strptime(time.utc, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    if time.source == TIME_FROM_DECLARED_ZONE and time.zone:
        local = moment.astimezone(ZoneInfo(time.zone)).replace(tzinfo=None)
        return local.isoformat(), time.zone
    return moment.isoformat().replace("+00:00", "Z"), None


def iter_imports(session: Session) -> Iterator[dict[str, Any]]:
    """Every import, newest first, with its stored summary."""
    rows = session.conn.execute(
        "SELECT id, importer, importer_version, source_name, source_kind, source_sha256,"
        " source_item_id, settings, summary, created FROM imports ORDER BY created DESC, rowid DESC"
    ).fetchall()
    for row in rows:
        yield {
            "id": row[0],
            "importer": row[1],
            "importer_version": row[2],
            "source_name": row[3],
            "source_kind": row[4],
            "source_sha256": row[5],
            "source_item_id": row[6],
            "settings": json.loads(row[7]),
            "summary": json.loads(row[8]),
            "created": row[9],
        }
