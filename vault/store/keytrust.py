"""Vouching for ``vault.keys`` once the database key is known (docs/format.md §2.4).

At every unlock, after a slot opened and SQLCipher proved the key, the file's MAC is checked:

- a version 2 file whose MAC verifies is trusted: its key events reach the custody log;
- a version 1 file (written before the MAC existed) whose key events verify is upgraded: rewritten
  atomically with its MAC and a ``key.file_upgraded`` key event, and ``vault.db`` remembers that
  this vault's key file carries a MAC from now on;
- anything else was altered (damage, or someone who could write the folder): a version 2 file
  whose MAC fails, a version 1 file whose key events fail their MAC, or a version 1 file in a
  vault that already had a MAC (the MAC stripped off). The vault still opens: the slot that opened
  it and the database are proven, and the evidence is needed. Nothing in the file is trusted
  beyond that slot; the front ends say what to replace, and ``evault check`` reports it until
  a key change rewrites the file from what this session can vouch for.
"""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

from crypto import constants as c
from crypto import keyslots
from crypto.keyslots import KeysFile, Keyslot
from vault.custody.models import Finding
from vault.errors import EvaultError, StorageError
from vault.i18n import N_, _
from vault.store import keystore, slotkeys
from vault.store.db import Connection
from vault.store.keychange import KeyRing, import_key_events
from vault.store.session import Session, transaction

# A row in vault.db's meta table: this vault's vault.keys has carried a whole-file MAC. A key file
# without one is then not "older", but altered.
MAC_MARKER = "keys_file.mac"

ALTERED_PASSPHRASE = N_(
    "The vault's key file (vault.keys) was changed outside evault since it was last saved "
    "(damage, or someone who could reach the vault folder). Your evidence is unharmed, but your "
    "passphrase can no longer be vouched for: set a new passphrase now (evault passwd, or "
    "Settings in the app), then run a check."
)
ALTERED_RECOVERY = N_(
    "The vault's key file (vault.keys) was changed outside evault since it was last saved "
    "(damage, or someone who could reach the vault folder). Your evidence is unharmed, but your "
    "recovery key may no longer open the vault: make a new recovery key now (evault "
    "recovery-key, or Settings in the app), then run a check."
)
ALTERED_SHARES = N_(
    "The vault's key file (vault.keys) was changed outside evault since it was last saved "
    "(damage, or someone who could reach the vault folder). Your evidence is unharmed, but the "
    "recovery shares your trusted people hold may no longer open the vault: issue new shares "
    "(evault recovery shares), then run a check."
)
ALTERED_EVENTS = N_(
    "The vault's key file (vault.keys) was changed outside evault since it was last saved "
    "(damage, or someone who could reach the vault folder). Your evidence is unharmed; change "
    "the passphrase or make a new recovery key to rewrite it, then run a check."
)


def mark(conn: Connection) -> None:
    """Remember in vault.db that this vault's key file carries a whole-file MAC."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (MAC_MARKER, str(c.KEYS_VERSION)),
        )


def marked(conn: Connection) -> bool:
    row = conn.execute("SELECT 1 FROM meta WHERE key = ?", (MAC_MARKER,)).fetchone()
    return row is not None


def settle(
    folder: Path,
    session: Session,
    keys: KeysFile,
    db_key: bytes,
    opened: Keyslot,
    slot_key: bytes,
    *,
    stamp: str,
) -> KeyRing:
    """Check (and if need be upgrade) the key file just unlocked; import its trusted key events;
    keep the slot keys known now (the opened slot's, and those the database kept) for rekeying."""
    conn = session.conn
    if keys.version == c.KEYS_VERSION:
        altered = not keyslots.keys_file_authentic(keys, db_key)
    else:
        altered = marked(conn) or not keyslots.key_events_authentic(keys, db_key)
    if not altered and keys.version != c.KEYS_VERSION:
        keys = _upgrade(folder, keys, db_key, opened, stamp)
    if not altered and keys.version == c.KEYS_VERSION and not marked(conn):
        mark(conn)
    if not altered:
        import_key_events(session, keys)
    known = {**slotkeys.load(conn), opened.id: slot_key}
    ring = KeyRing(folder, keys, db_key, opened=opened, altered=altered, slot_keys=known)
    with contextlib.suppress(StorageError):  # a read-only stick: known again at the next unlock
        slotkeys.store(conn, ring.slot_keys)
    return ring


def _upgrade(folder: Path, keys: KeysFile, db_key: bytes, opened: Keyslot, stamp: str) -> KeysFile:
    """Rewrite a version 1 file with its MAC and a ``key.file_upgraded`` key event.

    Where the folder cannot be written (a read-only stick), the file stays as it is, is trusted as
    before, and is upgraded at a later unlock; ``check`` notes it.
    """
    upgraded = keyslots.with_key_event(
        keys,
        event_id=str(uuid.uuid4()),
        event_type="key.file_upgraded",
        time=stamp,
        slot_id=opened.id,
    )
    try:
        return keystore.save(folder, upgraded, db_key)
    except StorageError:
        return keys


def notices(ring: KeyRing) -> tuple[str, ...]:
    """What the defender should know about the key file just after unlocking, in plain words."""
    found: list[str] = []
    if ring.altered:
        kinds = {s.kind for s in ring.unvouched()}
        if c.SLOT_KIND_PASSPHRASE in kinds:
            found.append(_(ALTERED_PASSPHRASE))
        elif c.SLOT_KIND_RECOVERY in kinds:
            found.append(_(ALTERED_RECOVERY))
        elif c.SLOT_KIND_SHARES in kinds:
            found.append(_(ALTERED_SHARES))
        else:
            found.append(_(ALTERED_EVENTS))
    pending = ring.pending
    if pending is not None and not ring.altered:
        found.append(pending_note(pending).shown())
    return tuple(found)


def pending_note(pending: Keyslot) -> Finding:
    return Finding(
        N_(
            "A new recovery key made on {date} was never confirmed, so your previous recovery "
            "key still opens this vault too. Confirm the new one (evault recovery-key --confirm), "
            "or make another (evault recovery-key, or Settings in the app)."
        ),
        date=pending.created[:10],
    )


def check_keys_file(ring: KeyRing, conn: Connection) -> tuple[list[str], list[str]]:
    """``evault check``'s findings about vault.keys as it is on disk now: (problems, notes)."""
    problems: list[str] = []
    notes: list[str] = []
    try:
        keys = keystore.load(ring.folder)
    except EvaultError:
        return [
            Finding(
                N_(
                    "vault.keys is damaged or was altered since the vault was opened: it can no longer "
                    "be read as a key file."
                )
            )
        ], notes
    db_key = ring.db_key
    if keys.version == c.KEYS_VERSION:
        if not keyslots.keys_file_authentic(keys, db_key):
            problems.append(
                Finding(
                    N_(
                        "vault.keys was altered or damaged: its authentication code does not match, so a "
                        "key slot or the list of key changes is no longer what evault wrote."
                    )
                )
            )
        elif keys != ring.keys:
            problems.append(
                Finding(
                    N_(
                        "vault.keys was replaced while the vault was open (by an older copy of it?)."
                    )
                )
            )
    elif marked(conn):
        problems.append(
            Finding(
                N_(
                    "vault.keys has lost its authentication code: an older copy, or one edited on "
                    "purpose, was put in place of the one evault wrote."
                )
            )
        )
    elif not keyslots.key_events_authentic(keys, db_key):
        problems.append(
            Finding(
                N_(
                    "vault.keys: the list of key changes was altered (its authentication code does not "
                    "match)."
                )
            )
        )
    else:
        notes.append(
            Finding(
                N_(
                    "vault.keys is still in the older form, without an authentication code over the whole "
                    "file; it is upgraded the next time the vault is opened where it can be written."
                )
            )
        )
    pending = keys.slot(c.SLOT_KIND_RECOVERY_PENDING)
    if pending is not None and not problems:
        notes.append(pending_note(pending))
    shares = keys.slot(c.SLOT_KIND_SHARES)
    if shares is not None and not problems:
        notes.append(shares_note(shares))
    return problems, notes


def shares_note(slot: Keyslot) -> Finding:
    """Which set of recovery shares opens the vault (nothing secret: every page says it)."""
    layout = slot.kdf["slip39"]
    return Finding(
        N_(
            "Recovery shares: set {set_number}, issued on {date}; any {threshold} of its {count} "
            "shares open the vault."
        ),
        set_number=layout["identifier"],
        date=slot.created[:10],
        threshold=layout["threshold"],
        count=layout["count"],
    )
