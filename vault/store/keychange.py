"""Unlocking and changing keys: passphrase, keyfile, recovery key (docs/format.md §2).

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
from crypto.errors import DecryptionFailed, FormatError, RecoveryKeyTypo
from crypto.kdf import Argon2Params
from crypto.keyslots import KeysFile
from crypto.recovery import format_recovery_key, new_recovery_secret, parse_recovery_key
from vault.custody import log as custody
from vault.errors import InvalidInput, KeyfileRequired, RecoveryKeyMistyped, WrongPassphrase
from vault.store import keystore
from vault.store.session import Session, transaction

KdfChoice = Callable[[], Argon2Params]
MIN_PASSPHRASE_CHARS = 8

WRONG_PASSPHRASE = "That passphrase does not open this vault. Check it and try again."  # noqa: S105
WRONG_KEYFILE = "That passphrase and keyfile do not open this vault. Check both and try again."
WRONG_RECOVERY = "That recovery key does not open this vault. Check each group and try again."
KEYFILE_NEEDED = "This vault also needs its keyfile. Give it with --keyfile and try again."
RECOVERY_TYPO = (
    "That recovery key has a typing mistake: one of the groups is wrong. "
    "Check each group against your paper copy."
)


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        raise InvalidInput(
            f"A passphrase needs at least {MIN_PASSPHRASE_CHARS} characters. "
            "Several unrelated words you can remember make a strong one."
        )


def unlock(
    keys: KeysFile, passphrase: str | None, keyfile: bytes | None, recovery_key: str | None
) -> bytes:
    """The database key, from a recovery key or a passphrase (and keyfile)."""
    if recovery_key is not None:
        try:
            secret = parse_recovery_key(recovery_key)
        except RecoveryKeyTypo:
            raise RecoveryKeyMistyped(RECOVERY_TYPO) from None
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
        raise WrongPassphrase(WRONG_PASSPHRASE if keyfile is None else WRONG_KEYFILE) from None


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
    check_passphrase(new_passphrase)
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
