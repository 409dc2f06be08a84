"""crypto.recovery: the printed recovery key (docs/format.md §2.3).

The expected text of a key is recomputed here from the spec with a bit-string encoder of its own.

About typos: the check group is 20 bits of SHA-256, so a changed data character is caught unless the
changed secret happens to have the same 20 check bits: a false accept rate of 2**-20 (about one in a
million) per typo. Even then the wrong secret does not open the vault (the AEAD of the recovery slot
fails); the check group only exists to name the typo before that.
"""

from __future__ import annotations

import hashlib
import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import constants as c
from crypto.errors import DecryptionFailed, FormatError, RecoveryKeyTypo
from crypto.keyslots import KeysFile, make_recovery_slot, unlock_with_recovery
from crypto.recovery import format_recovery_key, new_recovery_secret, parse_recovery_key

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # §2.3, written out again
KEY_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){8}$")
FIXED_SECRET = hashlib.sha256(b"evidence-vault recovery test secret").digest()[:20]
VAULT_ID = "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
NOW = "2026-11-29T11:33:41.123456Z"

secrets_ = st.binary(min_size=20, max_size=20)


def _spec_key(secret: bytes) -> str:
    """§2.3 from scratch: 160 bits -> 32 characters, then the first 20 bits of the check hash."""
    bits = "".join(f"{b:08b}" for b in secret)
    check_bits = "".join(
        f"{b:08b}" for b in hashlib.sha256(b"evault-recovery-check-v1" + secret).digest()[:3]
    )[:20]
    text = "".join(ALPHABET[int(chunk, 2)] for chunk in _chunks(bits + check_bits, 5))
    return "-".join(_chunks(text, 4))


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def test_alphabet_is_crockford() -> None:
    assert c.CROCKFORD_ALPHABET == ALPHABET
    assert len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert c.RECOVERY_SECRET_BYTES == 20


def test_format_shape_for_fixed_secret() -> None:
    key = format_recovery_key(FIXED_SECRET)
    assert KEY_RE.match(key)
    groups = key.split("-")
    assert len(groups) == 9 and all(len(g) == 4 for g in groups)
    assert key == _spec_key(FIXED_SECRET)


def test_known_extremes() -> None:
    # All-zero and all-one secrets: the data part is all '0' / all 'Z' (+ 160 mod 5 = 0 padding).
    zero = format_recovery_key(bytes(20)).replace("-", "")
    assert zero[:32] == "0" * 32
    ones = format_recovery_key(b"\xff" * 20).replace("-", "")
    assert ones[:32] == "Z" * 32
    assert parse_recovery_key(format_recovery_key(bytes(20))) == bytes(20)
    assert parse_recovery_key(format_recovery_key(b"\xff" * 20)) == b"\xff" * 20


@settings(max_examples=300, deadline=None)
@given(secrets_)
def test_round_trip_and_matches_spec(secret: bytes) -> None:
    key = format_recovery_key(secret)
    assert KEY_RE.match(key)
    assert key == _spec_key(secret)
    assert parse_recovery_key(key) == secret


def test_new_secret_is_160_random_bits() -> None:
    values = {new_recovery_secret() for _ in range(50)}
    assert len(values) == 50
    assert all(len(v) == 20 for v in values)


# --- lenient reading ------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(secrets_, st.data())
def test_reading_variants_accepted(secret: bytes, data: st.DataObject) -> None:
    key = format_recovery_key(secret)
    plain = key.replace("-", "")
    variants = [
        key.lower(),
        plain,
        plain.lower(),
        " ".join(key.split("-")),
        "  " + key + "  \n",
        "\t" + " - ".join(key.split("-")) + "\r\n",
        "-".join(_chunks(plain, 3)),  # dashes in other places
        key.replace("0", "O").replace("1", "I"),
        key.replace("0", "o").replace("1", "l"),
        key.replace("1", "L").replace("0", "O").lower(),
    ]
    # and a random mixture of case and look-alike substitutions
    mixed = "".join(
        data.draw(
            st.sampled_from(
                {"0": ["0", "O", "o"], "1": ["1", "I", "i", "L", "l"]}.get(ch, [ch, ch.lower()])
            )
        )
        for ch in key
    )
    variants.append(mixed)
    for text in variants:
        assert parse_recovery_key(text) == secret, text


def test_lookalike_substitution_on_fixed_key() -> None:
    # A secret whose key holds both 0 and 1, to make the substitution meaningful.
    secret = next(
        s
        for s in (hashlib.sha256(bytes([i])).digest()[:20] for i in range(256))
        if "0" in format_recovery_key(s) and "1" in format_recovery_key(s)
    )
    key = format_recovery_key(secret)
    assert parse_recovery_key(key.replace("0", "O")) == secret
    assert parse_recovery_key(key.replace("1", "I")) == secret
    assert parse_recovery_key(key.replace("1", "L")) == secret


# --- typos ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def recovery_keys() -> tuple[KeysFile, bytes]:
    db_key = os.urandom(32)
    slot = make_recovery_slot(db_key, VAULT_ID, FIXED_SECRET, now=NOW)
    return KeysFile(VAULT_ID, (slot,)), db_key


def _outcome(text: str, keys: KeysFile) -> str:
    """'typo' if parsing refuses it; 'accepted-but-fails' if it parses to a secret that does not
    open the vault; fails the test if a changed key opens the vault or gives the same secret."""
    try:
        secret = parse_recovery_key(text)
    except FormatError:
        return "typo"
    assert secret != FIXED_SECRET, text
    with pytest.raises(DecryptionFailed):
        unlock_with_recovery(keys, secret)
    return "accepted-but-fails"


def test_every_single_character_change_is_caught(recovery_keys: tuple[KeysFile, bytes]) -> None:
    keys, db_key = recovery_keys
    plain = format_recovery_key(FIXED_SECRET).replace("-", "")
    assert unlock_with_recovery(keys, parse_recovery_key(plain)) == db_key
    outcomes: dict[str, int] = {}
    for position in range(36):
        for replacement in ALPHABET:
            if replacement == plain[position]:
                continue
            typed = plain[:position] + replacement + plain[position + 1 :]
            result = _outcome(typed, keys)
            outcomes[result] = outcomes.get(result, 0) + 1
    assert sum(outcomes.values()) == 36 * 31
    # Expected false accepts: 32 * 31 * 2**-20 ≈ 0.001. This fixed sample has none.
    assert outcomes.get("accepted-but-fails", 0) == 0, outcomes


def test_changed_check_group_is_always_a_typo() -> None:
    plain = format_recovery_key(FIXED_SECRET).replace("-", "")
    for position in range(32, 36):
        for replacement in ALPHABET:
            if replacement != plain[position]:
                with pytest.raises(RecoveryKeyTypo):
                    parse_recovery_key(plain[:position] + replacement + plain[position + 1 :])


def test_adjacent_transpositions_are_caught(recovery_keys: tuple[KeysFile, bytes]) -> None:
    keys, _ = recovery_keys
    plain = format_recovery_key(FIXED_SECRET).replace("-", "")
    results = [
        _outcome(plain[:i] + plain[i + 1] + plain[i] + plain[i + 2 :], keys)
        for i in range(35)
        if plain[i] != plain[i + 1]
    ]
    assert results and all(r == "typo" for r in results)


def test_swapped_groups_are_caught() -> None:
    groups = format_recovery_key(FIXED_SECRET).split("-")
    swapped = [groups[1], groups[0], *groups[2:]]
    if swapped != groups:
        with pytest.raises(RecoveryKeyTypo):
            parse_recovery_key("-".join(swapped))


@settings(max_examples=200, deadline=None)
@given(secrets_, st.integers(0, 35), st.sampled_from(ALPHABET))
def test_random_single_change_is_reported_or_differs(
    secret: bytes, position: int, replacement: str
) -> None:
    plain = format_recovery_key(secret).replace("-", "")
    typed = plain[:position] + replacement + plain[position + 1 :]
    if typed == plain:
        assert parse_recovery_key(typed) == secret
        return
    try:
        result = parse_recovery_key(typed)
    except RecoveryKeyTypo:
        return
    # a 2**-20 false accept: then at least the secret differs
    assert result != secret


def test_typo_is_a_format_error() -> None:
    assert issubclass(RecoveryKeyTypo, FormatError)


# --- malformed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mutate",
    [
        lambda k: k[:-1],  # 35 characters
        lambda k: k + "0",  # 37 characters
        lambda k: k + "-0000",  # 10 groups
        lambda k: k.replace("-", "")[:32],  # no check group
        lambda k: "",
        lambda k: "-" * 9,
        lambda k: k[:-5],  # last group missing
    ],
)
def test_wrong_length_is_a_format_error(mutate: object) -> None:
    key = format_recovery_key(FIXED_SECRET)
    with pytest.raises(FormatError):
        parse_recovery_key(mutate(key))  # type: ignore[operator]


@pytest.mark.parametrize(
    "bad",
    [
        "U",  # not in the alphabet (Crockford leaves it out)
        "*",
        "=",
        "\u0410",  # Cyrillic capital A: looks like A but is not
        "\u041e",  # Cyrillic capital O
        "\u0663",  # Arabic-Indic digit three
        "\uff11",  # fullwidth digit one
        "\u0130",  # capital dotted I
        "\u00a0",  # no-break space is not an ignored separator
    ],
)
def test_foreign_characters_are_a_format_error(bad: str) -> None:
    plain = format_recovery_key(FIXED_SECRET).replace("-", "")
    with pytest.raises(FormatError):
        parse_recovery_key(plain[:10] + bad + plain[11:])


@pytest.mark.parametrize("size", [0, 16, 19, 21, 32])
def test_format_refuses_wrong_secret_length(size: int) -> None:
    with pytest.raises(FormatError):
        format_recovery_key(os.urandom(size))
