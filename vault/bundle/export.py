"""Writing an evidence bundle (docs/format.md §6) from an unlocked vault.

One streaming pass: each original is read chunk by chunk from the vault, hashed and written into the
ZIP; nothing is ever held whole in memory. With encryption the ZIP bytes go straight through a pipe
into age, so no unencrypted copy touches the disk. The result is written under a temporary name and
renamed only when complete; the export is then recorded in the custody log.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

if sys.platform != "win32":
    import fcntl

from crypto import minisign, sshsig, transport
from crypto.canonical import canonical_json
from crypto.custody import SignedEvent
from crypto.errors import FormatError
from crypto.identity import fingerprint
from crypto.sums import format_sums
from vault.bundle import documents, layout
from vault.custody import log as custody
from vault.errors import Cancelled, EvaultError, InvalidInput
from vault.evidence import intake
from vault.evidence.items import load_item, metadata_snapshot, resolve_id
from vault.evidence.models import Item
from vault.store.fsutil import fsync_dir
from vault.store.session import Session, now_text, transaction, translate
from vault.version import PROGRAM

STOPPED = "Stopped. No bundle was written."
MAX_RECIPIENTS = 20
PIPE_BYTES = 1024 * 1024
Progress = Callable[[int, int | None], None]


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


def select_items(
    session: Session, ids: list[str], case: str | None, everything: bool
) -> list[Item]:
    """The live items named by id, in the case, or all of them; in the order they were added."""
    conn = session.conn
    chosen: dict[str, None] = {}
    for text in ids:
        chosen[resolve_id(conn, text)] = None
    if case is not None:
        row = conn.execute("SELECT id FROM cases WHERE name = ?", (case.strip(),)).fetchone()
        if row is None:
            raise InvalidInput(f"There is no case called '{case[:60]}'. 'evault list' shows cases.")
        for (item_id,) in conn.execute(
            "SELECT id FROM items WHERE case_id = ? AND deleted_at IS NULL", (row[0],)
        ).fetchall():
            chosen[str(item_id)] = None
    if everything:
        for (item_id,) in conn.execute("SELECT id FROM items WHERE deleted_at IS NULL").fetchall():
            chosen[str(item_id)] = None
    if not chosen:
        raise InvalidInput("Nothing to export: name items, a --case, or --all.")
    order = {str(r[0]): int(r[1]) for r in conn.execute("SELECT id, rowid FROM items").fetchall()}
    return [load_item(conn, i) for i in sorted(chosen, key=lambda i: order.get(i, 0))]


class Sink(Protocol):
    """Where ZIP bytes go: a write-only stream."""

    def write(self, data: bytes, /) -> int: ...

    def flush(self) -> None: ...


class _CountingWriter:
    """A write-only, non-seekable stream that hashes and counts what passes through."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()

    def tell(self) -> int:
        raise OSError("not seekable")  # makes zipfile stream (data descriptors), never seek

    def seekable(self) -> bool:
        return False


def export_bundle(
    session: Session,
    public_key: bytes,
    lock: threading.RLock,
    out: Path,
    *,
    items: list[Item],
    case: str | None,
    note: str | None,
    recipients: list[str],
    passphrase: str | None,
    progress: Progress | None,
    cancel: threading.Event | None,
    now: datetime | None,
) -> ExportResult:
    out = Path(out)
    if recipients and passphrase:
        raise InvalidInput("Encrypt either to recipients or with a passphrase, not both.")
    if len(recipients) > MAX_RECIPIENTS:
        raise InvalidInput(f"A bundle can be encrypted to at most {MAX_RECIPIENTS} recipients.")
    for recipient in recipients:
        try:
            transport.parse_recipient(recipient)
        except FormatError as exc:
            raise InvalidInput(str(exc)) from None
    key_path = out.with_name(out.name + ".key.age") if passphrase else None
    for target in (out, key_path):
        if target is not None and target.exists():
            raise InvalidInput(f"{target} already exists. Choose another name.")
    if not out.parent.is_dir():
        raise InvalidInput(f"The folder {out.parent} does not exist.")

    stamp = now_text(now)
    bundle_id = str(uuid.uuid4())
    age_recipients = list(recipients)
    wrapped_identity: bytes | None = None
    if passphrase:
        identity, recipient = transport.new_identity()
        age_recipients = [recipient]
        wrapped_identity = transport.wrap_identity(identity, passphrase)
    encryption = "passphrase" if passphrase else ("recipients" if recipients else "none")

    tmp = out.with_name(f".{out.name}.evault-partial")
    try:
        with open(tmp, "xb") as raw:
            counter = _CountingWriter(raw)
            writer = _Writer(session, public_key, lock, items, progress, cancel)
            writer.file_name = out.name.removesuffix(".age")
            if age_recipients:
                _encrypt_through_pipe(
                    lambda sink: writer.write_zip(sink, bundle_id, stamp, case, note),
                    counter,
                    age_recipients,
                )
            else:
                writer.write_zip(counter, bundle_id, stamp, case, note)
            raw.flush()
            os.fsync(raw.fileno())
        if key_path is not None and wrapped_identity is not None:
            _write_new(key_path, wrapped_identity)
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if key_path is not None and not out.exists():
            with contextlib.suppress(OSError):
                key_path.unlink()
        raise translate(exc) from None

    result = ExportResult(
        path=out,
        key_path=key_path,
        bundle_id=bundle_id,
        sha256=counter.digest.hexdigest(),
        size=counter.size,
        items=len(items),
        fingerprint=fingerprint(public_key),
        ssh_fingerprint=sshsig.ssh_fingerprint(public_key),
        encryption=encryption,
    )
    try:
        with lock, transaction(session.conn):
            session.event(
                custody.BUNDLE_EXPORTED,
                stamp,
                reason=note,
                details={
                    "bundle_id": bundle_id,
                    "file_name": out.name,
                    "bundle_sha256": result.sha256,
                    "bundle_size": result.size,
                    "encryption": encryption,
                    "recipients": list(recipients),
                    # The manifest lists every item with its SHA-256; naming it here keeps this
                    # event small however many items a bundle holds.
                    "item_count": len(items),
                    "manifest_sha256": writer.sums[layout.MANIFEST],
                },
                related=[i.id for i in items],
            )
    except BaseException:
        # A bundle the custody log does not know about must not exist.
        for path in (out, key_path):
            if path is not None:
                with contextlib.suppress(OSError):
                    path.unlink()
        raise
    return result


def _write_new(path: Path, data: bytes) -> None:
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _encrypt_through_pipe(
    produce: Callable[[Sink], None], sink: _CountingWriter, recipients: list[str]
) -> None:
    """Run ``produce`` writing into a pipe while age encrypts from the pipe into ``sink``."""
    read_fd, write_fd = os.pipe()
    failure: list[BaseException] = []

    if sys.platform == "linux":  # a bigger pipe: far fewer switches between the two threads
        with contextlib.suppress(OSError):
            fcntl.fcntl(write_fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)

    def encrypt() -> None:
        try:
            with os.fdopen(read_fd, "rb", buffering=PIPE_BYTES) as reader:
                transport.encrypt_stream(reader, sink, recipients)  # type: ignore[arg-type]
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=encrypt, name="evault-age-encrypt", daemon=True)
    thread.start()
    try:
        with os.fdopen(write_fd, "wb", buffering=PIPE_BYTES) as pipe:
            produce(_Unseekable(pipe))
    except BrokenPipeError:
        pass  # the encrypting side stopped; its error is raised below
    finally:
        thread.join()
    if failure:
        raise failure[0]


class _Unseekable:
    """Wraps the pipe so zipfile streams into it."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw

    def write(self, data: bytes) -> int:
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()

    def tell(self) -> int:
        raise OSError("not seekable")

    def seekable(self) -> bool:
        return False


class _Writer:
    """Writes the members in order: evidence, manifest, custody, documents, keys, sums, signatures."""

    def __init__(
        self,
        session: Session,
        public_key: bytes,
        lock: threading.RLock,
        items: list[Item],
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> None:
        self.session = session
        self.public_key = public_key
        self.lock = lock
        self.items = items
        self.progress = progress
        self.cancel = cancel
        self.sums: dict[str, str] = {}
        self.file_name = "bundle.zip"
        self.done = 0
        self.total = sum(i.size for i in items)
        self.when = time.gmtime()[:6]

    def write_zip(
        self, sink: Sink, bundle_id: str, stamp: str, case: str | None, note: str | None
    ) -> None:
        archive = zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED, allowZip64=True)  # type: ignore[call-overload]
        with archive as zf:
            entries = [self._write_item(zf, n, item) for n, item in enumerate(self.items, 1)]
            with self.lock:
                events = self._events()
                head_seq, head_hash, _ = custody.head(self.session.conn)
            manifest = {
                "format": layout.FORMAT,
                "version": layout.VERSION,
                "bundle_id": bundle_id,
                "created": stamp,
                "program": PROGRAM,
                "vault_id": self.session.vault_id,
                "signer": {
                    "algorithm": "ed25519",
                    "public_key": _b64(self.public_key),
                    "fingerprint": fingerprint(self.public_key),
                    "ssh_fingerprint": sshsig.ssh_fingerprint(self.public_key),
                },
                "case": case,
                "note": note,
                "items": entries,
                "custody": {
                    "path": layout.CUSTODY,
                    "events": len(events),
                    "head_seq": head_seq,
                    "head_hash": head_hash,
                },
            }
            self._put(zf, layout.MANIFEST, canonical_json(manifest))
            bodies = [e.parsed() for e in events]
            lines = b"".join(
                canonical_json({"body": body, "hash": e.hash, "signature": _b64(e.signature)})
                + b"\n"
                for e, body in zip(events, bodies, strict=True)
            )
            self._put(zf, layout.CUSTODY, lines)
            self._put(zf, layout.REPORT, documents.report_html(manifest, bodies))
            self._put(zf, layout.VERIFY, documents.verify_txt(manifest, bundle_name=self.file_name))
            self._put(
                zf,
                layout.KEY_MINISIGN,
                minisign.public_key_file(self.public_key, "evault vault identity").encode("ascii"),
            )
            self._put(
                zf,
                layout.KEY_SSH,
                (sshsig.ssh_public_key_line(self.public_key, "evault") + "\n").encode("ascii"),
            )
            self._put(
                zf,
                layout.ALLOWED_SIGNERS,
                (
                    sshsig.allowed_signers_line(layout.PRINCIPAL, self.public_key, layout.NAMESPACE)
                    + "\n"
                ).encode("ascii"),
            )
            sums = format_sums(self.sums)
            self._put(zf, layout.SUMS, sums, listed=False)
            signer = self.session.signer
            trusted = (
                f"evault bundle {bundle_id} created {stamp} "
                f"signer {fingerprint(self.public_key).replace(' ', '')}"
            )
            self._put(
                zf,
                layout.MINISIG,
                minisign.sign(
                    signer,
                    sums,
                    trusted_comment=trusted,
                    untrusted_comment=layout.MINISIG_UNTRUSTED_COMMENT,
                ).encode("ascii"),
                listed=False,
            )
            self._put(
                zf,
                layout.SSHSIG,
                sshsig.sign(signer, sums, layout.NAMESPACE).encode("ascii"),
                listed=False,
            )

    def _events(self) -> list[SignedEvent]:
        conn = self.session.conn
        wanted = {e.seq: e for e in custody.events_for_items(conn, [i.id for i in self.items])}
        first = custody.event_at(conn, 1)
        if first is not None:
            wanted[1] = first
        for event in custody.all_events(conn):
            # Key changes for context; case events because a case renamed after an item was
            # added changes that item's case name, and verify replays it.
            if str(event.parsed().get("type", "")).startswith(("key.", "case.")):
                wanted[event.seq] = event
        return [wanted[s] for s in sorted(wanted)]

    def _zinfo(self, name: str, size: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.when)
        info.compress_type = zipfile.ZIP_STORED
        info.file_size = size
        info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
        info.create_system = 3  # Unix, as external_attr says (zipfile picks 0 on Windows)
        return info

    def _put(self, zf: zipfile.ZipFile, name: str, data: bytes, *, listed: bool = True) -> None:
        with zf.open(self._zinfo(name, len(data)), "w") as member:
            member.write(data)
        if listed:
            self.sums[name] = hashlib.sha256(data).hexdigest()

    def _write_item(self, zf: zipfile.ZipFile, number: int, item: Item) -> dict[str, Any]:
        if item.kind == "file":
            path = layout.evidence_name(number, item.original_filename or item.title, "file")
        else:
            path = layout.evidence_name(number, f"{item.kind}.txt", item.kind)
        digest = hashlib.sha256()
        text_parts: list[bytes] = []
        with zf.open(self._zinfo(path, item.size), "w", force_zip64=item.size > 2**31) as member:
            for chunk in self._chunks(item):
                digest.update(chunk)
                member.write(chunk)
                if item.kind != "file":
                    text_parts.append(chunk)
                self.done += len(chunk)
                if self.progress is not None:
                    self.progress(self.done, self.total)
        if digest.hexdigest() != item.sha256:
            raise EvaultError(
                f"Item {item.id} no longer matches its recorded SHA-256, so no bundle was made. "
                "Run 'evault check' to see what is wrong."
            )
        self.sums[path] = item.sha256
        text_path = None
        if item.kind != "file":
            text_path = path.removesuffix(".txt") + ".json"
            derived = {
                "id": item.id,
                "kind": item.kind,
                "text": b"".join(text_parts).decode("utf-8", errors="replace"),
                "sha256_of_original": item.sha256,
                "original": path,
                "metadata": metadata_snapshot(item),
            }
            self._put(zf, text_path, canonical_json(derived))
        return {
            "id": item.id,
            "kind": item.kind,
            "path": path,
            "sha256": item.sha256,
            "size": item.size,
            "media_type": item.media_type,
            "text_path": text_path,
            "metadata": metadata_snapshot(item),
        }

    def _chunks(self, item: Item) -> Iterator[bytes]:
        conn = self.session.conn
        with self.lock:
            row = conn.execute("SELECT content_id FROM items WHERE id = ?", (item.id,)).fetchone()
            rows = intake.iter_content(conn, int(row[0]))
        for chunk_row in rows:
            if self.cancel is not None and self.cancel.is_set():
                raise Cancelled(STOPPED)
            with self.lock:
                chunk = intake.read_chunk(conn, chunk_row)
            yield chunk


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
