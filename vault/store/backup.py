"""``evault backup``: a consistent, checked copy of the still-encrypted vault in another folder.

The copy is a vault folder of its own (``vault.db`` and ``vault.keys``, byte for byte), so it opens
with the same passphrase, keyfile and recovery key. How it stays consistent and cheap to sync:

- **Consistent.** Every write in this process goes through the vault's mutex, and no other process
  can open the vault (the folder lock), so the copy is taken holding the mutex, inside a SQLite read
  transaction on the vault's own connection (``BEGIN`` and a read: a SHARED lock, so no writer can
  commit and no hot journal can exist). ``vault.keys`` is read under the same mutex, so the pair
  always matches.
- **Incremental-friendly.** The copy of ``vault.db`` is a raw byte copy of the encrypted pages.
  SQLite's online backup API would decrypt each page and encrypt it again with a fresh random IV,
  so every page of every backup would differ; a raw copy keeps each page SQLite did not rewrite
  byte-identical, and rsync / restic / Syncthing move only the changed pages.
- **Checked before it replaces anything.** The new copy is written into a staging folder inside
  the destination and run through the same ``check`` as ``evault check`` (read-only), and only then
  put in place (``copyfolder.publish``): a failed or killed backup leaves the earlier one whole.
- **Recorded.** A ``vault.backed_up`` custody event names the destination folder (its last
  component only: a full path can reveal a user name or a sync provider). It is written just
  before the copy is taken, so the copy holds its own record as its newest event: a vault restored
  from it shows which backup it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlcipher3

from crypto import keyslots
from crypto.errors import DecryptionFailed
from vault.custody import log as custody
from vault.custody.models import CheckReport, Finding, english
from vault.errors import (
    Cancelled,
    EvaultError,
    InvalidInput,
    StorageError,
    StorageFull,
    VaultBusy,
    VaultExists,
)
from vault.i18n import N_, _
from vault.store import copyfolder, db, keystore, slotkeys
from vault.store.folder import DB_NAME, KEYS_NAME
from vault.store.keychange import KeyRing
from vault.store.lock import VaultLock
from vault.store.session import now_text, transaction
from vault.store.unlocked import Unlocked, calm

BACKED_UP = "vault.backed_up"  # details: {"folder": the backup folder's name}
RESTORED = "vault.restored"  # in a backup put back: {"folder": the name of the folder it went to}
STOPPED = N_(
    "The backup was stopped; nothing was replaced, and an earlier backup there is unchanged."
)
BUSY = N_(
    "The backup folder {folder} is open in another evault window or command. Close it there, "
    "then try again."
)


@dataclass(frozen=True)
class BackupResult:
    """What a backup wrote and what the check of the copy found (``ok``: a good copy)."""

    folder: Path
    updated: bool  # an earlier backup of this vault in the folder was brought up to date
    bytes_copied: int
    items_checked: int
    events_checked: int
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    replaced: Path | None = None  # restore --replace: where the vault that was there is kept

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["problems"] = [english(p) for p in self.problems]  # English for scripts, always
        data["notes"] = [english(n) for n in self.notes]
        data["folder"] = str(self.folder)
        data["replaced"] = str(self.replaced) if self.replaced else None
        data["ok"] = self.ok
        return data


class BackupAPI(Unlocked):
    """A copy of the vault elsewhere: a second stick, a folder a sync tool watches."""

    @calm
    def backup(
        self,
        destination: Path,
        *,
        progress: copyfolder.Progress | None = None,
        cancel: threading.Event | None = None,
        now: datetime | None = None,
    ) -> BackupResult:
        """Write a checked copy of this vault into ``destination`` (new, empty, or an earlier
        backup of this same vault, which is brought up to date). Never touches another vault."""
        return self._write_copy(Path(destination), BACKED_UP, progress, cancel, now)

    @calm
    def restore_to(
        self,
        destination: Path,
        *,
        replace: bool = False,
        progress: copyfolder.Progress | None = None,
        cancel: threading.Event | None = None,
        now: datetime | None = None,
    ) -> BackupResult:
        """Put this vault (a backup, opened) back as the vault folder ``destination``.

        ``destination`` must be new or empty; one that holds this same vault is replaced only with
        ``replace``, and then kept whole beside it (``NAME.replaced-TIME``): it may hold evidence
        added after the backup was made, so it is never thrown away."""
        dest = Path(destination)
        _refuse_inside(self.folder, dest)
        kept = None
        if dest.is_dir() and _earlier_backup(dest, self.vault_id):
            if not replace:
                raise VaultExists(
                    _(
                        "{dest} already holds this vault (perhaps with evidence added since the backup). To "
                        "put the backup in its place, run again with --replace: the vault there is then kept "
                        "whole beside it, renamed."
                    ).format(dest=dest)
                )
            kept = _move_aside(dest, now)
        result = self._write_copy(dest, RESTORED, progress, cancel, now)
        return dataclasses.replace(result, replaced=kept)

    def _write_copy(
        self,
        dest: Path,
        event: str,
        progress: copyfolder.Progress | None,
        cancel: threading.Event | None,
        now: datetime | None,
    ) -> BackupResult:
        _refuse_inside(self.folder, dest)
        created = not dest.exists()
        _make_folder(dest)
        lock = VaultLock(dest, wait_seconds=0.5)
        try:
            lock.acquire()
        except VaultBusy:
            raise VaultBusy(_(BUSY).format(folder=dest)) from None
        try:
            return self._backup_locked(dest, event, progress, cancel, now)
        except BaseException:
            if created:  # stopped (the app's panic key) or failed: no empty folder left behind
                _remove_if_unused(dest)
            raise
        finally:
            lock.release()

    def _backup_locked(
        self,
        dest: Path,
        event: str,
        progress: copyfolder.Progress | None,
        cancel: threading.Event | None,
        now: datetime | None,
    ) -> BackupResult:
        try:
            copyfolder.finish_interrupted(dest)
        except OSError as exc:
            raise _write_failed(dest, exc) from None
        updated = _earlier_backup(dest, self.vault_id)
        unchecked = self._refuse_diverged(dest) if updated else None
        if cancel is not None and cancel.is_set():
            raise Cancelled(_(STOPPED))
        try:
            staging = copyfolder.new_staging(dest)
        except OSError as exc:
            raise _write_failed(dest, exc) from None
        try:
            name = dest.resolve().name  # also for "." or a trailing slash
            copied = self._copy_into(staging, event, name, progress, cancel, now)
            report = self._check_copy(staging, cancel)
            if report.ok:
                copyfolder.publish(dest, staging)
        except OSError as exc:
            copyfolder.finish_interrupted(dest)  # removes the staging folder
            raise _write_failed(dest, exc) from None
        except BaseException:
            copyfolder.finish_interrupted(dest)
            raise
        if not report.ok:
            copyfolder.finish_interrupted(dest)
        return BackupResult(
            folder=dest,
            updated=updated,
            bytes_copied=copied,
            items_checked=report.items_checked,
            events_checked=report.events_checked,
            problems=list(report.problems),
            notes=[n for n in report.notes if not _read_only_note(n)]
            + ([unchecked] if unchecked else []),
        )

    def _copy_into(
        self,
        staging: Path,
        event: str,
        name: str,
        progress: copyfolder.Progress | None,
        cancel: threading.Event | None,
        now: datetime | None,
    ) -> int:
        """Record the backup, then copy both files under one read lock (see the module doc)."""
        with self._mutex:
            session = self.session
            conn = session.conn
            with transaction(conn):
                session.event(event, now_text(now), details={"folder": name})
            conn.execute("BEGIN")
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # SHARED lock
                source = self.folder / DB_NAME
                total = source.stat().st_size
                copied = copyfolder.copy_file(
                    source,
                    staging / DB_NAME,
                    progress=progress,
                    stop=lambda: _stop_if(cancel),
                    total=total,
                )
                copied += copyfolder.copy_file(self.folder / KEYS_NAME, staging / KEYS_NAME)
            finally:
                conn.execute("ROLLBACK")
        return copied

    def _check_copy(self, staging: Path, cancel: threading.Event | None) -> CheckReport:
        """The same check as ``evault check``, on the copy, opened read-only with this key."""
        from vault.custody.check import run_check  # noqa: PLC0415 - custody builds on store

        db_key = self._db_key()
        keys = keystore.load(staging)
        ring = KeyRing(staging, keys, db_key, opened=keys.slots[0], altered=False)
        conn = db.connect(staging / DB_NAME, db_key, read_only=True)
        try:
            return run_check(conn, self.public_key, self.vault_id, ring, None, cancel)
        finally:
            conn.close()

    def _db_key(self) -> bytes:
        """The database key, or :class:`VaultLocked` once the vault was closed (the panic key)."""
        with self._mutex:
            return self._open_keyring().db_key

    def _refuse_diverged(self, dest: Path) -> str | None:
        """An earlier backup holding history this vault lacks is not overwritten (a copy that
        was opened and used on its own, or an older vault backed up over a newer copy).

        Returns a note when the earlier backup could not be read to tell: it is then replaced."""
        head = self._earlier_head(dest)
        if head is None:
            return Finding(
                N_(
                    "The earlier backup in {dest} was locked with a passphrase and recovery key "
                    "this vault no longer has, so evault could not check whether it had been used "
                    "on its own; it was replaced by this copy."
                ),
                dest=str(dest),
            )
        with self._mutex:
            row = self.session.conn.execute(
                "SELECT hash FROM custody WHERE seq = ?", (head[0],)
            ).fetchone()
        if row is None or str(row[0]) != head[1]:
            raise VaultExists(
                _(
                    "The backup in {dest} has history this vault does not have (it was opened and changed"
                    " on its own, or this is an older copy of the vault), so it was not overwritten. Back"
                    " up into a new folder instead."
                ).format(dest=dest)
            )
        return None

    def _earlier_head(self, dest: Path) -> tuple[int, str | None, str] | None:
        """The newest custody entry of the earlier backup, or None if it cannot be read.

        After ``rekey`` or ``rm --purge`` the earlier backup is under the old database key. Its
        ``vault.keys`` wraps that key under the same slot keys as this vault's (same passphrase
        or recovery key), and this vault keeps its slot keys, so the old key is unwrapped here
        and used read-only, for this check only, never stored."""
        for key in self._earlier_keys(dest):
            try:
                conn = db.connect(dest / DB_NAME, key, read_only=True)
            except EvaultError:
                continue
            try:
                return custody.head(conn)
            except sqlcipher3.Error:
                continue
            finally:
                conn.close()
        return None

    def _earlier_keys(self, dest: Path) -> list[bytes]:
        """This vault's database key, then any key the earlier backup's slots yield to a kept slot
        key (docs/format.md §3.4)."""
        keys = [self._db_key()]
        try:
            earlier = keystore.load(dest)
        except EvaultError:
            return keys
        with self._mutex:
            kept = slotkeys.load(self.session.conn)
        for slot in earlier.slots:
            slot_key = kept.get(slot.id)
            if slot_key is None or slot.damaged:
                continue
            try:
                key = keyslots.open_with_slot_key(slot, slot_key, self.vault_id)
            except DecryptionFailed:
                continue
            if key not in keys:
                keys.append(key)
        return keys


def _stop_if(cancel: threading.Event | None) -> None:
    """Between chunks of the copy: the defender stopped it, or locked the app (the panic key)."""
    if cancel is not None and cancel.is_set():
        raise Cancelled(_(STOPPED))


def _refuse_inside(source: Path, dest: Path) -> None:
    """A backup inside the vault folder, or over it, would not be a copy elsewhere."""
    src = source.resolve()
    target = dest.resolve()
    if target == src or src in target.parents:
        raise InvalidInput(
            _(
                "A backup must go to a folder outside the vault's own folder. Choose another folder, "
                "ideally on another disk or USB stick."
            )
        )


def _move_aside(dest: Path, now: datetime | None) -> Path:
    """Rename the vault folder ``dest`` to ``NAME.replaced-TIME`` beside it (whole, unopened)."""
    stamp = now_text(now)[:19].replace("-", "").replace(":", "") + "Z"
    kept = dest.with_name(f"{dest.name}.replaced-{stamp}")
    with VaultLock(dest, wait_seconds=0.5):
        pass  # refuses (VaultBusy) while the vault there is open
    try:
        os.rename(dest, kept)
    except OSError as exc:
        raise _write_failed(dest, exc) from None
    return kept


def _remove_if_unused(dest: Path) -> None:
    """Remove a folder this backup made, if it holds nothing but the lock file."""
    with contextlib.suppress(OSError):
        if {p.name for p in dest.iterdir()} <= {"vault.lock"}:
            with contextlib.suppress(FileNotFoundError):
                (dest / "vault.lock").unlink()
            dest.rmdir()


def _make_folder(dest: Path) -> None:
    if dest.exists() and not dest.is_dir():
        raise VaultExists(
            _("{dest} is a file, not a folder. Choose a new or empty folder.").format(dest=dest)
        )
    try:
        dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_failed(dest, exc) from None


def _earlier_backup(dest: Path, vault_id: str) -> bool:
    """False for an empty folder; True for an earlier backup of this vault; else refuse."""
    names = {p.name for p in dest.iterdir() if not copyfolder.ours(p.name)}
    if not names:
        return False
    if names <= {*copyfolder.NAMES, *copyfolder.STALE} and KEYS_NAME in names:
        try:
            keys = keystore.load(dest)
        except EvaultError:
            keys = None
        if keys is not None and keys.vault_id == vault_id:
            return True
        if keys is not None:
            raise VaultExists(
                _(
                    "{dest} holds a different vault, so nothing was written there. Choose a new or empty "
                    "folder for the backup."
                ).format(dest=dest)
            )
    raise VaultExists(
        _(
            "{dest} is not empty and holds no backup of this vault, so nothing was written there."
            " Choose a new or empty folder for the backup."
        ).format(dest=dest)
    )


def _read_only_note(note: str) -> bool:
    from vault.custody.check import READ_ONLY_NOTE  # noqa: PLC0415

    return str(english(note)) == READ_ONLY_NOTE


def _write_failed(dest: Path, exc: OSError) -> EvaultError:
    if exc.errno == errno.ENOSPC:
        return StorageFull(
            _(
                "The disk of {dest} is full, so no new backup was made (an earlier backup there is "
                "unchanged). Free some space or use a bigger disk."
            ).format(dest=dest)
        )
    return StorageError(
        _(
            "The backup could not be written to {dest} (was the disk removed, or is it "
            "read-only?). An earlier backup there is unchanged; check the disk and try again."
        ).format(dest=dest)
    )
