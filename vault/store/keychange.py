"""Changing keys: a new passphrase (and keyfile), a new recovery key (docs/format.md §2).

Key changes rewrite ``vault.keys`` only; ``vault.db`` is not touched. Each change is noted in the
key-events list of ``vault.keys`` (authenticated with a key derived from the database key) and
becomes a signed custody event the next time the vault is opened.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from crypto import constants as c
from crypto import keyslots
from crypto.kdf import Argon2Params, calibrate
from crypto.keyslots import KeysFile
from crypto.recovery import format_recovery_key, new_recovery_secret
from vault.custody import log as custody
from vault.store import keystore, policy
from vault.store.session import Session, transaction

KdfChoice = Callable[[], Argon2Params]  # the Argon2id settings for a new slot (tests: fast ones)


def kdf_params(kdf: KdfChoice | None) -> Argon2Params:
    """The settings for a new passphrase slot: ``kdf``'s, else calibrated on this computer."""
    return (kdf or calibrate)()


def change_passphrase(
    folder: Path,
    keys: KeysFile,
    db_key: bytes,
    new_passphrase: str,
    *,
    keyfile: bytes | None,
    params: Argon2Params,
    stamp: str,
) -> KeysFile:
    """Replace the passphrase slot; returns the new keys (already saved atomically)."""
    policy.check_passphrase(new_passphrase)
    slot = keyslots.make_passphrase_slot(
        db_key, keys.vault_id, new_passphrase, params, now=stamp, keyfile=keyfile
    )
    had_keyfile = any(s.keyfile for s in keys.slot_of_kind(c.SLOT_KIND_PASSPHRASE))
    others = tuple(s for s in keys.slots if s.kind != c.SLOT_KIND_PASSPHRASE)
    event_type = (
        "key.passphrase_changed" if had_keyfile == (keyfile is not None) else "key.keyfile_changed"
    )
    return _save_with_event(
        folder, replace(keys, slots=(slot, *others)), db_key, event_type, slot.id, stamp
    )


def new_recovery_key(
    folder: Path, keys: KeysFile, db_key: bytes, *, stamp: str
) -> tuple[KeysFile, str]:
    """Replace the recovery slot; the old recovery key stops opening this vault.keys."""
    secret = new_recovery_secret()
    slot = keyslots.make_recovery_slot(db_key, keys.vault_id, secret, now=stamp)
    others = tuple(s for s in keys.slots if s.kind != c.SLOT_KIND_RECOVERY)
    new_keys = _save_with_event(
        folder,
        replace(keys, slots=(*others, slot)),
        db_key,
        "key.recovery_replaced",
        slot.id,
        stamp,
    )
    return new_keys, format_recovery_key(secret)


def _save_with_event(
    folder: Path, keys: KeysFile, db_key: bytes, event_type: str, slot_id: str, stamp: str
) -> KeysFile:
    keys = keyslots.with_key_event(
        keys, db_key, event_id=str(uuid.uuid4()), event_type=event_type, time=stamp, slot_id=slot_id
    )
    keystore.save(folder, keys)
    return keys


def import_key_events(session: Session, keys: KeysFile, db_key: bytes) -> None:
    """Append key changes noted in vault.keys to the custody log (once each)."""
    if not keys.key_events or not keyslots.key_events_authentic(keys, db_key):
        return
    known = custody.known_event_ids(session.conn, [e["id"] for e in keys.key_events])
    missing = [e for e in keys.key_events if e["id"] not in known]
    if not missing:
        return
    with transaction(session.conn):
        for event in missing:
            session.event(
                event["type"],
                event["time"],
                details={"slot": event["slot"], "recorded_from": "vault.keys"},
                event_id=event["id"],
            )
