"""Unlocking: the database key from a passphrase (and keyfile) or the recovery key (docs/format.md §2).

Every way of failing gets its own calm sentence, and none of them says which part was wrong beyond
what the defender can act on (a typing mistake in the recovery key is caught by its check group).
What can be told apart from a wrong secret is: a file that no longer parses, or settings out of
range (both refused by :mod:`vault.store.keystore`), and a slot that is missing altogether: those
are damage, never "wrong passphrase". So is a version 2 slot whose checksum fails (a flipped
byte). Only a version 1 slot (no checksum) with a flipped byte, or a deliberate edit that fixed up
the checksum, fails like a wrong passphrase: the AEAD cannot tell them apart (docs/format.md §2.2).
"""

from __future__ import annotations

from crypto import keyslots
from crypto.errors import DecryptionFailed, FormatError, RecoveryKeyTypo
from crypto.keyslots import KeysFile, Keyslot
from crypto.recovery import parse_recovery_key
from vault.errors import (
    InvalidInput,
    KeyfileRequired,
    KeysFileDamaged,
    RecoveryKeyMistyped,
    WrongPassphrase,
)
from vault.i18n import N_, _
from vault.store.cryptowords import crypto_words

WRONG_PASSPHRASE = N_("That passphrase does not open this vault. Check it and try again.")
WRONG_KEYFILE = N_("That passphrase and keyfile do not open this vault. Check both and try again.")
WRONG_RECOVERY = N_("That recovery key does not open this vault. Check each group and try again.")
KEYFILE_NEEDED = N_("This vault also needs its keyfile. Give it with --keyfile and try again.")
RECOVERY_TYPO = N_(
    "That recovery key has a typing mistake: one of the groups is wrong. "
    "Check each group against your paper copy."
)
DAMAGED_PASSPHRASE_SLOT = N_(
    "The vault's key file (vault.keys) is damaged: the part your passphrase opens no longer "
    "reads as evault wrote it. Open the vault with your recovery key, then set your passphrase "
    "again (evault passwd)."
)
DAMAGED_RECOVERY_SLOT = N_(
    "The vault's key file (vault.keys) is damaged: the part your recovery key opens no longer "
    "reads as evault wrote it. Open the vault with your passphrase, then make a new recovery key "
    "(evault recovery-key)."
)
NO_PASSPHRASE_SLOT = N_(
    "The vault's key file (vault.keys) is damaged: it no longer holds the passphrase's slot. "
    "Open the vault with your recovery key, or restore vault.keys from a backup copy."
)
NO_RECOVERY_SLOT = N_(
    "The vault's key file (vault.keys) is damaged: it no longer holds a recovery key slot. "
    "Open the vault with your passphrase, or restore vault.keys from a backup copy."
)


def unlock(
    keys: KeysFile, passphrase: str | None, keyfile: bytes | None, recovery_key: str | None
) -> tuple[bytes, Keyslot, bytes]:
    """The database key, the slot that gave it and that slot's key, from a recovery key or a
    passphrase (the slot key lets a later re-encryption re-wrap this slot, §3.4)."""
    if recovery_key is not None:
        try:
            secret = parse_recovery_key(recovery_key)
        except RecoveryKeyTypo:
            raise RecoveryKeyMistyped(_(RECOVERY_TYPO)) from None
        except FormatError as exc:
            raise RecoveryKeyMistyped(crypto_words(str(exc))) from None
        try:
            return keyslots.open_recovery_slot_keyed(keys, secret)
        except keyslots.SlotMissing:
            raise KeysFileDamaged(_(NO_RECOVERY_SLOT)) from None
        except keyslots.SlotDamaged:
            raise KeysFileDamaged(_(DAMAGED_RECOVERY_SLOT)) from None
        except DecryptionFailed:
            raise WrongPassphrase(_(WRONG_RECOVERY)) from None
    if passphrase is None:
        raise InvalidInput(_("A passphrase or recovery key is needed to open the vault."))
    try:
        return keyslots.open_passphrase_slot_keyed(keys, passphrase, keyfile)
    except keyslots.SlotMissing:
        raise KeysFileDamaged(_(NO_PASSPHRASE_SLOT)) from None
    except keyslots.SlotDamaged:
        raise KeysFileDamaged(_(DAMAGED_PASSPHRASE_SLOT)) from None
    except keyslots.KeyfileRequired:
        raise KeyfileRequired(_(KEYFILE_NEEDED)) from None
    except DecryptionFailed:
        raise WrongPassphrase(
            _(WRONG_PASSPHRASE) if keyfile is None else _(WRONG_KEYFILE)
        ) from None
