"""The vault facade: every user-visible operation is a method of :class:`Vault`.

One ``Vault`` object is one unlocked vault held by one process (an exclusive lock is taken at open
and released at :meth:`Vault.close`). The class is assembled from one part per concept, each in its
own package (``evidence.api``, ``custody.api``, ``media.api``, ``imports.api``, ``bundle.api``), on
top of ``store.unlocked.Unlocked`` (session, lock, mutex, identity, keys, preferences). The methods
are thin: each takes the vault's mutex (the front ends call from worker threads) and calls one
domain function with the unlocked session. Every write runs in a transaction together with its
signed custody event, so the terminal app, the command line and the tests all drive the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from vault.bundle.api import BundleAPI
from vault.custody.api import CustodyAPI
from vault.evidence.api import EvidenceAPI
from vault.imports.api import ImportsAPI
from vault.media.api import MediaAPI
from vault.store import keystore, lifecycle
from vault.store.backup import BackupAPI
from vault.store.keychange import KdfChoice
from vault.timestamps.api import TimestampAPI

__all__ = ["KdfChoice", "Vault"]


class Vault(EvidenceAPI, CustodyAPI, MediaAPI, ImportsAPI, BundleAPI, BackupAPI, TimestampAPI):
    """An unlocked vault. Use :meth:`create` or :meth:`open`; close it (or use ``with``)."""

    @classmethod
    def create(
        cls,
        folder: Path,
        passphrase: str,
        *,
        keyfile: bytes | None = None,
        kdf: KdfChoice | None = None,
        now: datetime | None = None,
    ) -> tuple[Vault, str]:
        """Create a vault in ``folder`` (new or empty). Returns the vault and its recovery key,
        which is shown once and never stored in readable form."""
        opened, recovery = lifecycle.create(
            Path(folder), passphrase, keyfile=keyfile, kdf=kdf, now=now
        )
        return cls(opened), recovery

    @classmethod
    def open(
        cls,
        folder: Path,
        *,
        passphrase: str | None = None,
        keyfile: bytes | None = None,
        recovery_key: str | None = None,
        recovery_shares: Sequence[str] | None = None,
        now: datetime | None = None,
        lock_wait: float = 3.0,
    ) -> Vault:
        """Unlock with a passphrase (and keyfile), a recovery key, or recovery shares (each
        text a share, or a page or paragraphs holding several)."""
        opened = lifecycle.open_folder(
            Path(folder),
            secret=passphrase,
            keyfile=keyfile,
            recovery_key=recovery_key,
            recovery_shares=recovery_shares,
            now=now,
            lock_wait=lock_wait,
        )
        return cls(opened)

    @staticmethod
    def ensure_vault(folder: Path) -> None:
        """Raise :class:`NotAVault` (or a damage error) unless ``folder`` looks like a vault."""
        keystore.load(Path(folder))
