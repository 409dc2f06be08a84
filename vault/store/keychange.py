"""Changing keys: a new passphrase (and keyfile), a new recovery key, recovery shares for
trusted people (docs/format.md §2).

Key changes rewrite ``vault.keys`` only; ``vault.db`` is not touched. Each change is noted in the
key-events list of ``vault.keys`` (covered by the file's MAC) and becomes a signed custody event
the next time the vault is opened.

A new recovery key is written first as a *pending* slot beside the old one, and replaces it only
once the defender confirmed it (typed its last group, or the whole key): a process killed between
writing the file and showing the key never leaves a recovery key nobody saw as the only one.

If ``vault.keys`` failed its MAC when the vault was opened (damage, or someone who could write the
folder), this session can vouch only for the slot that opened it. A rewrite then never seals a
slot it cannot vouch for: an unvouched recovery slot is dropped only when a new recovery key takes
its place, an unvouched passphrase slot only when a new passphrase does; anything else is refused
with what to do first. Key events that were not authentic are dropped and a ``key.file_repaired``
event records the rewrite.
"""

from __future__ import annotations

import hmac
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from crypto import constants as c
from crypto import keyslots
from crypto.errors import DecryptionFailed, FormatError, RecoveryKeyTypo
from crypto.kdf import Argon2Params, calibrate
from crypto.keyslots import KeysFile, Keyslot
from crypto.recovery import format_recovery_key, new_recovery_secret, parse_recovery_key
from crypto.shares import IssuedShares, issue_shares
from vault.custody import log as custody
from vault.errors import Cancelled, InvalidInput, RecoveryKeyMistyped
from vault.i18n import N_, _
from vault.store import keystore, policy
from vault.store.cryptowords import crypto_words
from vault.store.session import Session, transaction

KdfChoice = Callable[[], Argon2Params]  # the Argon2id settings for a new slot (tests: fast ones)

PENDING = c.SLOT_KIND_RECOVERY_PENDING
SHARES = c.SLOT_KIND_SHARES
NO_PENDING = N_(
    "There is no new recovery key waiting to be confirmed. Make one with "
    "'evault recovery-key' (or Settings in the app)."
)
NOT_LAST_GROUP = N_(
    "That is not the last group of the new recovery key. Look at the key again and check your paper."
)
NOT_THE_NEW_KEY = N_(
    "That is not the new recovery key waiting to be confirmed. Check each group against your paper."
)
WHOLE_KEY_NEEDED = N_(
    "This new recovery key was made in an earlier session: confirm it by typing the whole key "
    "from your paper."
)
PASSPHRASE_NOT_CHANGED = N_(
    "Stopped. The passphrase was not changed; the old one still opens the vault."
)
SET_PASSPHRASE_FIRST = N_(
    "The vault's key file was altered outside evault, so your passphrase's slot can no longer be "
    "vouched for: set a new passphrase first (evault passwd), then try again."
)
NEW_RECOVERY_FIRST = N_(
    "The vault's key file was altered outside evault, so your recovery key can no longer be "
    "vouched for: make a new recovery key first (evault recovery-key), then try again."
)


def kdf_params(kdf: KdfChoice | None) -> Argon2Params:
    """The settings for a new passphrase slot: ``kdf``'s, else calibrated on this computer."""
    return (kdf or calibrate)()


class KeyRing:
    """``vault.keys`` as this session holds it, and the changes the session may make to it.

    ``vouched`` names the slots this session can stand behind: all of them when the file's MAC
    verified at opening, else only the slot that opened the vault (``altered`` is then True).
    """

    def __init__(
        self,
        folder: Path,
        keys: KeysFile,
        db_key: bytes,
        *,
        opened: Keyslot,
        altered: bool,
        slot_keys: dict[str, bytes] | None = None,
    ) -> None:
        self.folder = folder
        self.keys = keys
        self.opened = opened
        self.altered = altered
        self._db_key = db_key
        self._vouched = frozenset({opened.id} if altered else {s.id for s in keys.slots})
        self._pending_secret: tuple[str, bytes] | None = None  # (slot id, secret) made here
        # (slot id, slot key) of a shares slot prepared but not yet installed.
        self._prepared_shares_key: tuple[str, bytes] | None = None
        # The slot keys known to this session (vault/store/slotkeys.py), by slot id.
        self._slot_keys = {
            k: v for k, v in (slot_keys or {}).items() if k in {s.id for s in keys.slots}
        }

    def __repr__(self) -> str:
        return f"KeyRing({str(self.folder)!r}, altered={self.altered})"

    @property
    def db_key(self) -> bytes:
        return self._db_key

    @property
    def slot_keys(self) -> dict[str, bytes]:
        """The known slot keys of the slots in ``vault.keys`` now, by slot id."""
        return dict(self._slot_keys)

    def missing_slot_keys(self) -> list[Keyslot]:
        """The slots this session could not re-wrap under a new database key."""
        return [s for s in self.keys.slots if s.id not in self._slot_keys]

    def forget(self) -> None:
        """Drop the keys held in memory (the vault is closing)."""
        self._db_key = b""
        self._pending_secret = None
        self._slot_keys = {}

    def replaced(self, keys: KeysFile, db_key: bytes) -> None:
        """Take the key file and database key a re-encryption just committed (vault/store/rekey.py)."""
        self.keys = keys
        self._db_key = db_key

    def unvouched(self) -> list[Keyslot]:
        """The slots of the file as opened that this session cannot stand behind."""
        return [s for s in self.keys.slots if s.id not in self._vouched]

    # ------------------------------------------------------------------ changes

    def change_passphrase(
        self,
        new_passphrase: str,
        *,
        keyfile: bytes | None,
        params: Argon2Params,
        stamp: str,
        cancel: threading.Event | None = None,
    ) -> None:
        """Replace the passphrase slot (and its keyfile), saved atomically; nothing is written
        if ``cancel`` was set while the new slot's key was derived (the slow part)."""
        policy.check_passphrase(new_passphrase)
        policy.check_keyfile(keyfile)
        old = self.keys.slot(c.SLOT_KIND_PASSPHRASE)
        slot, slot_key = keyslots.make_passphrase_slot_keyed(
            self._db_key, self.keys.vault_id, new_passphrase, params, now=stamp, keyfile=keyfile
        )
        if cancel is not None and cancel.is_set():
            raise Cancelled(_(PASSPHRASE_NOT_CHANGED))
        self._slot_keys[slot.id] = slot_key
        others = tuple(s for s in self.keys.slots if s.kind != c.SLOT_KIND_PASSPHRASE)
        had_keyfile = old is not None and old.keyfile
        event = (
            "key.passphrase_changed"
            if had_keyfile == (keyfile is not None)
            else "key.keyfile_changed"
        )
        self._write((slot, *others), new=slot, event=event, stamp=stamp)

    def new_recovery_key(self, *, stamp: str) -> str:
        """Write a new recovery key as pending (the old one keeps working) and return it."""
        secret = new_recovery_secret()
        slot, slot_key = keyslots.make_recovery_slot_keyed(
            self._db_key, self.keys.vault_id, secret, now=stamp, pending=True
        )
        self._slot_keys[slot.id] = slot_key
        others = tuple(s for s in self.keys.slots if s.kind != PENDING)
        self._write((*others, slot), new=slot, event=None, stamp=stamp)
        self._pending_secret = (slot.id, secret)
        return format_recovery_key(secret)

    @property
    def pending(self) -> Keyslot | None:
        """The new recovery key's slot waiting for confirmation, if any."""
        return self.keys.slot(PENDING)

    def confirm_recovery_key(self, typed: str, *, stamp: str) -> None:
        """Make the pending recovery key the recovery key; the old one stops opening the vault.

        ``typed`` is the new key's last group (only in the session that made it) or the whole key.
        """
        pending = self.pending
        if pending is None:
            raise InvalidInput(_(NO_PENDING))
        secret = self._confirmed_secret(typed, pending)
        slot, slot_key = keyslots.make_recovery_slot_keyed(
            self._db_key, self.keys.vault_id, secret, now=stamp
        )
        self._slot_keys[slot.id] = slot_key
        others = tuple(s for s in self.keys.slots if s.kind not in keyslots.RECOVERY_KINDS)
        self._write((*others, slot), new=slot, event="key.recovery_replaced", stamp=stamp)
        self._pending_secret = None

    def cancel_recovery_key(self, *, stamp: str) -> None:
        """Forget the pending recovery key; the old one stays the recovery key."""
        if self.pending is None:
            return
        kept = tuple(s for s in self.keys.slots if s.kind != PENDING)
        self._write(kept, new=None, event=None, stamp=stamp)
        self._pending_secret = None

    def prepare_shares(
        self, threshold: int, count: int, *, stamp: str
    ) -> tuple[IssuedShares, Keyslot]:
        """A new set of SLIP-39 shares and the slot wrapping the database key under its secret.

        Nothing is written: the pages go to the holders' folder first, then
        :meth:`install_shares` saves the slot, so a failed write never leaves a set nobody has.
        """
        try:
            issued = issue_shares(threshold, count)
        except FormatError as exc:
            raise InvalidInput(crypto_words(str(exc))) from None
        slot = keyslots.make_shares_slot(
            self._db_key,
            self.keys.vault_id,
            issued.secret,
            identifier=issued.identifier,
            threshold=threshold,
            count=count,
            now=stamp,
        )
        self._prepared_shares_key = (slot.id, keyslots.shares_slot_key(slot, issued.secret))
        return issued, slot

    def install_shares(self, slot: Keyslot, *, stamp: str) -> None:
        """Save ``slot`` in place of the old shares slot, in one atomic write: from then on the
        old set no longer opens this vault.keys (docs/format.md §2.7)."""
        event = "key.shares_issued" if self.shares is None else "key.shares_replaced"
        others = tuple(s for s in self.keys.slots if s.kind != SHARES)
        self._write((*others, slot), new=slot, event=event, stamp=stamp)
        prepared = self._prepared_shares_key
        if prepared is not None and prepared[0] == slot.id:
            self._slot_keys[slot.id] = prepared[1]  # a rekey re-wraps this slot too (§3.4)
        self._prepared_shares_key = None

    def revoke_shares(self, *, stamp: str) -> bool:
        """Remove the shares slot: no set of shares opens this vault.keys any more.

        False when there was none (nothing is written).
        """
        old = self.keys.slot(SHARES)
        if old is None:
            return False
        kept = tuple(s for s in self.keys.slots if s.kind != SHARES)
        self._write(kept, new=None, event="key.shares_revoked", stamp=stamp, about=old)
        return True

    @property
    def shares(self) -> Keyslot | None:
        """The slot of the current set of recovery shares, if any."""
        return self.keys.slot(SHARES)

    def _confirmed_secret(self, typed: str, pending: Keyslot) -> bytes:
        cleaned = "".join(ch for ch in typed.upper() if ch not in " -\t\r\n")
        if len(cleaned) == c.RECOVERY_GROUP:
            made = self._pending_secret
            if made is None or made[0] != pending.id:
                raise InvalidInput(_(WHOLE_KEY_NEEDED))
            last = format_recovery_key(made[1]).rsplit("-", 1)[-1]
            if not hmac.compare_digest(cleaned.encode("ascii", "replace"), last.encode("ascii")):
                raise InvalidInput(_(NOT_LAST_GROUP))
            return made[1]
        try:
            secret = parse_recovery_key(typed)
        except RecoveryKeyTypo:
            raise RecoveryKeyMistyped(
                _(
                    "That recovery key has a typing mistake: one of the groups is wrong. "
                    "Check each group against your paper."
                )
            ) from None
        except FormatError as exc:
            raise RecoveryKeyMistyped(crypto_words(str(exc))) from None
        try:
            keyslots.open_recovery_slot(KeysFile(self.keys.vault_id, (pending,)), secret)
        except DecryptionFailed:
            raise InvalidInput(_(NOT_THE_NEW_KEY)) from None
        return secret

    # ------------------------------------------------------------------ writing

    def _vouched_slots(self, slots: tuple[Keyslot, ...], new: Keyslot | None) -> list[Keyslot]:
        """``slots`` without what this session cannot vouch for, or refuse (see module doc)."""
        trusted = self._vouched | ({new.id} if new is not None else set())
        kept = [s for s in slots if s.id in trusted or s.kind != PENDING]
        has_recovery = any(s.kind in keyslots.RECOVERY_KINDS and s.id in trusted for s in kept)
        result = []
        for slot in kept:
            if slot.id in trusted:
                result.append(slot)
            elif slot.kind == SHARES:
                continue  # never sealed unvouched; the unlock notice said to issue new shares
            elif slot.kind == c.SLOT_KIND_PASSPHRASE:
                raise InvalidInput(_(SET_PASSPHRASE_FIRST))
            elif not has_recovery:
                raise InvalidInput(_(NEW_RECOVERY_FIRST))
        return result

    def _write(
        self,
        slots: tuple[Keyslot, ...],
        *,
        new: Keyslot | None,
        event: str | None,
        stamp: str,
        about: Keyslot | None = None,
    ) -> None:
        """Save ``slots`` sealed; ``event`` names the slot ``new`` (or ``about``, one removed)."""
        keys = replace(self.keys, slots=tuple(self._vouched_slots(slots, new)))
        if self.altered:  # events we cannot vouch for are not carried into a sealed file
            keys = replace(keys, key_events=())
            keys = _with_event(keys, "key.file_repaired", self.opened.id, stamp)
        named = new or about
        if event is not None and named is not None:
            keys = _with_event(keys, event, named.id, stamp)
        self.keys = keystore.save(self.folder, keys, self._db_key)
        self._vouched = frozenset(s.id for s in self.keys.slots)
        ids = {s.id for s in self.keys.slots}
        self._slot_keys = {k: v for k, v in self._slot_keys.items() if k in ids}
        self.altered = False


def _with_event(keys: KeysFile, event_type: str, slot_id: str, stamp: str) -> KeysFile:
    return keyslots.with_key_event(
        keys, event_id=str(uuid.uuid4()), event_type=event_type, time=stamp, slot_id=slot_id
    )


def import_key_events(session: Session, keys: KeysFile) -> None:
    """Append key changes noted in vault.keys to the custody log (once each).

    The caller has checked that the events can be trusted (:mod:`vault.store.keytrust`).
    """
    if not keys.key_events:
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
