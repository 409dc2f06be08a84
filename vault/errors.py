"""One hierarchy for every error a user can meet.

Each message is one or two calm sentences a defender can act on: what happened and what to do. No
message, repr or log line ever contains a passphrase, key or evidence content. The command line maps
these to exit codes (``EXIT_*``, defined here and nowhere else); the terminal UI shows the same text in a dialog.
"""

from __future__ import annotations

from vault.i18n import N_, _

EXIT_OK = 0
EXIT_VERIFY_FAILED = 1
EXIT_USER_ERROR = 2
EXIT_INTERNAL = 3  # a bug (or a broken installation): please report it
EXIT_SIGNER_NOT_CONFIRMED = 4  # verify: the files are intact, but no one confirmed who signed
EXIT_INTERRUPTED = 130


class EvaultError(Exception):
    """Base class. ``str(err)`` is the message shown to the user."""

    exit_code = EXIT_USER_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


LOCKED_MESSAGE = N_("The vault is locked. Unlock it again to continue.")


class VaultLocked(EvaultError):
    """The vault was locked (auto-lock, panic key) while something still wanted it."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(_(LOCKED_MESSAGE) if message is None else message)


class NotAVault(EvaultError):
    """The folder is not an evidence vault (no vault.keys / vault.db)."""


class VaultExists(EvaultError):
    """Refusing to create a vault where one (or other files) already exists."""


class WrongPassphrase(EvaultError):
    """The passphrase, keyfile or recovery key does not open the vault."""


class KeyfileRequired(WrongPassphrase):
    """The vault's passphrase slot needs a keyfile too."""


class RecoveryKeyMistyped(WrongPassphrase):
    """The recovery key's check group does not match: a typing mistake."""


class KeysFileDamaged(EvaultError):
    """vault.keys is unreadable, malformed or asks for absurd key-derivation settings."""


class VaultDamaged(EvaultError):
    """vault.db cannot be read with the right key: it was damaged or tampered with."""


class UnsupportedVersion(EvaultError):
    """Made by a newer evidence-vault."""


class VaultBusy(EvaultError):
    """Another evault process has this vault open."""


class ItemNotFound(EvaultError):
    """No item with that id (or prefix)."""


class InvalidInput(EvaultError):
    """Something the user gave us is not usable (a date, a file, a value)."""


class StorageError(EvaultError):
    """The disk could not be read or written (removed, read-only, failing)."""


class StorageFull(StorageError):
    """The disk is full; nothing was changed."""


class Cancelled(EvaultError):
    """The user stopped a long operation; nothing half-done was kept."""

    exit_code = EXIT_INTERRUPTED


class BundleUnusable(EvaultError):
    """The file cannot be read as an evidence bundle at all (not a ZIP, encrypted with another
    key, truncated): nothing could be checked, so nothing is claimed about it."""


class VerificationFailed(EvaultError):
    """Something does not verify (integrity check, custody chain, signature)."""

    exit_code = EXIT_VERIFY_FAILED
