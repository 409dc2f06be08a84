"""What every part of the :class:`vault.facade.Vault` facade stands on: one unlocked vault.

The facade is assembled from one class of methods per concept (``evidence.api``, ``custody.api``,
``media.api``, ``imports.api``, ``bundle.api``) on top of :class:`Unlocked`, which holds the open
session, the process lock and a mutex, and offers what belongs to the vault itself: its identity,
key changes, preferences and closing. Every method takes the mutex (front ends call from worker
threads) and calls one domain function; storage errors escaping a method become one calm sentence.
"""

from __future__ import annotations

import base64
import functools
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import ParamSpec, Self, TypeVar

import sqlcipher3

from crypto import minisign, sshsig
from crypto.fingerprint import fingerprint, fingerprint_v1
from vault.errors import VaultLocked
from vault.host import sharepages
from vault.host.sharepages import ShareSet, SharesIssued
from vault.store import keychange, policy, rekey, settings, slotkeys
from vault.store.keychange import KdfChoice, KeyRing
from vault.store.lifecycle import Opened
from vault.store.session import Session, now_text, translate

P = ParamSpec("P")
R = TypeVar("R")


def calm(method: Callable[P, R]) -> Callable[P, R]:
    """Storage errors escaping a public method become one calm sentence (never a traceback)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (sqlcipher3.Error, OSError) as exc:
            raise translate(exc) from None

    return wrapper


class Unlocked:
    """An unlocked vault held by this process; closing it drops the keys and releases the lock."""

    def __init__(self, opened: Opened) -> None:
        self.folder: Path = opened.folder
        self.public_key: bytes = opened.public_key
        self.vault_id: str = opened.session.vault_id
        self.interrupted_write: bool = opened.interrupted_write
        self.key_notices: tuple[str, ...] = opened.key_notices
        self._keyring = opened.keyring
        self._lock = opened.lock
        self._mutex = threading.RLock()
        self._session: Session | None = opened.session
        self._closed = False

    def __repr__(self) -> str:
        return f"Vault({str(self.folder)!r})"

    @property
    def closed(self) -> bool:
        """True once :meth:`close` has finished (the keys are dropped, the lock released)."""
        return self._closed

    @property
    def session(self) -> Session:
        if self._session is None:
            raise VaultLocked()
        return self._session

    def close(self) -> None:
        """Close the database and release the lock. The key bytes are dropped with this object."""
        with self._mutex:
            if self._session is not None:
                self._session.conn.close()
                self._session = None
            self._lock.release()
            self._keyring.forget()
            self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ identity

    def identity(self) -> dict[str, str]:
        """The vault's public identity: what a defender reads to their lawyer."""
        return {
            "fingerprint": fingerprint(self.public_key),
            # The same key's digits as evault 0.1 showed them: a lawyer may hold those.
            "fingerprint_v1": fingerprint_v1(self.public_key),
            "public_key": base64.b64encode(self.public_key).decode("ascii"),
            "algorithm": "ed25519",
            "vault_id": self.vault_id,
            # The same key as lawyers' own tools show it (minisign -P …, ssh-keygen -l).
            "minisign_public_key": minisign.public_key_base64(self.public_key),
            "ssh_fingerprint": sshsig.ssh_fingerprint(self.public_key),
        }

    # ------------------------------------------------------------------ keys

    def change_passphrase(
        self,
        new_passphrase: str,
        *,
        keyfile: bytes | None = None,
        kdf: KdfChoice | None = None,
        now: datetime | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        """Re-wrap the database key under a new passphrase (and keyfile, if given).

        Only vault.keys is rewritten (atomically); vault.db is not touched. The change reaches the
        custody log at the next unlock (docs/format.md §2.5). If ``cancel`` is set before the new
        key file is written (the app's panic key, during the key derivation), nothing changes and
        :class:`Cancelled` is raised: a change the defender never saw confirmed is not kept.
        """
        policy.check_passphrase(new_passphrase)
        policy.check_keyfile(keyfile)
        with self._mutex:
            self._open_keyring().change_passphrase(
                new_passphrase,
                keyfile=keyfile,
                params=keychange.kdf_params(kdf),
                stamp=now_text(now),
                cancel=cancel,
            )
            # The new slot's key is kept at the next unlock with the new passphrase (or by a
            # re-encryption in this session): a passphrase change writes only vault.keys.

    def new_recovery_key(self, *, now: datetime | None = None) -> str:
        """Make a new recovery key and return it, to be shown once and then confirmed.

        Until :meth:`confirm_recovery_key`, the new key is *pending*: it is written beside the old
        one, and both open the vault, so a session cut off before the key reached paper loses
        nothing. Asking again replaces a pending key that was never confirmed.
        """
        with self._mutex:
            key = self._open_keyring().new_recovery_key(stamp=now_text(now))
            self._keep_slot_keys()
            return key

    def confirm_recovery_key(self, typed: str, *, now: datetime | None = None) -> None:
        """Make the pending recovery key the recovery key; the old one stops opening vault.keys.

        ``typed`` is the new key's last group (in the session that made it) or the whole key.
        """
        with self._mutex:
            self._open_keyring().confirm_recovery_key(typed, stamp=now_text(now))
            self._keep_slot_keys()

    def cancel_recovery_key(self, *, now: datetime | None = None) -> None:
        """Forget a pending recovery key; the old one stays the recovery key."""
        with self._mutex:
            self._open_keyring().cancel_recovery_key(stamp=now_text(now))
            self._keep_slot_keys()

    @property
    def recovery_key_pending(self) -> bool:
        """A new recovery key was made but not yet confirmed (the old one still opens the vault)."""
        with self._mutex:
            return self._keyring.pending is not None

    def issue_recovery_shares(
        self, threshold: int, count: int, folder: Path, *, now: datetime | None = None
    ) -> SharesIssued:
        """Split a new recovery secret among ``count`` trusted people, ``threshold`` of whom
        together open the vault; one printable page each is written into ``folder`` (new or
        empty). The new set replaces any earlier one, which then no longer opens vault.keys;
        the change reaches the custody log at the next unlock (``key.shares_issued`` or
        ``key.shares_replaced``).
        """
        stamp = now_text(now)
        folder = Path(folder)
        with self._mutex:
            ring = self._open_keyring()
            issued, slot = ring.prepare_shares(threshold, count, stamp=stamp)
            sharepages.prepare_folder(folder)
            pages = sharepages.write_pages(folder, issued, stamp[:10])
            try:
                ring.install_shares(slot, stamp=stamp)
            except BaseException:
                sharepages.remove_pages(pages)  # they would open nothing
                raise
            self._keep_slot_keys()  # so a later rekey can re-wrap the shares slot too
        return SharesIssued(issued.identifier, threshold, count, pages)

    def revoke_recovery_shares(self, *, now: datetime | None = None) -> bool:
        """Withdraw the recovery shares: no set opens vault.keys any more (False: there were
        none). Noted as ``key.shares_revoked``."""
        with self._mutex:
            revoked = self._open_keyring().revoke_shares(stamp=now_text(now))
            self._keep_slot_keys()
            return revoked

    @property
    def recovery_shares(self) -> ShareSet | None:
        """The current set of recovery shares (its public layout), or None."""
        with self._mutex:
            slot = self._keyring.shares
        if slot is None:
            return None
        layout = slot.kdf["slip39"]
        return ShareSet(layout["identifier"], layout["threshold"], layout["count"], slot.created)

    def rekey(self, *, now: datetime | None = None) -> None:
        """Re-encrypt the database under a new random key (docs/format.md §3.4).

        Every slot of vault.keys is re-wrapped (the same passphrase and recovery key open the
        vault); whatever the disk kept from before is encrypted under a key that is gone.
        """
        with self._mutex:
            self._rekey(now_text(now))

    def _rekey(self, stamp: str) -> None:
        """:meth:`rekey` for a caller holding the mutex (``rm --purge``)."""
        ring = self._open_keyring()
        session = self.session
        rekey.check_possible(ring)
        old_key = ring.db_key
        committed = False
        try:
            self._session = rekey.rekey(self.folder, session, ring, stamp=stamp)
            committed = True
        finally:
            if not committed and ring.db_key != old_key:
                # Past the commit point: the old connection is closed. Lock the vault; it
                # opens again (finishing the swap) at the next unlock.
                self._session = None
                self.close()

    def check_rekey_possible(self) -> None:
        """Raise the calm reason why :meth:`rekey` would refuse (a slot it cannot re-wrap)."""
        with self._mutex:
            rekey.check_possible(self._open_keyring())

    def _keep_slot_keys(self) -> None:
        slotkeys.store(self.session.conn, self._keyring.slot_keys)

    def _open_keyring(self) -> KeyRing:
        if self._closed:
            raise VaultLocked()
        return self._keyring

    # ------------------------------------------------------------------ preferences

    @calm
    def auto_lock_minutes(self) -> int | None:
        """The auto-lock time the defender chose for this vault (None: never chosen)."""
        with self._mutex:
            return settings.auto_lock_minutes(self.session.conn)

    @calm
    def set_auto_lock_minutes(self, minutes: int) -> None:
        """Remember the auto-lock time inside the vault (no settings file on the computer)."""
        with self._mutex:
            settings.set_auto_lock_minutes(self.session.conn, minutes)

    @calm
    def language(self) -> str | None:
        """The app's language the defender chose for this vault (None: never chosen)."""
        with self._mutex:
            return settings.language(self.session.conn)

    @calm
    def set_language(self, lang: str) -> None:
        """Remember the app's language inside the vault: it follows the vault (and the stick, in
        portable mode) to another computer, and leaves no settings file behind."""
        with self._mutex:
            settings.set_language(self.session.conn, lang)
