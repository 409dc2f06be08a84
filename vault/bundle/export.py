"""Writing an evidence bundle (docs/format.md §6) from an unlocked vault.

One streaming pass: each original is read chunk by chunk from the vault, hashed and written into the
ZIP; nothing is ever held whole in memory. The reading, the ZIP, and the file's hashing and writing
run on three threads a few blocks apart (``vault.bundle.handoff``). With encryption the ZIP bytes go
from memory straight into age on the writing thread, so no unencrypted copy touches the disk. The result is written owner-only under a hidden
partial name (``vault.host.outputs``). When it is complete, its start is recorded in the custody log
(``bundle.export_started``, with the file's SHA-256), then it is renamed into place, then the export
is recorded as complete (``bundle.exported``): a bundle never exists without a record.

What the ZIP holds, member by member, is written by ``vault.bundle.writer``; this module checks the
request, sends the bytes to the file or through age, and records the export.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from crypto import sshsig, transport
from crypto.errors import FormatError
from crypto.fingerprint import fingerprint
from vault.bundle import layout
from vault.bundle.handoff import Handoff
from vault.bundle.writer import Progress, Sink, Writer
from vault.custody import log as custody
from vault.errors import InvalidInput
from vault.evidence.items import resolve_id
from vault.host.outputs import Output, write_failed, write_new
from vault.i18n import LANGUAGES, _, language, ngettext, normalise_language
from vault.store import policy
from vault.store.session import Session, now_text, transaction, translate

MAX_RECIPIENTS = 20


@dataclass(frozen=True)
class ExportResult:
    """What was written, and what the defender tells the lawyer."""

    path: Path
    key_path: Path | None  # passphrase mode: the small file holding the wrapped age identity
    bundle_id: str
    sha256: str  # of the file at ``path``, as recorded in the custody log
    size: int
    items: int
    fingerprint: str
    ssh_fingerprint: str
    encryption: str  # "none" | "recipients" | "passphrase"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "key_path": str(self.key_path) if self.key_path else None,
            "bundle_id": self.bundle_id,
            "sha256": self.sha256,
            "size": self.size,
            "items": self.items,
            "fingerprint": self.fingerprint,
            "ssh_fingerprint": self.ssh_fingerprint,
            "encryption": self.encryption,
        }


def select_items(session: Session, ids: list[str], case: str | None, everything: bool) -> list[str]:
    """The ids of the live items named by id, in the case, or all of them; in the order they
    were added. (Only ids: the writer reads the items a few hundred at a time as it goes, so a
    bundle of many items does not hold them all in memory.)"""
    conn = session.conn
    chosen: dict[str, None] = {}
    for text in ids:
        chosen[resolve_id(conn, text)] = None
    if case is not None:
        row = conn.execute("SELECT id FROM cases WHERE name = ?", (case.strip(),)).fetchone()
        if row is None:
            raise InvalidInput(
                _("There is no case called '{case}'. 'evault list' shows cases.").format(
                    case=case[:60]
                )
            )
        for (item_id,) in conn.execute(
            "SELECT id FROM items WHERE case_id = ? AND deleted_at IS NULL", (row[0],)
        ).fetchall():
            chosen[str(item_id)] = None
    if everything:
        for (item_id,) in conn.execute("SELECT id FROM items WHERE deleted_at IS NULL").fetchall():
            chosen[str(item_id)] = None
    if not chosen:
        raise InvalidInput(_("Nothing to export: name items, a --case, or --all."))
    order = {str(r[0]): int(r[1]) for r in conn.execute("SELECT id, rowid FROM items").fetchall()}
    return sorted(chosen, key=lambda i: order.get(i, 0))


def document_languages(asked: Sequence[str] | None) -> list[str]:
    """The languages of a bundle's report.html and VERIFY.txt, in order, without repeats: those
    asked for (``az``, ``az_AZ.UTF-8``…), or the language evault speaks now."""
    if not asked:
        return [language()]
    chosen: list[str] = []
    for text in asked:
        lang = normalise_language(text)
        if lang is None:
            raise InvalidInput(
                _("evault cannot write a report in '{lang}'. Choose from: {choices}.").format(
                    lang=str(text)[:20], choices=", ".join(sorted(LANGUAGES))
                )
            )
        if lang not in chosen:
            chosen.append(lang)
    return chosen


class _CountingWriter:
    """Counts and hashes what is written to the bundle file: its size and SHA-256 go into the
    custody record. Used on the thread that writes the file (``vault.bundle.handoff``)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def hexdigest(self) -> str:
        return self.digest.hexdigest()

    def flush(self) -> None:
        self.raw.flush()


def export_bundle(
    session: Session,
    public_key: bytes,
    lock: threading.RLock,
    out: Path,
    *,
    item_ids: list[str],
    case: str | None,
    note: str | None,
    recipients: list[str],
    passphrase: str | None,
    progress: Progress | None,
    cancel: threading.Event | None,
    now: datetime | None,
    include_sensitive_text: bool = False,
    languages: Sequence[str] | None = None,
) -> ExportResult:
    out = Path(out)
    report_languages = document_languages(languages)
    if recipients and passphrase:
        raise InvalidInput(_("Encrypt either to recipients or with a passphrase, not both."))
    if passphrase is not None:
        policy.check_passphrase(passphrase)  # the rule the vault's own passphrase follows
    if len(recipients) > MAX_RECIPIENTS:
        raise InvalidInput(
            ngettext(
                "A bundle can be encrypted to at most {n} recipient.",
                "A bundle can be encrypted to at most {n} recipients.",
                MAX_RECIPIENTS,
            ).format(n=MAX_RECIPIENTS)
        )
    if len(item_ids) > layout.MAX_ITEMS:
        # Each item is up to three members (original, readable text, creation record); verify
        # refuses a ZIP of more than layout.MAX_MEMBERS, so such a bundle could not be checked.
        raise InvalidInput(
            _(
                "One bundle can hold at most {limit} items and these are {count}. Export a case "
                "or a part of the items at a time. Nothing was written."
            ).format(limit=f"{layout.MAX_ITEMS:,}", count=f"{len(item_ids):,}")
        )
    for recipient in recipients:
        try:
            transport.parse_recipient(recipient)
        except FormatError as exc:
            raise InvalidInput(str(exc)) from None
    key_path = out.with_name(out.name + ".key.age") if passphrase else None
    for target in (out, key_path):
        if target is not None and target.exists():
            raise InvalidInput(_("{name} already exists. Choose another name.").format(name=target))
    if not out.parent.is_dir():
        raise InvalidInput(_("The folder {folder} does not exist.").format(folder=out.parent))

    stamp = now_text(now)
    bundle_id = str(uuid.uuid4())
    age_recipients = list(recipients)
    wrapped_identity: bytes | None = None
    if passphrase:
        identity, recipient = transport.new_identity()
        age_recipients = [recipient]
        wrapped_identity = transport.wrap_identity(identity, passphrase)
    encryption = "passphrase" if passphrase else ("recipients" if recipients else "none")

    writer = Writer(
        session,
        public_key,
        lock,
        item_ids,
        progress,
        cancel,
        include_sensitive_text=include_sensitive_text,
        languages=report_languages,
    )
    writer.file_name = out.name.removesuffix(".age")
    details: dict[str, Any] = {"bundle_id": bundle_id, "file_name": out.name}
    try:
        with Output(out, write_back=True) as bundle:
            counter = _CountingWriter(bundle.file)
            _write_on_a_second_thread(
                lambda zip_sink: writer.write_zip(zip_sink, bundle_id, stamp, case, note),
                counter,
                age_recipients,
            )
            bundle.file.flush()
            os.fsync(bundle.file.fileno())
            details |= {"bundle_sha256": counter.hexdigest(), "bundle_size": counter.size}
            if key_path is not None and wrapped_identity is not None:
                write_new(key_path, wrapped_identity)
            # Recorded before the bundle gets its name: a kill after the rename must never leave
            # a bundle the custody log does not know about ('evault check' notes an export that
            # started and never completed).
            _record(session, lock, custody.BUNDLE_EXPORT_STARTED, stamp, details, item_ids)
            bundle.publish()
    except BaseException as exc:
        if key_path is not None and not out.exists():
            with contextlib.suppress(OSError):
                key_path.unlink()
        if isinstance(exc, OSError):
            raise write_failed(out, exc) from None
        raise translate(exc) from None

    result = ExportResult(
        path=out,
        key_path=key_path,
        bundle_id=bundle_id,
        sha256=counter.hexdigest(),
        size=counter.size,
        items=len(item_ids),
        fingerprint=fingerprint(public_key),
        ssh_fingerprint=sshsig.ssh_fingerprint(public_key),
        encryption=encryption,
    )
    try:
        details |= {
            "encryption": encryption,
            "recipients": list(recipients),
            # The manifest lists every item with its SHA-256; naming it here keeps this event
            # small however many items a bundle holds.
            "item_count": len(item_ids),
            "manifest_sha256": writer.sums[layout.MANIFEST],
            # Whether report.html prints the texts of messages and notes marked sensitive.
            "include_sensitive_text": include_sensitive_text,
        }
        _record(session, lock, custody.BUNDLE_EXPORTED, stamp, details, item_ids, reason=note)
    except BaseException:
        # Not recorded as complete: remove it (its start stays in the log, which 'check' notes).
        for path in (out, key_path):
            if path is not None:
                with contextlib.suppress(OSError):
                    path.unlink()
        raise
    return result


def _record(
    session: Session,
    lock: threading.RLock,
    event_type: str,
    stamp: str,
    details: dict[str, Any],
    item_ids: list[str],
    *,
    reason: str | None = None,
) -> None:
    """One export event in its own transaction, indexed under every exported item."""
    with lock, transaction(session.conn):
        session.event(
            event_type, stamp, reason=reason, details=dict(details), related=list(item_ids)
        )


def _write_on_a_second_thread(
    produce: Callable[[Sink], None], sink: _CountingWriter, recipients: list[str]
) -> None:
    """Run ``produce`` writing the ZIP while a second thread hashes and writes its bytes to
    ``sink``, or, with ``recipients``, encrypts them with age into it (``vault.bundle.handoff``).

    Two cores then share the work: this thread reads, hashes and CRCs the originals; the other
    hashes and writes the file, after encrypting it. The ZIP bytes only ever pass through memory,
    a few blocks at a time. Whichever side fails first stops the other, and its own exception is
    raised here; the caller translates it and removes the partial file.
    """

    def consume(source: Handoff) -> None:
        if recipients:
            transport.encrypt_stream(source, sink, recipients)  # type: ignore[arg-type]
            return
        while block := source.read():
            sink.write(block)

    handoff = Handoff(consume, "evault-age-encrypt" if recipients else "evault-export-write")
    try:
        produce(handoff)
        handoff.finish()
    except BaseException:
        handoff.abort()
        raise
