"""minisign public keys and signatures, made with the vault's Ed25519 identity key.

Lawyers verify an evidence bundle with ``minisign -Vm SHA256SUMS -p keys/evault.pub``. This module
writes those files and reads them back; it never runs minisign. Format
(https://jedisct1.github.io/minisign/), every line ending in ``"\\n"``::

    public key file:  untrusted comment: <text>
                      base64("Ed" || key_id[8] || public_key[32])

    signature file:   untrusted comment: <text>
                      base64("ED" || key_id[8] || Ed25519(BLAKE2b-512(message))[64])
                      trusted comment: <text>
                      base64(Ed25519(signature[64] || trusted_comment_utf8)[64])

The untrusted comment is not signed: anyone can change it. The trusted comment is signed by the
second ("global") signature, so it cannot be changed without the key.

We only write and only accept the prehashed ``"ED"`` algorithm (minisign's default since 0.10).
Legacy ``"Ed"`` signatures (``minisign -S -l``) sign the whole message with pure Ed25519, which needs
the whole file in memory; minisign still verifies them unless given ``-H``, but we refuse them
(:class:`FormatError`), like ``minisign -V -H``.

Readers accept only the exact layout written here and by minisign: ``"\\n"`` line endings, canonical
base64, nothing after the fourth line. So any change to a signature file, except to the text of its
untrusted comment, makes verification fail. Public key files are pasted by people, so
:func:`parse_public_key` is lenient about surrounding whitespace and ``"\\r\\n"``.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from crypto import constants as c
from crypto.errors import FormatError, SignatureInvalid
from crypto.identity import SigningKey
from crypto.identity import verify as _ed25519_verify

_SIG_STRUCT_BYTES = 2 + c.MINISIGN_KEYID_BYTES + 64
_PK_STRUCT_BYTES = 2 + c.MINISIGN_KEYID_BYTES + 32


@dataclass(frozen=True)
class MinisignSignature:
    """The parsed parts of a (prehashed, ``"ED"``) minisign signature file."""

    untrusted_comment: str
    key_id: bytes
    signature: bytes
    trusted_comment: str
    global_signature: bytes


def key_id(public_key: bytes) -> bytes:
    """The 8-byte minisign key id we give a vault key: SHA-256 of a label and the key, truncated.

    minisign key ids are only labels (minisign picks them at random and only compares them, to say
    "signed by a different key" before checking the signature); they carry no security. Deriving the
    id from the public key means the same vault key always produces the same minisign public key
    file, so bundles made on different days can be checked against one saved ``evault.pub``.
    """
    _check_public_key(public_key)
    return hashlib.sha256(c.MINISIGN_KEYID_PREFIX + public_key).digest()[: c.MINISIGN_KEYID_BYTES]


def display_key_id(keyid: bytes) -> str:
    """A key id as minisign prints it: a little-endian number in upper-case hex.

    minisign prints it with ``%" PRIX64`` (in its public key comment and in its "key id ... but the
    key id in the public key is ..." error), so leading zeros are dropped: ``"D91F4EC55B25317"``.
    """
    if len(keyid) != c.MINISIGN_KEYID_BYTES:
        raise FormatError("A minisign key id has the wrong length.")
    return f"{int.from_bytes(keyid, 'little'):X}"


def public_key_base64(public_key: bytes, *, keyid: bytes | None = None) -> str:
    """The public key line alone, as ``minisign -P`` takes it (``"RWQ..."``)."""
    _check_public_key(public_key)
    kid = key_id(public_key) if keyid is None else keyid
    if len(kid) != c.MINISIGN_KEYID_BYTES:
        raise FormatError("A minisign key id has the wrong length.")
    return _b64(c.MINISIGN_PUBLIC_KEY_ALG + kid + public_key)


def public_key_file(public_key: bytes, comment: str) -> str:
    """The contents of a minisign public key file (two lines) for a vault key."""
    _comment_bytes(comment, c.MINISIGN_MAX_UNTRUSTED_COMMENT_BYTES, "An untrusted comment")
    return f"{c.MINISIGN_UNTRUSTED_PREFIX}{comment}\n{public_key_base64(public_key)}\n"


def parse_public_key(text: str | bytes) -> tuple[bytes, bytes]:
    """``(key_id, public_key)`` from a minisign public key file or its bare base64 line.

    Raises :class:`FormatError` for anything else (including keys of another algorithm).
    """
    body = _decode_text(text, "A minisign public key")
    lines = [line.strip() for line in body.strip().split("\n")]
    if len(lines) == 2 and lines[0].startswith(c.MINISIGN_UNTRUSTED_PREFIX.rstrip()):
        encoded = lines[1]
    elif len(lines) == 1:
        encoded = lines[0]
    else:
        raise FormatError(
            "A minisign public key is one base64 line, optionally after an "
            f'"{c.MINISIGN_UNTRUSTED_PREFIX}" line.'
        )
    raw = _b64decode(encoded, _PK_STRUCT_BYTES, "A minisign public key")
    if raw[:2] != c.MINISIGN_PUBLIC_KEY_ALG:
        raise FormatError("This is not a minisign Ed25519 public key.")
    return raw[2 : 2 + c.MINISIGN_KEYID_BYTES], raw[2 + c.MINISIGN_KEYID_BYTES :]


def new_prehash() -> hashlib.blake2b:
    """The streaming hash minisign signs: BLAKE2b-512. Feed it the file, pass ``.digest()`` on."""
    return hashlib.blake2b(digest_size=c.MINISIGN_PREHASH_BYTES)


def sign_prehashed(
    key: SigningKey, blake2b_digest: bytes, *, trusted_comment: str, untrusted_comment: str
) -> str:
    """A minisign signature file for a message whose BLAKE2b-512 digest is ``blake2b_digest``.

    Comments are one line each: ``"\\n"``, ``"\\r"`` and NUL raise :class:`ValueError` (minisign
    itself aborts on a newline in a trusted comment), as do comments longer than the caps in
    :mod:`crypto.constants`.
    """
    if len(blake2b_digest) != c.MINISIGN_PREHASH_BYTES:
        raise ValueError("minisign signs a 64-byte BLAKE2b-512 digest.")
    trusted = _comment_bytes(
        trusted_comment, c.MINISIGN_MAX_TRUSTED_COMMENT_BYTES, "A trusted comment"
    )
    _comment_bytes(
        untrusted_comment, c.MINISIGN_MAX_UNTRUSTED_COMMENT_BYTES, "An untrusted comment"
    )
    signature = key.sign(blake2b_digest)
    global_signature = key.sign(signature + trusted)
    sig_struct = c.MINISIGN_SIG_ALG_PREHASHED + key_id(key.public_key) + signature
    return (
        f"{c.MINISIGN_UNTRUSTED_PREFIX}{untrusted_comment}\n"
        f"{_b64(sig_struct)}\n"
        f"{c.MINISIGN_TRUSTED_PREFIX}{trusted_comment}\n"
        f"{_b64(global_signature)}\n"
    )


def sign(key: SigningKey, data: bytes, *, trusted_comment: str, untrusted_comment: str) -> str:
    """:func:`sign_prehashed` for a message held in memory."""
    prehash = new_prehash()
    prehash.update(data)
    return sign_prehashed(
        key,
        prehash.digest(),
        trusted_comment=trusted_comment,
        untrusted_comment=untrusted_comment,
    )


def parse_signature(signature_text: str | bytes) -> MinisignSignature:
    """The parts of a minisign signature file, without checking any signature.

    Raises :class:`FormatError` unless the file is exactly four ``"\\n"``-terminated lines in the
    layout above, with the ``"ED"`` algorithm.
    """
    body = _decode_text(signature_text, "A minisign signature")
    lines = body.split("\n")
    if len(lines) != 5 or lines[4] != "":
        raise FormatError("A minisign signature is four lines, each ending in a newline.")
    untrusted_line, sig_line, trusted_line, global_line = lines[:4]
    if "\r" in body or "\x00" in body:
        raise FormatError("A minisign signature contains a carriage return or a NUL character.")
    if not untrusted_line.startswith(c.MINISIGN_UNTRUSTED_PREFIX):
        raise FormatError(f'A minisign signature starts with "{c.MINISIGN_UNTRUSTED_PREFIX}".')
    untrusted = untrusted_line[len(c.MINISIGN_UNTRUSTED_PREFIX) :]
    if len(untrusted.encode("utf-8")) > c.MINISIGN_MAX_UNTRUSTED_COMMENT_BYTES:
        raise FormatError("A minisign signature's untrusted comment is too long.")
    raw = _b64decode(sig_line, _SIG_STRUCT_BYTES, "A minisign signature")
    algorithm = raw[:2]
    if algorithm == c.MINISIGN_SIG_ALG_LEGACY:
        raise FormatError(
            "This is a legacy (not prehashed) minisign signature; only prehashed ones are accepted."
        )
    if algorithm != c.MINISIGN_SIG_ALG_PREHASHED:
        raise FormatError("A minisign signature uses an unknown algorithm.")
    if not trusted_line.startswith(c.MINISIGN_TRUSTED_PREFIX):
        raise FormatError(
            f'The third line of a minisign signature starts with "{c.MINISIGN_TRUSTED_PREFIX}".'
        )
    global_signature = _b64decode(global_line, 64, "A minisign signature")
    return MinisignSignature(
        untrusted_comment=untrusted,
        key_id=raw[2 : 2 + c.MINISIGN_KEYID_BYTES],
        signature=raw[2 + c.MINISIGN_KEYID_BYTES :],
        trusted_comment=trusted_line[len(c.MINISIGN_TRUSTED_PREFIX) :],
        global_signature=global_signature,
    )


def verify_prehashed(
    signature_text: str | bytes,
    public_key: bytes,
    blake2b_digest: bytes,
    *,
    keyid: bytes | None = None,
) -> str:
    """Check a minisign signature over a BLAKE2b-512 digest; return the (verified) trusted comment.

    ``keyid`` is the key id from the signer's public key file (see :func:`parse_public_key`); by
    default, the id :func:`key_id` gives a vault key. Raises :class:`SignatureInvalid` if the key id
    differs, the signature does not match, or the trusted comment was changed, and
    :class:`FormatError` if the file is malformed.
    """
    if len(blake2b_digest) != c.MINISIGN_PREHASH_BYTES:
        raise ValueError("minisign signs a 64-byte BLAKE2b-512 digest.")
    _check_public_key(public_key)
    expected_id = key_id(public_key) if keyid is None else keyid
    if len(expected_id) != c.MINISIGN_KEYID_BYTES:
        raise FormatError("A minisign key id has the wrong length.")
    parsed = parse_signature(signature_text)
    if parsed.key_id != expected_id:
        raise SignatureInvalid(
            f"The signature was made by minisign key {display_key_id(parsed.key_id)}, "
            f"not by the expected key {display_key_id(expected_id)}."
        )
    try:
        _ed25519_verify(public_key, parsed.signature, blake2b_digest)
    except SignatureInvalid as exc:
        raise SignatureInvalid("The minisign signature does not match the file.") from exc
    try:
        _ed25519_verify(
            public_key,
            parsed.global_signature,
            parsed.signature + parsed.trusted_comment.encode("utf-8"),
        )
    except SignatureInvalid as exc:
        raise SignatureInvalid("The minisign signature's trusted comment was changed.") from exc
    return parsed.trusted_comment


def verify(
    signature_text: str | bytes, public_key: bytes, data: bytes, *, keyid: bytes | None = None
) -> str:
    """:func:`verify_prehashed` for a message held in memory."""
    prehash = new_prehash()
    prehash.update(data)
    return verify_prehashed(signature_text, public_key, prehash.digest(), keyid=keyid)


# --- helpers --------------------------------------------------------------------------------


def _check_public_key(public_key: bytes) -> None:
    if len(public_key) != 32:
        raise FormatError("An Ed25519 public key is 32 bytes.")


def _comment_bytes(comment: str, limit: int, what: str) -> bytes:
    if "\n" in comment or "\r" in comment or "\x00" in comment:
        raise ValueError(f"{what} must be one line (no newline, carriage return or NUL).")
    try:
        encoded = comment.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{what} is not valid text.") from exc
    if len(encoded) > limit:
        raise ValueError(f"{what} is longer than {limit} bytes.")
    return encoded


def _decode_text(text: str | bytes, what: str) -> str:
    """Cap the size of untrusted input before any work, and make it ``str``."""
    if len(text) > c.MINISIGN_MAX_FILE_BYTES:
        raise FormatError(f"{what} is larger than {c.MINISIGN_MAX_FILE_BYTES} bytes.")
    if isinstance(text, str):
        try:
            encoded = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise FormatError(f"{what} is not valid text.") from exc
        if len(encoded) > c.MINISIGN_MAX_FILE_BYTES:
            raise FormatError(f"{what} is larger than {c.MINISIGN_MAX_FILE_BYTES} bytes.")
        return text
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{what} is not UTF-8 text.") from exc


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _b64decode(text: str, size: int, what: str) -> bytes:
    """Strict base64: exactly ``size`` bytes, and the one canonical spelling of them."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise FormatError(f"{what} is not valid base64.") from exc
    if len(raw) != size or _b64(raw) != text:
        raise FormatError(f"{what} has the wrong length or is not canonical base64.")
    return raw
