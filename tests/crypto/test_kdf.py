"""crypto.kdf: Argon2id caps and vectors, HKDF-SHA256 vectors, NFC, calibration (docs/format.md §2.2).

Argon2id expected outputs come from the reference C implementation's command-line tool (stored in
tests/vectors/argon2id.json with the command used) and from argon2-cffi's encoded-hash API; HKDF
outputs from RFC 5869; the caps and production parameters from the spec's text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from argon2.low_level import Type, hash_secret
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import constants as c
from crypto.errors import ParameterError
from crypto.kdf import (
    Argon2Params,
    argon2id,
    calibrate,
    hkdf_sha256,
    normalize_passphrase,
    production_memory_kib,
)
from tests.conftest import SURROGATES

VECTORS = Path(__file__).parent.parent / "vectors"
MiB = 1024  # in KiB
GiB_BYTES = 1024**3


def _load(name: str) -> dict[str, Any]:
    vectors: dict[str, Any] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    return vectors


# --- Argon2Params.checked -------------------------------------------------------------------


def test_caps_are_those_of_the_spec() -> None:
    # docs/format.md §2.2 "Caps when reading", written out again.
    assert c.MAX_MEMORY_KIB == 1024 * 1024 == 1048576
    assert c.MAX_ITERATIONS == 64
    # memory x passes: ten times the reference production cost (256 MiB, 4 passes), 10 GiB-passes
    assert c.REFERENCE_COST_KIB == 256 * 1024 * 4
    assert c.MAX_COST_KIB == 10 * 1024 * 1024 * 1024 // 1024 == 10485760
    assert c.MAX_PARALLELISM == 16
    assert (c.MIN_SALT_BYTES, c.MAX_SALT_BYTES) == (16, 64)
    assert c.ARGON2_VERSION == 0x13


@pytest.mark.parametrize(
    ("memory", "iterations", "parallelism"),
    [
        (8, 1, 1),  # smallest memory for one lane
        (32, 1, 4),  # 8 * parallelism
        (1048576, 1, 1),  # 1 GiB
        (1048576, 10, 16),  # 1 GiB, 10 passes: exactly the cost cap
        (262144, 40, 4),  # 256 MiB, 40 passes: exactly the cost cap
        (1024, 64, 1),
        (16 * 8, 1, 16),
        (262144, 3, 4),  # the production shape
    ],
)
def test_checked_accepts_values_within_caps(memory: int, iterations: int, parallelism: int) -> None:
    params = Argon2Params(memory, iterations, parallelism)
    assert params.checked() is params


@pytest.mark.parametrize(
    ("memory", "iterations", "parallelism"),
    [
        (7, 1, 1),  # below 8 * parallelism
        (31, 1, 4),
        (0, 1, 1),
        (-1024, 1, 1),
        (1048577, 1, 1),  # 1 GiB + 1 KiB
        (4194304, 1, 1),  # 4 GiB: accepted before; no evault ever wrote it
        (262144, 41, 4),  # one pass past the cost cap
        (1048576, 11, 1),
        (1048576, 64, 16),  # every single cap at its end: hours of work, refused
        (2**40, 1, 1),
        (1024, 0, 1),
        (1024, -1, 1),
        (1024, 65, 1),
        (1024, 10**9, 1),
        (1024, 1, 0),
        (1024, 1, -4),
        (1024, 1, 17),
        (2**20, 1, 2**20),
    ],
)
def test_checked_rejects_values_beyond_caps(memory: int, iterations: int, parallelism: int) -> None:
    with pytest.raises(ParameterError):
        Argon2Params(memory, iterations, parallelism).checked()


@pytest.mark.parametrize(
    "params",
    [
        Argon2Params(1024.0, 1, 1),  # type: ignore[arg-type]
        Argon2Params(1024, 1.0, 1),  # type: ignore[arg-type]
        Argon2Params(1024, 1, 1.0),  # type: ignore[arg-type]
        Argon2Params("1024", 1, 1),  # type: ignore[arg-type]
        Argon2Params(1024, None, 1),  # type: ignore[arg-type]
        Argon2Params(1024, [1], 1),  # type: ignore[arg-type]
        Argon2Params(1024, True, 1),  # bool is an int subclass: must still be refused
        Argon2Params(1024, 1, True),
        Argon2Params(True, 1, 1),
    ],
)
def test_checked_rejects_wrong_types(params: Argon2Params) -> None:
    with pytest.raises(ParameterError):
        params.checked()


def test_argon2id_checks_caps_before_any_work() -> None:
    # Would need 1 TiB if it were attempted; must be refused at once.
    with pytest.raises(ParameterError):
        argon2id(b"pw", b"s" * 16, Argon2Params(2**30, 1, 1))
    with pytest.raises(ParameterError):
        argon2id(b"pw", b"s" * 16, Argon2Params(1024, 10**6, 1))


@pytest.mark.parametrize("size", [0, 8, 15, 65, 128])
def test_argon2id_rejects_salt_size(size: int) -> None:
    with pytest.raises(ParameterError):
        argon2id(b"pw", b"s" * size, Argon2Params(8, 1, 1))


@pytest.mark.parametrize("size", [16, 32, 64])
def test_argon2id_accepts_salt_size(size: int) -> None:
    out = argon2id(b"pw", b"s" * size, Argon2Params(8, 1, 1))
    assert len(out) == 32


# --- Argon2id known answers -----------------------------------------------------------------


@pytest.mark.parametrize("vector", _load("argon2id.json")["vectors"], ids=lambda v: v["command"])
def test_argon2id_matches_reference_cli(vector: dict[str, Any]) -> None:
    params = Argon2Params(vector["memory_kib"], vector["iterations"], vector["parallelism"])
    out = argon2id(bytes.fromhex(vector["password_hex"]), vector["salt_ascii"].encode(), params)
    assert out.hex() == vector["hash_hex"]


def test_argon2id_cli_vector_via_normalised_passphrase() -> None:
    # The second vector's password is NFC "pəsswörd"; typed decomposed it must give the same hash.
    vector = _load("argon2id.json")["vectors"][1]
    decomposed = "p\u0259ssw" + "o\u0308" + "rd"
    params = Argon2Params(vector["memory_kib"], vector["iterations"], vector["parallelism"])
    out = argon2id(normalize_passphrase(decomposed), vector["salt_ascii"].encode(), params)
    assert out.hex() == vector["hash_hex"]


def _decode_encoded_hash(encoded: str) -> bytes:
    # "$argon2id$v=19$m=...,t=...,p=...$<salt b64>$<hash b64>" (unpadded standard base64)
    b64 = encoded.rsplit("$", 1)[1]
    return base64.b64decode(b64 + "=" * (-len(b64) % 4))


def test_cli_vector_encoded_form_agrees_with_argon2_cffi() -> None:
    vector = _load("argon2id.json")["vectors"][0]
    encoded = hash_secret(
        bytes.fromhex(vector["password_hex"]),
        vector["salt_ascii"].encode(),
        time_cost=vector["iterations"],
        memory_cost=vector["memory_kib"],
        parallelism=vector["parallelism"],
        hash_len=32,
        type=Type.ID,
        version=19,
    ).decode("ascii")
    assert encoded == vector["encoded"]


@settings(max_examples=15, deadline=None)
@given(
    secret=st.binary(max_size=64),
    salt=st.binary(min_size=16, max_size=64),
    iterations=st.integers(1, 3),
    parallelism=st.integers(1, 4),
    extra_memory=st.integers(0, 64),
)
def test_argon2id_agrees_with_argon2_cffi_encoded_api(
    secret: bytes, salt: bytes, iterations: int, parallelism: int, extra_memory: int
) -> None:
    memory = 8 * parallelism + extra_memory
    encoded = hash_secret(
        secret,
        salt,
        time_cost=iterations,
        memory_cost=memory,
        parallelism=parallelism,
        hash_len=32,
        type=Type.ID,
        version=19,
    ).decode("ascii")
    assert encoded.startswith(f"$argon2id$v=19$m={memory},t={iterations},p={parallelism}$")
    expected = _decode_encoded_hash(encoded)
    assert argon2id(secret, salt, Argon2Params(memory, iterations, parallelism)) == expected


def test_argon2id_depends_on_every_input() -> None:
    base = argon2id(b"pw", b"s" * 16, Argon2Params(64, 1, 1))
    assert argon2id(b"pw", b"s" * 16, Argon2Params(64, 1, 1)) == base
    assert argon2id(b"pX", b"s" * 16, Argon2Params(64, 1, 1)) != base
    assert argon2id(b"pw", b"t" * 16, Argon2Params(64, 1, 1)) != base
    assert argon2id(b"pw", b"s" * 16, Argon2Params(72, 1, 1)) != base
    assert argon2id(b"pw", b"s" * 16, Argon2Params(64, 2, 1)) != base
    assert argon2id(b"pw", b"s" * 16, Argon2Params(64, 1, 2)) != base


# --- HKDF-SHA256 ----------------------------------------------------------------------------


@pytest.mark.parametrize("vector", _load("hkdf_rfc5869.json")["vectors"], ids=lambda v: v["name"])
def test_hkdf_rfc5869(vector: dict[str, Any]) -> None:
    out = hkdf_sha256(
        bytes.fromhex(vector["ikm"]),
        bytes.fromhex(vector["salt"]),
        bytes.fromhex(vector["info"]),
        vector["length"],
    )
    assert out.hex() == vector["okm"]


def _hkdf_reference(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 §2.2-2.3 written out with the standard library's HMAC."""
    prk = hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return okm[:length]


@settings(max_examples=100, deadline=None)
@given(
    ikm=st.binary(max_size=80),
    salt=st.binary(max_size=80),
    info=st.binary(max_size=80),
    length=st.integers(1, 200),
)
def test_hkdf_matches_reference_construction(
    ikm: bytes, salt: bytes, info: bytes, length: int
) -> None:
    assert hkdf_sha256(ikm, salt, info, length) == _hkdf_reference(ikm, salt, info, length)


def test_hkdf_default_length_is_32() -> None:
    assert hkdf_sha256(b"k", b"s", b"i") == _hkdf_reference(b"k", b"s", b"i", 32)


# --- normalize_passphrase -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("precomposed", "decomposed"),
    [
        ("\u00fc", "u\u0308"),  # ü
        ("\u00dc", "U\u0308"),  # Ü
        ("\u0130", "I\u0307"),  # İ (Azerbaijani/Turkish capital dotted I)
        ("\u00f6", "o\u0308"),  # ö
        ("\u00e7", "c\u0327"),  # ç
        ("\u015f", "s\u0327"),  # ş
        ("\u011f", "g\u0306"),  # ğ
        ("\u0439", "\u0438\u0306"),  # й (Cyrillic short i)
        ("\u0451", "\u0435\u0308"),  # ё
        ("\u1ec7", "e\u0323\u0302"),  # ệ: two marks, in canonical order
        ("\u1ec7", "e\u0302\u0323"),  # ệ: two marks, in the other order
    ],
)
def test_nfc_precomposed_and_decomposed_give_same_bytes(precomposed: str, decomposed: str) -> None:
    assert precomposed != decomposed
    expected = precomposed.encode("utf-8")
    assert normalize_passphrase(precomposed) == expected
    assert normalize_passphrase(decomposed) == expected
    # the same inside a longer passphrase
    phrase = "Bakı {} 2026"
    assert normalize_passphrase(phrase.format(decomposed)) == phrase.format(precomposed).encode()


def test_nfc_known_bytes() -> None:
    # UTF-8 of U+00FC is C3 BC; of U+0259 (ə) C9 99; of U+0130 (İ) C4 B0.
    assert normalize_passphrase("u\u0308") == b"\xc3\xbc"
    assert normalize_passphrase("\u0259") == b"\xc9\x99"
    assert normalize_passphrase("I\u0307") == b"\xc4\xb0"


def test_schwa_has_no_decomposition_and_is_kept() -> None:
    # "ə" (U+0259) and "Ə" (U+018F) are base letters: NFC leaves them alone, and a schwa with a
    # combining mark that has no precomposed form stays two code points.
    assert unicodedata.decomposition("\u0259") == ""
    assert normalize_passphrase("t\u0259hdid") == "t\u0259hdid".encode()
    assert normalize_passphrase("\u018f") == b"\xc6\x8f"
    assert normalize_passphrase("\u0259\u0301") == "\u0259\u0301".encode()


def test_nfc_not_nfkc_and_no_trimming() -> None:
    # Compatibility characters are not folded (that would be NFKC) and nothing is stripped.
    assert normalize_passphrase("\ufb01") == "\ufb01".encode()  # ﬁ ligature
    assert normalize_passphrase("\u00b2") == "\u00b2".encode()  # superscript two
    assert normalize_passphrase("  two  spaces \t\n") == b"  two  spaces \t\n"
    assert normalize_passphrase("") == b""


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=SURROGATES), max_size=40))
def test_nfc_is_idempotent_and_matches_unicodedata(text: str) -> None:
    once = normalize_passphrase(text)
    assert once == unicodedata.normalize("NFC", text).encode("utf-8")
    assert normalize_passphrase(once.decode("utf-8")) == once
    assert normalize_passphrase(unicodedata.normalize("NFD", text)) == once


# --- production parameters and calibration --------------------------------------------------


def test_production_parameters_pinned() -> None:
    # docs/format.md §2.2: parallelism 4, memory 256 MiB, never below 64 MiB, less only below 2 GiB.
    assert c.PROD_MIN_MEMORY_KIB == 262144
    assert c.PROD_PARALLELISM == 4
    assert c.LOW_MEMORY_FLOOR_KIB == 65536
    assert c.LOW_MEMORY_THRESHOLD_BYTES == 2 * 1024**3
    assert c.TARGET_SECONDS_MIN == 0.5
    assert c.TARGET_SECONDS_MAX == 1.0
    assert production_memory_kib(None) == 262144
    assert production_memory_kib(64 * GiB_BYTES) == 262144
    assert production_memory_kib(2 * GiB_BYTES) == 262144
    assert production_memory_kib(512 * 1024**2) == 65536


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 128 * GiB_BYTES))
def test_production_memory_bounds(available: int) -> None:
    memory = production_memory_kib(available)
    assert 64 * MiB <= memory <= 256 * MiB
    if available >= 2 * GiB_BYTES:
        assert memory == 256 * MiB
    # never more than the machine says it has
    assert memory * 1024 <= max(available, 64 * MiB * 1024)


def test_production_memory_is_monotonic() -> None:
    values = [production_memory_kib(n * 64 * 1024**2) for n in range(0, 40)]
    assert values == sorted(values)
    assert production_memory_kib(0) == 64 * MiB


def _fixed_step_clock(step: float) -> tuple[Callable[[], float], list[float]]:
    """A deterministic clock: every call returns a time ``step`` later than the previous call."""
    calls: list[float] = []

    def clock() -> float:
        now = len(calls) * step
        calls.append(now)
        return now

    return clock, calls


def _scripted_clock(durations: Iterable[float]) -> tuple[Callable[[], float], list[float]]:
    """A clock under which the n-th derivation appears to take ``durations[n]`` seconds."""
    times: list[float] = []
    t = 100.0
    for d in durations:
        times += [t, t + d]
        t += d + 1.0
    calls: list[float] = []

    def clock() -> float:
        value = times[len(calls)]
        calls.append(value)
        return value

    return clock, calls


def test_calibrate_one_derivation_when_already_slow_enough() -> None:
    clock, calls = _fixed_step_clock(0.75)
    params = calibrate(available=1 * GiB_BYTES, clock=clock)
    assert len(calls) == 2  # exactly one real derivation
    assert params.iterations == 1
    assert params.parallelism == 4
    assert 64 * MiB <= params.memory_kib <= 256 * MiB
    assert params.memory_kib == production_memory_kib(1 * GiB_BYTES)
    assert params.checked() is params


@pytest.mark.slow
@pytest.mark.parametrize(
    ("durations", "target", "expected_iterations"),
    [
        # 1 pass "takes" 0.125 s, target 0.25 s: jump straight to 2 passes, which take 0.375 s
        ([0.125, 0.375], 0.25, 2),
        # 0.3 s for 1 pass, target 0.5: the estimate (1) is not above 1, so step to 2
        ([0.3, 0.6], 0.5, 2),
        # 2 passes still too fast: estimate again from the second measurement
        ([0.1, 0.15, 0.6], 0.25, 3),
    ],
)
def test_calibrate_raises_iterations_until_target(
    durations: list[float], target: float, expected_iterations: int
) -> None:
    clock, calls = _scripted_clock(durations)
    params = calibrate(target_seconds=target, available=512 * 1024**2, clock=clock)
    assert len(calls) == 2 * len(durations)
    assert params == Argon2Params(64 * MiB, expected_iterations, 4)


@pytest.mark.slow
def test_calibrate_stays_under_the_cost_cap_on_a_very_fast_machine() -> None:
    # 256 MiB at every pass: MAX_ITERATIONS (64) would be 16 GiB-passes, past what a reader
    # accepts; calibration stops at the cost cap instead (40 passes), so the slot it writes opens.
    clock, calls = _fixed_step_clock(0.0)
    params = calibrate(available=8 * GiB_BYTES, clock=clock)
    assert params == Argon2Params(256 * MiB, c.MAX_COST_KIB // (256 * MiB), 4)
    assert params.iterations == 40
    assert params.checked() is params
    assert len(calls) == 4


@pytest.mark.slow
def test_calibrate_stops_at_the_iteration_cap_on_a_very_fast_machine() -> None:
    # The clock never advances: every derivation seems instant. Calibration must still end, at
    # MAX_ITERATIONS (one derivation at 1 pass, then one at 64 passes of 64 MiB).
    clock, calls = _fixed_step_clock(0.0)
    params = calibrate(available=256 * 1024**2, clock=clock)
    assert params == Argon2Params(64 * MiB, c.MAX_ITERATIONS, 4)
    assert len(calls) == 4
