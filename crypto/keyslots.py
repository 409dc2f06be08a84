"""``vault.keys``: LUKS-style keyslots wrapping the database key (docs/format.md §2).

Pure functions over bytes. Every slot header field is bound to the wrapped key as AEAD associated
data, so editing a slot (weaker KDF, another vault's id, the keyfile flag) makes it fail to open
exactly as a wrong passphrase does. The whole file (every slot and the key events) carries a MAC
keyed from the database key, so once a slot has opened, any change anywhere in the file shows.
Parsing caps every size and count before use, so a tampered file is refused before any key
derivation runs: the file is untrusted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from crypto import constants as c
from crypto.canonical import canonical_json
from crypto.errors import DecryptionFailed, FormatError
from crypto.kdf import Argon2Params, argon2id, hkdf_sha256, normalize_passphrase

KEY_EVENT_TYPES = frozenset(
    {
        "key.passphrase_changed",
        "key.recovery_replaced",
        "key.keyfile_changed",
        "key.file_upgraded",  # a version 1 file rewritten with its MAC
        "key.file_repaired",  # an altered file rewritten from the slots this session vouched for
        "key.shares_issued",  # recovery shares for trusted people, the first set
        "key.shares_replaced",  # a new set of shares: the old set no longer opens the vault
        "key.shares_revoked",  # the shares slot removed: no set opens the vault
    }
)
RECOVERY_KINDS = (c.SLOT_KIND_RECOVERY, c.SLOT_KIND_RECOVERY_PENDING)


@dataclass(frozen=True)
class Keyslot:
    """One wrapped copy of the database key. ``kdf`` is the JSON object of docs/format.md §2.2."""

    id: str
    kind: str
    created: str
    kdf: dict[str, Any]
    keyfile: bool
    nonce: bytes
    wrapped: bytes
    # Read from a version 2 file whose checksum for this slot did not match: the slot was damaged
    # (docs/format.md §2.2). Such a slot is never tried; asking for it says "damaged".
    damaged: bool = field(default=False, compare=False)

    def header(self) -> dict[str, Any]:
        """The authenticated header: every field but the nonce and ciphertext."""
        return {
            "id": self.id,
            "kind": self.kind,
            "created": self.created,
            "kdf": self.kdf,
            "keyfile": self.keyfile,
            "aead": c.AEAD_NAME,
        }

    def to_json(self) -> dict[str, Any]:
        out = self.header()
        out["nonce"] = b64(self.nonce)
        out["wrapped"] = b64(self.wrapped)
        return out

    def check(self) -> bytes:
        """The slot's checksum in a version 2 file (unkeyed: it catches damage, not edits)."""
        digest = hashlib.sha256(c.SLOT_CHECK_PREFIX + canonical_json(self.to_json())).digest()
        return digest[: c.SLOT_CHECK_BYTES]


@dataclass(frozen=True)
class KeysFile:
    """The parsed content of ``vault.keys``.

    ``version`` 2 files carry ``mac`` over the whole file; ``version`` 1 files (written before)
    carry ``key_events_mac`` over the key events only, and are upgraded at the next unlock.
    """

    vault_id: str
    slots: tuple[Keyslot, ...]
    key_events: tuple[dict[str, str], ...] = ()
    key_events_mac: bytes = field(default=b"")
    version: int = c.KEYS_VERSION
    mac: bytes = field(default=b"")

    def slot_of_kind(self, kind: str) -> list[Keyslot]:
        return [s for s in self.slots if s.kind == kind]

    def slot(self, kind: str) -> Keyslot | None:
        """The slot of ``kind`` (a file holds at most one of each), or None."""
        return next((s for s in self.slots if s.kind == kind), None)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(value: Any, *, min_len: int, max_len: int) -> bytes:
    """Strict base64 of a length in ``min_len..max_len``, else :class:`FormatError`."""
    if not isinstance(value, str) or len(value) > 4 * max_len:
        raise FormatError("The key file is damaged (a field is malformed).")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise FormatError("The key file is damaged (a field is malformed).") from exc
    if not min_len <= len(raw) <= max_len:
        raise FormatError("The key file is damaged (a field has the wrong size).")
    return raw


def _ad(vault_id: str, slot: Keyslot) -> bytes:
    return c.SLOT_AD_PREFIX + canonical_json({"vault_id": vault_id, "slot": slot.header()})


def _seal(slot_key: bytes, db_key: bytes, vault_id: str, slot: Keyslot) -> Keyslot:
    nonce = os.urandom(c.AEAD_NONCE_BYTES)
    wrapped = ChaCha20Poly1305(slot_key).encrypt(nonce, db_key, _ad(vault_id, slot))
    return replace(slot, nonce=nonce, wrapped=wrapped)


def _open(slot_key: bytes, vault_id: str, slot: Keyslot) -> bytes:
    try:
        return ChaCha20Poly1305(slot_key).decrypt(slot.nonce, slot.wrapped, _ad(vault_id, slot))
    except InvalidTag:
        raise DecryptionFailed("The key does not open this slot.") from None


def argon_params(kdf: dict[str, Any]) -> Argon2Params:
    """A passphrase slot's Argon2id settings, checked against the caps (``ParameterError``)."""
    return Argon2Params(kdf["memory_kib"], kdf["iterations"], kdf["parallelism"]).checked()


def _passphrase_slot_key(kdf: dict[str, Any], passphrase: str, keyfile: bytes | None) -> bytes:
    salt = unb64(kdf["salt"], min_len=c.MIN_SALT_BYTES, max_len=c.MAX_SALT_BYTES)
    stretched = argon2id(normalize_passphrase(passphrase), salt, argon_params(kdf))
    mixed = stretched + (hashlib.sha256(keyfile).digest() if keyfile is not None else b"")
    return hkdf_sha256(mixed, salt, c.SLOT_INFO_PASSPHRASE)


def _recovery_slot_key(kdf: dict[str, Any], secret: bytes) -> bytes:
    salt = unb64(kdf["salt"], min_len=c.MIN_SALT_BYTES, max_len=c.MAX_SALT_BYTES)
    return hkdf_sha256(secret, salt, c.SLOT_INFO_RECOVERY)


def _shares_slot_key(kdf: dict[str, Any], secret: bytes) -> bytes:
    salt = unb64(kdf["salt"], min_len=c.MIN_SALT_BYTES, max_len=c.MAX_SALT_BYTES)
    return hkdf_sha256(secret, salt, c.SLOT_INFO_SHARES)


def make_passphrase_slot(
    db_key: bytes,
    vault_id: str,
    passphrase: str,
    params: Argon2Params,
    *,
    now: str,
    keyfile: bytes | None = None,
) -> Keyslot:
    """Wrap ``db_key`` under a passphrase (and optionally a keyfile) with fresh salt and nonce."""
    return make_passphrase_slot_keyed(
        db_key, vault_id, passphrase, params, now=now, keyfile=keyfile
    )[0]


def make_passphrase_slot_keyed(
    db_key: bytes,
    vault_id: str,
    passphrase: str,
    params: Argon2Params,
    *,
    now: str,
    keyfile: bytes | None = None,
) -> tuple[Keyslot, bytes]:
    """:func:`make_passphrase_slot`, and the slot key it derived (for :func:`rewrap` later)."""
    kdf = {
        "name": c.ARGON2_NAME,
        "version": c.ARGON2_VERSION,
        "memory_kib": params.memory_kib,
        "iterations": params.iterations,
        "parallelism": params.parallelism,
        "salt": b64(os.urandom(c.SALT_BYTES)),
    }
    slot = Keyslot(
        id=os.urandom(c.SLOT_ID_BYTES).hex(),
        kind=c.SLOT_KIND_PASSPHRASE,
        created=now,
        kdf=kdf,
        keyfile=keyfile is not None,
        nonce=b"",
        wrapped=b"",
    )
    slot_key = _passphrase_slot_key(kdf, passphrase, keyfile)
    return _seal(slot_key, db_key, vault_id, slot), slot_key


def make_recovery_slot(
    db_key: bytes, vault_id: str, secret: bytes, *, now: str, pending: bool = False
) -> Keyslot:
    """Wrap ``db_key`` under a 160-bit recovery secret.

    A ``pending`` slot holds a new recovery key that was shown but not yet confirmed: it opens
    the vault like the recovery slot beside it, which stays until the confirmation.
    """
    return make_recovery_slot_keyed(db_key, vault_id, secret, now=now, pending=pending)[0]


def make_recovery_slot_keyed(
    db_key: bytes, vault_id: str, secret: bytes, *, now: str, pending: bool = False
) -> tuple[Keyslot, bytes]:
    """:func:`make_recovery_slot`, and the slot key it derived (for :func:`rewrap` later)."""
    kdf = {"name": c.HKDF_NAME, "salt": b64(os.urandom(c.SALT_BYTES))}
    slot = Keyslot(
        id=os.urandom(c.SLOT_ID_BYTES).hex(),
        kind=c.SLOT_KIND_RECOVERY_PENDING if pending else c.SLOT_KIND_RECOVERY,
        created=now,
        kdf=kdf,
        keyfile=False,
        nonce=b"",
        wrapped=b"",
    )
    slot_key = _recovery_slot_key(kdf, secret)
    return _seal(slot_key, db_key, vault_id, slot), slot_key


def rewrap(slot: Keyslot, slot_key: bytes, new_db_key: bytes, vault_id: str) -> Keyslot:
    """``slot`` wrapping ``new_db_key`` under the same slot key, with a fresh nonce.

    The header (id, kind, salt, KDF settings) stays, so the same passphrase or recovery key opens
    it. ``slot_key`` must open ``slot`` as it is (else :class:`DecryptionFailed`): a stale key
    never produces a slot its secret cannot open.
    """
    _open(slot_key, vault_id, slot)
    return _seal(slot_key, new_db_key, vault_id, slot)


def open_with_slot_key(slot: Keyslot, slot_key: bytes, vault_id: str) -> bytes:
    """The database key ``slot`` wraps, opened with a slot key kept from an earlier unlock.

    Used to read an earlier backup after the vault was re-encrypted: its ``vault.keys`` still has
    slots with the same headers, wrapping the old database key under the same slot keys.
    :class:`DecryptionFailed` if ``slot_key`` is not this slot's key.
    """
    return _open(slot_key, vault_id, slot)


def make_shares_slot(
    db_key: bytes,
    vault_id: str,
    secret: bytes,
    *,
    identifier: int,
    threshold: int,
    count: int,
    now: str,
) -> Keyslot:
    """Wrap ``db_key`` under the 256-bit secret split into SLIP-39 shares (crypto/shares.py).

    The set's public layout (its identifier, threshold and count, all written on every share) is
    in the slot header, bound to the wrapped key like every header field: evault can then say
    "1 of 2 shares given" or "not of this vault's current set" before any work is done.
    """
    kdf = {
        "name": c.HKDF_NAME,
        "salt": b64(os.urandom(c.SALT_BYTES)),
        "slip39": {
            "identifier": identifier,
            "threshold": threshold,
            "count": count,
            "iteration_exponent": c.SHARES_ITERATION_EXPONENT,
        },
    }
    slot = Keyslot(
        id=os.urandom(c.SLOT_ID_BYTES).hex(),
        kind=c.SLOT_KIND_SHARES,
        created=now,
        kdf=kdf,
        keyfile=False,
        nonce=b"",
        wrapped=b"",
    )
    return _seal(_shares_slot_key(kdf, secret), db_key, vault_id, slot)


class KeyfileRequired(DecryptionFailed):
    """The passphrase slot needs a keyfile and none was given."""


class SlotMissing(DecryptionFailed):
    """The file holds no slot of the kind asked for: it was damaged (evault always writes one)."""


class SlotDamaged(DecryptionFailed):
    """The slot asked for failed its checksum: damage, not a wrong passphrase."""


def open_passphrase_slot(
    keys: KeysFile, passphrase: str, keyfile: bytes | None
) -> tuple[bytes, Keyslot]:
    """The database key and the passphrase slot that gave it, or :class:`DecryptionFailed`."""
    db_key, slot, _ = open_passphrase_slot_keyed(keys, passphrase, keyfile)
    return db_key, slot


def open_passphrase_slot_keyed(
    keys: KeysFile, passphrase: str, keyfile: bytes | None
) -> tuple[bytes, Keyslot, bytes]:
    """:func:`open_passphrase_slot`, and the slot key that opened it."""
    slot = keys.slot(c.SLOT_KIND_PASSPHRASE)
    if slot is None:
        raise SlotMissing("The key file holds no passphrase slot.")
    if slot.damaged:
        raise SlotDamaged("The passphrase slot is damaged.")
    if slot.keyfile and keyfile is None:
        raise KeyfileRequired("This vault also needs its keyfile.")
    if slot.keyfile != (keyfile is not None):
        raise DecryptionFailed("The passphrase (or keyfile) does not open this vault.")
    slot_key = _passphrase_slot_key(slot.kdf, passphrase, keyfile)
    try:
        return _open(slot_key, keys.vault_id, slot), slot, slot_key
    except DecryptionFailed:
        raise DecryptionFailed("The passphrase (or keyfile) does not open this vault.") from None


def open_recovery_slot(keys: KeysFile, secret: bytes) -> tuple[bytes, Keyslot]:
    """The database key and the recovery slot (confirmed or pending) that gave it."""
    db_key, slot, _ = open_recovery_slot_keyed(keys, secret)
    return db_key, slot


def open_recovery_slot_keyed(keys: KeysFile, secret: bytes) -> tuple[bytes, Keyslot, bytes]:
    """:func:`open_recovery_slot`, and the slot key that opened it."""
    slots = [s for s in keys.slots if s.kind in RECOVERY_KINDS]
    if not slots:
        raise SlotMissing("The key file holds no recovery slot.")
    for slot in slots:
        if slot.damaged:
            continue
        slot_key = _recovery_slot_key(slot.kdf, secret)
        try:
            return _open(slot_key, keys.vault_id, slot), slot, slot_key
        except DecryptionFailed:
            continue
    if any(slot.damaged for slot in slots):
        raise SlotDamaged("A recovery slot is damaged.")
    raise DecryptionFailed("The recovery key does not open this vault.")


def open_shares_slot(keys: KeysFile, secret: bytes) -> tuple[bytes, Keyslot]:
    """The database key and the shares slot, from the secret the shares gave back."""
    db_key, slot, _ = open_shares_slot_keyed(keys, secret)
    return db_key, slot


def open_shares_slot_keyed(keys: KeysFile, secret: bytes) -> tuple[bytes, Keyslot, bytes]:
    """:func:`open_shares_slot`, also returning the slot key (kept for re-encryption, §3.4)."""
    slot = keys.slot(c.SLOT_KIND_SHARES)
    if slot is None:
        raise SlotMissing("The key file holds no shares slot.")
    if slot.damaged:
        raise SlotDamaged("The shares slot is damaged.")
    slot_key = _shares_slot_key(slot.kdf, secret)
    try:
        return _open(slot_key, keys.vault_id, slot), slot, slot_key
    except DecryptionFailed:
        raise DecryptionFailed("The shares do not open this vault.") from None


def shares_slot_key(slot: Keyslot, secret: bytes) -> bytes:
    """The key a shares slot is wrapped under, from its secret (kept for re-encryption, §3.4)."""
    return _shares_slot_key(slot.kdf, secret)


def unlock_with_passphrase(keys: KeysFile, passphrase: str, keyfile: bytes | None) -> bytes:
    """The database key from the passphrase slot, or :class:`DecryptionFailed`."""
    return open_passphrase_slot(keys, passphrase, keyfile)[0]


def unlock_with_recovery(keys: KeysFile, secret: bytes) -> bytes:
    """The database key from a recovery slot, or :class:`DecryptionFailed`."""
    return open_recovery_slot(keys, secret)[0]


# --- the whole-file MAC (docs/format.md §2.4) -----------------------------------------------


def document(keys: KeysFile, *, with_mac: bool = True) -> dict[str, Any]:
    """The JSON object of ``keys`` as docs/format.md §2 lays it out for its version."""
    doc: dict[str, Any] = {
        "format": c.KEYS_FORMAT,
        "version": keys.version,
        "vault_id": keys.vault_id,
        "slots": [_slot_json(s, keys.version) for s in keys.slots],
        "key_events": [dict(e) for e in keys.key_events],
    }
    if keys.version == c.KEYS_VERSION_LEGACY:
        doc["key_events_mac"] = b64(keys.key_events_mac)
    elif with_mac:
        doc["mac"] = b64(keys.mac)
    return doc


def _slot_json(slot: Keyslot, version: int) -> dict[str, Any]:
    out = slot.to_json()
    if version != c.KEYS_VERSION_LEGACY:
        out["check"] = b64(slot.check())
    return out


def _file_mac_key(db_key: bytes) -> bytes:
    return hkdf_sha256(db_key, b"", c.KEYS_MAC_INFO)


def keys_file_mac(db_key: bytes, keys: KeysFile) -> bytes:
    """HMAC-SHA256 over the canonical JSON of the whole file except its ``mac`` field."""
    data = canonical_json(document(replace(keys, version=c.KEYS_VERSION), with_mac=False))
    return hmac.new(_file_mac_key(db_key), data, hashlib.sha256).digest()


def sealed(keys: KeysFile, db_key: bytes) -> KeysFile:
    """``keys`` as a version 2 file with a fresh MAC: the only form evault writes."""
    current = replace(keys, version=c.KEYS_VERSION, key_events_mac=b"", mac=b"")
    return replace(current, mac=keys_file_mac(db_key, current))


def keys_file_authentic(keys: KeysFile, db_key: bytes) -> bool:
    """True if ``keys`` is a version 2 file whose MAC verifies under ``db_key``."""
    if keys.version != c.KEYS_VERSION or len(keys.mac) != c.KEYS_MAC_BYTES:
        return False
    return hmac.compare_digest(keys_file_mac(db_key, keys), keys.mac)


# --- key events (docs/format.md §2.5); the MAC over them alone is version 1's ---------------


def key_events_mac(db_key: bytes, vault_id: str, events: tuple[dict[str, str], ...]) -> bytes:
    """Version 1's MAC over the key events alone (read when upgrading an older file)."""
    mac_key = hkdf_sha256(db_key, b"", c.KEY_EVENTS_MAC_INFO)
    data = canonical_json({"vault_id": vault_id, "key_events": list(events)})
    return hmac.new(mac_key, data, hashlib.sha256).digest()


def key_events_authentic(keys: KeysFile, db_key: bytes) -> bool:
    """Whether the key events can be trusted: by the whole-file MAC (version 2), else by the
    version 1 MAC over the events (no events and no MAC count as authentic there)."""
    if keys.version == c.KEYS_VERSION:
        return keys_file_authentic(keys, db_key)
    if not keys.key_events and not keys.key_events_mac:
        return True
    expected = key_events_mac(db_key, keys.vault_id, keys.key_events)
    return hmac.compare_digest(expected, keys.key_events_mac)


def with_key_event(
    keys: KeysFile, *, event_id: str, event_type: str, time: str, slot_id: str
) -> KeysFile:
    """Return ``keys`` with one more key event (oldest dropped past the cap).

    The result is not sealed: :func:`sealed` gives it its MAC when it is written.
    """
    if event_type not in KEY_EVENT_TYPES:
        raise ValueError(f"unknown key event type {event_type!r}")
    event = {"id": event_id, "type": event_type, "time": time, "slot": slot_id}
    events = (*keys.key_events, event)[-c.MAX_KEY_EVENTS :]
    return replace(keys, key_events=events)


def serialize_keys_file(keys: KeysFile) -> bytes:
    """The bytes of ``vault.keys`` (UTF-8 JSON, sorted keys, two-space indent); reading them
    back is :func:`crypto.keysfile.parse_keys_file`."""
    return (json.dumps(document(keys), indent=2, sort_keys=True) + "\n").encode("utf-8")
