"""The evidence-vault domain, and its one public API.

Everything the front ends (``tui/``: the command line and the terminal app) may use is named in
``__all__`` below and imported as ``from vault import Name``; ``tests/test_layers.py`` enforces
that they reach nothing else. What is behind it, by concept:

- ``store/``: the vault folder, ``vault.db`` and its migrations, ``vault.keys`` (unlocking and
  changing keys), the process lock, the unlocked session, preferences, the rules both front ends
  follow (``policy``);
- ``evidence/``: adding, reading, editing, listing, search, cases, media types;
- ``custody/``: the signed custody log and the integrity check;
- ``media/``: pictures (previews, perceptual hashes);
- ``imports/``: the importer registry, options, the import pipeline, chats, ``parsers/``;
- ``bundle/``: exporting signed evidence bundles and verifying them (no vault needed);
- ``timestamps/``: RFC 3161 proof of time over the custody log, carried by hand (no network);
- ``host/``: where vaults live, portable mode, the demo vault, files written outside the vault;
- ``facade.py``: the :class:`Vault` every user-visible operation is a method of;
- ``i18n/``: the language every sentence is shown in (gettext catalogs for az, ru, en);
- ``errors.py`` (one hierarchy, every exit code), ``clock.py`` (time), ``version.py``.

Names are loaded on first use, not when ``vault`` is imported: the terminal app draws its first
screen before SQLCipher, the crypto libraries or Pillow are loaded (docs/performance.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from vault.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SIGNER_NOT_CONFIRMED,
    EXIT_USER_ERROR,
    EXIT_VERIFY_FAILED,
    BundleUnusable,
    Cancelled,
    EvaultError,
    InvalidInput,
    ItemNotFound,
    KeyfileRequired,
    KeysFileDamaged,
    NotAVault,
    RecoveryKeyMistyped,
    StorageError,
    StorageFull,
    UnsupportedVersion,
    VaultBusy,
    VaultDamaged,
    VaultExists,
    VaultLocked,
    VerificationFailed,
    WrongPassphrase,
)
from vault.i18n import (
    LANGUAGE_NAMES,
    LANGUAGE_VARIABLE,
    LANGUAGES,
    N_,
    _,
    choose_language,
    document_language,
    language,
    ngettext,
    normalise_language,
    pgettext,
    set_language,
)

# This marker tells the start-up check (tui/launch.py) that the ``vault`` package found is this
# project's, and not another package of the same name installed over it.
EVIDENCE_VAULT_PACKAGE = "vault"

# Public name -> (module, attribute), imported when first asked for.
_LAZY: dict[str, tuple[str, str]] = {
    # the facade
    "Vault": ("vault.facade", "Vault"),
    "KdfChoice": ("vault.store.keychange", "KdfChoice"),
    # evidence
    "Metadata": ("vault.evidence.models", "Metadata"),
    "MessageFields": ("vault.evidence.models", "MessageFields"),
    "Item": ("vault.evidence.models", "Item"),
    "AddResult": ("vault.evidence.models", "AddResult"),
    "Case": ("vault.evidence.models", "Case"),
    "parse_tags": ("vault.evidence.models", "parse_tags"),
    "Filters": ("vault.evidence.listing", "Filters"),
    "ItemRow": ("vault.evidence.listing", "ItemRow"),
    "shown_title": ("vault.evidence.shown", "shown_title"),
    # language (the lookup itself is imported above: it is needed before anything else)
    "date_time": ("vault.i18n.dates", "date_time"),
    "long_date": ("vault.i18n.dates", "long_date"),
    "shown_item": ("vault.evidence.shown", "shown_item"),
    # custody
    "CustodyRecord": ("vault.custody.models", "CustodyRecord"),
    "CheckReport": ("vault.custody.models", "CheckReport"),
    "EVENT_WORDS": ("vault.custody.wording", "EVENT_WORDS"),
    "event_words": ("vault.custody.wording", "event_words"),
    "BackupResult": ("vault.store.backup", "BackupResult"),
    # pictures
    "Preview": ("vault.media.imaging", "Preview"),
    "SimilarResult": ("vault.media.similar", "SimilarResult"),
    # imports
    "IMPORTERS": ("vault.imports.registry", "IMPORTERS"),
    "Importer": ("vault.imports.registry", "Importer"),
    "ImportOptions": ("vault.imports.options", "ImportOptions"),
    "ImportProgress": ("vault.imports.options", "ImportProgress"),
    "DATE_ORDERS": ("vault.imports.options", "DATE_ORDERS"),
    "split_profile_link": ("vault.imports.options", "split_profile_link"),
    "parse_profile_links": ("vault.imports.options", "parse_profile_links"),
    "ImportSummary": ("vault.imports.summary", "ImportSummary"),
    "ChatSummary": ("vault.imports.summary", "ChatSummary"),
    "Chat": ("vault.imports.chats", "Chat"),
    "ChatLine": ("vault.imports.chats", "ChatLine"),
    "Provenance": ("vault.imports.chats", "Provenance"),
    # bundles
    "verify_bundle": ("vault.bundle.checking", "verify_bundle"),
    "confirm_signer": ("vault.bundle.checking", "confirm_signer"),
    "CheckedBundle": ("vault.bundle.checking", "CheckedBundle"),
    "VerifyResult": ("vault.bundle.verify", "VerifyResult"),
    "ExportResult": ("vault.bundle.export", "ExportResult"),
    "new_recipient_file": ("vault.bundle.recipients", "new_recipient_file"),
    "certificate_html": ("vault.bundle.documents", "certificate_html"),
    # the vault folder and the rules both front ends follow
    "holds_vault": ("vault.store.folder", "holds_vault"),
    "wipe_vault": ("vault.store.wipe", "wipe"),
    "ensure_wipeable": ("vault.store.wipe", "ensure_wipeable"),
    "WipeResult": ("vault.store.wipe", "WipeResult"),
    "check_passphrase": ("vault.store.policy", "check_passphrase"),
    "check_keyfile": ("vault.store.policy", "check_keyfile"),
    "passphrase_advice": ("vault.store.policy", "passphrase_advice"),
    "passphrase_warning": ("vault.store.policy", "passphrase_warning"),
    "check_auto_lock_minutes": ("vault.store.policy", "check_auto_lock_minutes"),
    "AUTO_LOCK_MIN": ("vault.store.policy", "AUTO_LOCK_MIN"),
    "AUTO_LOCK_MAX": ("vault.store.policy", "AUTO_LOCK_MAX"),
    "AUTO_LOCK_DEFAULT": ("vault.store.policy", "AUTO_LOCK_DEFAULT"),
    # the computer it runs on
    "default_vault_path": ("vault.host.paths", "default_vault_path"),
    "Portable": ("vault.host.portable", "Portable"),
    "find_portable_root": ("vault.host.portable", "find_root"),
    "activate_portable": ("vault.host.portable", "activate"),
    "DemoVault": ("vault.host.demo", "DemoVault"),
    "create_demo": ("vault.host.demo", "create_demo"),
    "write_output_file": ("vault.host.outputs", "write_new"),
    # recovery shares held by trusted people
    "SharesIssued": ("vault.host.sharepages", "SharesIssued"),
    "ShareSet": ("vault.host.sharepages", "ShareSet"),
    "ShareInfo": ("vault.store.shares", "ShareInfo"),
    "read_recovery_share": ("vault.store.shares", "share_info"),
    "shares_given_message": ("vault.store.shares", "given_message"),
    "output_advice": ("vault.host.outputs", "exposure_advice"),
    # proof of time (the app's screen and item view)
    "TimestampRequest": ("vault.timestamps.keeping", "Request"),
    "TimestampToken": ("vault.timestamps.keeping", "Token"),
    # the version
    "VERSION": ("vault.version", "VERSION"),
    "PROGRAM": ("vault.version", "PROGRAM"),
}

__all__ = [
    "AUTO_LOCK_DEFAULT",
    "AUTO_LOCK_MAX",
    "AUTO_LOCK_MIN",
    "DATE_ORDERS",
    "EVENT_WORDS",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_SIGNER_NOT_CONFIRMED",
    "EXIT_USER_ERROR",
    "EXIT_VERIFY_FAILED",
    "IMPORTERS",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LANGUAGE_VARIABLE",
    "N_",
    "PROGRAM",
    "VERSION",
    "AddResult",
    "BackupResult",
    "BundleUnusable",
    "Cancelled",
    "Case",
    "Chat",
    "ChatLine",
    "ChatSummary",
    "CheckReport",
    "CheckedBundle",
    "CustodyRecord",
    "DemoVault",
    "EvaultError",
    "ExportResult",
    "Filters",
    "ImportOptions",
    "ImportProgress",
    "ImportSummary",
    "Importer",
    "InvalidInput",
    "Item",
    "ItemNotFound",
    "ItemRow",
    "KdfChoice",
    "KeyfileRequired",
    "KeysFileDamaged",
    "MessageFields",
    "Metadata",
    "NotAVault",
    "Portable",
    "Preview",
    "Provenance",
    "RecoveryKeyMistyped",
    "ShareInfo",
    "ShareSet",
    "SharesIssued",
    "SimilarResult",
    "StorageError",
    "StorageFull",
    "TimestampRequest",
    "TimestampToken",
    "UnsupportedVersion",
    "Vault",
    "VaultBusy",
    "VaultDamaged",
    "VaultExists",
    "VaultLocked",
    "VerificationFailed",
    "VerifyResult",
    "WipeResult",
    "WrongPassphrase",
    "_",
    "activate_portable",
    "certificate_html",
    "check_auto_lock_minutes",
    "check_keyfile",
    "check_passphrase",
    "choose_language",
    "confirm_signer",
    "create_demo",
    "date_time",
    "default_vault_path",
    "document_language",
    "ensure_wipeable",
    "event_words",
    "find_portable_root",
    "holds_vault",
    "language",
    "long_date",
    "new_recipient_file",
    "ngettext",
    "normalise_language",
    "output_advice",
    "parse_profile_links",
    "parse_tags",
    "passphrase_advice",
    "passphrase_warning",
    "pgettext",
    "read_recovery_share",
    "set_language",
    "shares_given_message",
    "shown_item",
    "shown_title",
    "split_profile_link",
    "verify_bundle",
    "wipe_vault",
    "write_output_file",
]

if TYPE_CHECKING:
    from vault.bundle.checking import CheckedBundle, confirm_signer, verify_bundle
    from vault.bundle.documents import certificate_html
    from vault.bundle.export import ExportResult
    from vault.bundle.recipients import new_recipient_file
    from vault.bundle.verify import VerifyResult
    from vault.custody.models import CheckReport, CustodyRecord
    from vault.custody.wording import EVENT_WORDS, event_words
    from vault.evidence.listing import Filters, ItemRow
    from vault.evidence.models import (
        AddResult,
        Case,
        Item,
        MessageFields,
        Metadata,
        parse_tags,
    )
    from vault.evidence.shown import shown_item, shown_title
    from vault.facade import Vault
    from vault.host.demo import DemoVault, create_demo
    from vault.host.outputs import exposure_advice as output_advice
    from vault.host.outputs import write_new as write_output_file
    from vault.host.paths import default_vault_path
    from vault.host.portable import Portable
    from vault.host.portable import activate as activate_portable
    from vault.host.portable import find_root as find_portable_root
    from vault.imports.chats import Chat, ChatLine, Provenance
    from vault.imports.options import (
        DATE_ORDERS,
        ImportOptions,
        ImportProgress,
        parse_profile_links,
        split_profile_link,
    )
    from vault.imports.registry import IMPORTERS, Importer
    from vault.imports.summary import ChatSummary, ImportSummary
    from vault.media.imaging import Preview
    from vault.media.similar import SimilarResult
    from vault.store.folder import holds_vault
    from vault.store.keychange import KdfChoice
    from vault.store.policy import (
        AUTO_LOCK_DEFAULT,
        AUTO_LOCK_MAX,
        AUTO_LOCK_MIN,
        check_auto_lock_minutes,
        check_keyfile,
        check_passphrase,
        passphrase_advice,
        passphrase_warning,
    )
    from vault.store.wipe import WipeResult, ensure_wipeable
    from vault.store.wipe import wipe as wipe_vault
    from vault.timestamps.keeping import Request as TimestampRequest
    from vault.timestamps.keeping import Token as TimestampToken
    from vault.version import PROGRAM, VERSION


def public_modules() -> list[str]:
    """The modules behind the public names (for the portable build, which must bundle them
    although they are imported by name, not by an import statement)."""
    return sorted({module for module, _ in _LAZY.values()})


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'vault' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
