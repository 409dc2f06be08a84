"""The vault: create, unlock, add, read, search, edit, delete, check, change keys.

One :class:`Vault` object is one unlocked vault held by one process (an exclusive lock is taken at
open and released at :meth:`Vault.close`). The methods are thin: each takes the vault's mutex (the
UI calls from worker threads) and calls one domain function with the unlocked :class:`Session`.
Every write runs in a transaction together with its signed custody event.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import sqlcipher3

from crypto import constants as c
from crypto import keyslots, minisign, sshsig
from crypto.identity import SigningKey, fingerprint
from crypto.kdf import calibrate
from crypto.keyslots import KeysFile
from crypto.recovery import format_recovery_key, new_recovery_secret
from vault.custody import log as custody
from vault.custody.check import run_check
from vault.custody.models import CheckReport, CustodyRecord
from vault.errors import EvaultError, StorageError, VaultDamaged, VaultExists
from vault.evidence import adding, cases, editing, intake, listing, reading
from vault.evidence.items import resolve_id
from vault.evidence.listing import Filters, ItemRow
from vault.evidence.models import AddResult, Case, Item, MessageFields, Metadata
from vault.store import db, keychange, keystore, schema, settings
from vault.store.fsutil import NEW_SUFFIX
from vault.store.keychange import KdfChoice
from vault.store.lock import VaultLock
from vault.store.session import Session, now_text, transaction, translate
from vault.version import PROGRAM

if TYPE_CHECKING:
    from vault.bundle.export import ExportResult
    from vault.imports.chats import Chat, ChatLine, Provenance
    from vault.imports.options import ImportOptions, ImportProgress
    from vault.imports.summary import ImportSummary
    from vault.media.imaging import Preview
    from vault.media.similar import SimilarResult

EDITABLE_FIELDS = editing.EDITABLE_FIELDS
PREVIEW_MAX_BYTES = 64 * 1024 * 1024  # larger pictures get the placeholder, not a decode
LOCKED_MESSAGE = "The vault is locked. Unlock it again to continue."

P = ParamSpec("P")
R = TypeVar("R")


def _calm(method: Callable[P, R]) -> Callable[P, R]:
    """Storage errors escaping a public method become one calm sentence (never a traceback)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (sqlcipher3.Error, OSError) as exc:
            raise translate(exc) from None

    return wrapper


class Vault:
    """An unlocked vault. Use :meth:`create` or :meth:`open`; close it (or use ``with``)."""

    def __init__(
        self, folder: Path, conn: db.Connection, db_key: bytes, keys: KeysFile, lock: VaultLock
    ) -> None:
        self.folder = folder
        self._db_key = db_key
        self._keys = keys
        self._lock = lock
        self._mutex = threading.RLock()
        identity = conn.execute(
            "SELECT secret_key, public_key FROM identity WHERE id = 1"
        ).fetchone()
        meta = conn.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
        if identity is None or meta is None:
            raise VaultDamaged(db.DAMAGED_MESSAGE)
        self.public_key = bytes(identity[1])
        self.vault_id = str(meta[0])
        self._session: Session | None = Session(conn, SigningKey(bytes(identity[0])), self.vault_id)
        # True when the last session ended in the middle of a write (a stick pulled out, power
        # lost): SQLite undid the unfinished change on opening; the front ends say so calmly.
        self.interrupted_write = False

    def __repr__(self) -> str:
        return f"Vault({str(self.folder)!r})"

    @property
    def session(self) -> Session:
        if self._session is None:
            raise EvaultError(LOCKED_MESSAGE)
        return self._session

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
        keychange.check_passphrase(passphrase)
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
        stamp = now_text(now)
        db_key = os.urandom(c.DB_KEY_BYTES)
        vault_id = str(uuid.uuid4())
        secret = new_recovery_secret()
        try:
            keys = KeysFile(
                vault_id=vault_id,
                slots=(
                    keyslots.make_passphrase_slot(
                        db_key,
                        vault_id,
                        passphrase,
                        (kdf or calibrate)(),
                        now=stamp,
                        keyfile=keyfile,
                    ),
                    keyslots.make_recovery_slot(db_key, vault_id, secret, now=stamp),
                ),
            )
            conn = _create_database(folder / keystore.DB_NAME, db_key, vault_id, stamp)
            try:
                keystore.save(folder, keys)
            except BaseException:
                conn.close()
                raise
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
        keystore.load(folder)  # "not a vault" before waiting for a lock
        lock = VaultLock(folder, wait_seconds=lock_wait)
        lock.acquire()
        try:
            keys = keystore.load(folder)  # re-read under the lock
            db_key = keychange.unlock(keys, passphrase, keyfile, recovery_key)
            interrupted = _interrupted_write(folder)
            conn = db.connect(folder / keystore.DB_NAME, db_key)
            try:
                schema.migrate(conn, now_text(now))
                vault = cls(folder, conn, db_key, keys, lock)
                vault.interrupted_write = interrupted
                keychange.import_key_events(vault.session, keys, db_key)
                _tidy_unfinished_keys(folder)
            except BaseException as exc:
                conn.close()
                raise translate(exc) from None
        except BaseException:
            lock.release()
            raise
        return vault

    def close(self) -> None:
        """Close the database and release the lock. The key bytes are dropped with this object."""
        with self._mutex:
            if self._session is not None:
                self._session.conn.close()
                self._session = None
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

    # ------------------------------------------------------------------ identity

    def identity(self) -> dict[str, str]:
        """The vault's public identity: what a defender reads to their lawyer."""
        return {
            "fingerprint": fingerprint(self.public_key),
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "algorithm": "ed25519",
            "vault_id": self.vault_id,
            # The same key as lawyers' own tools show it (minisign -P …, ssh-keygen -l).
            "minisign_public_key": minisign.public_key_base64(self.public_key),
            "ssh_fingerprint": sshsig.ssh_fingerprint(self.public_key),
        }

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

    @_calm
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
            return adding.add_files(
                self.session,
                paths,
                meta or Metadata(),
                progress=progress,
                cancel=cancel,
                now=now,
                on_result=on_result,
            )

    @_calm
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

    @_calm
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

    @_calm
    def add_note(
        self, text: str, meta: Metadata | None = None, *, now: datetime | None = None
    ) -> AddResult:
        """Add a note (the defender's own account of what happened)."""
        with self._mutex:
            return adding.add_text(self.session, "note", text, meta or Metadata(), None, now)

    # ------------------------------------------------------------------ reading

    @_calm
    def list_items(self, *, include_deleted: bool = False) -> list[Item]:
        with self._mutex:
            return reading.list_items(self.session, include_deleted=include_deleted)

    @_calm
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

    @_calm
    def count_items(self, filters: Filters | None = None) -> int:
        with self._mutex:
            return listing.count(self.session, filters or Filters())

    @_calm
    def filter_choices(self) -> dict[str, list[str]]:
        with self._mutex:
            return listing.distinct_values(self.session)

    @_calm
    def get_item(self, item_id: str, *, include_deleted: bool = False) -> Item:
        with self._mutex:
            return reading.get_item(self.session, item_id, include_deleted=include_deleted)

    @_calm
    def search(self, query: str, *, limit: int = 500) -> list[Item]:
        """Items whose title, text or metadata contain every word typed (folded, prefix match)."""
        with self._mutex:
            return reading.search(self.session, query, limit=limit)

    @_calm
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
        """The text of a message or note (records a view)."""
        return b"".join(self.read_content(item_id, how="text shown", now=now)).decode("utf-8")

    @_calm
    def image_preview(
        self, item_id: str, max_cols: int, max_rows: int, *, reveal: bool = False
    ) -> Preview | None:
        """A small picture of an image item for the terminal, or None if there is none to show.

        Sensitive items get no preview unless ``reveal`` is set (the defender confirmed), and then
        the reveal is recorded like any other view. The small preview of a non-sensitive picture
        is not recorded: it never leaves the screen. Decoding happens in memory only.
        """
        from vault.media import imaging  # noqa: PLC0415 - Pillow loads only when a picture is shown

        with self._mutex:
            item, chunk_rows = reading.content_rows(self.session, item_id)
            if not item.media_type.startswith("image/") or item.size > PREVIEW_MAX_BYTES:
                return None
            if item.sensitive and not reveal:
                return None
            data = b"".join(reading.iter_chunks(self.session, chunk_rows, self._mutex))
            if item.sensitive:
                reading.record(
                    self.session,
                    custody.ITEM_VIEWED,
                    item,
                    None,
                    details={"how": "preview shown"},
                )
        return imaging.preview(data, max_cols, max_rows)

    @_calm
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

    @_calm
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

    @_calm
    def delete_item(self, item_id: str, *, reason: str, now: datetime | None = None) -> Item:
        """Remove an item's content and description; keep a signed tombstone."""
        with self._mutex:
            return editing.delete_item(self.session, item_id, reason=reason, now=now)

    # ------------------------------------------------------------------ cases

    @_calm
    def create_case(self, name: str, *, now: datetime | None = None) -> Case:
        with self._mutex, transaction(self.session.conn):
            case_id = cases.ensure_case(self.session, name, now_text(now))
        return cases.load_case(self.session, str(case_id))

    @_calm
    def rename_case(self, old: str, new: str, *, now: datetime | None = None) -> Case:
        """Rename a case (a custody event); its items follow."""
        with self._mutex, transaction(self.session.conn):
            return cases.rename_case(self.session, old, new, now_text(now))

    @_calm
    def list_cases(self) -> list[Case]:
        with self._mutex:
            return cases.list_cases(self.session)

    # ------------------------------------------------------------------ bundles

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
        progress: intake.Progress | None = None,
        cancel: threading.Event | None = None,
        now: datetime | None = None,
    ) -> ExportResult:
        """Write a signed evidence bundle (docs/format.md §6), optionally age-encrypted, and
        record the export in the custody log."""
        # Imported here: the bundle code is not needed to unlock, so start-up stays quick.
        from vault.bundle import export  # noqa: PLC0415

        with self._mutex:
            items = export.select_items(self.session, list(item_ids or []), case, everything)
        try:
            return export.export_bundle(
                self.session,
                self.public_key,
                self._mutex,
                Path(out),
                items=items,
                case=case,
                note=note,
                recipients=list(recipients or []),
                passphrase=passphrase,
                progress=progress,
                cancel=cancel,
                now=now,
            )
        except (sqlcipher3.Error, OSError) as exc:
            raise translate(exc) from None

    # ------------------------------------------------------------------ custody

    @_calm
    def custody_log(self, item_id: str | None = None) -> list[CustodyRecord]:
        """The custody events of the whole vault, or of one item (deleted items included)."""
        with self._mutex:
            conn = self.session.conn
            if item_id is None:
                events = custody.all_events(conn)
            else:
                events = custody.events_for_item(
                    conn, resolve_id(conn, item_id, include_deleted=True)
                )
            return [custody.to_record(e) for e in events]

    @_calm
    def custody_head(self) -> dict[str, Any]:
        """The newest event's sequence number and hash: a summary of the whole history so far."""
        with self._mutex:
            seq, digest, stamp = custody.head(self.session.conn)
        return {"seq": seq, "hash": digest, "time": stamp}

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
        keychange.check_passphrase(new_passphrase)
        with self._mutex:
            self._keys = keychange.change_passphrase(
                self.folder,
                self._keys,
                self._db_key,
                new_passphrase,
                keyfile=keyfile,
                params=(kdf or calibrate)(),
                stamp=now_text(now),
            )

    def new_recovery_key(self, *, now: datetime | None = None) -> str:
        """Replace the recovery slot; the old recovery key stops opening this vault.keys."""
        with self._mutex:
            self._keys, recovery = keychange.new_recovery_key(
                self.folder, self._keys, self._db_key, stamp=now_text(now)
            )
        return recovery

    # ------------------------------------------------------------------ imports

    @_calm
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

    @_calm
    def imports(self) -> list[dict[str, Any]]:
        """Every import so far, newest first, with what it found."""
        from vault.imports import pipeline as importing  # noqa: PLC0415

        with self._mutex:
            return list(importing.iter_imports(self.session))

    @_calm
    def chats(self) -> list[Chat]:
        """Imported conversations, most recent first."""
        from vault.imports import chats  # noqa: PLC0415

        with self._mutex:
            return chats.list_chats(self.session.conn)

    @_calm
    def chat_lines(
        self, platform: str, chat_key: str, *, offset: int = 0, limit: int = 200
    ) -> list[ChatLine]:
        """One page of a chat's messages in time order: sender, time, title (no content read)."""
        from vault.imports import chats  # noqa: PLC0415

        with self._mutex:
            return chats.chat_lines(
                self.session.conn, platform, chat_key, offset=offset, limit=limit
            )

    @_calm
    def import_provenance(self, item_id: str) -> Provenance | None:
        """For an imported message: the export, chat, raw time and source of its UTC time."""
        from vault.imports import chats  # noqa: PLC0415

        with self._mutex:
            conn = self.session.conn
            return chats.provenance(conn, resolve_id(conn, item_id, include_deleted=True))

    @_calm
    def similar(self, item_id: str) -> SimilarResult:
        """Pictures that look like this one (re-posts), and the messages that carried them."""
        from vault.media import similar  # noqa: PLC0415

        with self._mutex:
            return similar.find_similar(self.session, item_id)

    @_calm
    def picture_hashes(self, case: str | None = None) -> list[dict[str, Any]]:
        """Perceptual hashes of the pictures, for hash-matching takedown requests."""
        from vault.media import similar  # noqa: PLC0415

        with self._mutex:
            return similar.hash_list(self.session, case)

    # ------------------------------------------------------------------ preferences

    @_calm
    def auto_lock_minutes(self) -> int | None:
        """The auto-lock time the defender chose for this vault (None: never chosen)."""
        with self._mutex:
            return settings.auto_lock_minutes(self.session.conn)

    @_calm
    def set_auto_lock_minutes(self, minutes: int) -> None:
        """Remember the auto-lock time inside the vault (no settings file on the computer)."""
        with self._mutex:
            settings.set_auto_lock_minutes(self.session.conn, minutes)

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
                self.session.conn,
                self.public_key,
                self.vault_id,
                self._keys,
                self._db_key,
                progress,
                cancel,
            )


# ---------------------------------------------------------------------- helpers


def _create_database(path: Path, db_key: bytes, vault_id: str, stamp: str) -> db.Connection:
    """A new vault.db with the schema, the identity key and the ``vault.created`` event."""
    # Owner-only permissions from the first byte; SQLite gives its journal the same mode.
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    conn = db.connect(path, db_key, create=True)
    try:
        schema.migrate(conn, stamp)
        signer = SigningKey.generate()
        with transaction(conn):
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("vault_id", vault_id), ("created", stamp), ("format_version", "1")],
            )
            conn.execute(
                "INSERT INTO identity (id, algorithm, secret_key, public_key, created)"
                " VALUES (1, 'ed25519', ?, ?, ?)",
                (signer.secret, signer.public_key, stamp),
            )
            Session(conn, signer, vault_id).event(
                custody.VAULT_CREATED, stamp, details={"program": PROGRAM}
            )
    except BaseException:
        conn.close()
        raise
    return conn


def _interrupted_write(folder: Path) -> bool:
    """A hot rollback journal or a half-written vault.keys left by a session that was cut off."""
    journal = folder / (keystore.DB_NAME + "-journal")
    unfinished_keys = folder / (keystore.KEYS_NAME + NEW_SUFFIX)
    try:
        return (journal.exists() and journal.stat().st_size > 0) or unfinished_keys.exists()
    except OSError:
        return False


def _tidy_unfinished_keys(folder: Path) -> None:
    """A vault.keys.new that never replaced vault.keys is an abandoned write: the old file holds."""
    with contextlib.suppress(OSError):
        (folder / (keystore.KEYS_NAME + NEW_SUFFIX)).unlink()


def _remove_partial(folder: Path) -> None:
    """After a failed create, remove what it wrote (only our own files, and the folder if empty)."""
    for name in (keystore.DB_NAME, keystore.DB_NAME + "-journal", keystore.KEYS_NAME, "vault.lock"):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()
