"""crypto.sshsig: SSH signatures, public key lines and allowed_signers (docs/format.md §6.3).

Interop runs the real ``ssh-keygen`` both ways: ``-Y verify`` / ``-Y check-novalidate`` must accept
what we write (and refuse it once tampered with), and we must accept what ``-Y sign`` writes. The
tests fail, rather than skip, when ssh-keygen is missing. Stored vectors (made by our code and by
OpenSSH 9.2) keep the format pinned without the tool.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import nacl.signing
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import constants as c
from crypto import sshsig
from crypto.errors import FormatError, SignatureInvalid
from crypto.identity import SigningKey

VECTORS = Path(__file__).parent.parent / "vectors"
OURS = json.loads((VECTORS / "sshsig_evault.json").read_text(encoding="utf-8"))
THEIRS = json.loads((VECTORS / "sshsig_ssh-keygen.json").read_text(encoding="utf-8"))
EXPECT = {"format error": FormatError, "signature invalid": SignatureInvalid}

NS = "evault-bundle-v1"
PRINCIPAL = "evault-bundle"
KEY = SigningKey(bytes.fromhex(OURS["seed"]))
OTHER_KEY = SigningKey(hashlib.sha256(b"another test-only key").digest())
DATA = b"0" * 64 + b"  manifest.json\n"

names = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9@._+-]{0,30}", fullmatch=True)


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _blob(armored: str) -> bytes:
    return base64.b64decode("".join(armored.split("\n")[1:-2]))


def _armor(blob: bytes) -> str:
    encoded = base64.b64encode(blob).decode()
    lines = [encoded[i : i + 70] for i in range(0, len(encoded), 70)]
    return "\n".join(["-----BEGIN SSH SIGNATURE-----", *lines, "-----END SSH SIGNATURE-----", ""])


def _fields(blob: bytes) -> list[bytes]:
    """Split a blob after its 6-byte magic and 4-byte version into its ``string`` fields."""
    out, pos = [], 10
    while pos < len(blob):
        (size,) = struct.unpack(">I", blob[pos : pos + 4])
        out.append(blob[pos + 4 : pos + 4 + size])
        pos += 4 + size
    return out


def _rebuild(
    fields: list[bytes], *, magic: bytes = b"SSHSIG", version: int = 1, tail: bytes = b""
) -> str:
    return _armor(magic + struct.pack(">I", version) + b"".join(map(_string, fields)) + tail)


def _ssh_keygen() -> str:
    path = shutil.which("ssh-keygen")
    if path is None:
        pytest.fail(
            "ssh-keygen is not installed: install openssh-client (apt install openssh-client) "
            "to run the interop tests",
            pytrace=False,
        )
    return path


def _run(
    *args: str, stdin: bytes | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [_ssh_keygen(), *args], input=stdin, capture_output=True, check=False, cwd=cwd
    )


# --- stored vectors -------------------------------------------------------------------------


def test_our_vector_is_reproduced_exactly() -> None:
    assert KEY.public_key.hex() == OURS["public_key"]
    assert sshsig.ssh_public_key_line(KEY.public_key, "evault") == OURS["public_key_line"]
    line = sshsig.allowed_signers_line(OURS["principal"], KEY.public_key, OURS["namespace"])
    assert line == OURS["allowed_signers_line"]
    assert sshsig.ssh_fingerprint(KEY.public_key) == OURS["fingerprint"]
    armored = sshsig.sign(KEY, OURS["message"].encode(), OURS["namespace"])
    assert armored == OURS["signature"]


def test_our_vector_verifies() -> None:
    public = sshsig.parse_ssh_public_key(OURS["public_key_line"])
    assert public == KEY.public_key
    sshsig.verify(OURS["signature"], public, OURS["message"].encode(), OURS["namespace"])


def test_our_vector_read_independently_with_pynacl() -> None:
    """Re-read the signature from PROTOCOL.sshsig alone (pynacl, hashlib, struct)."""
    blob = _blob(OURS["signature"])
    assert blob[:6] == b"SSHSIG"
    assert struct.unpack(">I", blob[6:10]) == (1,)
    public_key, namespace, reserved, hash_algorithm, signature = _fields(blob)
    assert public_key == _string(b"ssh-ed25519") + _string(KEY.public_key)
    assert (namespace, reserved, hash_algorithm) == (NS.encode(), b"", b"sha512")
    sig_type, sig = _fields(b"\x00" * 10 + signature)
    assert sig_type == b"ssh-ed25519"
    signed = (
        b"SSHSIG"
        + _string(namespace)
        + _string(b"")
        + _string(b"sha512")
        + _string(hashlib.sha512(OURS["message"].encode()).digest())
    )
    nacl.signing.VerifyKey(KEY.public_key).verify(signed, sig)


@pytest.mark.parametrize("case", THEIRS["cases"], ids=lambda case: case["name"])
def test_ssh_keygen_made_vectors(case: dict[str, Any]) -> None:
    public = sshsig.parse_ssh_public_key(THEIRS["public_key_line"])
    message = case["message"].encode()
    if case["expect"] == "success":
        sshsig.verify(case["signature"], public, message, case["namespace"])
    else:
        with pytest.raises(EXPECT[case["expect"]]):
            sshsig.verify(case["signature"], public, message, case["namespace"])


def test_ssh_keygen_made_vector_fingerprint_and_line() -> None:
    public = sshsig.parse_ssh_public_key(THEIRS["public_key_line"])
    assert sshsig.ssh_fingerprint(public) == THEIRS["fingerprint"]
    comment = THEIRS["public_key_line"].split(" ", 2)[2]
    assert sshsig.ssh_public_key_line(public, comment) == THEIRS["public_key_line"]


def test_ssh_keygen_made_sha256_signature_says_so() -> None:
    case = next(case for case in THEIRS["cases"] if "sha256" in case["name"])
    parsed = sshsig.parse_signature(case["signature"])
    assert (parsed.hash_algorithm, parsed.namespace) == ("sha256", "file")
    public = sshsig.parse_ssh_public_key(THEIRS["public_key_line"])
    digest = hashlib.sha256(case["message"].encode()).digest()
    sshsig.verify_prehashed(case["signature"], public, digest, "file", hash_algorithm="sha256")
    sha512 = hashlib.sha512(case["message"].encode()).digest()
    with pytest.raises(SignatureInvalid, match="sha256"):
        sshsig.verify_prehashed(case["signature"], public, sha512, "file")


# --- round trips ----------------------------------------------------------------------------


@settings(max_examples=50)
@given(data=st.binary(max_size=2000), namespace=names)
def test_round_trip(data: bytes, namespace: str) -> None:
    armored = sshsig.sign(KEY, data, namespace)
    sshsig.verify(armored, KEY.public_key, data, namespace)
    sshsig.verify(armored.encode(), KEY.public_key, data, namespace)
    parsed = sshsig.parse_signature(armored)
    assert (parsed.public_key, parsed.namespace, parsed.hash_algorithm) == (
        KEY.public_key,
        namespace,
        "sha512",
    )


@settings(max_examples=20)
@given(chunks=st.lists(st.binary(max_size=300), max_size=8))
def test_streaming_equals_one_shot(chunks: list[bytes]) -> None:
    prehash = sshsig.new_prehash()
    for chunk in chunks:
        prehash.update(chunk)
    digest = prehash.digest()
    streamed = sshsig.sign_prehashed(KEY, digest, NS)
    assert streamed == sshsig.sign(KEY, b"".join(chunks), NS)
    sshsig.verify_prehashed(streamed, KEY.public_key, digest, NS)


def test_public_key_line_round_trip() -> None:
    line = sshsig.ssh_public_key_line(KEY.public_key)
    assert line.startswith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI")
    assert " " not in line[len("ssh-ed25519 ") :]
    for form in (
        line,
        line + "\n",
        f"{line} a comment with spaces\n",
        f"  {line}\r\n",
        line.encode(),
    ):
        assert sshsig.parse_ssh_public_key(form) == KEY.public_key


def test_allowed_signers_line_layout() -> None:
    line = sshsig.allowed_signers_line(PRINCIPAL, KEY.public_key, NS)
    assert line == f'{PRINCIPAL} namespaces="{NS}" {sshsig.ssh_public_key_line(KEY.public_key)}'


def test_fingerprint_is_sha256_of_the_key_blob() -> None:
    blob = _string(b"ssh-ed25519") + _string(KEY.public_key)
    expected = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    assert sshsig.ssh_fingerprint(KEY.public_key) == "SHA256:" + expected
    assert sshsig.public_key_blob(KEY.public_key) == blob


# --- what signing refuses -------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    ["", "evault-*", "evault-?", "!evault", "a,b", 'a"b', "a b", "a\nb", "-x", "ş", "x" * 257],
)
def test_names_that_would_be_patterns_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="principal"):
        sshsig.allowed_signers_line(bad, KEY.public_key, NS)
    with pytest.raises(ValueError, match="namespace"):
        sshsig.allowed_signers_line(PRINCIPAL, KEY.public_key, bad)
    with pytest.raises(ValueError, match="namespace"):
        sshsig.sign(KEY, DATA, bad)


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\x00b", "\udc80"])
def test_public_key_comment_must_be_one_line_of_text(bad: str) -> None:
    with pytest.raises(ValueError, match=r"one line|valid text"):
        sshsig.ssh_public_key_line(KEY.public_key, bad)


def test_prehashed_functions_want_matching_digests() -> None:
    with pytest.raises(ValueError, match="SHA-512"):
        sshsig.sign_prehashed(KEY, b"\x00" * 32, NS)
    armored = sshsig.sign(KEY, DATA, NS)
    with pytest.raises(ValueError):
        sshsig.verify_prehashed(armored, KEY.public_key, b"\x00" * 32, NS)
    with pytest.raises(ValueError):
        sshsig.verify_prehashed(armored, KEY.public_key, b"\x00" * 64, NS, hash_algorithm="md5")


# --- what verification refuses --------------------------------------------------------------


def test_refuses_changed_data() -> None:
    with pytest.raises(SignatureInvalid, match="does not match"):
        sshsig.verify(sshsig.sign(KEY, DATA, NS), KEY.public_key, DATA + b"\n", NS)


def test_refuses_another_key() -> None:
    with pytest.raises(SignatureInvalid, match="expected key"):
        sshsig.verify(sshsig.sign(OTHER_KEY, DATA, NS), KEY.public_key, DATA, NS)


def test_refuses_another_namespace() -> None:
    with pytest.raises(SignatureInvalid, match="namespace"):
        sshsig.verify(sshsig.sign(KEY, DATA, "file"), KEY.public_key, DATA, NS)


def test_refuses_namespace_edited_inside_the_signature() -> None:
    fields = _fields(_blob(sshsig.sign(KEY, DATA, NS)))
    fields[1] = b"file"
    with pytest.raises(SignatureInvalid, match="does not match"):
        sshsig.verify(_rebuild(fields), KEY.public_key, DATA, "file")


def test_refuses_hash_algorithm_edited_inside_the_signature() -> None:
    fields = _fields(_blob(sshsig.sign(KEY, DATA, NS)))
    fields[3] = b"sha256"
    with pytest.raises(SignatureInvalid, match="does not match"):
        sshsig.verify(_rebuild(fields), KEY.public_key, DATA, NS)


def test_refuses_key_swapped_inside_the_signature() -> None:
    fields = _fields(_blob(sshsig.sign(OTHER_KEY, DATA, NS)))
    fields[0] = sshsig.public_key_blob(KEY.public_key)
    with pytest.raises(SignatureInvalid, match="does not match"):
        sshsig.verify(_rebuild(fields), KEY.public_key, DATA, NS)


def _non_canonical(armored: str) -> str:
    """Flip an unused low bit of the last base64 character before the padding."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    end = armored.index("=")
    flipped = alphabet[alphabet.index(armored[end - 1]) ^ 1]
    changed = armored[: end - 1] + flipped + armored[end:]
    assert _blob(changed) == _blob(armored)
    return changed


def _malformed() -> dict[str, str | bytes]:
    good = sshsig.sign(KEY, DATA, NS)
    fields = _fields(_blob(good))
    sig_type, sig = _fields(b"\x00" * 10 + fields[4])
    rsa_key = _string(b"ssh-rsa") + _string(b"\x01\x00\x01") + _string(b"\x00" * 64)
    encoded = base64.b64encode(_blob(good)).decode()
    lines = good.split("\n")
    return {
        "empty": "",
        "only armor": "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n",
        "version 0": _rebuild(fields, version=0),
        "version 2": _rebuild(fields, version=2),
        "magic": _rebuild(fields, magic=b"SSHSIH"),
        "trailing bytes": _rebuild(fields, tail=b"\x00"),
        "truncated": _armor(_blob(good)[:-1]),
        "missing signature": _rebuild(fields[:4]),
        "length past the end": _armor(_blob(good)[:-68] + struct.pack(">I", 65) + sig),
        "reserved not empty": _rebuild([fields[0], fields[1], b"x", fields[2], fields[4]]),
        "hash md5": _rebuild([*fields[:3], b"md5", fields[4]]),
        "hash SHA512": _rebuild([*fields[:3], b"SHA512", fields[4]]),
        "rsa key": _rebuild([rsa_key, *fields[1:]]),
        "key with trailing bytes": _rebuild([fields[0] + b"\x00", *fields[1:]]),
        "short key": _rebuild([_string(b"ssh-ed25519") + _string(b"\x00" * 31), *fields[1:]]),
        "signature type rsa-sha2-512": _rebuild(
            [*fields[:4], _string(b"rsa-sha2-512") + _string(sig)]
        ),
        "signature 63 bytes": _rebuild([*fields[:4], _string(sig_type) + _string(sig[:63])]),
        "signature trailing bytes": _rebuild([*fields[:4], fields[4] + b"\x00"]),
        "namespace not UTF-8": _rebuild([fields[0], b"\xff", *fields[2:]]),
        "one long line": f"-----BEGIN SSH SIGNATURE-----\n{encoded}\n-----END SSH SIGNATURE-----\n",
        "CRLF": good.replace("\n", "\r\n"),
        "junk after end": good + "junk\n",
        "extra newline": good + "\n",
        "no final newline": good[:-1],
        "blank line inside": "\n".join([*lines[:2], "", *lines[2:]]),
        "lower-case armor": good.replace("SSH SIGNATURE", "ssh signature"),
        "PGP armor": good.replace("SSH SIGNATURE", "PGP SIGNATURE"),
        "non-canonical base64": _non_canonical(sshsig.sign(KEY, DATA, "ns")),
        "oversize": good + "x" * c.SSHSIG_MAX_ARMORED_BYTES,
        "oversize after encoding": "ş" * (c.SSHSIG_MAX_ARMORED_BYTES // 2 + 1),
        "lone surrogate": good.replace("-----END", "\udc80-----END"),
        "not UTF-8": good.encode() + b"\xff",
    }


@pytest.mark.parametrize("name", sorted(_malformed()))
def test_refuses_malformed_signature(name: str) -> None:
    with pytest.raises(FormatError):
        sshsig.verify(_malformed()[name], KEY.public_key, DATA, NS)


def test_every_changed_byte_is_detected() -> None:
    armored = sshsig.sign(KEY, DATA, NS).encode()
    for pos in range(len(armored)):
        for new in {armored[pos] ^ 0x01, armored[pos] ^ 0x20, 0x0A, 0x3D, 0x41, 0x00, 0xFF}:
            if new == armored[pos]:
                continue
            changed = armored[:pos] + bytes([new]) + armored[pos + 1 :]
            with pytest.raises((FormatError, SignatureInvalid)):
                sshsig.verify(changed, KEY.public_key, DATA, NS)


@settings(max_examples=200)
@given(data=st.binary(max_size=100), pos=st.integers(min_value=0), value=st.integers(0, 255))
def test_any_changed_byte_is_detected(data: bytes, pos: int, value: int) -> None:
    armored = sshsig.sign(KEY, data, NS).encode()
    pos %= len(armored)
    if armored[pos] == value:
        return
    changed = armored[:pos] + bytes([value]) + armored[pos + 1 :]
    with pytest.raises((FormatError, SignatureInvalid)):
        sshsig.verify(changed, KEY.public_key, data, NS)


@settings(max_examples=300)
@given(st.one_of(st.binary(max_size=600), st.text(max_size=600)))
def test_random_input_raises_only_format_or_signature_errors(garbage: str | bytes) -> None:
    with pytest.raises((FormatError, SignatureInvalid)):
        sshsig.verify(garbage, KEY.public_key, DATA, NS)
    with contextlib.suppress(FormatError):
        sshsig.parse_ssh_public_key(garbage)


@settings(max_examples=300)
@given(st.binary(max_size=400))
def test_random_blobs_raise_only_format_or_signature_errors(blob: bytes) -> None:
    for candidate in (blob, b"SSHSIG\x00\x00\x00\x01" + blob):
        with pytest.raises((FormatError, SignatureInvalid)):
            sshsig.verify(_armor(candidate), KEY.public_key, DATA, NS)


def _bad_public_keys() -> dict[str, str]:
    line = sshsig.ssh_public_key_line(KEY.public_key)
    blob = sshsig.public_key_blob(KEY.public_key)

    def encode(raw: bytes, key_type: str = "ssh-ed25519") -> str:
        return f"{key_type} {base64.b64encode(raw).decode()}"

    return {
        "empty": "",
        "type only": "ssh-ed25519",
        "rsa line": encode(_string(b"ssh-rsa") + _string(b"\x01\x00\x01"), "ssh-rsa"),
        "rsa blob under an ed25519 label": encode(_string(b"ssh-rsa") + _string(b"\x00" * 32)),
        "ed25519 blob under an rsa label": line.replace("ssh-ed25519", "ssh-rsa", 1),
        "31-byte key": encode(_string(b"ssh-ed25519") + _string(b"\x00" * 31)),
        "trailing bytes in blob": encode(blob + b"\x00"),
        "truncated blob": encode(blob[:-1]),
        "not base64": line[:-1] + "*",
        "base64 with extra padding": line + "=",
        "two lines": f"{line}\n{line}\n",
        "allowed_signers line": sshsig.allowed_signers_line(PRINCIPAL, KEY.public_key, NS),
        "oversize": line + " " + "x" * c.SSH_MAX_PUBLIC_KEY_LINE_BYTES,
        "not UTF-8": line + " \udc80",
    }


@pytest.mark.parametrize("name", sorted(_bad_public_keys()))
def test_parse_ssh_public_key_refuses(name: str) -> None:
    with pytest.raises(FormatError):
        sshsig.parse_ssh_public_key(_bad_public_keys()[name])


def test_wrong_length_public_keys() -> None:
    for bad in (b"", b"\x00" * 31, b"\x00" * 33):
        with pytest.raises(FormatError):
            sshsig.ssh_fingerprint(bad)
        with pytest.raises(FormatError):
            sshsig.verify(sshsig.sign(KEY, DATA, NS), bad, DATA, NS)


# --- interop: the real ssh-keygen verifies what we write ------------------------------------


def _write_ours(tmp_path: Path, namespace: str = NS) -> tuple[Path, Path, Path]:
    message = tmp_path / "SHA256SUMS"
    message.write_bytes(DATA)
    sig = tmp_path / "SHA256SUMS.sig"
    sig.write_text(sshsig.sign(KEY, DATA, namespace), "ascii")
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(sshsig.allowed_signers_line(PRINCIPAL, KEY.public_key, NS) + "\n", "ascii")
    return message, sig, allowed


def _verify(
    allowed: Path, sig: Path, data: bytes, principal: str = PRINCIPAL, namespace: str = NS
) -> subprocess.CompletedProcess[bytes]:
    return _run(
        "-Y",
        "verify",
        "-f",
        str(allowed),
        "-I",
        principal,
        "-n",
        namespace,
        "-s",
        str(sig),
        stdin=data,
    )


def test_ssh_keygen_verifies_our_signature(tmp_path: Path) -> None:
    _, sig, allowed = _write_ours(tmp_path)
    result = _verify(allowed, sig, DATA)
    assert result.returncode == 0, result.stderr
    expected = f'Good "{NS}" signature for {PRINCIPAL} with ED25519 key '
    assert expected + sshsig.ssh_fingerprint(KEY.public_key) in result.stdout.decode()

    novalidate = _run("-Y", "check-novalidate", "-n", NS, "-s", str(sig), stdin=DATA)
    assert novalidate.returncode == 0, novalidate.stderr

    principals = _run("-Y", "find-principals", "-f", str(allowed), "-s", str(sig), stdin=DATA)
    assert principals.returncode == 0, principals.stderr
    assert principals.stdout.decode().split() == [PRINCIPAL]


def test_ssh_keygen_verifies_our_stored_vector(tmp_path: Path) -> None:
    sig = tmp_path / "SHA256SUMS.sig"
    sig.write_text(OURS["signature"], "ascii")
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(OURS["allowed_signers_line"] + "\n", "ascii")
    result = _verify(allowed, sig, OURS["message"].encode(), OURS["principal"], OURS["namespace"])
    assert result.returncode == 0, result.stderr


def test_ssh_keygen_verifies_a_streamed_signature(tmp_path: Path) -> None:
    prehash = sshsig.new_prehash()
    data = b""
    for i in range(20):
        chunk = bytes([i]) * 50_000
        prehash.update(chunk)
        data += chunk
    sig = tmp_path / "big.sig"
    sig.write_text(sshsig.sign_prehashed(KEY, prehash.digest(), NS), "ascii")
    _, _, allowed = _write_ours(tmp_path)
    result = _verify(allowed, sig, data)
    assert result.returncode == 0, result.stderr


def test_ssh_keygen_refuses_our_signature_once_tampered(tmp_path: Path) -> None:
    _, sig, allowed = _write_ours(tmp_path)
    assert _verify(allowed, sig, DATA).returncode == 0
    # one byte of the signed file
    assert _verify(allowed, sig, b"1" + DATA[1:]).returncode != 0
    # the namespace asked for
    assert _verify(allowed, sig, DATA, namespace="file").returncode != 0
    assert _run("-Y", "check-novalidate", "-n", "file", "-s", str(sig), stdin=DATA).returncode != 0
    # the namespace inside the signature, asking for the edited one
    fields = _fields(_blob(sig.read_text("ascii")))
    fields[1] = b"evault-bundle-v2"
    edited = tmp_path / "edited.sig"
    edited.write_text(_rebuild(fields), "ascii")
    assert _run("-Y", "check-novalidate", "-n", NS, "-s", str(sig), stdin=DATA).returncode == 0
    result = _run("-Y", "check-novalidate", "-n", "evault-bundle-v2", "-s", str(edited), stdin=DATA)
    assert result.returncode != 0
    # a signature by another key, under our allowed_signers
    other = tmp_path / "other.sig"
    other.write_text(sshsig.sign(OTHER_KEY, DATA, NS), "ascii")
    assert _verify(allowed, other, DATA).returncode != 0


def test_ssh_keygen_principal_matching(tmp_path: Path) -> None:
    """ssh-keygen matches -I exactly and case-sensitively against our plain principal, and keeps
    the namespace restriction from allowed_signers; a wildcard principal would match anything."""
    _, sig, allowed = _write_ours(tmp_path)
    assert _verify(allowed, sig, DATA, principal="EVAULT-BUNDLE").returncode != 0
    assert _verify(allowed, sig, DATA, principal="evault-bundle-x").returncode != 0
    assert _verify(allowed, sig, DATA, principal="evault").returncode != 0

    # the namespaces= option is enforced even for a signature made for another namespace
    other_ns = tmp_path / "other-ns.sig"
    other_ns.write_text(sshsig.sign(KEY, DATA, "file"), "ascii")
    assert _verify(allowed, other_ns, DATA, namespace="file").returncode != 0

    # why allowed_signers_line refuses patterns: ssh-keygen treats principals as patterns
    wildcard = tmp_path / "wildcard_signers"
    line = sshsig.allowed_signers_line(PRINCIPAL, KEY.public_key, NS).replace(PRINCIPAL, "evault-*")
    wildcard.write_text(line + "\n", "ascii")
    assert _verify(wildcard, sig, DATA, principal="evault-anyone").returncode == 0


def test_fingerprint_equals_ssh_keygen_l(tmp_path: Path) -> None:
    for key in (KEY, OTHER_KEY, SigningKey.generate()):
        pub = tmp_path / "key.pub"
        pub.write_text(sshsig.ssh_public_key_line(key.public_key, "evault") + "\n", "ascii")
        result = _run("-lf", str(pub))
        assert result.returncode == 0, result.stderr
        size, fingerprint, comment, kind = result.stdout.decode().split()
        assert (size, comment, kind) == ("256", "evault", "(ED25519)")
        assert fingerprint == sshsig.ssh_fingerprint(key.public_key)


# --- interop: we verify what the real ssh-keygen writes -------------------------------------


@pytest.fixture
def ssh_key(tmp_path: Path) -> Path:
    key = tmp_path / "id_ed25519"
    result = _run("-q", "-t", "ed25519", "-N", "", "-C", "lawyer@example.org", "-f", str(key))
    assert result.returncode == 0, result.stderr
    return key


def _tool_sign(key: Path, message: Path, namespace: str, *extra: str) -> str:
    result = _run("-Y", "sign", "-f", str(key), "-n", namespace, *extra, str(message))
    assert result.returncode == 0, result.stderr
    sig = Path(str(message) + ".sig")
    text = sig.read_text("ascii")
    sig.unlink()
    return text


def test_we_verify_ssh_keygen_signatures(tmp_path: Path, ssh_key: Path) -> None:
    message = tmp_path / "SHA256SUMS"
    message.write_bytes(DATA)
    public = sshsig.parse_ssh_public_key(Path(str(ssh_key) + ".pub").read_text("ascii"))

    armored = _tool_sign(ssh_key, message, NS)
    sshsig.verify(armored, public, DATA, NS)
    prehash = sshsig.new_prehash()
    prehash.update(DATA)
    sshsig.verify_prehashed(armored, public, prehash.digest(), NS)

    with pytest.raises(SignatureInvalid):
        sshsig.verify(armored, public, b"1" + DATA[1:], NS)
    with pytest.raises(SignatureInvalid, match="namespace"):
        sshsig.verify(armored, public, DATA, "file")
    with pytest.raises(SignatureInvalid, match="expected key"):
        sshsig.verify(armored, KEY.public_key, DATA, NS)
    fields = _fields(_blob(armored))
    fields[1] = b"file"
    with pytest.raises(SignatureInvalid, match="does not match"):
        sshsig.verify(_rebuild(fields), public, DATA, "file")


def test_we_verify_ssh_keygen_sha256_signatures(tmp_path: Path, ssh_key: Path) -> None:
    message = tmp_path / "SHA256SUMS"
    message.write_bytes(DATA)
    public = sshsig.parse_ssh_public_key(Path(str(ssh_key) + ".pub").read_text("ascii"))
    armored = _tool_sign(ssh_key, message, "file", "-O", "hashalg=sha256")
    assert sshsig.parse_signature(armored).hash_algorithm == "sha256"
    sshsig.verify(armored, public, DATA, "file")
    with pytest.raises(SignatureInvalid):
        sshsig.verify(armored, public, DATA + b"x", "file")


def test_ssh_keygen_fingerprint_of_a_tool_made_key(ssh_key: Path) -> None:
    pub = Path(str(ssh_key) + ".pub")
    public = sshsig.parse_ssh_public_key(pub.read_text("ascii"))
    result = _run("-lf", str(pub))
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().split()[1] == sshsig.ssh_fingerprint(public)
    assert sshsig.ssh_public_key_line(public, "lawyer@example.org") + "\n" == pub.read_text("ascii")


def test_we_refuse_other_ssh_key_types(tmp_path: Path) -> None:
    key = tmp_path / "id_ecdsa"
    result = _run("-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", str(key))
    assert result.returncode == 0, result.stderr
    with pytest.raises(FormatError, match="ssh-ed25519"):
        sshsig.parse_ssh_public_key(Path(str(key) + ".pub").read_text("ascii"))
    message = tmp_path / "SHA256SUMS"
    message.write_bytes(DATA)
    armored = _tool_sign(key, message, NS)
    with pytest.raises(FormatError, match="ssh-ed25519"):
        sshsig.parse_signature(armored)
