"""The vault: create, unlock, add, read, search, edit, delete, check, change keys.

One :class:`Vault` object is one unlocked vault held by one process (an exclusive lock is taken at
open and released at :meth:`Vault.close`). Every write runs in a transaction together with its signed
custody event, so an interruption leaves either the whole change or nothing.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import threading
import time as _time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import sqlcipher3

from crypto import constants as c
from crypto import keyslots
from crypto.errors import DecryptionFailed, FormatError, RecoveryKeyTypo
from crypto.identity import SigningKey, fingerprint
from crypto.kdf import Argon2Params, calibrate
from crypto.keyslots import KeysFile
from crypto.recovery import format_recovery_key, new_recovery_secret, parse_recovery_key
from vault import custody, db, intake, keystore, schema
from vault.check import run_check
from vault.clock import format_utc, parse_reported_time, utc_now
from vault.errors import (
    Cancelled,
    EvaultError,
    InvalidInput,
    KeyfileRequired,
    RecoveryKeyMistyped,
    StorageError,
    VaultExists,
    WrongPassphrase,
)
from vault.items import ITEM_COLUMNS, ITEM_FROM, load_item, resolve_id, row_to_item, search_text
from vault.lock import VaultLock
from vault.mediatype import sniff
from vault.models import (
    AddResult,
    Case,
    CheckReport,
    CustodyRecord,
    Item,
    MessageFields,
    Metadata,
)
from vault.search import fts_expression

PROGRAM = "evidence-vault 0.1.0"
MAX_TEXT_BYTES = 16 * 1024 * 1024
MIN_PASSPHRASE_CHARS = 8
GROUP_COMMIT_SECONDS = 0.25
EDITABLE_FIELDS = (
    "title",
    "description",
    "platform",
    "source_url",
    "sender_handle",
    "sender_id",
    "occurred",
    "case",
    "tags",
    "sensitive",
)

WRONG_PASSPHRASE = "That passphrase does not open this vault. Check it and try again."  # noqa: S105
WRONG_RECOVERY = "That recovery key does not open this vault. Check each group and try again."
KEYFILE_NEEDED = "This vault also needs its keyfile. Give it with --keyfile and try again."

KdfChoice = Callable[[], Argon2Params]


def _now(now: datetime | None) -> str:
    return format_utc(now or utc_now())


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise InvalidInput(
            f"A passphrase needs at least {MIN_PASSPHRASE_CHARS} characters. "
            "Several unrelated words you can remember make a strong one."
        )


class Vault:
    """An unlocked vault. Use :meth:`create` or :meth:`open`; close it (or use ``with``)."""

    def __init__(
        self, folder: Path, conn: db.Connection, db_key: bytes, keys: KeysFile, lock: VaultLock
    ) -> None:
        self.folder = folder
        self._conn = conn
        self._db_key = db_key
        self._keys = keys
        self._lock = lock
        self._mutex = threading.RLock()
        row = conn.execute("SELECT secret_key, public_key FROM identity WHERE id = 1").fetchone()
        if row is None:
            raise EvaultError(db.DAMAGED_MESSAGE)
        self._signer = SigningKey(bytes(row[0]))
        self.public_key = bytes(row[1])
        self.vault_id = str(
            conn.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()[0]
        )

    def __repr__(self) -> str:
        return f"Vault({str(self.folder)!r})"

    # ------------------------------------------------------------------ lifecycle

    @classmethod
    def create(
        cls,
        folder: Path,
        passphrase: str,
        *,
        keyfile: bytes | None = None,
        kdf: KdfChoice | None = None,
        now: datetime | None = None,
    ) -> tuple[Vault, str]:
        """Create a vault in ``folder`` (new or empty). Returns the vault and its recovery key,
        which is shown once and never stored in readable form."""
        _check_passphrase(passphrase)
        folder = Path(folder)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise VaultExists(
                f"{folder} already exists and is not empty. Choose a new folder name for the vault."
            )
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"The folder {folder} could not be created. Check the path."
            ) from exc
        lock = VaultLock(folder)
        lock.acquire()
        stamp = _now(now)
        db_key = os.urandom(c.DB_KEY_BYTES)
        vault_id = str(uuid.uuid4())
        secret = new_recovery_secret()
        try:
            params = (kdf or calibrate)()
            keys = KeysFile(
                vault_id=vault_id,
                slots=(
                    keyslots.make_passphrase_slot(
                        db_key, vault_id, passphrase, params, now=stamp, keyfile=keyfile
                    ),
                    keyslots.make_recovery_slot(db_key, vault_id, secret, now=stamp),
                ),
            )
            db_path = folder / keystore.DB_NAME
            # Owner-only permissions from the first byte; SQLite gives its journal the same mode.
            os.close(os.open(db_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            conn = db.connect(db_path, db_key, create=True)
            try:
                schema.migrate(conn, stamp)
                signer = SigningKey.generate()
                with _transaction(conn):
                    conn.executemany(
                        "INSERT INTO meta (key, value) VALUES (?, ?)",
                        [("vault_id", vault_id), ("created", stamp), ("format_version", "1")],
                    )
                    conn.execute(
                        "INSERT INTO identity (id, algorithm, secret_key, public_key, created)"
                        " VALUES (1, 'ed25519', ?, ?, ?)",
                        (signer.secret, signer.public_key, stamp),
                    )
                    custody.append(
                        conn,
                        signer,
                        vault_id=vault_id,
                        event_type=custody.VAULT_CREATED,
                        time=stamp,
                        details={"program": PROGRAM},
                    )
            except BaseException:
                conn.close()
                raise
            keystore.save(folder, keys)
        except BaseException:
            lock.release()
            _remove_partial(folder)
            raise
        return cls(folder, conn, db_key, keys, lock), format_recovery_key(secret)

    @staticmethod
    def ensure_vault(folder: Path) -> None:
        """Raise :class:`NotAVault` (or a damage error) unless ``folder`` looks like a vault."""
        keystore.load(Path(folder))

    @classmethod
    def open(
        cls,
        folder: Path,
        *,
        passphrase: str | None = None,
        keyfile: bytes | None = None,
        recovery_key: str | None = None,
        now: datetime | None = None,
        lock_wait: float = 3.0,
    ) -> Vault:
        """Unlock with a passphrase (and keyfile) or a recovery key."""
        folder = Path(folder)
        keys = keystore.load(folder)
        lock = VaultLock(folder, wait_seconds=lock_wait)
        lock.acquire()
        try:
            keys = keystore.load(folder)  # re-read under the lock
            db_key = _unlock(keys, passphrase, keyfile, recovery_key)
            conn = db.connect(folder / keystore.DB_NAME, db_key)
            try:
                schema.migrate(conn, _now(now))
                vault = cls(folder, conn, db_key, keys, lock)
                vault._import_key_events()
            except sqlcipher3.Error as exc:
                conn.close()
                raise db.translate(exc) from None
            except BaseException:
                conn.close()
                raise
        except BaseException:
            lock.release()
            raise
        return vault

    def close(self) -> None:
        """Close the database and release the lock. The key bytes are dropped with this object."""
        with self._mutex:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self._lock.release()
            self._db_key = b""

    def __enter__(self) -> Vault:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def conn(self) -> db.Connection:
        if self._conn is None:
            raise EvaultError("The vault is locked. Unlock it again to continue.")
        return self._conn

    # ------------------------------------------------------------------ identity

    def identity(self) -> dict[str, str]:
        """The vault's public identity: what a defender reads to their lawyer."""
        return {
            "fingerprint": fingerprint(self.public_key),
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "algorithm": "ed25519",
            "vault_id": self.vault_id,
        }

    # ------------------------------------------------------------------ intake

    def add_file(
        self,
        path: Path,
        meta: Metadata | None = None,
        *,
        progress: intake.Progress | None = None,
        cancel: threading.Event | None = None,
        now: datetime | None = None,
    ) -> AddResult:
        """Add one file's original bytes with metadata; report a duplicate instead of storing twice."""
        return self.add_files([path], meta, progress=progress, cancel=cancel, now=now)[0]

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
        """Add many files. Commits in groups (about every quarter second) for speed; every file is
        either wholly in the vault or not at all. Results are reported once committed."""
        meta = meta or Metadata()
        self._validate_meta(meta)
        results: list[AddResult] = []
        pending: list[AddResult] = []
        with self._mutex:
            conn = self.conn
            started = _time.monotonic()
            conn.execute("BEGIN IMMEDIATE")
            try:
                for path in paths:
                    result = self._add_one_file(Path(path), meta, progress, cancel, now)
                    pending.append(result)
                    if _time.monotonic() - started >= GROUP_COMMIT_SECONDS:
                        conn.execute("COMMIT")
                        results.extend(pending)
                        if on_result is not None:
                            for r in pending:
                                on_result(r)
                        pending = []
                        started = _time.monotonic()
                        conn.execute("BEGIN IMMEDIATE")
                conn.execute("COMMIT")
            except BaseException as exc:
                _rollback(conn)
                raise _translate(exc) from None
        results.extend(pending)
        if on_result is not None:
            for r in pending:
                on_result(r)
        return results

    def _add_one_file(
        self,
        path: Path,
        meta: Metadata,
        progress: intake.Progress | None,
        cancel: threading.Event | None,
        now: datetime | None,
    ) -> AddResult:
        if not path.is_file():
            raise InvalidInput(f"{path} is not a file that can be read. Check the path.")
        try:
            reader: BinaryIO = path.open("rb")
        except OSError:
            raise InvalidInput(
                f"{path} could not be opened. Check that it exists and is readable."
            ) from None
        with reader:
            total = os.fstat(reader.fileno()).st_size
            conn = self.conn
            conn.execute("SAVEPOINT intake")
            try:
                stored = intake.store_stream(
                    conn, reader, total=total, progress=progress, cancel=cancel
                )
                duplicate = self._find_duplicate(stored.sha256, "file", meta)
                if duplicate is not None:
                    conn.execute("ROLLBACK TO intake")
                    conn.execute("RELEASE intake")
                    return AddResult(duplicate, stored.sha256, stored.size, True, str(path))
                item_meta = meta if meta.title else replace(meta, title=path.name)
                item_id = self._insert_item(
                    kind="file",
                    stored=stored,
                    meta=item_meta,
                    media_type=sniff(stored.head, path.name),
                    original_filename=path.name,
                    now=now,
                    body="",
                    source="file",
                )
                conn.execute("RELEASE intake")
            except BaseException:
                conn.execute("ROLLBACK TO intake")
                conn.execute("RELEASE intake")
                raise
        return AddResult(item_id, stored.sha256, stored.size, False, str(path))

    def add_message(
        self,
        text: str,
        meta: Metadata | None = None,
        fields: MessageFields | None = None,
        *,
        now: datetime | None = None,
    ) -> AddResult:
        """Add a typed threat message; its text (UTF-8, exactly as given) is the original."""
        return self._add_text("message", text, meta or Metadata(), fields or MessageFields(), now)

    def add_note(
        self, text: str, meta: Metadata | None = None, *, now: datetime | None = None
    ) -> AddResult:
        """Add a note (the defender's own account of what happened)."""
        return self._add_text("note", text, meta or Metadata(), None, now)

    def _add_text(
        self,
        kind: str,
        text: str,
        meta: Metadata,
        fields: MessageFields | None,
        now: datetime | None,
    ) -> AddResult:
        data = text.encode("utf-8")
        if not text.strip():
            raise InvalidInput(f"The {kind} is empty. Type or paste its text and try again.")
        if len(data) > MAX_TEXT_BYTES:
            raise InvalidInput(f"The {kind} is larger than 16 MiB; add it as a file instead.")
        self._validate_meta(meta)
        sent = parse_reported_time(fields.sent, fields.sent_tz) if fields and fields.sent else None
        with self._mutex:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                stored = intake.store_stream(conn, io.BytesIO(data), total=len(data))
                duplicate = (
                    self._find_duplicate(stored.sha256, kind, meta, sent.text if sent else None)
                    if kind == "message"
                    else None
                )
                if duplicate is not None:
                    conn.execute("ROLLBACK")
                    return AddResult(duplicate, stored.sha256, stored.size, True, kind)
                title = meta.title or _first_line(text)
                item_id = self._insert_item(
                    kind=kind,
                    stored=stored,
                    meta=replace(meta, title=title),
                    media_type="text/plain; charset=utf-8",
                    original_filename="",
                    now=now,
                    body=text,
                    source="typed",
                )
                if fields is not None:
                    conn.execute(
                        "INSERT INTO messages (item_id, recipient, sent_at, sent_tz, sent_utc, thread)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            item_id,
                            fields.recipient,
                            sent.text if sent else None,
                            sent.zone if sent else "unknown",
                            sent.utc if sent else None,
                            fields.thread,
                        ),
                    )
                conn.execute("COMMIT")
            except BaseException as exc:
                _rollback(conn)
                raise _translate(exc) from None
        return AddResult(item_id, stored.sha256, stored.size, False, kind)

    def _validate_meta(self, meta: Metadata) -> None:
        if meta.occurred:
            parse_reported_time(meta.occurred, meta.occurred_tz)
        for tag in meta.tags:
            if not tag.strip() or len(tag) > 100:
                raise InvalidInput("A tag must be 1 to 100 characters.")
        if meta.case is not None and not meta.case.strip():
            raise InvalidInput("A case name cannot be empty.")

    def _find_duplicate(
        self, sha256: str, kind: str, meta: Metadata, sent: str | None = None
    ) -> str | None:
        if kind == "file":
            row = self.conn.execute(
                "SELECT id FROM items WHERE sha256 = ? AND kind = 'file' AND deleted_at IS NULL"
                " ORDER BY rowid LIMIT 1",
                (sha256,),
            ).fetchone()
            return str(row[0]) if row else None
        # The same words from the same sender at the same time are the same message; the same
        # words from someone else, or at another time, are new evidence.
        row = self.conn.execute(
            "SELECT i.id FROM items i LEFT JOIN messages m ON m.item_id = i.id"
            " WHERE i.sha256 = ? AND i.kind = 'message' AND i.deleted_at IS NULL"
            " AND i.platform = ? AND i.sender_handle = ? AND i.sender_id = ?"
            " AND m.sent_at IS ? LIMIT 1",
            (sha256, meta.platform, meta.sender_handle, meta.sender_id, sent),
        ).fetchone()
        return str(row[0]) if row else None

    def _case_id(self, name: str | None, stamp: str) -> str | None:
        if name is None:
            return None
        name = name.strip()
        row = self.conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
        if row:
            return str(row[0])
        case_id = str(uuid.uuid4())
        self.conn.execute(
            "INSERT INTO cases (id, name, description, created) VALUES (?, ?, '', ?)",
            (case_id, name, stamp),
        )
        self._event(custody.CASE_CREATED, stamp, details={"case_id": case_id, "name": name})
        return case_id

    def _insert_item(
        self,
        *,
        kind: str,
        stored: intake.Stored,
        meta: Metadata,
        media_type: str,
        original_filename: str,
        now: datetime | None,
        body: str,
        source: str,
    ) -> str:
        conn = self.conn
        stamp = _now(now)
        occurred = parse_reported_time(meta.occurred, meta.occurred_tz) if meta.occurred else None
        if meta.parent_id is not None:
            meta = replace(meta, parent_id=resolve_id(conn, meta.parent_id))
        case_id = self._case_id(meta.case, stamp)
        item_id = str(uuid.uuid4())
        cur = conn.execute(
            "INSERT INTO items (id, kind, title, description, media_type, size, sha256, content_id,"
            " captured_at, occurred_at, occurred_tz, occurred_utc, platform, source_url,"
            " sender_handle, sender_id, original_filename, sensitive, case_id, parent_id,"
            " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                item_id,
                kind,
                meta.title,
                meta.description,
                media_type,
                stored.size,
                stored.sha256,
                stored.content_id,
                stamp,
                occurred.text if occurred and occurred.text != "unknown" else None,
                occurred.zone if occurred else "unknown",
                occurred.utc if occurred else None,
                meta.platform,
                meta.source_url,
                meta.sender_handle,
                meta.sender_id,
                original_filename,
                int(meta.sensitive),
                case_id,
                meta.parent_id,
                stamp,
                stamp,
            ),
        )
        rowid = int(cur.lastrowid)
        tags = sorted({t.strip() for t in meta.tags})
        conn.executemany(
            "INSERT INTO item_tags (item_id, tag) VALUES (?, ?)", [(item_id, t) for t in tags]
        )
        item = load_item(conn, item_id)
        conn.execute(
            "INSERT INTO search (rowid, title, body, meta) VALUES (?, ?, ?, ?)",
            (rowid, *search_text(item, body, item.case)),
        )
        self._event(
            custody.ITEM_CREATED,
            stamp,
            item=item,
            details={
                "title": item.title,
                "size": item.size,
                "media_type": item.media_type,
                "original_filename": original_filename,
                "source": source,
            },
        )
        return item_id

    def _event(
        self,
        event_type: str,
        stamp: str,
        *,
        item: Item | None = None,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
        event_id: str | None = None,
    ) -> None:
        custody.append(
            self.conn,
            self._signer,
            vault_id=self.vault_id,
            event_type=event_type,
            time=stamp,
            item={"id": item.id, "sha256": item.sha256, "kind": item.kind} if item else None,
            reason=reason or None,
            details=details,
            event_id=event_id,
        )

    # ------------------------------------------------------------------ reading

    def list_items(self, *, include_deleted: bool = False) -> list[Item]:
        where = "" if include_deleted else " WHERE i.deleted_at IS NULL"
        with self._mutex:
            rows = self.conn.execute(
                f"SELECT {ITEM_COLUMNS} FROM {ITEM_FROM}{where} ORDER BY i.rowid"  # noqa: S608
            ).fetchall()
            return [row_to_item(self.conn, r) for r in rows]

    def get_item(self, item_id: str, *, include_deleted: bool = False) -> Item:
        with self._mutex:
            return load_item(
                self.conn, resolve_id(self.conn, item_id, include_deleted=include_deleted)
            )

    def search(self, query: str, *, limit: int = 500) -> list[Item]:
        """Items whose title, text or metadata contain every word typed (folded, prefix match)."""
        expression = fts_expression(query)
        if expression is None:
            return []
        with self._mutex:
            rows = self.conn.execute(
                f"SELECT {ITEM_COLUMNS} FROM search s JOIN items i ON i.rowid = s.rowid"  # noqa: S608
                " LEFT JOIN cases c ON c.id = i.case_id"
                " WHERE search MATCH ? AND i.deleted_at IS NULL ORDER BY s.rank LIMIT ?",
                (expression, limit),
            ).fetchall()
            return [row_to_item(self.conn, r) for r in rows]

    def read_content(
        self,
        item_id: str,
        *,
        how: str = "viewed",
        reason: str | None = None,
        now: datetime | None = None,
    ) -> Iterator[bytes]:
        """Yield the original bytes chunk by chunk. Records an ``item.viewed`` custody event first."""
        with self._mutex:
            item, chunk_rows = self._content_rows(item_id)
            self._record(custody.ITEM_VIEWED, item, now, reason=reason, details={"how": how})
        return self._iter_chunks(chunk_rows)

    def read_text(self, item_id: str, *, now: datetime | None = None) -> str:
        """The text of a message or note (records a view)."""
        return b"".join(self.read_content(item_id, how="text shown", now=now)).decode("utf-8")

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
        """Write the original bytes to ``destination`` (plaintext leaves the vault) and log it.

        The file is written under a temporary name beside the destination and renamed when complete
        and verified, so a failure never leaves a partial file under the real name.
        """
        destination = Path(destination)
        if destination.exists() and (destination.is_dir() or not overwrite):
            raise InvalidInput(f"{destination} already exists. Choose another name.")
        with self._mutex:
            item, chunk_rows = self._content_rows(item_id)
            tmp = destination.with_name(f".{destination.name}.evault-partial")
            digest = hashlib.sha256()
            try:
                with open(tmp, "xb") as out:
                    done = 0
                    for chunk in self._iter_chunks(chunk_rows):
                        if cancel is not None and cancel.is_set():
                            raise Cancelled("Stopped. No partial copy was left behind.")
                        digest.update(chunk)
                        out.write(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, item.size)
                    out.flush()
                    os.fsync(out.fileno())
                if digest.hexdigest() != item.sha256:
                    raise EvaultError(
                        "The stored copy does not match its recorded fingerprint (SHA-256), so it "
                        "was not written out. Run 'evault check' to see what is wrong."
                    )
                os.replace(tmp, destination)
            except BaseException as exc:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                if isinstance(exc, OSError):
                    raise _translate(exc) from None
                raise
            self._record(
                custody.ITEM_EXPORTED,
                item,
                now,
                reason=reason,
                details={"destination": destination.name},
            )
        return item

    def _content_rows(self, item_id: str) -> tuple[Item, list[int]]:
        item = load_item(self.conn, resolve_id(self.conn, item_id))
        row = self.conn.execute("SELECT content_id FROM items WHERE id = ?", (item.id,)).fetchone()
        return item, intake.iter_content(self.conn, int(row[0]))

    def _iter_chunks(self, chunk_rows: list[int]) -> Iterator[bytes]:
        for chunk_row in chunk_rows:
            with self._mutex:
                yield intake.read_chunk(self.conn, chunk_row)

    def _record(
        self,
        event_type: str,
        item: Item,
        now: datetime | None,
        *,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._event(event_type, _now(now), item=item, reason=reason, details=details)
            conn.execute("COMMIT")
        except BaseException as exc:
            _rollback(conn)
            raise _translate(exc) from None

    # ------------------------------------------------------------------ editing

    def update_metadata(
        self,
        item_id: str,
        changes: dict[str, Any],
        *,
        reason: str | None = None,
        now: datetime | None = None,
    ) -> Item:
        """Change descriptive fields (never the original bytes); the change is a custody event
        listing each field's old and new value."""
        # "occurred_tz" qualifies "occurred" (a time given without offset) and only goes with it.
        allowed = set(EDITABLE_FIELDS) | ({"occurred_tz"} if "occurred" in changes else set())
        unknown = set(changes) - allowed
        if unknown:
            raise InvalidInput(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
        with self._mutex:
            conn = self.conn
            before = load_item(conn, resolve_id(conn, item_id))
            stamp = _now(now)
            conn.execute("BEGIN IMMEDIATE")
            try:
                diff = self._apply_changes(before, changes, stamp)
                if diff:
                    after = load_item(conn, before.id)
                    rowid = conn.execute(
                        "SELECT rowid FROM items WHERE id = ?", (before.id,)
                    ).fetchone()[0]
                    body = self._text_body(after)
                    conn.execute("DELETE FROM search WHERE rowid = ?", (rowid,))
                    conn.execute(
                        "INSERT INTO search (rowid, title, body, meta) VALUES (?, ?, ?, ?)",
                        (rowid, *search_text(after, body, after.case)),
                    )
                    self._event(
                        custody.ITEM_METADATA_CHANGED,
                        stamp,
                        item=after,
                        reason=reason,
                        details={"changes": diff},
                    )
                conn.execute("COMMIT")
            except BaseException as exc:
                _rollback(conn)
                raise _translate(exc) from None
            return load_item(conn, before.id)

    def _apply_changes(self, before: Item, changes: dict[str, Any], stamp: str) -> dict[str, Any]:
        conn = self.conn
        diff: dict[str, Any] = {}
        simple = {
            "title": "title",
            "description": "description",
            "platform": "platform",
            "source_url": "source_url",
            "sender_handle": "sender_handle",
            "sender_id": "sender_id",
        }
        for field_name, column in simple.items():
            if field_name in changes:
                value = str(changes[field_name])
                old = getattr(before, field_name)
                if value != old:
                    conn.execute(
                        f"UPDATE items SET {column} = ? WHERE id = ?",  # noqa: S608 - fixed names
                        (value, before.id),
                    )
                    diff[field_name] = {"from": old, "to": value}
        if "sensitive" in changes and bool(changes["sensitive"]) != before.sensitive:
            conn.execute(
                "UPDATE items SET sensitive = ? WHERE id = ?",
                (int(bool(changes["sensitive"])), before.id),
            )
            diff["sensitive"] = {"from": before.sensitive, "to": bool(changes["sensitive"])}
        if "occurred" in changes:
            value = changes["occurred"]
            zone = changes.get("occurred_tz")
            occurred = parse_reported_time(value, zone) if value else None
            new_text = occurred.text if occurred and occurred.text != "unknown" else None
            new_zone = occurred.zone if occurred else "unknown"
            if (new_text, new_zone) != (before.occurred_at, before.occurred_tz):
                conn.execute(
                    "UPDATE items SET occurred_at = ?, occurred_tz = ?, occurred_utc = ? WHERE id = ?",
                    (new_text, new_zone, occurred.utc if occurred else None, before.id),
                )
                diff["occurred"] = {
                    "from": {"at": before.occurred_at, "tz": before.occurred_tz},
                    "to": {"at": new_text, "tz": new_zone},
                }
        if "case" in changes and changes["case"] != before.case:
            case_name = changes["case"] or None
            if case_name is not None and not str(case_name).strip():
                raise InvalidInput("A case name cannot be empty.")
            case_id = self._case_id(case_name, stamp)
            conn.execute("UPDATE items SET case_id = ? WHERE id = ?", (case_id, before.id))
            diff["case"] = {"from": before.case, "to": case_name}
        if "tags" in changes:
            tags = sorted({str(t).strip() for t in changes["tags"] if str(t).strip()})
            if tuple(tags) != before.tags:
                conn.execute("DELETE FROM item_tags WHERE item_id = ?", (before.id,))
                conn.executemany(
                    "INSERT INTO item_tags (item_id, tag) VALUES (?, ?)",
                    [(before.id, t) for t in tags],
                )
                diff["tags"] = {"from": list(before.tags), "to": tags}
        if diff:
            conn.execute("UPDATE items SET updated_at = ? WHERE id = ?", (stamp, before.id))
        return diff

    def _text_body(self, item: Item) -> str:
        if item.kind == "file":
            return ""
        row = self.conn.execute("SELECT content_id FROM items WHERE id = ?", (item.id,)).fetchone()
        if row is None or row[0] is None:
            return ""
        data = b"".join(
            intake.read_chunk(self.conn, r) for r in intake.iter_content(self.conn, int(row[0]))
        )
        return data.decode("utf-8", errors="replace")

    def delete_item(self, item_id: str, *, reason: str, now: datetime | None = None) -> Item:
        """Remove an item's content and description; keep a signed tombstone in the custody log."""
        if not reason or not reason.strip():
            raise InvalidInput(
                "Say why the item is deleted (--reason); it is kept in the custody log."
            )
        with self._mutex:
            conn = self.conn
            item = load_item(conn, resolve_id(conn, item_id))
            stamp = _now(now)
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT rowid, content_id FROM items WHERE id = ?", (item.id,)
                ).fetchone()
                rowid, content_id = int(row[0]), row[1]
                conn.execute("DELETE FROM search WHERE rowid = ?", (rowid,))
                conn.execute("DELETE FROM item_tags WHERE item_id = ?", (item.id,))
                conn.execute(
                    "UPDATE items SET title = '', description = '', platform = '', source_url = '',"
                    " sender_handle = '', sender_id = '', original_filename = '', occurred_at = NULL,"
                    " occurred_utc = NULL, content_id = NULL, case_id = NULL, deleted_at = ?,"
                    " deleted_reason = ?, updated_at = ? WHERE id = ?",
                    (stamp, reason.strip(), stamp, item.id),
                )
                if content_id is not None:
                    still_used = conn.execute(
                        "SELECT 1 FROM items WHERE content_id = ? LIMIT 1", (content_id,)
                    ).fetchone()
                    if not still_used:
                        conn.execute("DELETE FROM chunks WHERE content_id = ?", (content_id,))
                        conn.execute("DELETE FROM contents WHERE id = ?", (content_id,))
                self._event(
                    custody.ITEM_DELETED,
                    stamp,
                    item=item,
                    reason=reason.strip(),
                    details={"title": item.title},
                )
                conn.execute("COMMIT")
            except BaseException as exc:
                _rollback(conn)
                raise _translate(exc) from None
            return load_item(conn, item.id)

    # ------------------------------------------------------------------ cases

    def create_case(self, name: str, *, now: datetime | None = None) -> Case:
        if not name.strip():
            raise InvalidInput("A case name cannot be empty.")
        with self._mutex:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                case_id = self._case_id(name, _now(now))
                conn.execute("COMMIT")
            except BaseException as exc:
                _rollback(conn)
                raise _translate(exc) from None
            return self._load_case(str(case_id))

    def list_cases(self) -> list[Case]:
        with self._mutex:
            rows = self.conn.execute(
                "SELECT id, name, description, created FROM cases ORDER BY name"
            ).fetchall()
        return [Case(*r) for r in rows]

    def _load_case(self, case_id: str) -> Case:
        row = self.conn.execute(
            "SELECT id, name, description, created FROM cases WHERE id = ?", (case_id,)
        ).fetchone()
        return Case(*row)

    # ------------------------------------------------------------------ custody

    def custody_log(self, item_id: str | None = None) -> list[CustodyRecord]:
        """The custody events of the whole vault, or of one item (deleted items included)."""
        with self._mutex:
            if item_id is None:
                events = custody.all_events(self.conn)
            else:
                resolved = resolve_id(self.conn, item_id, include_deleted=True)
                events = custody.events_for_item(self.conn, resolved)
            return [custody.to_record(e) for e in events]

    def custody_head(self) -> dict[str, Any]:
        """The newest event's sequence number and hash: a summary of the whole history so far."""
        with self._mutex:
            seq, digest, stamp = custody.head(self.conn)
        return {"seq": seq, "hash": digest, "time": stamp}

    def _import_key_events(self) -> None:
        """Append key changes recorded in vault.keys (docs/format.md §2.4) to the custody log."""
        keys = self._keys
        if not keys.key_events or not keyslots.key_events_authentic(keys, self._db_key):
            return
        conn = self.conn
        known = custody.known_event_ids(conn, [e["id"] for e in keys.key_events])
        missing = [e for e in keys.key_events if e["id"] not in known]
        if not missing:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            for event in missing:
                self._event(
                    event["type"],
                    event["time"],
                    details={"slot": event["slot"], "recorded_from": "vault.keys"},
                    event_id=event["id"],
                )
            conn.execute("COMMIT")
        except BaseException as exc:
            _rollback(conn)
            raise _translate(exc) from None

    # ------------------------------------------------------------------ keys

    def change_passphrase(
        self,
        new_passphrase: str,
        *,
        keyfile: bytes | None = None,
        kdf: KdfChoice | None = None,
        now: datetime | None = None,
    ) -> None:
        """Re-wrap the database key under a new passphrase (and keyfile, if given).

        Only vault.keys is rewritten (atomically); vault.db is not touched. The change reaches the
        custody log at the next unlock (docs/format.md §2.4).
        """
        _check_passphrase(new_passphrase)
        stamp = _now(now)
        with self._mutex:
            slot = keyslots.make_passphrase_slot(
                self._db_key,
                self.vault_id,
                new_passphrase,
                (kdf or calibrate)(),
                now=stamp,
                keyfile=keyfile,
            )
            others = tuple(s for s in self._keys.slots if s.kind != c.SLOT_KIND_PASSPHRASE)
            old_keyfile = any(s.keyfile for s in self._keys.slot_of_kind(c.SLOT_KIND_PASSPHRASE))
            keys = replace(self._keys, slots=(slot, *others))
            keys = keyslots.with_key_event(
                keys,
                self._db_key,
                event_id=str(uuid.uuid4()),
                event_type="key.passphrase_changed"
                if old_keyfile == (keyfile is not None)
                else "key.keyfile_changed",
                time=stamp,
                slot_id=slot.id,
            )
            keystore.save(self.folder, keys)
            self._keys = keys

    def new_recovery_key(self, *, now: datetime | None = None) -> str:
        """Replace the recovery slot; the old recovery key stops opening this vault.keys."""
        stamp = _now(now)
        secret = new_recovery_secret()
        with self._mutex:
            slot = keyslots.make_recovery_slot(self._db_key, self.vault_id, secret, now=stamp)
            others = tuple(s for s in self._keys.slots if s.kind != c.SLOT_KIND_RECOVERY)
            keys = replace(self._keys, slots=(*others, slot))
            keys = keyslots.with_key_event(
                keys,
                self._db_key,
                event_id=str(uuid.uuid4()),
                event_type="key.recovery_replaced",
                time=stamp,
                slot_id=slot.id,
            )
            keystore.save(self.folder, keys)
            self._keys = keys
        return format_recovery_key(secret)

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
                self.conn,
                self.public_key,
                self.vault_id,
                self._keys,
                self._db_key,
                progress,
                cancel,
            )


# ---------------------------------------------------------------------- helpers


def _unlock(
    keys: KeysFile, passphrase: str | None, keyfile: bytes | None, recovery_key: str | None
) -> bytes:
    if recovery_key is not None:
        try:
            secret = parse_recovery_key(recovery_key)
        except RecoveryKeyTypo:
            raise RecoveryKeyMistyped(
                "That recovery key has a typing mistake: one of the groups is wrong. "
                "Check each group against your paper copy."
            ) from None
        except FormatError as exc:
            raise RecoveryKeyMistyped(str(exc)) from None
        try:
            return keyslots.unlock_with_recovery(keys, secret)
        except DecryptionFailed:
            raise WrongPassphrase(WRONG_RECOVERY) from None
    if passphrase is None:
        raise InvalidInput("A passphrase or recovery key is needed to open the vault.")
    try:
        return keyslots.unlock_with_passphrase(keys, passphrase, keyfile)
    except keyslots.KeyfileRequired:
        raise KeyfileRequired(KEYFILE_NEEDED) from None
    except DecryptionFailed:
        raise WrongPassphrase(
            WRONG_PASSPHRASE
            if keyfile is None
            else "That passphrase and keyfile do not open this vault. Check both and try again."
        ) from None


def _first_line(text: str, limit: int = 80) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


@contextlib.contextmanager
def _transaction(conn: db.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        _rollback(conn)
        raise


def _rollback(conn: db.Connection) -> None:
    with contextlib.suppress(sqlcipher3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def _translate(exc: BaseException) -> BaseException:
    """Keep our own errors and interruptions; turn storage errors into calm sentences."""
    if isinstance(exc, EvaultError | KeyboardInterrupt):
        return exc
    if isinstance(exc, sqlcipher3.Error | OSError):
        return db.translate(exc)
    return exc


def _remove_partial(folder: Path) -> None:
    """After a failed create, remove what it wrote (only our own files, and the folder if empty)."""
    for name in (keystore.DB_NAME, keystore.DB_NAME + "-journal", keystore.KEYS_NAME, "vault.lock"):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()


__all__ = ["Cancelled", "Vault"]
