"""Reading ``vault.keys`` (docs/format.md §2): strict parsing of untrusted bytes.

The file is refused before any key derivation runs if anything in it is not what evault writes:
an unknown field, a value of the wrong type or size, more than one slot of a kind, Argon2id
settings past the caps (memory, passes, and memory times passes, so one unlock is bounded), a
time that is not a real date. A refused file is reported as damaged, never as a wrong passphrase.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from crypto import constants as c
from crypto.errors import FormatError
from crypto.keyslots import KEY_EVENT_TYPES, KeysFile, Keyslot, argon_params, unb64

_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_HEX_ID_RE = re.compile(r"^[0-9a-f]{16}$")
_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
_SLOT_FIELDS = {"id", "kind", "created", "kdf", "keyfile", "aead", "nonce", "wrapped"}
_SLOT_FIELDS_V2 = {*_SLOT_FIELDS, "check"}
_TOP_V1 = {"format", "version", "vault_id", "slots"}
_TOP_V1_OPTIONAL = frozenset({"key_events", "key_events_mac"})
_TOP_V2 = {"format", "version", "vault_id", "slots", "key_events", "mac"}
_KINDS_V1 = (c.SLOT_KIND_PASSPHRASE, c.SLOT_KIND_RECOVERY)
_KINDS_V2 = (*_KINDS_V1, c.SLOT_KIND_RECOVERY_PENDING, c.SLOT_KIND_SHARES)
_SLIP39_FIELDS = {"identifier", "threshold", "count", "iteration_exponent"}


def _require_keys(
    obj: Any, required: set[str], optional: frozenset[str] = frozenset()
) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise FormatError("The key file is damaged (expected an object).")
    keys = set(obj)
    if not required <= keys or not keys <= required | optional:
        raise FormatError("The key file is damaged (unexpected or missing fields).")
    return dict(obj)


def _is_time(value: Any) -> bool:
    """A UTC time as evault writes it, and a real date (not 30 February)."""
    if not isinstance(value, str) or not _TIME_RE.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _parse_kdf(kind: str, obj: Any) -> dict[str, Any]:
    if kind == c.SLOT_KIND_PASSPHRASE:
        kdf = _require_keys(
            obj, {"name", "version", "memory_kib", "iterations", "parallelism", "salt"}
        )
        if kdf["name"] != c.ARGON2_NAME or kdf["version"] != c.ARGON2_VERSION:
            raise FormatError(
                "The key file uses a key-derivation method this program does not know."
            )
        argon_params(kdf)  # raises ParameterError beyond the caps
    elif kind == c.SLOT_KIND_SHARES:
        kdf = _require_keys(obj, {"name", "salt", "slip39"})
        if kdf["name"] != c.HKDF_NAME:
            raise FormatError(
                "The key file uses a key-derivation method this program does not know."
            )
        _check_slip39(kdf["slip39"])
    else:
        kdf = _require_keys(obj, {"name", "salt"})
        if kdf["name"] != c.HKDF_NAME:
            raise FormatError(
                "The key file uses a key-derivation method this program does not know."
            )
    # evault has always written 16-byte salts: any other length is damage, not a new passphrase.
    unb64(kdf["salt"], min_len=c.SALT_BYTES, max_len=c.SALT_BYTES)
    return dict(kdf)


def _small_int(value: Any, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def _check_slip39(obj: Any) -> None:
    """A shares slot's SLIP-39 layout: what evault issues, and SLIP-39's iteration cost capped."""
    layout = _require_keys(obj, _SLIP39_FIELDS)
    if not (
        _small_int(layout["identifier"], 0, c.SHARES_MAX_IDENTIFIER)
        and _small_int(layout["count"], c.SHARES_MIN_COUNT, c.SHARES_MAX_COUNT)
        and _small_int(layout["threshold"], c.SHARES_MIN_THRESHOLD, layout["count"])
        and _small_int(layout["iteration_exponent"], 0, c.MAX_SHARES_ITERATION_EXPONENT)
    ):
        raise FormatError("The key file is damaged (the recovery shares slot is malformed).")


def _parse_slot(obj: Any, version: int) -> Keyslot:
    """One slot; a version 2 slot whose checksum fails is returned marked ``damaged``, so the
    other slot still opens the vault and asking for this one says "damaged"."""
    v2 = version == c.KEYS_VERSION
    kinds = _KINDS_V2 if v2 else _KINDS_V1
    s = _require_keys(obj, _SLOT_FIELDS_V2 if v2 else _SLOT_FIELDS)
    if not isinstance(s["id"], str) or not _HEX_ID_RE.match(s["id"]):
        raise FormatError("The key file is damaged (a slot id is malformed).")
    if s["kind"] not in kinds:
        raise FormatError("The key file has a kind of slot this program does not know.")
    if not _is_time(s["created"]):
        raise FormatError("The key file is damaged (a time is malformed).")
    if s["aead"] != c.AEAD_NAME:
        raise FormatError("The key file uses an encryption method this program does not know.")
    if not isinstance(s["keyfile"], bool) or (s["keyfile"] and s["kind"] != c.SLOT_KIND_PASSPHRASE):
        raise FormatError("The key file is damaged (a slot is malformed).")
    slot = Keyslot(
        id=s["id"],
        kind=s["kind"],
        created=s["created"],
        kdf=_parse_kdf(s["kind"], s["kdf"]),
        keyfile=s["keyfile"],
        nonce=unb64(s["nonce"], min_len=c.AEAD_NONCE_BYTES, max_len=c.AEAD_NONCE_BYTES),
        wrapped=unb64(
            s["wrapped"],
            min_len=c.DB_KEY_BYTES + c.AEAD_TAG_BYTES,
            max_len=c.DB_KEY_BYTES + c.AEAD_TAG_BYTES,
        ),
    )
    if not v2:
        return slot
    check = unb64(s["check"], min_len=c.SLOT_CHECK_BYTES, max_len=c.SLOT_CHECK_BYTES)
    return replace(slot, damaged=not hmac.compare_digest(check, slot.check()))


def _parse_slots(raw: Any, version: int) -> tuple[Keyslot, ...]:
    """At most one slot of each kind, and at least one that can open the vault.

    Counted before any slot is looked at closely, so a file padded with slots is refused at once.
    """
    if not isinstance(raw, list) or not 1 <= len(raw) <= c.MAX_SLOTS:
        raise FormatError("The key file is damaged (wrong number of slots).")
    named = [s.get("kind") if isinstance(s, dict) else None for s in raw]
    if any(named.count(kind) > 1 for kind in _KINDS_V2):
        raise FormatError("The key file is damaged (it holds more slots than evault writes).")
    slots = tuple(_parse_slot(s, version) for s in raw)
    if len({s.id for s in slots}) != len(slots):
        raise FormatError("The key file is damaged (two slots share an id).")
    if all(s.kind == c.SLOT_KIND_RECOVERY_PENDING for s in slots):
        raise FormatError("The key file is damaged (no slot can open the vault).")
    return slots


def _parse_key_event(obj: Any) -> dict[str, str]:
    e = _require_keys(obj, {"id", "type", "time", "slot"})
    if not all(isinstance(v, str) for v in e.values()):
        raise FormatError("The key file is damaged (a key event is malformed).")
    if (
        not _UUID_RE.match(e["id"])
        or e["type"] not in KEY_EVENT_TYPES
        or not _is_time(e["time"])
        or not _HEX_ID_RE.match(e["slot"])
    ):
        raise FormatError("The key file is damaged (a key event is malformed).")
    return dict(e)


def _version(doc: dict[str, Any]) -> int:
    if doc.get("format") != c.KEYS_FORMAT:
        raise FormatError("This is not an evidence-vault key file.")
    version = doc.get("version")
    if type(version) is not int:  # not true, 1.0 or "1"
        raise FormatError("The key file is damaged (the version is malformed).")
    if version > c.KEYS_VERSION:
        raise FormatError("The key file was made by a newer version of evidence-vault.")
    if version not in (c.KEYS_VERSION_LEGACY, c.KEYS_VERSION):
        raise FormatError("The key file is damaged (the version is malformed).")
    return version


def parse_keys_file(data: bytes) -> KeysFile:
    """Parse and validate ``vault.keys`` (version 1 or 2); :class:`FormatError` on anything else.

    A version 2 file must carry its MAC; checking it needs the database key, so that is the
    caller's next step once a slot has opened (:func:`crypto.keyslots.keys_file_authentic`).
    """
    if len(data) > c.MAX_KEYS_FILE_BYTES:
        raise FormatError("The key file is far larger than a key file can be.")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # ValueError: also a too-long integer literal
        raise FormatError("The key file is damaged (it is not readable JSON).") from exc
    if not isinstance(doc, dict):
        raise FormatError("The key file is damaged (expected an object).")
    version = _version(doc)
    if version == c.KEYS_VERSION:
        doc = _require_keys(doc, _TOP_V2)
    else:
        doc = _require_keys(doc, _TOP_V1, _TOP_V1_OPTIONAL)
    if not isinstance(doc["vault_id"], str) or not _UUID_RE.match(doc["vault_id"]):
        raise FormatError("The key file is damaged (the vault id is malformed).")
    events = doc.get("key_events", [])
    if not isinstance(events, list) or len(events) > c.MAX_KEY_EVENTS:
        raise FormatError("The key file is damaged (too many key events).")
    slots = _parse_slots(doc["slots"], version)
    key_events = tuple(_parse_key_event(e) for e in events)
    if version == c.KEYS_VERSION:
        mac = unb64(doc["mac"], min_len=c.KEYS_MAC_BYTES, max_len=c.KEYS_MAC_BYTES)
        return KeysFile(doc["vault_id"], slots, key_events, version=version, mac=mac)
    events_mac = b""
    if doc.get("key_events_mac", "") != "":  # absent or "" means no MAC; null, 0, [] are refused
        events_mac = unb64(doc["key_events_mac"], min_len=32, max_len=32)
    return KeysFile(doc["vault_id"], slots, key_events, events_mac, version=version)
