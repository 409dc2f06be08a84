"""Re-encrypting ``vault.db`` under a new random database key (docs/format.md §3.4).

Deleting an item removes it from the database, but the rollback journal of the deletion, earlier
copies of pages and an earlier ``vault.db`` file may stay in freed blocks of the disk, encrypted
under the database key. While that key never changes, anyone who later learns the passphrase can
read them. Re-encryption copies the live database (``sqlcipher_export``) into a new file under a
new random key, wraps the new key in every slot of ``vault.keys`` (under the same slot keys, so the
same passphrase and recovery key open it), and drops the old key: what was freed before is then
encrypted under a key that is nowhere any more.

The two files change as a pair, and a process killed at any point leaves a vault that opens:

1. ``vault.db.rekey`` is written under the new key, with its ``vault.rekeyed`` event, and synced;
2. ``vault.keys`` is replaced atomically by one wrapping the new key: **the commit point**;
3. ``vault.db.rekey`` is renamed over ``vault.db``;
4. the old files' blocks are overwritten before they are let go (where the disk allows it).

At unlock, :func:`settle_unfinished` looks at what a cut-off run left: if ``vault.db`` opens with
the key just unlocked, a ``vault.db.rekey`` is an abandoned copy under a key that was never saved
(removed); if it does not, but ``vault.db.rekey`` does, step 2 happened and step 3 is finished.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import replace
from pathlib import Path

from crypto import constants as c
from crypto import keyslots
from crypto.errors import DecryptionFailed
from vault.errors import EvaultError, InvalidInput, StorageError, VaultDamaged
from vault.i18n import N_, _
from vault.store import db, fsutil, keystore, slotkeys
from vault.store.folder import DB_NAME, KEYS_NAME
from vault.store.keychange import KeyRing
from vault.store.session import Session, transaction

REKEY_NAME = DB_NAME + ".rekey"  # the new database, until it replaces vault.db
OLD_SUFFIX = ".old"  # a second name for a replaced file, so its blocks can be overwritten
VAULT_REKEYED = "vault.rekeyed"
SCRUB_BLOCK = 1024 * 1024

ALTERED = N_(
    "The vault's key file was changed outside evault, so it cannot be re-encrypted yet: set a new "
    "passphrase and make a new recovery key first, then try again."
)
NEEDS_RECOVERY = N_(
    "To re-encrypt, evault must re-lock your recovery key too, and this vault has not seen it "
    "since it was updated: open the vault once with the recovery key, or make a new one "
    "(evault recovery-key), then try again. Nothing was changed."
)
NEEDS_PASSPHRASE = N_(
    "To re-encrypt, evault must re-lock your passphrase too, and this vault has not seen it "
    "since it was updated: open the vault once with the passphrase, or set it again "
    "(evault passwd), then try again. Nothing was changed."
)

UNFINISHED = N_(
    "The vault was being re-encrypted when it was last closed, and the last step cannot be "
    "finished here (is the disk read-only?). Nothing is lost; open it where it can be written."
)


def _point(name: str) -> None:
    """A named step of the re-encryption (the kill tests stop the process here); does nothing."""


def check_possible(ring: KeyRing) -> None:
    """Refuse, before anything changes, when a slot could not be re-wrapped (see slotkeys.py)."""
    if ring.altered:
        raise InvalidInput(_(ALTERED))
    missing = {s.kind for s in ring.missing_slot_keys()}
    if c.SLOT_KIND_PASSPHRASE in missing:
        raise InvalidInput(_(NEEDS_PASSPHRASE))
    if missing:
        raise InvalidInput(_(NEEDS_RECOVERY))


def rekey(folder: Path, session: Session, ring: KeyRing, *, stamp: str) -> Session:
    """Re-encrypt the vault under a new key; return the session on the new database.

    Before the commit point a failure removes the new file and leaves everything as it was (the
    old session stays usable). After it, the old session's connection is closed: a failure there
    raises, and the vault opens again (finishing the swap) at the next unlock.
    """
    check_possible(ring)
    new_key = os.urandom(c.DB_KEY_BYTES)
    target = folder / REKEY_NAME
    _remove_new(folder)
    try:
        _export(session.conn, target, new_key)
        _point("exported")
        _record(target, new_key, session, ring, stamp)
        _sync(target)
        _point("new-db-written")
        slots = tuple(
            keyslots.rewrap(s, ring.slot_keys[s.id], new_key, ring.keys.vault_id)
            for s in ring.keys.slots
        )
    except DecryptionFailed:
        _remove_new(folder)
        raise InvalidInput(_(ALTERED)) from None
    except BaseException:
        _remove_new(folder)
        raise
    keys_old = _second_name(folder / KEYS_NAME)
    try:
        written = keystore.save(folder, replace(ring.keys, slots=slots), new_key)  # commit point
    except BaseException:
        _remove_new(folder)
        _unlink(keys_old)
        raise
    _point("keys-replaced")
    ring.replaced(written, new_key)
    session.conn.close()
    _swap_in(folder)
    _point("db-replaced")
    _scrub_old(folder)
    return Session(db.connect(folder / DB_NAME, new_key), session.signer, session.vault_id)


def settle_unfinished(folder: Path, db_key: bytes) -> None:
    """At unlock: finish or drop what a re-encryption cut off left (see the module doc)."""
    target = folder / REKEY_NAME
    if target.exists() and not _opens(folder / DB_NAME, db_key):
        if not _opens(target, db_key):
            raise VaultDamaged(_(db.DAMAGED_MESSAGE))  # neither file matches: keep both as they are
        try:
            _swap_in(folder)  # vault.keys was replaced: the new database is the vault
        except OSError as exc:
            raise StorageError(_(UNFINISHED)) from exc
    _remove_new(folder)
    _scrub_old(folder)


# ------------------------------------------------------------------ steps


def _export(conn: db.Connection, target: Path, new_key: bytes) -> None:
    """Copy the live database into ``target`` under ``new_key`` (SQLCipher's own export)."""
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    conn.execute("ATTACH DATABASE ? AS rekeyed KEY ?", (str(target), f"x'{new_key.hex()}'"))
    try:
        conn.execute(f"PRAGMA rekeyed.cipher_page_size = {c.CIPHER_PAGE_SIZE}")
        conn.execute(f"PRAGMA rekeyed.cipher_hmac_algorithm = {c.CIPHER_HMAC_ALGORITHM}")
        conn.execute("SELECT sqlcipher_export('rekeyed')").fetchone()
    finally:
        conn.execute("DETACH DATABASE rekeyed")


def _record(target: Path, new_key: bytes, session: Session, ring: KeyRing, stamp: str) -> None:
    """Prove the new file opens with the new key; sign the ``vault.rekeyed`` event in it and
    keep the slot keys this session knows (a passphrase changed in it included)."""
    conn = db.connect(target, new_key)
    try:
        slotkeys.store(conn, ring.slot_keys)
        with transaction(conn):
            Session(conn, session.signer, session.vault_id).event(
                VAULT_REKEYED,
                stamp,
                details={"reason": "the database was re-encrypted under a new random key"},
            )
    finally:
        conn.close()


def _opens(path: Path, key: bytes) -> bool:
    try:
        conn = db.connect(path, key)
    except EvaultError:
        return False
    conn.close()
    return True


def _swap_in(folder: Path) -> None:
    """Rename the new database over ``vault.db``, keeping a second name for the old one."""
    _second_name(folder / DB_NAME)
    os.replace(folder / REKEY_NAME, folder / DB_NAME)
    fsutil.fsync_dir(folder)


def _second_name(path: Path) -> Path:
    """Hard-link ``path`` as ``path.old`` (so its blocks can be overwritten once it is replaced)."""
    old = path.with_name(path.name + OLD_SUFFIX)
    _unlink(old)
    with contextlib.suppress(OSError):  # no hard links (FAT sticks): the blocks are let go as is
        os.link(path, old)
    return old


def _scrub_old(folder: Path) -> None:
    """Overwrite and remove the replaced files' second names (never the live file's)."""
    for name in (DB_NAME, KEYS_NAME):
        old, live = folder / (name + OLD_SUFFIX), folder / name
        if not old.exists() or not live.exists():  # never let go of the only name of a file
            continue
        try:
            replaced = live.exists() and not os.path.samefile(old, live)
        except OSError:
            continue
        if not replaced:  # the live file's own second name (cut off before the swap): keep it
            _unlink(old)
            continue
        with contextlib.suppress(OSError):
            _overwrite(old)
        _unlink(old)
    fsutil.fsync_dir(folder)


def _overwrite(path: Path) -> None:
    """Write zeros over every byte of ``path`` in place and sync (what the disk then keeps is up
    to it: flash and copy-on-write filesystems may keep the old blocks, SECURITY.md)."""
    size = path.stat().st_size
    zeros = bytes(SCRUB_BLOCK)
    fd = os.open(path, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    try:
        done = 0
        while done < size:
            done += os.write(fd, zeros[: min(SCRUB_BLOCK, size - done)])
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    fsutil.fsync_dir(path.parent)


def _remove_new(folder: Path) -> None:
    for name in (REKEY_NAME, REKEY_NAME + "-journal"):
        _unlink(folder / name)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):  # gone already, or read-only media: nothing to tidy
        path.unlink()
