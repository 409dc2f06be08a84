"""Unlocking: the database key from a passphrase (and keyfile) or the recovery key (docs/format.md §2).

Every way of failing gets its own calm sentence, and none of them says which part was wrong beyond
what the defender can act on (a typing mistake in the recovery key is caught by its check group).
"""

from __future__ import annotations

from crypto import keyslots
from crypto.errors import DecryptionFailed, FormatError, RecoveryKeyTypo
from crypto.keyslots import KeysFile
from crypto.recovery import parse_recovery_key
from vault.errors import InvalidInput, KeyfileRequired, RecoveryKeyMistyped, WrongPassphrase

WRONG_PASSPHRASE = "That passphrase does not open this vault. Check it and try again."  # noqa: S105
WRONG_KEYFILE = "That passphrase and keyfile do not open this vault. Check both and try again."
WRONG_RECOVERY = "That recovery key does not open this vault. Check each group and try again."
KEYFILE_NEEDED = "This vault also needs its keyfile. Give it with --keyfile and try again."
RECOVERY_TYPO = (
    "That recovery key has a typing mistake: one of the groups is wrong. "
    "Check each group against your paper copy."
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
