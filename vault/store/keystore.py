"""Reading and replacing ``vault.keys``, with crypto errors turned into calm user errors.

Every write goes through :func:`save`, which seals the file with its MAC (docs/format.md §2.4)
and replaces it atomically: evault never writes a file it could not later vouch for.
"""

from __future__ import annotations

from pathlib import Path

from crypto import constants as c
from crypto import keyslots
from crypto.errors import FormatError, ParameterError
from crypto.keysfile import parse_keys_file
from crypto.keyslots import KeysFile
from vault.errors import KeysFileDamaged, NotAVault, StorageError, UnsupportedVersion
from vault.i18n import N_, _
from vault.store import fsutil
from vault.store.folder import DB_NAME, KEYS_NAME

_DAMAGED = N_(
    "The vault's key file (vault.keys) is damaged or was altered, so the vault cannot be unlocked. "
    "Nothing was changed; restore vault.keys from a backup copy of the vault folder."
)


def keys_path(folder: Path) -> Path:
    return folder / KEYS_NAME


def load(folder: Path) -> KeysFile:
    path = keys_path(folder)
    if not folder.is_dir():
        raise NotAVault(
            _(
                "There is no vault at {folder}. Check the path, or create one with 'evault init'."
            ).format(folder=folder)
        )
    if not path.is_file():
        if (folder / DB_NAME).exists():
            raise KeysFileDamaged(
                _(
                    "The vault's key file (vault.keys) is missing, so the vault cannot be unlocked. "
                    "Restore it from a backup copy of the vault folder."
                )
            )
        raise NotAVault(
            _(
                "{folder} is not an evidence vault. Check the path, or create one with 'evault init'."
            ).format(folder=folder)
        )
    try:
        with path.open("rb") as f:
            data = f.read(c.MAX_KEYS_FILE_BYTES + 1)
    except OSError as exc:
        raise StorageError(
            _("The vault's key file could not be read. Check the disk and try again.")
        ) from exc
    try:
        return parse_keys_file(data)
    except ParameterError:
        raise KeysFileDamaged(
            _(
                "The vault's key file asks for impossible unlocking settings, so it was refused. "
                "It may have been tampered with; restore vault.keys from a backup copy."
            )
        ) from None
    except FormatError as exc:
        if "newer version" in str(exc):
            raise UnsupportedVersion(
                _(
                    "This vault was made by a newer version of evidence-vault. Install that version to open it."
                )
            ) from None
        raise KeysFileDamaged(_(_DAMAGED)) from None


def save(folder: Path, keys: KeysFile, db_key: bytes) -> KeysFile:
    """Seal ``keys`` with its MAC and replace ``vault.keys`` atomically; returns what was written."""
    keys = keyslots.sealed(keys, db_key)
    try:
        fsutil.atomic_write(keys_path(folder), keyslots.serialize_keys_file(keys))
    except OSError as exc:
        raise StorageError(
            _(
                "The vault's key file could not be saved, so nothing was changed. Check the disk and try again."
            )
        ) from exc
    return keys
