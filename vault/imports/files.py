"""The files of an import, stored as file items: the export itself (the ZIP or single file, or every
file of a folder with a SHA256SUMS-style listing that fingerprints it), and the media and
attachments of its messages.

Each file is stored once: a file the export holds is found by its name, and bytes the vault
already holds are found by their hash, so a picture sent twice is one item. Pictures get a
perceptual hash for finding re-posted copies.
"""

from __future__ import annotations

import functools
import io
import os
import threading
from collections.abc import Callable
from typing import Any

from vault.evidence import adding, intake
from vault.evidence.mediatype import sniff
from vault.evidence.models import Metadata
from vault.imports import registry
from vault.imports.bounds import Cuts
from vault.imports.options import ImportOptions, ImportProgress
from vault.imports.parsers.records import ImportedChat, ImportedMedia, ImportedMessage
from vault.imports.parsers.source import ExportSource
from vault.imports.summary import ImportSummary
from vault.media import similar
from vault.store.session import Session, translate

TEXT_SUFFIXES = (".json", ".txt", ".html", ".htm", ".css", ".js", ".eml", ".mbox", ".csv")


class ExportFiles:
    """Stores the files of one import (inside the caller's transaction) and remembers which item
    holds each file of the export."""

    def __init__(
        self,
        session: Session,
        row: registry.Importer,
        source: ExportSource,
        options: ImportOptions,
        summary: ImportSummary,
        *,
        progress: ImportProgress | None,
        cancel: threading.Event | None,
        check_cancel: Callable[[], None],
        stamp: str,
        import_id: str,
    ) -> None:
        self.session = session
        self.conn = session.conn
        self.row = row
        self.importer = row.name
        self.source = source
        self.options = options
        self.summary = summary
        self.progress = progress
        self.cancel = cancel
        self.check_cancel = check_cancel
        self.stamp = stamp
        self.import_id = import_id
        self.member_items: dict[str, str] = {}  # export member -> item id holding its bytes
        # Files this import added (export files, media, attachments: thousands at most); the
        # messages it added are found through import_messages, so memory does not grow with them.
        self.created: list[str] = []
        self.source_item_id = ""
        self.source_sha256 = ""

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

    def store_export(self) -> None:
        """Store the export unchanged: the file itself, or every file of the folder + a listing."""
        source = self.source
        if source.kind in ("zip", "file"):
            reader = source.open_export()  # the file first seen there, never a FIFO
            with reader:
                try:
                    total = os.fstat(reader.fileno()).st_size
                except OSError as exc:
                    raise translate(exc) from None
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
                self.check_cancel()
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

    def media(
        self, message: ImportedMessage, chat: ImportedChat
    ) -> tuple[list[str], list[dict[str, str]]]:
        """Store (or find) each attached file; note the ones the export only names."""
        ids: list[str] = []
        missing: list[dict[str, str]] = []
        carried = message.details.get("attachments")
        carried = carried if isinstance(carried, list) else []
        for index, media in enumerate(message.media):
            if media.path is None and _has_bytes(carried[index : index + 1]):
                continue  # an e-mail attachment: its bytes travel with the message, stored below
            if media.path is None or not self.source.exists(media.path):
                missing.append({"role": media.role, "name": media.name, "note": media.note})
                self.summary.media_missing += 1
                continue
            item_id = self.member_items.get(media.path)
            if item_id is None:
                item_id = self._store_member(media, message, chat)
                self.member_items[media.path] = item_id
            ids.append(item_id)
        attachments = message.details.get("attachments")
        if isinstance(attachments, list):
            for attachment in attachments:
                if not isinstance(attachment, dict) or not isinstance(
                    attachment.get("data"), bytes
                ):
                    continue
                ids.append(self._store_attachment(attachment, message, chat))
        return ids, missing

    def _media_meta(
        self, title: str, role: str, message: ImportedMessage, chat: ImportedChat, cuts: Cuts
    ) -> Metadata:
        """A media file's metadata; the fields the export's author chose are bounded (``cuts``),
        because they all go into the item's custody event."""
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
            title=cuts.bound("title", title),
            platform=chat.platform,
            sender_handle=cuts.bound("sender_handle", message.sender_name),
            sender_id=cuts.bound("sender_id", message.sender_id),
            case=self.options.case,
            tags=self.options.tags,
            sensitive=sensitive,
            parent_id=self.source_item_id if self.source.kind == "zip" else None,
        )

    def _store_member(
        self, media: ImportedMedia, message: ImportedMessage, chat: ImportedChat
    ) -> str:
        assert media.path is not None  # noqa: S101 - checked by the caller
        size = self.source.members[media.path].size
        cuts = Cuts()
        meta = self._media_meta(
            f"{media.role}: {media.name or media.path}", media.role, message, chat, cuts
        )
        with self.source.open(media.path) as reader:
            item_id, _sha = self._store_bytes(
                reader,
                size,
                meta,
                media.path,
                stage=None,
                extra={"import_role": "media", "export_path": media.path, **cuts.details()},
            )
        self.summary.media_stored += 1
        if size <= similar.HASH_MAX_BYTES:
            self._maybe_hash(
                item_id, lambda: self.source.read(media.path or "", similar.HASH_MAX_BYTES)
            )
        return item_id

    def _store_attachment(
        self, attachment: dict[str, Any], message: ImportedMessage, chat: ImportedChat
    ) -> str:
        data: bytes = attachment["data"]
        cuts = Cuts()
        # The name an e-mail gives its attachment is the sender's choice: bounded like the rest.
        name = cuts.bound("name", str(attachment.get("name") or "attachment"))
        item_id, _sha = self._store_bytes(
            io.BytesIO(data),
            len(data),
            self._media_meta(f"attachment: {name}", "attachment", message, chat, cuts),
            name,
            stage=None,
            extra={"import_role": "attachment", **cuts.details()},
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


def _has_bytes(attachments: list[Any]) -> bool:
    """The (one) attachment carries its decoded bytes (``details["attachments"]``, e-mail)."""
    return any(isinstance(a, dict) and isinstance(a.get("data"), bytes) for a in attachments)
