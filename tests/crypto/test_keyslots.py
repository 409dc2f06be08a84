"""crypto.keyslots and crypto.keysfile: the ``vault.keys`` format (docs/format.md §2).

Slots are made with fast Argon2id parameters (1 MiB, 1 pass, 1 lane). Besides round trips through
the module's own functions, a slot is opened here by an independent re-implementation of §2.2 (raw
argon2-cffi, HKDF and ChaCha20-Poly1305 from the standard building blocks), and the whole-file MAC
(and version 1's key-events MAC) is recomputed from §2.4.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import rfc8785
from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto import constants as c
from crypto.errors import DecryptionFailed, FormatError, ParameterError
from crypto.kdf import Argon2Params
from crypto.keysfile import parse_keys_file
from crypto.keyslots import (
    KEY_EVENT_TYPES,
    KeyfileRequired,
    KeysFile,
    Keyslot,
    SlotMissing,
    key_events_authentic,
    key_events_mac,
    keys_file_authentic,
    make_passphrase_slot,
    make_recovery_slot,
    make_shares_slot,
    open_recovery_slot,
    sealed,
    serialize_keys_file,
    unlock_with_passphrase,
    unlock_with_recovery,
    with_key_event,
)

FAST = Argon2Params(1024, 1, 1)
VAULT_ID = "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
OTHER_VAULT_ID = "00000000-1111-4222-8333-444444444444"
NOW = "2026-11-29T11:33:41.123456Z"
PASSPHRASE = "Qırmızı gül 🌹 səhər"
KEYFILE = b"\x00keyfile bytes\xff" * 10


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@pytest.fixture(scope="module")
def db_key() -> bytes:
    return os.urandom(32)


@pytest.fixture(scope="module")
def secret() -> bytes:
    return os.urandom(20)


@pytest.fixture(scope="module")
def keys(db_key: bytes, secret: bytes) -> KeysFile:
    """The slots of these tests: a passphrase slot, a passphrase+keyfile slot and a recovery slot.

    Not one file (a file holds one passphrase slot): :func:`_only` and :func:`_file` make files.
    """
    return KeysFile(
        VAULT_ID,
        (
            make_passphrase_slot(db_key, VAULT_ID, PASSPHRASE, FAST, now=NOW),
            make_passphrase_slot(db_key, VAULT_ID, "other words", FAST, now=NOW, keyfile=KEYFILE),
            make_recovery_slot(db_key, VAULT_ID, secret, now=NOW),
        ),
    )


def _only(keys: KeysFile, index: int) -> KeysFile:
    return replace(keys, slots=(keys.slots[index],))


def _file(keys: KeysFile, *indices: int) -> KeysFile:
    return replace(keys, slots=tuple(keys.slots[i] for i in indices))


def _doc(keys: KeysFile) -> dict[str, Any]:
    """The file's JSON object. Parsing does not check the MAC (that needs the database key), so
    a file that was never sealed gets a placeholder MAC of the right size."""
    doc: dict[str, Any] = json.loads(serialize_keys_file(replace(keys, mac=keys.mac or bytes(32))))
    return doc


def _dump(doc: Any) -> bytes:
    return json.dumps(doc).encode("utf-8")


# --- round trips ----------------------------------------------------------------------------


def test_passphrase_slot_round_trip(keys: KeysFile, db_key: bytes) -> None:
    assert unlock_with_passphrase(_only(keys, 0), PASSPHRASE, None) == db_key
    assert unlock_with_passphrase(_file(keys, 0, 2), PASSPHRASE, None) == db_key


def test_passphrase_and_keyfile_slot_round_trip(keys: KeysFile, db_key: bytes) -> None:
    assert unlock_with_passphrase(_only(keys, 1), "other words", KEYFILE) == db_key
    assert unlock_with_passphrase(_file(keys, 1, 2), "other words", KEYFILE) == db_key


def test_recovery_slot_round_trip(keys: KeysFile, db_key: bytes, secret: bytes) -> None:
    assert unlock_with_recovery(_only(keys, 2), secret) == db_key
    assert unlock_with_recovery(keys, secret) == db_key


def test_round_trip_through_the_file_bytes(keys: KeysFile, db_key: bytes, secret: bytes) -> None:
    parsed = parse_keys_file(serialize_keys_file(sealed(_file(keys, 0, 2), db_key)))
    assert unlock_with_passphrase(parsed, PASSPHRASE, None) == db_key
    assert unlock_with_recovery(parsed, secret) == db_key
    parsed = parse_keys_file(serialize_keys_file(sealed(_file(keys, 1, 2), db_key)))
    assert unlock_with_passphrase(parsed, "other words", KEYFILE) == db_key
    assert unlock_with_recovery(parsed, secret) == db_key


def test_passphrase_typed_decomposed_opens_slot_made_precomposed(db_key: bytes) -> None:
    made = "parol: \u0259\u00fc\u0130\u015f \u0439"  # ə ü İ ş й, precomposed
    typed = "parol: \u0259u\u0308I\u0307s\u0327 \u0438\u0306"
    assert made != typed
    keys = KeysFile(VAULT_ID, (make_passphrase_slot(db_key, VAULT_ID, made, FAST, now=NOW),))
    assert unlock_with_passphrase(keys, typed, None) == db_key


def test_fresh_randomness_per_slot(db_key: bytes) -> None:
    a = make_passphrase_slot(db_key, VAULT_ID, PASSPHRASE, FAST, now=NOW)
    b = make_passphrase_slot(db_key, VAULT_ID, PASSPHRASE, FAST, now=NOW)
    assert a.id != b.id and a.nonce != b.nonce and a.kdf["salt"] != b.kdf["salt"]
    assert a.wrapped != b.wrapped
    assert len(bytes.fromhex(a.id)) == c.SLOT_ID_BYTES
    assert len(a.nonce) == 12 and len(a.wrapped) == 48
    assert len(base64.b64decode(a.kdf["salt"])) == 16


def test_slot_header_records_parameters(keys: KeysFile) -> None:
    slot = keys.slots[0]
    assert slot.kind == "passphrase" and slot.keyfile is False and slot.created == NOW
    assert slot.kdf["name"] == "argon2id" and slot.kdf["version"] == 19
    assert (slot.kdf["memory_kib"], slot.kdf["iterations"], slot.kdf["parallelism"]) == (1024, 1, 1)
    assert keys.slots[1].keyfile is True
    assert keys.slots[2].kind == "recovery" and set(keys.slots[2].kdf) == {"name", "salt"}
    assert keys.slots[2].kdf["name"] == "hkdf-sha256"


# --- independent re-implementation of §2.2 --------------------------------------------------


def _spec_hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def _spec_check(slot_json: dict[str, Any]) -> str:
    """A version 2 slot's checksum, from §2.2."""
    body = {k: v for k, v in slot_json.items() if k != "check"}
    return _b64(hashlib.sha256(b"evault-slot-check-v2\x00" + rfc8785.dumps(body)).digest()[:16])


def _recheck(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with every slot's checksum recomputed: an edit made on purpose, not damage."""
    for slot_json in doc["slots"]:
        slot_json["check"] = _spec_check(slot_json)
    return doc


def _spec_open(vault_id: str, slot_json: dict[str, Any], slot_key: bytes) -> bytes:
    header = {k: v for k, v in slot_json.items() if k not in ("wrapped", "nonce", "check")}
    ad = b"evault-keyslot-v1" + b"\x00" + rfc8785.dumps({"vault_id": vault_id, "slot": header})
    return ChaCha20Poly1305(slot_key).decrypt(
        base64.b64decode(slot_json["nonce"]), base64.b64decode(slot_json["wrapped"]), ad
    )


def test_passphrase_slot_follows_the_spec(keys: KeysFile, db_key: bytes) -> None:
    doc = _doc(keys)
    for slot_json, passphrase, keyfile in (
        (doc["slots"][0], PASSPHRASE, None),
        (doc["slots"][1], "other words", KEYFILE),
    ):
        kdf = slot_json["kdf"]
        salt = base64.b64decode(kdf["salt"])
        stretched = hash_secret_raw(
            passphrase.encode("utf-8"),  # already NFC
            salt,
            time_cost=kdf["iterations"],
            memory_cost=kdf["memory_kib"],
            parallelism=kdf["parallelism"],
            hash_len=32,
            type=Type.ID,
            version=0x13,
        )
        kf = hashlib.sha256(keyfile).digest() if keyfile is not None else b""
        slot_key = _spec_hkdf(stretched + kf, salt, b"evault-slot-key-v1:passphrase")
        assert _spec_open(doc["vault_id"], slot_json, slot_key) == db_key


def test_recovery_slot_follows_the_spec(keys: KeysFile, db_key: bytes, secret: bytes) -> None:
    doc = _doc(keys)
    slot_json = doc["slots"][2]
    salt = base64.b64decode(slot_json["kdf"]["salt"])
    slot_key = _spec_hkdf(secret, salt, b"evault-slot-key-v1:recovery")
    assert _spec_open(doc["vault_id"], slot_json, slot_key) == db_key


def test_slot_made_by_the_spec_opens(db_key: bytes) -> None:
    # The other direction: a recovery slot built by hand from §2.2 opens with the module.
    r, salt, nonce = os.urandom(20), os.urandom(16), os.urandom(12)
    slot_json: dict[str, Any] = {
        "id": os.urandom(8).hex(),
        "kind": "recovery",
        "created": NOW,
        "kdf": {"name": "hkdf-sha256", "salt": _b64(salt)},
        "keyfile": False,
        "aead": "chacha20-poly1305",
    }
    ad = b"evault-keyslot-v1\x00" + rfc8785.dumps({"vault_id": VAULT_ID, "slot": slot_json})
    slot_key = _spec_hkdf(r, salt, b"evault-slot-key-v1:recovery")
    slot_json["nonce"] = _b64(nonce)
    slot_json["wrapped"] = _b64(ChaCha20Poly1305(slot_key).encrypt(nonce, db_key, ad))
    doc = {"format": "evault-keys", "version": 1, "vault_id": VAULT_ID, "slots": [slot_json]}
    assert unlock_with_recovery(parse_keys_file(_dump(doc)), r) == db_key


# --- wrong secrets --------------------------------------------------------------------------


def test_wrong_passphrase(keys: KeysFile) -> None:
    for guess in ("", PASSPHRASE + " ", PASSPHRASE.upper(), "other words"):
        with pytest.raises(DecryptionFailed) as info:
            unlock_with_passphrase(_only(keys, 0), guess, None)
        assert not isinstance(info.value, KeyfileRequired)


def test_wrong_keyfile(keys: KeysFile) -> None:
    keyfile_only = _only(keys, 1)
    for keyfile in (b"", KEYFILE[:-1], KEYFILE + b"\n", os.urandom(len(KEYFILE))):
        with pytest.raises(DecryptionFailed):
            unlock_with_passphrase(keyfile_only, "other words", keyfile)
    with pytest.raises(DecryptionFailed):
        unlock_with_passphrase(keyfile_only, "wrong words", KEYFILE)


def test_missing_keyfile_is_named(keys: KeysFile) -> None:
    with pytest.raises(KeyfileRequired):
        unlock_with_passphrase(_only(keys, 1), "other words", None)
    assert issubclass(KeyfileRequired, DecryptionFailed)


def test_keyfile_given_to_a_slot_without_one(keys: KeysFile) -> None:
    with pytest.raises(DecryptionFailed):
        unlock_with_passphrase(_only(keys, 0), PASSPHRASE, KEYFILE)


def test_only_the_first_passphrase_slot_is_ever_tried(keys: KeysFile) -> None:
    # A file holds one passphrase slot (the parser refuses two); a KeysFile built by hand with
    # two is not searched for one that opens: that would be one Argon2id run per slot.
    with pytest.raises(DecryptionFailed):
        unlock_with_passphrase(keys, "other words", KEYFILE)


def test_wrong_recovery_secret(keys: KeysFile, secret: bytes) -> None:
    flipped = bytes([secret[0] ^ 1]) + secret[1:]
    for guess in (flipped, os.urandom(20), bytes(20)):
        with pytest.raises(DecryptionFailed):
            unlock_with_recovery(keys, guess)


def test_no_recovery_slot(keys: KeysFile, secret: bytes) -> None:
    with pytest.raises(SlotMissing):
        unlock_with_recovery(_only(keys, 0), secret)
    assert issubclass(SlotMissing, DecryptionFailed)


def test_no_passphrase_slot(keys: KeysFile) -> None:
    with pytest.raises(SlotMissing):
        unlock_with_passphrase(_only(keys, 2), PASSPHRASE, None)


def test_a_pending_recovery_slot_opens_beside_the_old_one(
    keys: KeysFile, db_key: bytes, secret: bytes
) -> None:
    new_secret = os.urandom(20)
    pending = make_recovery_slot(db_key, VAULT_ID, new_secret, now=NOW, pending=True)
    assert pending.kind == "recovery-pending"
    both = replace(_file(keys, 0, 2), slots=(*_file(keys, 0, 2).slots, pending))
    parsed = parse_keys_file(serialize_keys_file(sealed(both, db_key)))
    assert open_recovery_slot(parsed, secret) == (db_key, keys.slots[2])
    assert open_recovery_slot(parsed, new_secret) == (db_key, pending)
    # The kind is authenticated: a pending slot relabelled as the recovery slot does not open.
    relabelled = replace(pending, kind="recovery")
    with pytest.raises(DecryptionFailed):
        unlock_with_recovery(KeysFile(VAULT_ID, (relabelled,)), new_secret)


# --- tampering with the header --------------------------------------------------------------


def _fails(data: bytes, opener: Callable[[KeysFile], bytes]) -> str:
    """Return how a tampered file failed: 'parse' or 'open'; fail the test if it opened."""
    try:
        parsed = parse_keys_file(data)
    except FormatError:
        return "parse"
    with pytest.raises(DecryptionFailed):
        opener(parsed)
    return "open"


def _openers(secret: bytes) -> list[Callable[[KeysFile], bytes]]:
    return [
        lambda k: unlock_with_passphrase(k, PASSPHRASE, None),
        lambda k: unlock_with_passphrase(k, "other words", KEYFILE),
        lambda k: unlock_with_recovery(k, secret),
    ]


def _other_time(value: str) -> str:
    return value.replace("2026", "2025")


def _flip_last(raw: bytes) -> bytes:
    return raw[:-1] + bytes([raw[-1] ^ 0x01])


def _other_b64(value: str) -> str:
    raw = bytearray(base64.b64decode(value))
    raw[0] ^= 0x01
    return _b64(bytes(raw))


TAMPERS: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    "id": lambda d, s: s.__setitem__("id", "0123456789abcdef"),
    "kind": lambda d, s: s.__setitem__(
        "kind", "recovery" if s["kind"] == "passphrase" else "passphrase"
    ),
    "created": lambda d, s: s.__setitem__("created", _other_time(s["created"])),
    "created-microsecond": lambda d, s: s.__setitem__("created", s["created"][:-2] + "7Z"),
    "keyfile": lambda d, s: s.__setitem__("keyfile", not s["keyfile"]),
    "aead": lambda d, s: s.__setitem__("aead", "aes-256-gcm"),
    "nonce": lambda d, s: s.__setitem__("nonce", _other_b64(s["nonce"])),
    "wrapped-first-byte": lambda d, s: s.__setitem__("wrapped", _other_b64(s["wrapped"])),
    # The last byte flipped (not set to 0: one key in 256 has a 0 there, and then nothing changed).
    "wrapped-tag": lambda d, s: s.__setitem__(
        "wrapped", _b64(_flip_last(base64.b64decode(s["wrapped"])))
    ),
    "kdf-salt": lambda d, s: s["kdf"].__setitem__("salt", _other_b64(s["kdf"]["salt"])),
    "kdf-name": lambda d, s: s["kdf"].__setitem__("name", "scrypt"),
    "vault_id": lambda d, s: d.__setitem__("vault_id", OTHER_VAULT_ID),
}
ARGON_TAMPERS: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    "kdf-iterations": lambda d, s: s["kdf"].__setitem__("iterations", 2),
    "kdf-memory": lambda d, s: s["kdf"].__setitem__("memory_kib", 2048),
    "kdf-parallelism": lambda d, s: s["kdf"].__setitem__("parallelism", 2),
    "kdf-version": lambda d, s: s["kdf"].__setitem__("version", 16),
    "kdf-salt-longer": lambda d, s: s["kdf"].__setitem__(
        "salt", _b64(base64.b64decode(s["kdf"]["salt"]) + b"\x00")
    ),
}


_TAMPER_CASES = [
    (index, name)
    for index in (0, 1, 2)
    for name in sorted(TAMPERS) + (sorted(ARGON_TAMPERS) if index != 2 else [])
]


@pytest.mark.parametrize(
    ("slot_index", "name"),
    _TAMPER_CASES,
    ids=[f"{('passphrase', 'keyfile', 'recovery')[i]}-{n}" for i, n in _TAMPER_CASES],
)
def test_tampered_header_field_fails(
    keys: KeysFile, secret: bytes, slot_index: int, name: str
) -> None:
    tamper = TAMPERS.get(name) or ARGON_TAMPERS[name]
    doc = _doc(_only(keys, slot_index))
    tamper(doc, doc["slots"][0])
    _fails(_dump(doc), _openers(secret)[slot_index])


def test_header_changes_that_still_parse_fail_to_open(keys: KeysFile, secret: bytes) -> None:
    # These edits make a well-formed file: they must be caught by the AEAD, not the parser.
    cases = [
        (0, "created"),
        (0, "id"),
        (0, "kdf-iterations"),
        (0, "kdf-memory"),
        (0, "kdf-salt"),
        (0, "nonce"),
        (0, "wrapped-first-byte"),
        (0, "vault_id"),
        (1, "keyfile"),
        (1, "kdf-parallelism"),
        (2, "created"),
        (2, "kdf-salt"),
        (2, "vault_id"),
        (2, "wrapped-tag"),
    ]
    openers = _openers(secret)
    for index, name in cases:
        doc = _doc(_only(keys, index))
        (TAMPERS.get(name) or ARGON_TAMPERS[name])(doc, doc["slots"][0])
        assert _fails(_dump(doc), openers[index]) == "open", (index, name)


def test_keyfile_flag_cleared_does_not_open_without_keyfile(keys: KeysFile) -> None:
    doc = _doc(_only(keys, 1))
    doc["slots"][0]["keyfile"] = False
    parsed = parse_keys_file(_dump(doc))
    with pytest.raises(DecryptionFailed):
        unlock_with_passphrase(parsed, "other words", None)
    with pytest.raises(DecryptionFailed):
        unlock_with_passphrase(parsed, "other words", KEYFILE)


def test_keyfile_flag_set_demands_keyfile_and_then_fails(keys: KeysFile) -> None:
    doc = _doc(_only(keys, 0))
    doc["slots"][0]["keyfile"] = True
    parsed = parse_keys_file(_dump(_recheck(doc)))
    with pytest.raises(KeyfileRequired):
        unlock_with_passphrase(parsed, PASSPHRASE, None)
    with pytest.raises(DecryptionFailed):
        unlock_with_passphrase(parsed, PASSPHRASE, b"")


def test_slot_moved_to_another_vault_fails(db_key: bytes) -> None:
    slot = make_passphrase_slot(db_key, VAULT_ID, PASSPHRASE, FAST, now=NOW)
    with pytest.raises(DecryptionFailed):
        unlock_with_passphrase(KeysFile(OTHER_VAULT_ID, (slot,)), PASSPHRASE, None)


def test_swapped_wrapped_between_slots_fails(keys: KeysFile) -> None:
    # Each slot's ciphertext is bound to its own header: swapping nonce+wrapped does not open.
    a, b = keys.slots[0], make_passphrase_slot(os.urandom(32), VAULT_ID, PASSPHRASE, FAST, now=NOW)
    swapped = replace(a, nonce=b.nonce, wrapped=b.wrapped)
    with pytest.raises(DecryptionFailed):
        unlock_with_passphrase(KeysFile(VAULT_ID, (swapped,)), PASSPHRASE, None)


# --- parse_keys_file: refusals --------------------------------------------------------------


@pytest.fixture(scope="module")
def good_doc(keys: KeysFile, db_key: bytes) -> dict[str, Any]:
    """A version 2 file: the passphrase slot, the recovery slot, one key event, its MAC."""
    with_event = with_key_event(
        _file(keys, 0, 2),
        event_id=str(uuid.uuid4()),
        event_type="key.passphrase_changed",
        time=NOW,
        slot_id=keys.slots[0].id,
    )
    doc = _doc(sealed(with_event, db_key))
    parse_keys_file(_dump(doc))  # the base document is valid
    return doc


@pytest.fixture(scope="module")
def legacy_doc(keys: KeysFile, db_key: bytes) -> dict[str, Any]:
    """A version 1 file as evault wrote it before the whole-file MAC: MAC over the events only."""
    doc = _legacy(_file(keys, 0, 2), db_key, [_event_kwargs(0, keys.slots[0].id)])
    parse_keys_file(_dump(doc))
    return doc


def _mutated(doc: dict[str, Any], mutate: Callable[[dict[str, Any]], Any]) -> bytes:
    d = copy.deepcopy(doc)
    mutate(d)
    return _dump(d)


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        target: Any = d
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def mutate(d: dict[str, Any]) -> None:
        target: Any = d
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _b64_of(size: int) -> str:
    return _b64(b"\x01" * size)


BAD_DOCS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "format": _set(("format",), "evault-keys-2"),
    "format-missing": _delete(("format",)),
    "version-newer": _set(("version",), 3),
    "version-1-with-version-2-fields": _set(("version",), 1),
    "version-zero": _set(("version",), 0),
    "version-string": _set(("version",), "1"),
    "version-bool": _set(("version",), True),
    "version-null": _set(("version",), None),
    "unknown-top-level": _set(("comment",), "hello"),
    "vault_id-missing": _delete(("vault_id",)),
    "vault_id-not-uuid": _set(("vault_id",), "not-a-uuid"),
    "vault_id-upper": _set(("vault_id",), VAULT_ID.upper()),
    "vault_id-int": _set(("vault_id",), 7),
    "slots-missing": _delete(("slots",)),
    "slots-zero": _set(("slots",), []),
    "slots-object": _set(("slots",), {}),
    "slot-not-object": _set(("slots", 0), "slot"),
    "slot-unknown-field": _set(("slots", 0, "note"), "x"),
    "slot-missing-nonce": _delete(("slots", 0, "nonce")),
    "slot-id-short": _set(("slots", 0, "id"), "0123"),
    "slot-id-upper": _set(("slots", 0, "id"), "0123456789ABCDEF"),
    "slot-id-int": _set(("slots", 0, "id"), 12),
    "slot-kind": _set(("slots", 0, "kind"), "fido2"),
    "slot-created": _set(("slots", 0, "created"), "yesterday"),
    "slot-created-offset": _set(("slots", 0, "created"), "2026-11-29T11:33:41+04:00"),
    "slot-keyfile-int": _set(("slots", 0, "keyfile"), 0),
    "slot-keyfile-string": _set(("slots", 0, "keyfile"), "false"),
    "recovery-with-keyfile": _set(("slots", 1, "keyfile"), True),
    "aead": _set(("slots", 0, "aead"), "aes-256-gcm"),
    "nonce-bad-base64": _set(("slots", 0, "nonce"), "!!!!!!!!!!!!!!!!"),
    "nonce-whitespace": _set(("slots", 0, "nonce"), "AAAA AAAAAAAAAAA"),
    "nonce-11": _set(("slots", 0, "nonce"), _b64_of(11)),
    "nonce-13": _set(("slots", 0, "nonce"), _b64_of(13)),
    "nonce-int": _set(("slots", 0, "nonce"), 12),
    "wrapped-47": _set(("slots", 0, "wrapped"), _b64_of(47)),
    "wrapped-49": _set(("slots", 0, "wrapped"), _b64_of(49)),
    "wrapped-32": _set(("slots", 0, "wrapped"), _b64_of(32)),
    "wrapped-huge": _set(("slots", 0, "wrapped"), _b64_of(30000)),
    "wrapped-no-padding": _set(("slots", 0, "wrapped"), _b64_of(47).rstrip("=")),
    "salt-15": _set(("slots", 0, "kdf", "salt"), _b64_of(15)),
    "salt-65": _set(("slots", 0, "kdf", "salt"), _b64_of(65)),
    "salt-bad-base64": _set(("slots", 0, "kdf", "salt"), "AZ1Z/3MOUqoXMjWLrWkF7g="),
    "recovery-salt-15": _set(("slots", 1, "kdf", "salt"), _b64_of(15)),
    "salt-17": _set(("slots", 0, "kdf", "salt"), _b64_of(17)),  # evault always wrote 16
    "recovery-salt-17": _set(("slots", 1, "kdf", "salt"), _b64_of(17)),
    "slot-created-not-a-date": _set(("slots", 0, "created"), "2026-02-30T11:33:41.123456Z"),
    "kdf-unknown-field": _set(("slots", 0, "kdf", "extra"), 1),
    "kdf-missing-salt": _delete(("slots", 0, "kdf", "salt")),
    "kdf-name": _set(("slots", 0, "kdf", "name"), "argon2i"),
    "kdf-version": _set(("slots", 0, "kdf", "version"), 16),
    "recovery-kdf-name": _set(("slots", 1, "kdf", "name"), "argon2id"),
    "recovery-kdf-extra": _set(("slots", 1, "kdf", "iterations"), 1),
    "kdf-not-object": _set(("slots", 0, "kdf"), "argon2id"),
    "memory-2**40": _set(("slots", 0, "kdf", "memory_kib"), 2**40),
    "memory-4GiB+1": _set(("slots", 0, "kdf", "memory_kib"), 4194305),
    "memory-1GiB+1": _set(("slots", 0, "kdf", "memory_kib"), 1048577),
    "cost-over-cap": lambda d: d["slots"][0]["kdf"].update(memory_kib=262144, iterations=41),
    "memory-too-small": _set(("slots", 0, "kdf", "memory_kib"), 7),
    "memory-float": _set(("slots", 0, "kdf", "memory_kib"), 1024.5),
    "memory-string": _set(("slots", 0, "kdf", "memory_kib"), "1024"),
    "iterations-0": _set(("slots", 0, "kdf", "iterations"), 0),
    "iterations-65": _set(("slots", 0, "kdf", "iterations"), 65),
    "iterations-bool": _set(("slots", 0, "kdf", "iterations"), True),
    "parallelism-0": _set(("slots", 0, "kdf", "parallelism"), 0),
    "parallelism-17": _set(("slots", 0, "kdf", "parallelism"), 17),
    "duplicate-slot-ids": lambda d: d["slots"].append(copy.deepcopy(d["slots"][0])),
    "too-many-slots": lambda d: d.__setitem__(
        "slots",
        [{**d["slots"][0], "id": f"{i:016x}"} for i in range(c.MAX_SLOTS + 1)],
    ),
    "two-passphrase-slots": lambda d: d["slots"].append({**d["slots"][0], "id": "ab" * 8}),
    "two-recovery-slots": lambda d: d["slots"].append({**d["slots"][1], "id": "ab" * 8}),
    "two-pending-slots": lambda d: d["slots"].extend(
        [{**d["slots"][1], "kind": "recovery-pending", "id": f"{i:016x}"} for i in range(2)]
    ),
    "only-a-pending-slot": lambda d: d.__setitem__(
        "slots", [{**d["slots"][1], "kind": "recovery-pending"}]
    ),
    "passphrase-slots-ahead": lambda d: d.__setitem__(
        "slots", [{**d["slots"][0], "id": f"{i:016x}"} for i in range(2)] + d["slots"]
    ),
    "key_events-not-list": _set(("key_events",), {}),
    "too-many-key-events": lambda d: d.__setitem__(
        "key_events", [{**d["key_events"][0], "id": str(uuid.uuid4())} for _ in range(33)]
    ),
    "key_event-extra": _set(("key_events", 0, "note"), "x"),
    "key_event-missing": _delete(("key_events", 0, "slot")),
    "key_event-type": _set(("key_events", 0, "type"), "key.stolen"),
    "key_event-id": _set(("key_events", 0, "id"), "not-a-uuid"),
    "key_event-time": _set(("key_events", 0, "time"), "2026-11-29 11:33:41"),
    "key_event-time-not-a-date": _set(("key_events", 0, "time"), "2026-11-31T11:33:41.000000Z"),
    "key_event-slot": _set(("key_events", 0, "slot"), "xyz"),
    "key_event-int": _set(("key_events", 0, "time"), 1700000000),
    "key_event-not-object": _set(("key_events", 0), "event"),
    "mac-31": _set(("mac",), _b64_of(31)),
    "mac-33": _set(("mac",), _b64_of(33)),
    "mac-empty": _set(("mac",), ""),
    "mac-missing": _delete(("mac",)),
    "key_events-missing": _delete(("key_events",)),
    "key_events_mac-in-version-2": _set(("key_events_mac",), _b64_of(32)),
    "mac-bad-base64": _set(("mac",), "***"),
    "mac-null": _set(("mac",), None),
    "mac-false": _set(("mac",), False),
    "mac-zero": _set(("mac",), 0),
    "mac-list": _set(("mac",), []),
}

BAD_LEGACY_DOCS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "events-mac-31": _set(("key_events_mac",), _b64_of(31)),
    "events-mac-33": _set(("key_events_mac",), _b64_of(33)),
    "events-mac-bad-base64": _set(("key_events_mac",), "***"),
    "events-mac-null": _set(("key_events_mac",), None),
    "events-mac-false": _set(("key_events_mac",), False),
    "events-mac-zero": _set(("key_events_mac",), 0),
    "events-mac-list": _set(("key_events_mac",), []),
    "whole-file-mac-in-version-1": _set(("mac",), _b64_of(32)),
    "pending-slot-in-version-1": _set(("slots", 1, "kind"), "recovery-pending"),
    "two-passphrase-slots": lambda d: d["slots"].append({**d["slots"][0], "id": "ab" * 8}),
}


@pytest.mark.parametrize("name", sorted(BAD_DOCS))
def test_parse_rejects(good_doc: dict[str, Any], name: str) -> None:
    with pytest.raises(FormatError):
        parse_keys_file(_mutated(good_doc, BAD_DOCS[name]))


@pytest.mark.parametrize("name", sorted(BAD_LEGACY_DOCS))
def test_parse_rejects_in_version_1(legacy_doc: dict[str, Any], name: str) -> None:
    with pytest.raises(FormatError):
        parse_keys_file(_mutated(legacy_doc, BAD_LEGACY_DOCS[name]))


def test_parse_refuses_padded_slots_before_looking_at_them(good_doc: dict[str, Any]) -> None:
    # 14 slots at the old caps (4 GiB, 64 passes, 16 lanes) ahead of the real ones: hours of
    # Argon2id if they were tried. Refused at once, as damage.
    huge = {"memory_kib": 4 * 1024 * 1024, "iterations": 64, "parallelism": 16}
    padding = [
        {**good_doc["slots"][0], "id": f"{i:016x}", "kdf": {**good_doc["slots"][0]["kdf"], **huge}}
        for i in range(14)
    ]
    start = time.perf_counter()
    with pytest.raises(FormatError):
        parse_keys_file(_mutated(good_doc, lambda d: d.__setitem__("slots", padding + d["slots"])))
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"\xff\xfe{}",
        b"[]",
        b"null",
        b'"evault-keys"',
        b"{",
        b'{"format": "evault-keys", "format": "evault-keys"',
        b"[" * 20000 + b"]" * 20000,
        b'{"format": ' + b"9" * 5000 + b"}",  # an integer Python will not convert
    ],
)
def test_parse_rejects_non_json(data: bytes) -> None:
    with pytest.raises(FormatError):
        parse_keys_file(data)


def test_parse_size_limit(good_doc: dict[str, Any]) -> None:
    data = _dump(good_doc)
    exact = data + b" " * (c.MAX_KEYS_FILE_BYTES - len(data))  # JSON allows trailing spaces
    assert len(exact) == 64 * 1024
    parse_keys_file(exact)
    with pytest.raises(FormatError):
        parse_keys_file(exact + b" ")
    with pytest.raises(FormatError):
        parse_keys_file(b" " * (10 * 1024 * 1024))


def test_parse_accepts_limits(
    good_doc: dict[str, Any], legacy_doc: dict[str, Any], keys: KeysFile, db_key: bytes
) -> None:
    d = copy.deepcopy(good_doc)
    pending = {**d["slots"][1], "kind": "recovery-pending", "id": "ab" * 8}
    shares = make_shares_slot(
        db_key, keys.vault_id, bytes(32), identifier=7, threshold=2, count=3, now=NOW
    )
    d["slots"] = [*d["slots"], pending, {**shares.to_json(), "check": _b64(shares.check())}]
    d["key_events"] = [{**d["key_events"][0], "id": str(uuid.uuid4())} for _ in range(32)]
    parsed = parse_keys_file(_dump(d))
    assert len(parsed.slots) == c.MAX_SLOTS == 4 and len(parsed.key_events) == 32
    assert [s.kind for s in parsed.slots] == [
        "passphrase",
        "recovery",
        "recovery-pending",
        "shares",
    ]
    # One slot of either kind is enough to open with (the other may have been lost).
    for index in (0, 1):
        assert len(parse_keys_file(_dump({**d, "slots": [d["slots"][index]]})).slots) == 1
    # In a version 1 file, key events are optional
    legacy = copy.deepcopy(legacy_doc)
    for field in ("key_events", "key_events_mac"):
        del legacy[field]
    assert parse_keys_file(_dump(legacy)).key_events == ()


@pytest.mark.parametrize(
    ("field", "value"),
    [("memory_kib", 2**40), ("memory_kib", 2**62), ("iterations", 10**9), ("parallelism", 2**31)],
)
def test_absurd_kdf_cost_refused_quickly(good_doc: dict[str, Any], field: str, value: int) -> None:
    data = _mutated(good_doc, _set(("slots", 0, "kdf", field), value))
    start = time.perf_counter()
    with pytest.raises(ParameterError):
        parse_keys_file(data)
    assert time.perf_counter() - start < 0.5


def test_absurd_kdf_cost_refused_when_unlocking_an_unparsed_slot(keys: KeysFile) -> None:
    # Even a Keyslot that never went through the parser is checked before Argon2id runs.
    slot = keys.slots[0]
    huge = replace(slot, kdf={**slot.kdf, "memory_kib": 2**40})
    start = time.perf_counter()
    with pytest.raises(ParameterError):
        unlock_with_passphrase(KeysFile(VAULT_ID, (huge,)), PASSPHRASE, None)
    assert time.perf_counter() - start < 0.5


# --- serialisation --------------------------------------------------------------------------


def test_serialize_parse_round_trip(keys: KeysFile, db_key: bytes) -> None:
    with_events = _file(keys, 1, 2)
    for kind in sorted(KEY_EVENT_TYPES):
        with_events = with_key_event(
            with_events,
            event_id=str(uuid.uuid4()),
            event_type=kind,
            time=NOW,
            slot_id=keys.slots[1].id,
        )
    for original in (sealed(_file(keys, 0, 2), db_key), sealed(with_events, db_key)):
        data = serialize_keys_file(original)
        parsed = parse_keys_file(data)
        assert parsed == original
        assert serialize_keys_file(parsed) == data


def test_serialized_file_shape(keys: KeysFile) -> None:
    doc = _doc(keys)
    assert set(doc) == {"format", "version", "vault_id", "slots", "key_events", "mac"}
    assert doc["format"] == "evault-keys" and doc["version"] == 2 and doc["vault_id"] == VAULT_ID
    for slot_json, slot in zip(doc["slots"], keys.slots, strict=True):
        assert set(slot_json) == {
            "id",
            "kind",
            "created",
            "kdf",
            "keyfile",
            "aead",
            "nonce",
            "wrapped",
            "check",
        }
        assert slot_json["check"] == _spec_check(slot_json)
        assert slot_json["aead"] == "chacha20-poly1305"
        assert base64.b64decode(slot_json["nonce"], validate=True) == slot.nonce
        assert base64.b64decode(slot_json["wrapped"], validate=True) == slot.wrapped
    assert serialize_keys_file(keys).decode("utf-8").endswith("}\n")


def test_keyslot_to_json_matches_header(keys: KeysFile) -> None:
    slot: Keyslot = keys.slots[0]
    out = slot.to_json()
    assert {k: v for k, v in out.items() if k not in ("nonce", "wrapped")} == slot.header()


# --- the whole-file MAC and key events (§2.4, §2.5) -------------------------------------------


def _event_kwargs(n: int, slot_id: str = "0123456789abcdef") -> dict[str, str]:
    return {
        "event_id": str(uuid.UUID(int=n + 1, version=4)),
        "event_type": ("key.passphrase_changed", "key.recovery_replaced")[n % 2],
        "time": f"2026-11-29T11:{n // 60:02d}:{n % 60:02d}.000000Z",
        "slot_id": slot_id,
    }


def _as_event(kwargs: dict[str, str]) -> dict[str, str]:
    return {
        "id": kwargs["event_id"],
        "type": kwargs["event_type"],
        "time": kwargs["time"],
        "slot": kwargs["slot_id"],
    }


def _spec_events_mac(db_key: bytes, vault_id: str, events: list[dict[str, str]]) -> bytes:
    mac_key = _spec_hkdf(db_key, b"", b"evault-key-events-mac-v1")
    data = rfc8785.dumps({"vault_id": vault_id, "key_events": events})
    return hmac.new(mac_key, data, hashlib.sha256).digest()


def _spec_file_mac(db_key: bytes, doc: dict[str, Any]) -> bytes:
    mac_key = _spec_hkdf(db_key, b"", b"evault-keys-mac-v2")
    data = rfc8785.dumps({k: v for k, v in doc.items() if k != "mac"})
    return hmac.new(mac_key, data, hashlib.sha256).digest()


def _legacy(keys: KeysFile, db_key: bytes, events: list[dict[str, str]]) -> dict[str, Any]:
    """A version 1 document as evault wrote it before the whole-file MAC (built from §2.5)."""
    as_events = [_as_event(e) for e in events]
    mac = _spec_events_mac(db_key, keys.vault_id, as_events) if as_events else b""
    return {
        "format": "evault-keys",
        "version": 1,
        "vault_id": keys.vault_id,
        "slots": [s.to_json() for s in keys.slots],
        "key_events": as_events,
        "key_events_mac": _b64(mac),
    }


def test_file_mac_follows_the_spec(keys: KeysFile, db_key: bytes) -> None:
    k = with_key_event(_file(keys, 0, 2), **_event_kwargs(0, keys.slots[0].id))
    k = with_key_event(k, **_event_kwargs(1, keys.slots[2].id))
    doc = json.loads(serialize_keys_file(sealed(k, db_key)))
    assert doc["version"] == 2 and "key_events_mac" not in doc
    assert doc["key_events"][0] == _as_event(_event_kwargs(0, keys.slots[0].id))
    assert base64.b64decode(doc["mac"]) == _spec_file_mac(db_key, doc)
    parsed = parse_keys_file(_dump(doc))
    assert keys_file_authentic(parsed, db_key) and key_events_authentic(parsed, db_key)


def test_a_file_built_by_the_spec_is_authentic(keys: KeysFile, db_key: bytes) -> None:
    doc = _doc(_file(keys, 0, 2))
    doc["key_events"] = [_as_event(_event_kwargs(3))]
    doc["mac"] = _b64(_spec_file_mac(db_key, doc))
    assert keys_file_authentic(parse_keys_file(_dump(doc)), db_key)


def _flip_b64(value: str, index: int = 0) -> str:
    raw = bytearray(base64.b64decode(value))
    raw[index] ^= 0x01
    return _b64(bytes(raw))


FILE_TAMPERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "recovery-wrapped": lambda d: d["slots"][1].update(wrapped=_flip_b64(d["slots"][1]["wrapped"])),
    "recovery-nonce": lambda d: d["slots"][1].update(nonce=_flip_b64(d["slots"][1]["nonce"])),
    "recovery-salt": lambda d: d["slots"][1]["kdf"].update(
        salt=_flip_b64(d["slots"][1]["kdf"]["salt"])
    ),
    "recovery-removed": lambda d: d["slots"].pop(1),
    "passphrase-removed": lambda d: d["slots"].pop(0),
    "passphrase-iterations": lambda d: d["slots"][0]["kdf"].update(iterations=2),
    "slots-reordered": lambda d: d["slots"].reverse(),
    "events-removed": lambda d: d.update(key_events=[]),
    "event-time": lambda d: d["key_events"][0].update(time="2020-01-01T00:00:00.000000Z"),
    "event-added": lambda d: d["key_events"].append(_as_event(_event_kwargs(7))),
    "mac": lambda d: d.update(mac=_flip_b64(d["mac"], 31)),
}


@pytest.mark.parametrize("name", sorted(FILE_TAMPERS))
def test_any_change_to_the_file_fails_its_mac(
    good_doc: dict[str, Any], db_key: bytes, name: str
) -> None:
    assert keys_file_authentic(parse_keys_file(_dump(good_doc)), db_key)
    tampered = parse_keys_file(_mutated(good_doc, FILE_TAMPERS[name]))
    assert not keys_file_authentic(tampered, db_key)
    assert not key_events_authentic(tampered, db_key)


def test_file_mac_bound_to_database_key_and_vault(good_doc: dict[str, Any], db_key: bytes) -> None:
    parsed = parse_keys_file(_dump(good_doc))
    assert not keys_file_authentic(parsed, os.urandom(32))
    assert not keys_file_authentic(replace(parsed, vault_id=OTHER_VAULT_ID), db_key)


def test_a_version_1_file_is_never_authentic_as_a_whole(
    legacy_doc: dict[str, Any], db_key: bytes
) -> None:
    parsed = parse_keys_file(_dump(legacy_doc))
    assert parsed.version == 1 and parsed.mac == b""
    assert not keys_file_authentic(parsed, db_key)
    assert key_events_authentic(parsed, db_key)  # its events, by version 1's MAC
    # Sealing it gives the version 2 file evault writes when it upgrades one.
    upgraded = sealed(parsed, db_key)
    assert upgraded.version == 2 and upgraded.key_events == parsed.key_events
    assert keys_file_authentic(parse_keys_file(serialize_keys_file(upgraded)), db_key)


def test_version_1_key_events_mac_follows_the_spec(keys: KeysFile, db_key: bytes) -> None:
    events = [_event_kwargs(0, keys.slots[0].id), _event_kwargs(1, keys.slots[2].id)]
    parsed = parse_keys_file(_dump(_legacy(_file(keys, 0, 2), db_key, events)))
    assert key_events_authentic(parsed, db_key)
    assert parsed.key_events_mac == key_events_mac(db_key, VAULT_ID, parsed.key_events)


def test_version_1_no_events_and_no_mac_is_authentic(keys: KeysFile, db_key: bytes) -> None:
    parsed = parse_keys_file(_dump(_legacy(_file(keys, 0, 2), db_key, [])))
    assert parsed.key_events == () and parsed.key_events_mac == b""
    assert key_events_authentic(parsed, db_key)


@pytest.fixture(scope="module")
def evented(keys: KeysFile, db_key: bytes) -> KeysFile:
    """A version 1 file with three key events and their MAC."""
    events = [_event_kwargs(n, keys.slots[n].id) for n in range(3)]
    k = parse_keys_file(_dump(_legacy(_file(keys, 0, 2), db_key, events)))
    assert key_events_authentic(k, db_key)
    return k


@pytest.mark.parametrize("field", ["id", "type", "time", "slot"])
@pytest.mark.parametrize("index", [0, 2])
def test_tampered_key_event_is_not_authentic(
    evented: KeysFile, db_key: bytes, field: str, index: int
) -> None:
    replacement = {
        "id": str(uuid.UUID(int=999, version=4)),
        "type": "key.keyfile_changed",
        "time": "2027-01-01T00:00:00.000000Z",
        "slot": "fedcba9876543210",
    }[field]
    events = [dict(e) for e in evented.key_events]
    assert events[index][field] != replacement
    events[index][field] = replacement
    tampered = replace(evented, key_events=tuple(events))
    assert not key_events_authentic(tampered, db_key)
    # also after going through the file
    assert not key_events_authentic(parse_keys_file(serialize_keys_file(tampered)), db_key)


def test_tampered_events_mac_is_not_authentic(evented: KeysFile, db_key: bytes) -> None:
    mac = evented.key_events_mac
    for i in (0, 15, 31):
        for bit in (0x01, 0x80):
            flipped = mac[:i] + bytes([mac[i] ^ bit]) + mac[i + 1 :]
            assert not key_events_authentic(replace(evented, key_events_mac=flipped), db_key)
    assert not key_events_authentic(replace(evented, key_events_mac=b""), db_key)


def test_removed_or_reordered_events_are_not_authentic(evented: KeysFile, db_key: bytes) -> None:
    events = evented.key_events
    for changed in (events[1:], events[:-1], (events[1], events[0], events[2]), ()):
        assert not key_events_authentic(replace(evented, key_events=changed), db_key)


def test_events_mac_bound_to_database_key_and_vault(evented: KeysFile, db_key: bytes) -> None:
    assert not key_events_authentic(evented, os.urandom(32))
    assert not key_events_authentic(replace(evented, vault_id=OTHER_VAULT_ID), db_key)


def test_only_the_last_32_key_events_are_kept(keys: KeysFile, db_key: bytes) -> None:
    k = _file(keys, 0, 2)
    for n in range(40):
        k = with_key_event(k, **_event_kwargs(n))
    assert len(k.key_events) == c.MAX_KEY_EVENTS == 32
    assert [e["id"] for e in k.key_events] == [_event_kwargs(n)["event_id"] for n in range(8, 40)]
    parsed = parse_keys_file(serialize_keys_file(sealed(k, db_key)))
    assert parsed == sealed(k, db_key) and keys_file_authentic(parsed, db_key)


def test_unknown_key_event_type_refused(keys: KeysFile) -> None:
    kwargs = _event_kwargs(0)
    kwargs["event_type"] = "key.deleted"
    with pytest.raises(ValueError):
        with_key_event(keys, **kwargs)


def test_key_events_do_not_change_slots(keys: KeysFile) -> None:
    evented = with_key_event(keys, **_event_kwargs(0))
    assert evented.slots == keys.slots and evented.vault_id == keys.vault_id
