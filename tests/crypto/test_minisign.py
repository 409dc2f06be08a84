"""crypto.minisign: minisign public keys and signatures (docs/format.md §6.3).

Interop runs the real ``minisign`` both ways: it must accept what we write (and refuse it once
tampered with), and we must accept what it writes. The tests fail, rather than skip, when minisign
is missing: lawyers verify bundles with it, so it is part of what we test. Stored vectors (made by
our code and by minisign 0.11) keep the format pinned without the tool.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.signing
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import constants as c
from crypto import minisign
from crypto.errors import FormatError, SignatureInvalid
from crypto.identity import SigningKey

VECTORS = Path(__file__).parent.parent / "vectors"
OURS = json.loads((VECTORS / "minisign_evault.json").read_text(encoding="utf-8"))
THEIRS = json.loads((VECTORS / "minisign_minisign.json").read_text(encoding="utf-8"))
EXPECT = {"format error": FormatError, "signature invalid": SignatureInvalid}

KEY = SigningKey(bytes.fromhex(OURS["seed"]))
OTHER_KEY = SigningKey(hashlib.sha256(b"another test-only key").digest())
DATA = b"0" * 64 + b"  manifest.json\n"
TC = "evault bundle 1 created 2024-05-01T12:00:00Z"
UC = "evault bundle signature"

# One-line comments: no newline, carriage return or NUL, and no lone surrogates.
line_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\n\r\x00"),
    max_size=80,
)


def _sign(data: bytes = DATA, key: SigningKey = KEY, tc: str = TC, uc: str = UC) -> str:
    return minisign.sign(key, data, trusted_comment=tc, untrusted_comment=uc)


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _minisign() -> str:
    path = shutil.which("minisign")
    if path is None:
        pytest.fail(
            "minisign is not installed: install minisign (apt install minisign) to run the "
            "interop tests",
            pytrace=False,
        )
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_minisign(), *args], capture_output=True, text=True, check=False)


# --- stored vectors -------------------------------------------------------------------------


def test_our_vector_is_reproduced_exactly() -> None:
    assert KEY.public_key.hex() == OURS["public_key"]
    assert minisign.key_id(KEY.public_key).hex() == OURS["key_id"]
    assert minisign.display_key_id(minisign.key_id(KEY.public_key)) == OURS["display_key_id"]
    pubfile = minisign.public_key_file(KEY.public_key, OURS["public_key_comment"])
    assert pubfile == OURS["public_key_file"]
    signature = minisign.sign(
        KEY,
        OURS["message"].encode(),
        trusted_comment=OURS["trusted_comment"],
        untrusted_comment=OURS["untrusted_comment"],
    )
    assert signature == OURS["signature"]


def test_our_vector_verifies() -> None:
    keyid, public = minisign.parse_public_key(OURS["public_key_file"])
    assert public == KEY.public_key
    assert keyid == minisign.key_id(public)
    message = OURS["message"].encode()
    assert minisign.verify(OURS["signature"], public, message) == OURS["trusted_comment"]
    trusted = minisign.verify(OURS["signature"], public, message, keyid=keyid)
    assert trusted == OURS["trusted_comment"]


def test_our_vector_read_independently_with_pynacl() -> None:
    """Re-read the signature file from the format description alone (pynacl, hashlib, base64)."""
    lines = _lines(OURS["signature"])
    assert lines[0] == "untrusted comment: " + OURS["untrusted_comment"]
    sig_struct = base64.b64decode(lines[1])
    assert sig_struct[:2] == b"ED"
    assert sig_struct[2:10] == bytes.fromhex(OURS["key_id"])
    assert lines[2] == "trusted comment: " + OURS["trusted_comment"]
    verify_key = nacl.signing.VerifyKey(bytes.fromhex(OURS["public_key"]))
    digest = hashlib.blake2b(OURS["message"].encode(), digest_size=64).digest()
    verify_key.verify(digest, sig_struct[10:])
    verify_key.verify(
        sig_struct[10:] + OURS["trusted_comment"].encode(), base64.b64decode(lines[3])
    )
    pk_struct = base64.b64decode(_lines(OURS["public_key_file"])[1])
    assert pk_struct == b"Ed" + bytes.fromhex(OURS["key_id"]) + bytes.fromhex(OURS["public_key"])
    with pytest.raises(nacl.exceptions.BadSignatureError):
        verify_key.verify(sig_struct[10:] + b"x", base64.b64decode(lines[3]))


def test_key_id_is_the_documented_hash() -> None:
    expected = hashlib.sha256(b"evault-minisign-keyid-v1\x00" + KEY.public_key).digest()[:8]
    assert minisign.key_id(KEY.public_key) == expected
    assert minisign.key_id(KEY.public_key) != minisign.key_id(OTHER_KEY.public_key)


def test_display_key_id_matches_minisigns_own_public_key_comment() -> None:
    keyid, _ = minisign.parse_public_key(THEIRS["public_key_file"])
    comment = _lines(THEIRS["public_key_file"])[0]
    assert comment == "untrusted comment: minisign public key " + minisign.display_key_id(keyid)


@pytest.mark.parametrize("case", THEIRS["cases"], ids=lambda case: case["name"])
def test_minisign_made_vectors(case: dict[str, Any]) -> None:
    keyid, public = minisign.parse_public_key(THEIRS["public_key_file"])
    message = case["message"].encode()
    if case["expect"] == "success":
        trusted = minisign.verify(case["signature"], public, message, keyid=keyid)
        assert trusted == case["trusted_comment"]
    else:
        with pytest.raises(EXPECT[case["expect"]]):
            minisign.verify(case["signature"], public, message, keyid=keyid)


def test_minisign_made_signature_needs_its_key_id() -> None:
    """Without ``keyid`` we expect the vault's derived id, which a minisign-made key does not have."""
    _, public = minisign.parse_public_key(THEIRS["public_key_file"])
    case = THEIRS["cases"][0]
    with pytest.raises(SignatureInvalid, match="minisign key"):
        minisign.verify(case["signature"], public, case["message"].encode())


# --- round trips ----------------------------------------------------------------------------


@settings(max_examples=50)
@given(data=st.binary(max_size=2000), tc=line_text, uc=line_text)
def test_round_trip(data: bytes, tc: str, uc: str) -> None:
    signature = _sign(data, tc=tc, uc=uc)
    assert minisign.verify(signature, KEY.public_key, data) == tc
    parsed = minisign.parse_signature(signature)
    assert (parsed.trusted_comment, parsed.untrusted_comment) == (tc, uc)
    assert parsed.key_id == minisign.key_id(KEY.public_key)


@settings(max_examples=20)
@given(chunks=st.lists(st.binary(max_size=300), max_size=8))
def test_streaming_equals_one_shot(chunks: list[bytes]) -> None:
    prehash = minisign.new_prehash()
    for chunk in chunks:
        prehash.update(chunk)
    digest = prehash.digest()
    data = b"".join(chunks)
    streamed = minisign.sign_prehashed(KEY, digest, trusted_comment=TC, untrusted_comment=UC)
    assert streamed == _sign(data)
    assert minisign.verify_prehashed(streamed, KEY.public_key, digest) == TC


def test_non_ascii_comments_round_trip() -> None:
    tc = "sübut paketi · пакет доказательств\tфайл"
    signature = _sign(tc=tc, uc="imza · подпись")
    assert minisign.verify(signature, KEY.public_key, DATA) == tc
    assert minisign.verify(signature.encode("utf-8"), KEY.public_key, DATA) == tc


def test_public_key_round_trip_and_forms() -> None:
    keyid = minisign.key_id(KEY.public_key)
    text = minisign.public_key_file(KEY.public_key, "evault")
    bare = minisign.public_key_base64(KEY.public_key)
    assert text == f"untrusted comment: evault\n{bare}\n"
    forms = (text, bare, bare + "\n", text.replace("\n", "\r\n"), f"  {bare}  \n", text.encode())
    for form in forms:
        assert minisign.parse_public_key(form) == (keyid, KEY.public_key)


def test_keyid_override_in_public_key_base64() -> None:
    keyid = bytes(range(8))
    bare = minisign.public_key_base64(KEY.public_key, keyid=keyid)
    assert minisign.parse_public_key(bare) == (keyid, KEY.public_key)


# --- what signing refuses -------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\x00b", "\n", "a\udc80", "x" * 2049, "ş" * 1025])
def test_sign_refuses_bad_trusted_comment(bad: str) -> None:
    with pytest.raises(ValueError, match="trusted comment"):
        _sign(tc=bad)


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\x00b", "x" * 1001])
def test_sign_and_public_key_file_refuse_bad_untrusted_comment(bad: str) -> None:
    with pytest.raises(ValueError, match="untrusted comment"):
        _sign(uc=bad)
    with pytest.raises(ValueError, match="untrusted comment"):
        minisign.public_key_file(KEY.public_key, bad)


def test_longest_comments_still_fit_the_read_cap() -> None:
    tc = "ş" * (c.MINISIGN_MAX_TRUSTED_COMMENT_BYTES // 2)
    uc = "x" * c.MINISIGN_MAX_UNTRUSTED_COMMENT_BYTES
    signature = _sign(tc=tc, uc=uc)
    assert len(signature.encode()) <= c.MINISIGN_MAX_FILE_BYTES
    assert minisign.verify(signature, KEY.public_key, DATA) == tc


def test_sign_prehashed_wants_a_blake2b_512_digest() -> None:
    with pytest.raises(ValueError, match="64-byte"):
        minisign.sign_prehashed(KEY, b"\x00" * 32, trusted_comment=TC, untrusted_comment=UC)
    with pytest.raises(ValueError, match="64-byte"):
        minisign.verify_prehashed(_sign(), KEY.public_key, b"\x00" * 32)


# --- what verification refuses --------------------------------------------------------------


def test_refuses_changed_data() -> None:
    with pytest.raises(SignatureInvalid, match="does not match"):
        minisign.verify(_sign(), KEY.public_key, DATA + b"\n")


def test_refuses_another_vault_key_by_key_id() -> None:
    with pytest.raises(SignatureInvalid, match="minisign key"):
        minisign.verify(_sign(key=OTHER_KEY), KEY.public_key, DATA)


def test_refuses_another_key_with_the_same_key_id() -> None:
    """The key id is only a label: a matching id with the wrong key still fails."""
    signature = _sign(key=OTHER_KEY)
    keyid = minisign.key_id(OTHER_KEY.public_key)
    with pytest.raises(SignatureInvalid, match="does not match"):
        minisign.verify(signature, KEY.public_key, DATA, keyid=keyid)


def test_refuses_edited_trusted_comment() -> None:
    lines = _lines(_sign())
    lines[2] = lines[2] + " "
    with pytest.raises(SignatureInvalid, match="trusted comment was changed"):
        minisign.verify("\n".join(lines), KEY.public_key, DATA)


def test_refuses_trusted_comment_moved_to_another_signature() -> None:
    one, two = _lines(_sign(tc="one")), _lines(_sign(DATA + b"x", tc="two"))
    mixed = "\n".join([one[0], one[1], two[2], two[3], ""])
    with pytest.raises(SignatureInvalid, match="trusted comment"):
        minisign.verify(mixed, KEY.public_key, DATA)


def test_untrusted_comment_is_not_protected() -> None:
    lines = _lines(_sign())
    lines[0] = "untrusted comment: anyone can write here"
    assert minisign.verify("\n".join(lines), KEY.public_key, DATA) == TC


def _with_algorithm(signature: str, algorithm: bytes) -> str:
    lines = _lines(signature)
    raw = base64.b64decode(lines[1])
    lines[1] = base64.b64encode(algorithm + raw[2:]).decode()
    return "\n".join(lines)


def test_refuses_legacy_algorithm() -> None:
    with pytest.raises(FormatError, match="legacy"):
        minisign.verify(_with_algorithm(_sign(), b"Ed"), KEY.public_key, DATA)


@pytest.mark.parametrize("algorithm", [b"Ee", b"ed", b"\x00\x00", b"EB"])
def test_refuses_unknown_algorithm(algorithm: bytes) -> None:
    with pytest.raises(FormatError, match="unknown algorithm"):
        minisign.verify(_with_algorithm(_sign(), algorithm), KEY.public_key, DATA)


def _non_canonical(line: str) -> str:
    """Flip an unused low bit of the last base64 character before the padding."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    data = line.rstrip("=")
    flipped = alphabet[alphabet.index(data[-1]) ^ 1]
    return data[:-1] + flipped + line[len(data) :]


def _malformed() -> dict[str, str | bytes]:
    good = _sign()
    lines = _lines(good)
    return {
        "empty": "",
        "trailing junk line": good + "junk\n",
        "trailing newline": good + "\n",
        "no final newline": good[:-1],
        "CRLF": good.replace("\n", "\r\n"),
        "three lines": "\n".join(lines[:3]) + "\n",
        "no untrusted prefix": good.replace("untrusted comment: ", "untrusted comment:", 1),
        "no trusted prefix": good.replace("trusted comment: ", "trusted: ", 1),
        "CR in untrusted comment": good.replace(UC, UC + "\r", 1),
        "NUL in trusted comment": good.replace(TC, TC + "\x00", 1),
        "untrusted comment too long": good.replace(UC, "x" * 1001, 1),
        "signature line too short": good.replace(lines[1], lines[1][:-4], 1),
        "signature line not base64": good.replace(lines[1], lines[1][:-5] + "*AAA=", 1),
        "global signature not canonical": good.replace(lines[3], _non_canonical(lines[3]), 1),
        "signature not canonical": good.replace(lines[1], _non_canonical(lines[1]), 1),
        "global signature whitespace": good.replace(lines[3], lines[3] + " ", 1),
        "oversize": good + "x" * c.MINISIGN_MAX_FILE_BYTES,
        "oversize after encoding": "ş" * (c.MINISIGN_MAX_FILE_BYTES // 2 + 1),
        "lone surrogate": good.replace(UC, "\udc80", 1),
        "not UTF-8": good.encode().replace(UC.encode(), b"\xff", 1),
    }


@pytest.mark.parametrize("name", sorted(_malformed()))
def test_refuses_malformed_signature(name: str) -> None:
    with pytest.raises(FormatError):
        minisign.verify(_malformed()[name], KEY.public_key, DATA)


def test_non_canonical_global_signature_is_the_same_bytes() -> None:
    """Why canonical base64 matters: both lines have a spelling that decodes to the same bytes."""
    for line in _lines(_sign())[1::2]:
        other = _non_canonical(line)
        assert other != line
        assert base64.b64decode(other) == base64.b64decode(line)


def test_every_changed_byte_is_detected() -> None:
    """Every byte outside the untrusted comment's text is protected; that text is not."""
    signature = _sign().encode()
    start = len("untrusted comment: ")
    end = start + len(UC)
    for pos in range(len(signature)):
        for new in {signature[pos] ^ 0x01, signature[pos] ^ 0x20, 0x0A, 0x3D, 0x41, 0x00, 0xFF}:
            if new == signature[pos]:
                continue
            changed = signature[:pos] + bytes([new]) + signature[pos + 1 :]
            if start <= pos < end and new not in b"\n\r\x00" and new < 0x80:
                assert minisign.verify(changed, KEY.public_key, DATA) == TC
                continue
            with pytest.raises((FormatError, SignatureInvalid)):
                minisign.verify(changed, KEY.public_key, DATA)


@settings(max_examples=200)
@given(data=st.binary(max_size=100), pos=st.integers(min_value=0), value=st.integers(0, 255))
def test_any_changed_byte_after_the_untrusted_comment_is_detected(
    data: bytes, pos: int, value: int
) -> None:
    signature = _sign(data).encode()
    start = len("untrusted comment: " + UC)
    pos = start + pos % (len(signature) - start)
    if signature[pos] == value:
        return
    changed = signature[:pos] + bytes([value]) + signature[pos + 1 :]
    with pytest.raises((FormatError, SignatureInvalid)):
        minisign.verify(changed, KEY.public_key, DATA)


@settings(max_examples=300)
@given(st.one_of(st.binary(max_size=600), st.text(max_size=600)))
def test_random_input_raises_only_format_or_signature_errors(garbage: str | bytes) -> None:
    with pytest.raises((FormatError, SignatureInvalid)):
        minisign.verify(garbage, KEY.public_key, DATA)
    with contextlib.suppress(FormatError):
        minisign.parse_public_key(garbage)


@settings(max_examples=200)
@given(
    st.lists(
        st.sampled_from(
            ["untrusted comment: x", "trusted comment: y", _lines(_sign())[1], _lines(_sign())[3]]
        )
        | st.text(max_size=40),
        max_size=6,
    )
)
def test_random_lines_raise_only_format_or_signature_errors(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n"
    try:
        minisign.verify(text, KEY.public_key, DATA)
    except (FormatError, SignatureInvalid):
        return
    assert text == _sign()


def _bad_public_keys() -> dict[str, str]:
    bare = minisign.public_key_base64(KEY.public_key)
    raw = base64.b64decode(bare)
    return {
        "empty": "",
        "signature algorithm ED": base64.b64encode(b"ED" + raw[2:]).decode(),
        "too short": base64.b64encode(raw[:-1]).decode(),
        "too long": base64.b64encode(raw + b"\x00").decode(),
        "not base64": bare[:-1] + "*",
        "three lines": f"untrusted comment: a\n{bare}\n{bare}\n",
        "first line not a comment": f"comment: a\n{bare}\n",
        "oversize": "x" * (c.MINISIGN_MAX_FILE_BYTES + 1),
        "a signature": _sign(),
    }


@pytest.mark.parametrize("name", sorted(_bad_public_keys()))
def test_parse_public_key_refuses(name: str) -> None:
    with pytest.raises(FormatError):
        minisign.parse_public_key(_bad_public_keys()[name])


def test_wrong_length_public_key_or_key_id() -> None:
    with pytest.raises(FormatError):
        minisign.key_id(b"\x00" * 31)
    with pytest.raises(FormatError):
        minisign.verify(_sign(), b"\x00" * 33, DATA)
    with pytest.raises(FormatError):
        minisign.verify(_sign(), KEY.public_key, DATA, keyid=b"\x00" * 7)
    with pytest.raises(FormatError):
        minisign.display_key_id(b"\x00" * 9)


# --- interop: the real minisign verifies what we write --------------------------------------


def _write_ours(tmp_path: Path, data: bytes = DATA, tc: str = TC) -> tuple[Path, Path, Path]:
    message = tmp_path / "SHA256SUMS"
    message.write_bytes(data)
    sig = tmp_path / "SHA256SUMS.minisig"
    sig.write_text(_sign(data, tc=tc), encoding="utf-8")
    pub = tmp_path / "evault.pub"
    pub.write_text(minisign.public_key_file(KEY.public_key, "evault vault identity"), "utf-8")
    return message, sig, pub


def test_minisign_verifies_our_signature(tmp_path: Path) -> None:
    message, sig, pub = _write_ours(tmp_path)
    result = _run("-Vm", str(message), "-p", str(pub))
    assert result.returncode == 0, result.stderr
    assert f"Trusted comment: {TC}" in result.stdout
    bare = minisign.public_key_base64(KEY.public_key)
    inline = _run("-V", "-x", str(sig), "-m", str(message), "-P", bare)
    assert inline.returncode == 0, inline.stderr
    prehashed_only = _run("-V", "-H", "-x", str(sig), "-m", str(message), "-p", str(pub))
    assert prehashed_only.returncode == 0, prehashed_only.stderr


def test_minisign_verifies_our_stored_vector(tmp_path: Path) -> None:
    message = tmp_path / "SHA256SUMS"
    message.write_bytes(OURS["message"].encode())
    (tmp_path / "SHA256SUMS.minisig").write_text(OURS["signature"], "utf-8")
    (tmp_path / "evault.pub").write_text(OURS["public_key_file"], "utf-8")
    result = _run("-Vm", str(message), "-p", str(tmp_path / "evault.pub"))
    assert result.returncode == 0, result.stderr
    assert f"Trusted comment: {OURS['trusted_comment']}" in result.stdout


def test_minisign_shows_our_non_ascii_trusted_comment(tmp_path: Path) -> None:
    tc = "sübut paketi · пакет доказательств"
    message, _, pub = _write_ours(tmp_path, tc=tc)
    result = _run("-Vm", str(message), "-p", str(pub), "-Q")
    assert result.returncode == 0, result.stderr
    assert result.stdout == tc + "\n"


def test_minisign_verifies_a_streamed_large_file(tmp_path: Path) -> None:
    message = tmp_path / "big.bin"
    prehash = minisign.new_prehash()
    with message.open("wb") as out:
        for i in range(40):
            chunk = bytes([i]) * 65536
            out.write(chunk)
            prehash.update(chunk)
    sig = tmp_path / "big.bin.minisig"
    sig.write_text(
        minisign.sign_prehashed(KEY, prehash.digest(), trusted_comment=TC, untrusted_comment=UC)
    )
    pub = minisign.public_key_base64(KEY.public_key)
    assert _run("-V", "-m", str(message), "-P", pub).returncode == 0


def test_minisign_refuses_our_signature_once_tampered(tmp_path: Path) -> None:
    message, sig, pub = _write_ours(tmp_path)
    assert _run("-Vm", str(message), "-p", str(pub)).returncode == 0

    message.write_bytes(b"1" + DATA[1:])  # one byte of the signed file
    result = _run("-Vm", str(message), "-p", str(pub))
    assert result.returncode != 0
    assert "Signature verification failed" in result.stderr
    message.write_bytes(DATA)

    good = sig.read_text("utf-8")
    sig.write_text(good.replace(f"trusted comment: {TC}", f"trusted comment: {TC}!"), "utf-8")
    result = _run("-Vm", str(message), "-p", str(pub))
    assert result.returncode != 0
    assert "Comment signature verification failed" in result.stderr

    sig.write_text(good, "utf-8")
    other = minisign.public_key_base64(OTHER_KEY.public_key)
    result = _run("-V", "-m", str(message), "-P", other)
    assert result.returncode != 0
    assert "key id" in result.stderr


def test_minisign_prints_key_ids_like_display_key_id(tmp_path: Path) -> None:
    """minisign prints key ids without leading zeros; display_key_id does the same."""
    message, _, _ = _write_ours(tmp_path)
    keyid = bytes([1, 2, 3, 4, 5, 6, 7, 0])
    assert minisign.display_key_id(keyid) == "7060504030201"
    result = _run(
        "-V", "-m", str(message), "-P", minisign.public_key_base64(KEY.public_key, keyid=keyid)
    )
    assert result.returncode != 0
    ours = minisign.display_key_id(minisign.key_id(KEY.public_key))
    assert f"key id in {message}.minisig is {ours}\n" in result.stderr
    assert "key id in the public key is 7060504030201\n" in result.stderr


# --- interop: we verify what the real minisign writes ---------------------------------------


@pytest.fixture
def minisign_key(tmp_path: Path) -> tuple[Path, Path]:
    pub, sec = tmp_path / "tool.pub", tmp_path / "tool.key"
    result = _run("-G", "-W", "-p", str(pub), "-s", str(sec))
    assert result.returncode == 0, result.stderr
    return pub, sec


def _tool_sign(sec: Path, message: Path, *extra: str) -> str:
    result = _run("-S", "-s", str(sec), "-m", str(message), *extra)
    assert result.returncode == 0, result.stderr
    return Path(str(message) + ".minisig").read_text("utf-8")


def test_we_verify_minisign_signatures(tmp_path: Path, minisign_key: tuple[Path, Path]) -> None:
    pub, sec = minisign_key
    message = tmp_path / "SHA256SUMS"
    message.write_bytes(DATA)
    tc = "made by minisign · подпись"
    signature = _tool_sign(sec, message, "-t", tc, "-c", "their untrusted comment")
    keyid, public = minisign.parse_public_key(pub.read_text("utf-8"))
    comment = pub.read_text("utf-8").splitlines()[0]
    assert comment == "untrusted comment: minisign public key " + minisign.display_key_id(keyid)
    assert minisign.parse_signature(signature).untrusted_comment == "their untrusted comment"
    assert minisign.verify(signature, public, DATA, keyid=keyid) == tc

    # minisign 0.11 signs prehashed ("ED") by default: streaming verification works
    prehash = minisign.new_prehash()
    prehash.update(DATA[:10])
    prehash.update(DATA[10:])
    assert minisign.verify_prehashed(signature, public, prehash.digest(), keyid=keyid) == tc

    # the -P form (the line minisign prints after -G) parses to the same key
    bare = pub.read_text("utf-8").splitlines()[1]
    assert minisign.parse_public_key(bare) == (keyid, public)

    with pytest.raises(SignatureInvalid):
        minisign.verify(signature, public, b"1" + DATA[1:], keyid=keyid)
    edited = signature.replace(f"trusted comment: {tc}", "trusted comment: made by someone else")
    with pytest.raises(SignatureInvalid, match="trusted comment"):
        minisign.verify(edited, public, DATA, keyid=keyid)
    with pytest.raises(SignatureInvalid, match="minisign key"):
        minisign.verify(signature, KEY.public_key, DATA)


def test_minisign_default_trusted_comment(tmp_path: Path, minisign_key: tuple[Path, Path]) -> None:
    pub, sec = minisign_key
    message = tmp_path / "SHA256SUMS"
    message.write_bytes(DATA)
    signature = _tool_sign(sec, message)
    keyid, public = minisign.parse_public_key(pub.read_text("utf-8"))
    tc = minisign.verify(signature, public, DATA, keyid=keyid)
    assert tc.startswith("timestamp:")
    assert tc.endswith("\tfile:SHA256SUMS\thashed")


def test_we_refuse_minisign_legacy_signatures(
    tmp_path: Path, minisign_key: tuple[Path, Path]
) -> None:
    pub, sec = minisign_key
    message = tmp_path / "SHA256SUMS"
    message.write_bytes(DATA)
    signature = _tool_sign(sec, message, "-l", "-t", "legacy")
    keyid, public = minisign.parse_public_key(pub.read_text("utf-8"))
    # minisign itself accepts it unless told -H; we behave like -H
    assert _run("-Vm", str(message), "-p", str(pub)).returncode == 0
    assert _run("-V", "-H", "-m", str(message), "-p", str(pub)).returncode != 0
    with pytest.raises(FormatError, match="legacy"):
        minisign.verify(signature, public, DATA, keyid=keyid)
