"""SSH signatures (``ssh-keygen -Y sign`` / ``-Y verify``), made with the vault's Ed25519 key.

Lawyers verify an evidence bundle with ``ssh-keygen -Y verify -f keys/allowed_signers -I <principal>
-n evault-bundle-v1 -s SHA256SUMS.sig < SHA256SUMS``. This module writes the signature, the public
key line and the ``allowed_signers`` line, and reads signatures back; it never runs ssh-keygen.

Format (OpenSSH ``PROTOCOL.sshsig``; ``string`` is a uint32 big-endian length, then the bytes)::

    blob        = "SSHSIG" || uint32 1 || string publickey || string namespace
                  || string reserved ("") || string hash_algorithm || string signature
    publickey   = string "ssh-ed25519" || string public_key[32]
    signature   = string "ssh-ed25519" || string Ed25519(signed_data)[64]
    signed_data = "SSHSIG" || string namespace || string reserved ("")
                  || string hash_algorithm || string H(message)
    file        = "-----BEGIN SSH SIGNATURE-----\\n" || base64(blob) wrapped at 70 columns
                  || "\\n-----END SSH SIGNATURE-----\\n"

We write ``sha512``; readers accept ``sha512`` and ``sha256`` (as OpenSSH does) and only
``ssh-ed25519`` keys. The namespace is signed, so a signature made for one purpose (say
``evault-bundle-v1``) cannot be passed off as one for another.

Readers accept only the exact layout ssh-keygen and this module write (70 columns, ``"\\n"``,
canonical base64, nothing after the end line), so any changed byte is detected. ssh-keygen itself
ignores line wrapping and anything after the end line, and refuses ``"\\r\\n"``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from dataclasses import dataclass
from typing import Protocol

from crypto import constants as c
from crypto.errors import FormatError, SignatureInvalid
from crypto.identity import SigningKey
from crypto.identity import verify as _ed25519_verify

_HASHES = {c.SSHSIG_HASH_SHA512: hashlib.sha512, c.SSHSIG_HASH_SHA256: hashlib.sha256}
_DIGEST_BYTES = {c.SSHSIG_HASH_SHA512: 64, c.SSHSIG_HASH_SHA256: 32}
# Principals and namespaces are pattern lists in allowed_signers ("*", "?", "!" and "," mean
# something there), so we only write plain names.
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9@._+-]*")
_KEY_TYPE = c.SSH_ED25519_KEY_TYPE.encode("ascii")


class Hasher(Protocol):
    """What :func:`new_prehash` returns: feed it the message, then pass ``.digest()`` on."""

    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...


@dataclass(frozen=True)
class SshSignature:
    """The parsed parts of an armored SSH signature."""

    public_key: bytes
    namespace: str
    hash_algorithm: str
    signature: bytes


def public_key_blob(public_key: bytes) -> bytes:
    """The SSH wire encoding of an Ed25519 public key: ``string "ssh-ed25519" || string key``."""
    _check_public_key(public_key)
    return _string(_KEY_TYPE) + _string(public_key)


def ssh_public_key_line(public_key: bytes, comment: str = "") -> str:
    """``"ssh-ed25519 AAAA... comment"`` (no newline), as in ``id_ed25519.pub``."""
    _check_line_text(comment, "A key comment")
    encoded = base64.b64encode(public_key_blob(public_key)).decode("ascii")
    line = f"{c.SSH_ED25519_KEY_TYPE} {encoded}"
    return f"{line} {comment}" if comment else line


def parse_ssh_public_key(line: str | bytes) -> bytes:
    """The 32-byte key from an ``ssh-ed25519 AAAA... [comment]`` line; :class:`FormatError` else."""
    text = _decode_text(line, c.SSH_MAX_PUBLIC_KEY_LINE_BYTES, "An SSH public key")
    parts = text.strip().split(maxsplit=2)
    if len(parts) < 2 or "\n" in text.strip():
        raise FormatError('An SSH public key is one line: "ssh-ed25519 AAAA... comment".')
    if parts[0] != c.SSH_ED25519_KEY_TYPE:
        raise FormatError("Only ssh-ed25519 public keys are supported.")
    blob = _b64decode(parts[1], "An SSH public key")
    return _parse_public_key_blob(blob)


def ssh_fingerprint(public_key: bytes) -> str:
    """``"SHA256:..."``, the fingerprint ``ssh-keygen -l`` prints for this key."""
    digest = hashlib.sha256(public_key_blob(public_key)).digest()
    return c.SSH_FINGERPRINT_PREFIX + base64.b64encode(digest).decode("ascii").rstrip("=")


def allowed_signers_line(principal: str, public_key: bytes, namespace: str) -> str:
    """One ``allowed_signers`` line (no newline), restricted to ``namespace``.

    ``principal`` and ``namespace`` must be plain names (letters, digits, ``@._+-``; no wildcards,
    commas, quotes or spaces) or :class:`ValueError` is raised, because ssh-keygen reads both as
    pattern lists: a principal ``evault-*`` would match any ``-I`` starting with ``evault-``.
    """
    _check_name(principal, "A principal")
    _check_name(namespace, "A namespace")
    return f'{principal} namespaces="{namespace}" {ssh_public_key_line(public_key)}'


def new_prehash() -> Hasher:
    """The streaming hash we sign with: SHA-512."""
    return hashlib.sha512()


def sign_prehashed(key: SigningKey, sha512_digest: bytes, namespace: str) -> str:
    """An armored SSH signature (``sha512``) for a message whose SHA-512 digest is given."""
    if len(sha512_digest) != _DIGEST_BYTES[c.SSHSIG_HASH_SHA512]:
        raise ValueError("sign_prehashed takes a 64-byte SHA-512 digest.")
    _check_name(namespace, "A namespace")
    ns = namespace.encode("ascii")
    alg = c.SSHSIG_HASH_SHA512.encode("ascii")
    signature = key.sign(_signed_data(ns, alg, sha512_digest))
    blob = (
        c.SSHSIG_MAGIC
        + struct.pack(">I", c.SSHSIG_VERSION)
        + _string(public_key_blob(key.public_key))
        + _string(ns)
        + _string(b"")
        + _string(alg)
        + _string(_string(_KEY_TYPE) + _string(signature))
    )
    return _armor(blob)


def sign(key: SigningKey, data: bytes, namespace: str) -> str:
    """:func:`sign_prehashed` for a message held in memory."""
    return sign_prehashed(key, hashlib.sha512(data).digest(), namespace)


def parse_signature(armored: str | bytes) -> SshSignature:
    """The parts of an armored SSH signature, without checking the signature.

    Raises :class:`FormatError` for bad armor, a version other than 1, a key type other than
    ``ssh-ed25519``, a hash other than ``sha512``/``sha256``, a non-empty reserved field or
    trailing bytes.
    """
    text = _decode_text(armored, c.SSHSIG_MAX_ARMORED_BYTES, "An SSH signature")
    lines = text.split("\n")
    if (
        len(lines) < 4
        or lines[0] != c.SSHSIG_ARMOR_BEGIN
        or lines[-2] != c.SSHSIG_ARMOR_END
        or lines[-1] != ""
    ):
        raise FormatError(
            f'An SSH signature is "{c.SSHSIG_ARMOR_BEGIN}", base64 lines, then '
            f'"{c.SSHSIG_ARMOR_END}" and a newline.'
        )
    blob = _b64decode("".join(lines[1:-2]), "An SSH signature")
    if _armor(blob) != text:
        raise FormatError("An SSH signature is not wrapped at 70 columns as ssh-keygen writes it.")

    reader = _Reader(blob)
    if reader.take(len(c.SSHSIG_MAGIC)) != c.SSHSIG_MAGIC:
        raise FormatError("This is not an SSH signature (no SSHSIG header).")
    if reader.uint32() != c.SSHSIG_VERSION:
        raise FormatError("This SSH signature has an unsupported version.")
    public_key = _parse_public_key_blob(reader.string())
    namespace = _utf8(reader.string(), "namespace")
    if reader.string() != b"":
        raise FormatError("This SSH signature has a non-empty reserved field.")
    hash_algorithm = _utf8(reader.string(), "hash algorithm")
    if hash_algorithm not in _HASHES:
        raise FormatError("This SSH signature uses an unsupported hash algorithm.")
    sig_reader = _Reader(reader.string())
    reader.end()
    if sig_reader.string() != _KEY_TYPE:
        raise FormatError("Only ssh-ed25519 signatures are supported.")
    signature = sig_reader.string()
    sig_reader.end()
    if len(signature) != 64:
        raise FormatError("An Ed25519 signature is 64 bytes.")
    return SshSignature(public_key, namespace, hash_algorithm, signature)


def verify_prehashed(
    armored: str | bytes,
    public_key: bytes,
    digest: bytes,
    namespace: str,
    *,
    hash_algorithm: str = c.SSHSIG_HASH_SHA512,
) -> None:
    """Check an SSH signature over a message whose ``hash_algorithm`` digest is ``digest``.

    Raises :class:`SignatureInvalid` if the signature is by another key, for another namespace,
    over another hash than ``hash_algorithm`` (see :attr:`SshSignature.hash_algorithm`), or does not
    match; :class:`FormatError` if it is malformed.
    """
    if hash_algorithm not in _HASHES or len(digest) != _DIGEST_BYTES[hash_algorithm]:
        raise ValueError("digest must be a SHA-512 or SHA-256 digest named by hash_algorithm.")
    _check_public_key(public_key)
    parsed = parse_signature(armored)
    if parsed.public_key != public_key:
        raise SignatureInvalid(
            f"The SSH signature was made by key {ssh_fingerprint(parsed.public_key)}, "
            f"not by the expected key {ssh_fingerprint(public_key)}."
        )
    if parsed.namespace != namespace:
        raise SignatureInvalid(
            f"The SSH signature is for namespace {parsed.namespace!r}, not {namespace!r}."
        )
    if parsed.hash_algorithm != hash_algorithm:
        raise SignatureInvalid(
            f"The SSH signature is over a {parsed.hash_algorithm} hash, not {hash_algorithm}."
        )
    signed = _signed_data(
        parsed.namespace.encode("utf-8"), parsed.hash_algorithm.encode("ascii"), digest
    )
    try:
        _ed25519_verify(public_key, parsed.signature, signed)
    except SignatureInvalid as exc:
        raise SignatureInvalid("The SSH signature does not match the file.") from exc


def verify(armored: str | bytes, public_key: bytes, data: bytes, namespace: str) -> None:
    """:func:`verify_prehashed` for a message held in memory (``sha512`` or ``sha256``)."""
    algorithm = parse_signature(armored).hash_algorithm
    digest = _HASHES[algorithm](data).digest()
    verify_prehashed(armored, public_key, digest, namespace, hash_algorithm=algorithm)


# --- helpers --------------------------------------------------------------------------------


class _Reader:
    """Reads SSH wire fields from untrusted bytes; every overrun is a :class:`FormatError`."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def take(self, size: int) -> bytes:
        if size > len(self._data) - self._pos:
            raise FormatError("An SSH signature or key is truncated.")
        chunk = self._data[self._pos : self._pos + size]
        self._pos += size
        return chunk

    def uint32(self) -> int:
        value: int = struct.unpack(">I", self.take(4))[0]
        return value

    def string(self) -> bytes:
        return self.take(self.uint32())

    def end(self) -> None:
        if self._pos != len(self._data):
            raise FormatError("An SSH signature or key has trailing bytes.")


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _signed_data(namespace: bytes, hash_algorithm: bytes, digest: bytes) -> bytes:
    return (
        c.SSHSIG_MAGIC
        + _string(namespace)
        + _string(b"")
        + _string(hash_algorithm)
        + _string(digest)
    )


def _armor(blob: bytes) -> str:
    encoded = base64.b64encode(blob).decode("ascii")
    step = c.SSHSIG_ARMOR_COLUMNS
    body = "\n".join(encoded[i : i + step] for i in range(0, len(encoded), step))
    return f"{c.SSHSIG_ARMOR_BEGIN}\n{body}\n{c.SSHSIG_ARMOR_END}\n"


def _parse_public_key_blob(blob: bytes) -> bytes:
    reader = _Reader(blob)
    if reader.string() != _KEY_TYPE:
        raise FormatError("Only ssh-ed25519 keys are supported.")
    public_key = reader.string()
    reader.end()
    if len(public_key) != 32:
        raise FormatError("An Ed25519 public key is 32 bytes.")
    return public_key


def _check_public_key(public_key: bytes) -> None:
    if len(public_key) != 32:
        raise FormatError("An Ed25519 public key is 32 bytes.")


def _check_name(name: str, what: str) -> None:
    if len(name) > c.SSH_MAX_NAME_CHARS or not _NAME_RE.fullmatch(name):
        raise ValueError(
            f"{what} must be 1 to {c.SSH_MAX_NAME_CHARS} letters, digits or @._+- "
            "(starting with a letter or digit)."
        )


def _check_line_text(text: str, what: str) -> None:
    if "\n" in text or "\r" in text or "\x00" in text:
        raise ValueError(f"{what} must be one line.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{what} is not valid text.") from exc


def _utf8(raw: bytes, field: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormatError(f"An SSH signature's {field} is not UTF-8.") from exc


def _decode_text(text: str | bytes, limit: int, what: str) -> str:
    """Cap the size of untrusted input before any work, and make it ``str``."""
    if len(text) > limit:
        raise FormatError(f"{what} is larger than {limit} bytes.")
    if isinstance(text, bytes):
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(f"{what} is not UTF-8 text.") from exc
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise FormatError(f"{what} is not valid text.") from exc
    if len(encoded) > limit:
        raise FormatError(f"{what} is larger than {limit} bytes.")
    return text


def _b64decode(text: str, what: str) -> bytes:
    """Strict base64: the one canonical spelling of the bytes."""
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise FormatError(f"{what} is not valid base64.") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise FormatError(f"{what} is not canonical base64.")
    return raw
