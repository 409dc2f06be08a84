"""crypto.identity: Ed25519 (RFC 8032 vectors), fingerprints (docs/format.md §4), actor ids (§5)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.errors import FormatError, SignatureInvalid
from crypto.fingerprint import fingerprint, fingerprint_v1, matches, normalize_fingerprint
from crypto.identity import (
    SigningKey,
    actor_id,
    public_key_from_actor,
    verify,
)

RFC8032 = json.loads(
    (Path(__file__).parent.parent / "vectors" / "ed25519_rfc8032.json").read_text(encoding="utf-8")
)["vectors"]
FP_RE = re.compile(r"^[0-9]{5}( [0-9]{5}){5}$")


def _flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# --- RFC 8032 -------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", RFC8032, ids=lambda v: v["name"])
def test_rfc8032_vectors(vector: dict[str, Any]) -> None:
    key = SigningKey(bytes.fromhex(vector["secret_key"]))
    message = bytes.fromhex(vector["message"])
    assert key.public_key.hex() == vector["public_key"]
    assert key.sign(message).hex() == vector["signature"]
    verify(bytes.fromhex(vector["public_key"]), bytes.fromhex(vector["signature"]), message)


@pytest.mark.parametrize("vector", RFC8032, ids=lambda v: v["name"])
def test_every_flipped_signature_bit_is_refused(vector: dict[str, Any]) -> None:
    public = bytes.fromhex(vector["public_key"])
    signature = bytes.fromhex(vector["signature"])
    message = bytes.fromhex(vector["message"])
    for bit in range(64 * 8):
        with pytest.raises(SignatureInvalid):
            verify(public, _flip(signature, bit), message)


@pytest.mark.parametrize("vector", RFC8032, ids=lambda v: v["name"])
def test_every_flipped_public_key_bit_is_refused(vector: dict[str, Any]) -> None:
    public = bytes.fromhex(vector["public_key"])
    signature = bytes.fromhex(vector["signature"])
    message = bytes.fromhex(vector["message"])
    for bit in range(32 * 8):
        with pytest.raises(SignatureInvalid):
            verify(_flip(public, bit), signature, message)


@pytest.mark.parametrize("vector", RFC8032, ids=lambda v: v["name"])
def test_changed_message_is_refused(vector: dict[str, Any]) -> None:
    public = bytes.fromhex(vector["public_key"])
    signature = bytes.fromhex(vector["signature"])
    message = bytes.fromhex(vector["message"])
    changed = [message + b"\x00", b"\x00" + message]
    changed += [_flip(message, bit) for bit in range(len(message) * 8)]
    if message:
        changed.append(message[:-1])
    for other in changed:
        with pytest.raises(SignatureInvalid):
            verify(public, signature, other)


def test_wrong_lengths_are_refused() -> None:
    vector = RFC8032[1]
    public = bytes.fromhex(vector["public_key"])
    signature = bytes.fromhex(vector["signature"])
    message = bytes.fromhex(vector["message"])
    for bad_public in (b"", public[:31], public + b"\x00", public * 2):
        with pytest.raises(SignatureInvalid):
            verify(bad_public, signature, message)
    for bad_signature in (b"", signature[:63], signature + b"\x00", signature[:32]):
        with pytest.raises(SignatureInvalid):
            verify(public, bad_signature, message)


def test_signature_of_another_key_is_refused() -> None:
    a, b = SigningKey.generate(), SigningKey.generate()
    message = b"evault-custody-v1\x00{}"
    with pytest.raises(SignatureInvalid):
        verify(b.public_key, a.sign(message), message)
    verify(a.public_key, a.sign(message), message)


@settings(max_examples=30, deadline=None)
@given(st.binary(min_size=32, max_size=32), st.binary(max_size=200))
def test_sign_verify_round_trip(secret: bytes, message: bytes) -> None:
    key = SigningKey(secret)
    signature = key.sign(message)
    assert len(signature) == 64 and len(key.public_key) == 32
    verify(key.public_key, signature, message)
    assert key.sign(message) == signature  # Ed25519 is deterministic


def test_generated_keys_are_distinct_and_repr_hides_secret() -> None:
    a, b = SigningKey.generate(), SigningKey.generate()
    assert a.secret != b.secret and len(a.secret) == 32
    assert a.public_key != b.public_key
    text = repr(a) + str(a)
    assert a.secret.hex() not in text and a.secret.hex().upper() not in text
    assert base64.b64encode(a.secret).decode() not in text
    assert "secret" in text.lower()


# --- fingerprints (§4) ----------------------------------------------------------------------


def _groups(digest: bytes) -> str:
    groups = []
    for i in range(6):
        number = int(digest[5 * i : 5 * i + 5].hex(), 16) % 100000
        groups.append(str(number).rjust(5, "0"))
    return " ".join(groups)


def _spec_fingerprint(public_key: bytes) -> str:
    """§4 written out again (version 2): SHA-256 of the minisign public key line as text, i.e.
    base64("Ed" || key id || key) with key id = SHA-256("evault-minisign-keyid-v1" 0x00 key)[:8]
    (§6.3); group i = F[5i:5i+5] big-endian mod 100000."""
    keyid = hashlib.sha256(b"evault-minisign-keyid-v1\x00" + public_key).digest()[:8]
    line = base64.b64encode(b"Ed" + keyid + public_key)
    return _groups(hashlib.sha256(line).digest())


def _spec_fingerprint_v1(public_key: bytes) -> str:
    """§4, version 1: SHA-256 of "evault-identity-v1" || 0x00 || the raw key."""
    return _groups(hashlib.sha256(b"evault-identity-v1" + b"\x00" + public_key).digest())


@pytest.mark.parametrize("vector", RFC8032, ids=lambda v: v["name"])
def test_fingerprint_of_rfc_keys_matches_spec(vector: dict[str, Any]) -> None:
    public = bytes.fromhex(vector["public_key"])
    fp = fingerprint(public)
    assert FP_RE.match(fp)
    assert fp == _spec_fingerprint(public)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_fingerprint_matches_spec(public_key: bytes) -> None:
    fp = fingerprint(public_key)
    assert FP_RE.match(fp)
    assert len(fp.replace(" ", "")) == 30
    assert fp == _spec_fingerprint(public_key)
    assert normalize_fingerprint(fp) == fp


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_the_older_form_is_still_known(public_key: bytes) -> None:
    old = fingerprint_v1(public_key)
    assert old == _spec_fingerprint_v1(public_key)
    assert matches(public_key, old) == 1
    assert matches(public_key, fingerprint(public_key)) == 2
    assert matches(public_key, "0" * 30) is None or old == "00000 " * 5 + "00000"


def test_fingerprint_depends_on_every_key_byte() -> None:
    public = SigningKey.generate().public_key
    base = fingerprint(public)
    assert all(fingerprint(_flip(public, 8 * i)) != base for i in range(32))


def test_fingerprint_zero_padding() -> None:
    # Find a key whose fingerprint has a group below 10000 and check it keeps its leading zero.
    for i in range(5000):
        public = hashlib.sha256(i.to_bytes(4, "big")).digest()
        fp = fingerprint(public)
        if any(group.startswith("0") for group in fp.split()):
            assert fp == _spec_fingerprint(public)
            assert all(len(group) == 5 for group in fp.split())
            return
    pytest.fail("no fingerprint with a leading zero among 5000 keys")


@pytest.mark.parametrize("size", [0, 31, 33, 64])
def test_fingerprint_refuses_wrong_key_length(size: int) -> None:
    with pytest.raises(FormatError):
        fingerprint(os.urandom(size))


def test_normalize_fingerprint_accepts_spacing_and_dashes() -> None:
    fp = fingerprint(SigningKey.generate().public_key)
    digits = fp.replace(" ", "")
    for typed in (
        fp,
        digits,
        fp.replace(" ", "-"),
        "  " + fp.replace(" ", "   ") + "\n",
        "\t".join(fp.split()),
        "-".join(digits[i : i + 3] for i in range(0, 30, 3)),
        " - ".join(fp.split()),
    ):
        assert normalize_fingerprint(typed) == fp, typed


@pytest.mark.parametrize(
    "replacement",
    [
        "\u0663",  # Arabic-Indic digit three
        "\u06f3",  # Extended Arabic-Indic (Persian) digit three
        "\u0969",  # Devanagari digit three
        "\uff13",  # fullwidth digit three
        "\u00b3",  # superscript three (str.isdigit() is true for it)
        "a",
        ".",
        "O",
    ],
)
def test_normalize_fingerprint_refuses_non_ascii_digits_and_letters(replacement: str) -> None:
    digits = "123456789012345678901234567890"
    assert normalize_fingerprint(digits) == "12345 67890 12345 67890 12345 67890"
    for position in (0, 17, 29):
        typed = digits[:position] + replacement + digits[position + 1 :]
        with pytest.raises(FormatError):
            normalize_fingerprint(typed)


@pytest.mark.parametrize("typed", ["", "12345", "1" * 29, "1" * 31, "12345 " * 6 + "1", "-----"])
def test_normalize_fingerprint_refuses_wrong_length(typed: str) -> None:
    with pytest.raises(FormatError):
        normalize_fingerprint(typed)


# --- actor ids (§5) -------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=32, max_size=32))
def test_actor_id_round_trip(public_key: bytes) -> None:
    actor = actor_id(public_key)
    assert actor == "ed25519:" + base64.b64encode(public_key).decode("ascii")
    assert public_key_from_actor(actor) == public_key


def _key_with_b64_symbols() -> bytes:
    for i in range(1000):
        candidate = hashlib.sha256(i.to_bytes(2, "big")).digest()
        text = base64.b64encode(candidate).decode()
        if "+" in text and "/" in text:
            return candidate
    raise AssertionError("no key with + and / in its base64")


@pytest.mark.parametrize(
    "actor",
    [
        "",
        "ed25519",
        "ed25519:",
        "ed448:" + base64.b64encode(bytes(32)).decode(),
        "Ed25519:" + base64.b64encode(bytes(32)).decode(),
        " ed25519:" + base64.b64encode(bytes(32)).decode(),
        "ed25519: " + base64.b64encode(bytes(32)).decode(),
        base64.b64encode(bytes(32)).decode(),
        "ed25519:" + base64.b64encode(bytes(31)).decode(),
        "ed25519:" + base64.b64encode(bytes(33)).decode(),
        "ed25519:" + base64.b64encode(bytes(64)).decode(),
        "ed25519:" + base64.b64encode(bytes(32)).decode().rstrip("="),
        "ed25519:" + base64.b64encode(bytes(32)).decode() + "\n",
        "ed25519:!!!!" + base64.b64encode(bytes(32)).decode()[4:],
        "ed25519:" + base64.urlsafe_b64encode(_key_with_b64_symbols()).decode(),
        "ed25519:" + base64.b64encode(bytes(32)).decode().replace("A", "\u0410", 1),
        "ed25519:" + base64.b64encode(bytes(32)).decode().replace("A", "A ", 1),
    ],
)
def test_public_key_from_actor_refuses(actor: str) -> None:
    with pytest.raises(FormatError):
        public_key_from_actor(actor)
