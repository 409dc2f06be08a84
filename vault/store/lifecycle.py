"""Creating a vault folder and opening one: the steps between a passphrase and an unlocked session.

Creating writes ``vault.keys`` and ``vault.db`` (with its identity key and the signed
``vault.created`` event) under the folder's lock, and removes what it wrote if anything fails.
Opening says "not a vault" before waiting for the lock, unlocks a key slot, proves the database key,
runs pending migrations, checks the MAC of ``vault.keys`` (upgrading a file written before it
existed), and turns key changes noted in ``vault.keys`` into custody events.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from crypto import constants as c
from crypto import keyslots
from crypto.identity import SigningKey
from crypto.keyslots import KeysFile
from crypto.recovery import format_recovery_key, new_recovery_secret
from vault.custody import log as custody
from vault.errors import StorageError, VaultDamaged, VaultExists
from vault.i18n import _
from vault.store import (
    copyfolder,
    db,
    keychange,
    keystore,
    keytrust,
    policy,
    rekey,
    schema,
    shares,
    slotkeys,
    unlock,
)
from vault.store.folder import DB_NAME, JOURNAL_NAME, KEYS_NAME, LOCK_NAME
from vault.store.fsutil import NEW_SUFFIX
from vault.store.keychange import KdfChoice, KeyRing
from vault.store.lock import VaultLock
from vault.store.session import Session, now_text, transaction, translate
from vault.version import PROGRAM

# The first 8 bytes of every SQLite rollback journal header (SQLCipher encrypts the pages in it,
# not the header): https://www.sqlite.org/fileformat.html#the_rollback_journal
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")


@dataclass
class Opened:
    """An unlocked vault's parts, handed to :class:`vault.facade.Vault`."""

    folder: Path
    session: Session
    public_key: bytes
    keyring: KeyRing
    lock: VaultLock
    # True when the last session ended in the middle of a write (a stick pulled out, power lost):
    # SQLite undid the unfinished change on opening (or a half-written vault.keys.new was
    # removed); the front ends say so calmly, once: the leftover is gone afterwards.
    interrupted_write: bool = False
    # What the defender should know about vault.keys (altered outside evault, a new recovery key
    # never confirmed), in plain words, once, after unlocking.
    key_notices: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"Opened({str(self.folder)!r})"


def create(
    folder: Path,
    secret: str,
    *,
    keyfile: bytes | None,
    kdf: KdfChoice | None,
    now: datetime | None,
) -> tuple[Opened, str]:
    """A new vault in ``folder`` (new or empty), and its recovery key, shown once."""
    policy.check_passphrase(secret)
    policy.check_keyfile(keyfile)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise VaultExists(
            _(
                "{folder} already exists and is not empty. Choose a new folder name for the vault."
            ).format(folder=folder)
        )
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            _("The folder {folder} could not be created. Check the path.").format(folder=folder)
        ) from exc
    lock = VaultLock(folder)
    lock.acquire()
    stamp = now_text(now)
    db_key = os.urandom(c.DB_KEY_BYTES)
    vault_id = str(uuid.uuid4())
    recovery = new_recovery_secret()
    try:
        passphrase_slot, passphrase_key = keyslots.make_passphrase_slot_keyed(
            db_key, vault_id, secret, keychange.kdf_params(kdf), now=stamp, keyfile=keyfile
        )
        recovery_slot, recovery_slot_key = keyslots.make_recovery_slot_keyed(
            db_key, vault_id, recovery, now=stamp
        )
        keys = KeysFile(vault_id=vault_id, slots=(passphrase_slot, recovery_slot))
        slot_keys = {passphrase_slot.id: passphrase_key, recovery_slot.id: recovery_slot_key}
        conn = _create_database(folder / DB_NAME, db_key, vault_id, stamp)
        try:
            slotkeys.store(conn, slot_keys)
            keys = keystore.save(folder, keys, db_key)
            session, public_key = load_session(conn)
        except BaseException:
            conn.close()
            raise
    except BaseException:
        lock.release()
        _remove_partial(folder)
        raise
    keyring = KeyRing(
        folder, keys, db_key, opened=passphrase_slot, altered=False, slot_keys=slot_keys
    )
    opened = Opened(folder, session, public_key, keyring, lock)
    return opened, format_recovery_key(recovery)


def open_folder(
    folder: Path,
    *,
    secret: str | None,
    keyfile: bytes | None,
    recovery_key: str | None,
    now: datetime | None,
    lock_wait: float,
    recovery_shares: Sequence[str] | None = None,
) -> Opened:
    """Unlock the vault in ``folder`` with a passphrase (and keyfile), a recovery key, or
    recovery shares."""
    _finish_backup(folder, lock_wait)
    keystore.load(folder)  # "not a vault" before waiting for a lock
    if recovery_shares is not None:
        shares.read_shares(recovery_shares)  # a mistyped share is said before waiting for a lock
    elif recovery_key is None:
        policy.check_keyfile(keyfile, unlocking=True)  # /dev/null is no keyfile (before any KDF)
    lock = VaultLock(folder, wait_seconds=lock_wait)
    lock.acquire()
    try:
        keys = keystore.load(folder)  # re-read under the lock
        if recovery_shares is not None:
            db_key, slot, slot_key = shares.unlock_with_shares(keys, recovery_shares)
        else:
            db_key, slot, slot_key = unlock.unlock(keys, secret, keyfile, recovery_key)
        rekey.settle_unfinished(folder, db_key)  # a re-encryption cut off: finish or drop it
        journal = _journal_to_play_back(folder)
        conn = db.connect(folder / DB_NAME, db_key)  # plays a hot journal back on its first read
        try:
            # Played back: it was hot before the first read and is not now (SQLite deletes it,
            # or would truncate or zero it in other journal modes).
            interrupted = journal and not _journal_to_play_back(folder)
            stamp = now_text(now)
            schema.migrate(conn, stamp)
            session, public_key = load_session(conn)
            interrupted = _tidy_unfinished_keys(folder) or interrupted
            keyring = keytrust.settle(folder, session, keys, db_key, slot, slot_key, stamp=stamp)
        except BaseException as exc:
            conn.close()
            raise translate(exc) from None
    except BaseException:
        lock.release()
        raise
    notices = keytrust.notices(keyring)
    return Opened(folder, session, public_key, keyring, lock, interrupted, notices)


def _finish_backup(folder: Path, lock_wait: float) -> None:
    """A backup into this folder that was killed after its copy was complete is put in place
    first (vault.store.copyfolder), so a mixed pair of files is never opened. On read-only media
    it cannot be, and the folder opens as it is."""
    if not (folder / copyfolder.READY_NAME).is_dir():
        return
    with VaultLock(folder, wait_seconds=lock_wait), contextlib.suppress(OSError):
        copyfolder.finish_interrupted(folder)


def load_session(conn: db.Connection) -> tuple[Session, bytes]:
    """The session (connection, signing key, vault id) and the identity's public key."""
    identity = conn.execute("SELECT secret_key, public_key FROM identity WHERE id = 1").fetchone()
    meta = conn.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
    if identity is None or meta is None:
        raise VaultDamaged(_(db.DAMAGED_MESSAGE))
    return Session(conn, SigningKey(bytes(identity[0])), str(meta[0])), bytes(identity[1])


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
                [
                    ("vault_id", vault_id),
                    ("created", stamp),
                    ("format_version", "1"),
                    (keytrust.MAC_MARKER, str(c.KEYS_VERSION)),  # vault.keys carries a MAC
                ],
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


def _journal_to_play_back(folder: Path) -> bool:
    """A rollback journal that holds a change: it begins with SQLite's journal header.

    Only this counts as a session cut off mid-save, and only if SQLite then really plays it back
    (once the database is open, the journal no longer holds one). A zero-length journal, or one
    whose header is still zeros (a session stopped before any change reached vault.db, or a tool
    in PERSIST journal mode), is not "hot": SQLite ignores it and leaves it until the next write,
    so it must not make the "ended in the middle of saving" notice repeat at every open.
    """
    try:
        with (folder / JOURNAL_NAME).open("rb") as f:
            return f.read(len(JOURNAL_MAGIC)) == JOURNAL_MAGIC
    except OSError:
        return False


def _tidy_unfinished_keys(folder: Path) -> bool:
    """A vault.keys.new that never replaced vault.keys is an abandoned write: the old file holds.

    True when one was removed (said once: it is gone afterwards). One that cannot be removed
    (read-only media) changes nothing and is not reported.
    """
    try:
        (folder / (KEYS_NAME + NEW_SUFFIX)).unlink()
    except OSError:
        return False
    return True


def _remove_partial(folder: Path) -> None:
    """After a failed create, remove what it wrote (only our own files, and the folder if empty)."""
    for name in (DB_NAME, JOURNAL_NAME, KEYS_NAME, LOCK_NAME):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()
