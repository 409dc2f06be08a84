"""``vault.keys``: LUKS-style keyslots wrapping the database key (docs/format.md §2).

Pure functions over bytes. Every slot header field is bound to the wrapped key as AEAD associated
data, so editing a slot (weaker KDF, another vault's id, the keyfile flag) makes it fail to open
exactly as a wrong passphrase does. Parsing caps every size before use: the file is untrusted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from crypto import constants as c
from crypto.canonical import canonical_json
from crypto.errors import DecryptionFailed, FormatError
from crypto.kdf import Argon2Params, argon2id, hkdf_sha256, normalize_passphrase

_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_HEX_ID_RE = re.compile(r"^[0-9a-f]{16}$")
_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
KEY_EVENT_TYPES = frozenset(
    {"key.passphrase_changed", "key.recovery_replaced", "key.keyfile_changed"}
)


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
        out["nonce"] = _b64(self.nonce)
        out["wrapped"] = _b64(self.wrapped)
        return out


@dataclass(frozen=True)
class KeysFile:
    """The parsed content of ``vault.keys``."""

    vault_id: str
    slots: tuple[Keyslot, ...]
    key_events: tuple[dict[str, str], ...] = ()
    key_events_mac: bytes = field(default=b"")

    def slot_of_kind(self, kind: str) -> list[Keyslot]:
        return [s for s in self.slots if s.kind == kind]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: Any, *, min_len: int, max_len: int) -> bytes:
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


def _argon_params(kdf: dict[str, Any]) -> Argon2Params:
    return Argon2Params(kdf["memory_kib"], kdf["iterations"], kdf["parallelism"]).checked()


def _passphrase_slot_key(kdf: dict[str, Any], passphrase: str, keyfile: bytes | None) -> bytes:
    salt = _unb64(kdf["salt"], min_len=c.MIN_SALT_BYTES, max_len=c.MAX_SALT_BYTES)
    stretched = argon2id(normalize_passphrase(passphrase), salt, _argon_params(kdf))
    mixed = stretched + (hashlib.sha256(keyfile).digest() if keyfile is not None else b"")
    return hkdf_sha256(mixed, salt, c.SLOT_INFO_PASSPHRASE)


def _recovery_slot_key(kdf: dict[str, Any], secret: bytes) -> bytes:
    salt = _unb64(kdf["salt"], min_len=c.MIN_SALT_BYTES, max_len=c.MAX_SALT_BYTES)
    return hkdf_sha256(secret, salt, c.SLOT_INFO_RECOVERY)


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
    kdf = {
        "name": c.ARGON2_NAME,
        "version": c.ARGON2_VERSION,
        "memory_kib": params.memory_kib,
        "iterations": params.iterations,
        "parallelism": params.parallelism,
        "salt": _b64(os.urandom(c.SALT_BYTES)),
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
    return _seal(_passphrase_slot_key(kdf, passphrase, keyfile), db_key, vault_id, slot)


def make_recovery_slot(db_key: bytes, vault_id: str, secret: bytes, *, now: str) -> Keyslot:
    """Wrap ``db_key`` under a 160-bit recovery secret."""
    kdf = {"name": c.HKDF_NAME, "salt": _b64(os.urandom(c.SALT_BYTES))}
    slot = Keyslot(
        id=os.urandom(c.SLOT_ID_BYTES).hex(),
        kind=c.SLOT_KIND_RECOVERY,
        created=now,
        kdf=kdf,
        keyfile=False,
        nonce=b"",
        wrapped=b"",
    )
    return _seal(_recovery_slot_key(kdf, secret), db_key, vault_id, slot)


class KeyfileRequired(DecryptionFailed):
    """Every passphrase slot needs a keyfile and none was given."""


def unlock_with_passphrase(keys: KeysFile, passphrase: str, keyfile: bytes | None) -> bytes:
    """Try every passphrase slot; return the database key or raise :class:`DecryptionFailed`."""
    slots = keys.slot_of_kind(c.SLOT_KIND_PASSPHRASE)
    usable = [s for s in slots if s.keyfile == (keyfile is not None)]
    if slots and not usable and keyfile is None:
        raise KeyfileRequired("This vault also needs its keyfile.")
    for slot in usable:
        try:
            return _open(_passphrase_slot_key(slot.kdf, passphrase, keyfile), keys.vault_id, slot)
        except DecryptionFailed:
            continue
    raise DecryptionFailed("The passphrase (or keyfile) does not open this vault.")


def unlock_with_recovery(keys: KeysFile, secret: bytes) -> bytes:
    """Open the recovery slot; return the database key or raise :class:`DecryptionFailed`."""
    for slot in keys.slot_of_kind(c.SLOT_KIND_RECOVERY):
        try:
            return _open(_recovery_slot_key(slot.kdf, secret), keys.vault_id, slot)
        except DecryptionFailed:
            continue
    raise DecryptionFailed("The recovery key does not open this vault.")


# --- key events (docs/format.md §2.4) -------------------------------------------------------


def key_events_mac(db_key: bytes, vault_id: str, events: tuple[dict[str, str], ...]) -> bytes:
    mac_key = hkdf_sha256(db_key, b"", c.KEY_EVENTS_MAC_INFO)
    data = canonical_json({"vault_id": vault_id, "key_events": list(events)})
    return hmac.new(mac_key, data, hashlib.sha256).digest()


def key_events_authentic(keys: KeysFile, db_key: bytes) -> bool:
    if not keys.key_events and not keys.key_events_mac:
        return True
    expected = key_events_mac(db_key, keys.vault_id, keys.key_events)
    return hmac.compare_digest(expected, keys.key_events_mac)


def with_key_event(
    keys: KeysFile, db_key: bytes, *, event_id: str, event_type: str, time: str, slot_id: str
) -> KeysFile:
    """Return ``keys`` with one more key event (oldest dropped past the cap) and a fresh MAC."""
    if event_type not in KEY_EVENT_TYPES:
        raise ValueError(f"unknown key event type {event_type!r}")
    event = {"id": event_id, "type": event_type, "time": time, "slot": slot_id}
    events = (*keys.key_events, event)[-c.MAX_KEY_EVENTS :]
    return replace(
        keys, key_events=events, key_events_mac=key_events_mac(db_key, keys.vault_id, events)
    )


# --- serialisation --------------------------------------------------------------------------


def serialize_keys_file(keys: KeysFile) -> bytes:
    doc: dict[str, Any] = {
        "format": c.KEYS_FORMAT,
        "version": c.KEYS_VERSION,
        "vault_id": keys.vault_id,
        "slots": [s.to_json() for s in keys.slots],
        "key_events": list(keys.key_events),
        "key_events_mac": _b64(keys.key_events_mac),
    }
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _require_keys(
    obj: Any, required: set[str], optional: frozenset[str] = frozenset()
) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise FormatError("The key file is damaged (expected an object).")
    keys = set(obj)
    if not required <= keys or not keys <= required | optional:
        raise FormatError("The key file is damaged (unexpected or missing fields).")
    return dict(obj)


def _parse_kdf(kind: str, obj: Any) -> dict[str, Any]:
    if kind == c.SLOT_KIND_PASSPHRASE:
        kdf = _require_keys(
            obj, {"name", "version", "memory_kib", "iterations", "parallelism", "salt"}
        )
        if kdf["name"] != c.ARGON2_NAME or kdf["version"] != c.ARGON2_VERSION:
            raise FormatError(
                "The key file uses a key-derivation method this program does not know."
            )
        _argon_params(kdf)  # raises ParameterError beyond the caps
    else:
        kdf = _require_keys(obj, {"name", "salt"})
        if kdf["name"] != c.HKDF_NAME:
            raise FormatError(
                "The key file uses a key-derivation method this program does not know."
            )
    _unb64(kdf["salt"], min_len=c.MIN_SALT_BYTES, max_len=c.MAX_SALT_BYTES)
    return dict(kdf)


def _parse_slot(obj: Any) -> Keyslot:
    s = _require_keys(obj, {"id", "kind", "created", "kdf", "keyfile", "aead", "nonce", "wrapped"})
    if not isinstance(s["id"], str) or not _HEX_ID_RE.match(s["id"]):
        raise FormatError("The key file is damaged (a slot id is malformed).")
    if s["kind"] not in (c.SLOT_KIND_PASSPHRASE, c.SLOT_KIND_RECOVERY):
        raise FormatError("The key file has a kind of slot this program does not know.")
    if not isinstance(s["created"], str) or not _TIME_RE.match(s["created"]):
        raise FormatError("The key file is damaged (a time is malformed).")
    if s["aead"] != c.AEAD_NAME:
        raise FormatError("The key file uses an encryption method this program does not know.")
    if not isinstance(s["keyfile"], bool) or (s["keyfile"] and s["kind"] != c.SLOT_KIND_PASSPHRASE):
        raise FormatError("The key file is damaged (a slot is malformed).")
    return Keyslot(
        id=s["id"],
        kind=s["kind"],
        created=s["created"],
        kdf=_parse_kdf(s["kind"], s["kdf"]),
        keyfile=s["keyfile"],
        nonce=_unb64(s["nonce"], min_len=c.AEAD_NONCE_BYTES, max_len=c.AEAD_NONCE_BYTES),
        wrapped=_unb64(
            s["wrapped"],
            min_len=c.DB_KEY_BYTES + c.AEAD_TAG_BYTES,
            max_len=c.DB_KEY_BYTES + c.AEAD_TAG_BYTES,
        ),
    )


def _parse_key_event(obj: Any) -> dict[str, str]:
    e = _require_keys(obj, {"id", "type", "time", "slot"})
    if not all(isinstance(v, str) for v in e.values()):
        raise FormatError("The key file is damaged (a key event is malformed).")
    if (
        not _UUID_RE.match(e["id"])
        or e["type"] not in KEY_EVENT_TYPES
        or not _TIME_RE.match(e["time"])
        or not _HEX_ID_RE.match(e["slot"])
    ):
        raise FormatError("The key file is damaged (a key event is malformed).")
    return dict(e)


def parse_keys_file(data: bytes) -> KeysFile:
    """Parse and validate ``vault.keys``; raise :class:`FormatError` on anything unexpected."""
    if len(data) > c.MAX_KEYS_FILE_BYTES:
        raise FormatError("The key file is far larger than a key file can be.")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # ValueError: also a too-long integer literal
        raise FormatError("The key file is damaged (it is not readable JSON).") from exc
    doc = _require_keys(
        doc, {"format", "version", "vault_id", "slots"}, frozenset({"key_events", "key_events_mac"})
    )
    if doc["format"] != c.KEYS_FORMAT:
        raise FormatError("This is not an evidence-vault key file.")
    if type(doc["version"]) is not int:  # not true, 1.0 or "1"
        raise FormatError("The key file is damaged (the version is malformed).")
    if doc["version"] != c.KEYS_VERSION:
        raise FormatError("The key file was made by a newer version of evidence-vault.")
    if not isinstance(doc["vault_id"], str) or not _UUID_RE.match(doc["vault_id"]):
        raise FormatError("The key file is damaged (the vault id is malformed).")
    slots = doc["slots"]
    if not isinstance(slots, list) or not 1 <= len(slots) <= c.MAX_SLOTS:
        raise FormatError("The key file is damaged (wrong number of slots).")
    events = doc.get("key_events", [])
    if not isinstance(events, list) or len(events) > c.MAX_KEY_EVENTS:
        raise FormatError("The key file is damaged (too many key events).")
    mac = b""
    if doc.get("key_events_mac", "") != "":  # absent or "" means no MAC; null, 0, [] are refused
        mac = _unb64(doc["key_events_mac"], min_len=32, max_len=32)
    parsed = tuple(_parse_slot(s) for s in slots)
    if len({s.id for s in parsed}) != len(parsed):
        raise FormatError("The key file is damaged (two slots share an id).")
    return KeysFile(
        vault_id=doc["vault_id"],
        slots=parsed,
        key_events=tuple(_parse_key_event(e) for e in events),
        key_events_mac=mac,
    )
