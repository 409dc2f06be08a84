"""The vault identity: an Ed25519 key pair, and how custody events name it.

The fingerprint people read aloud is in :mod:`crypto.fingerprint`.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from crypto import constants as c
from crypto.errors import FormatError, SignatureInvalid


@dataclass(frozen=True, repr=False)
class SigningKey:
    """An Ed25519 private key. ``repr`` never shows the secret."""

    secret: bytes

    def __repr__(self) -> str:
        return "SigningKey(<secret>)"

    @classmethod
    def generate(cls) -> SigningKey:
        raw = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        return cls(raw)

    @functools.cached_property
    def _key(self) -> Ed25519PrivateKey:
        # Built once: a vault signs an event for every item added.
        return Ed25519PrivateKey.from_private_bytes(self.secret)

    @functools.cached_property
    def public_key(self) -> bytes:
        return self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)


def verify(public_key: bytes, signature: bytes, message: bytes) -> None:
    """Raise :class:`SignatureInvalid` unless ``signature`` is valid for ``message``."""
    if len(public_key) != 32 or len(signature) != 64:
        raise SignatureInvalid("A signature or public key has the wrong length.")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError) as exc:
        raise SignatureInvalid("A signature does not match.") from exc


def actor_id(public_key: bytes) -> str:
    """The ``actor`` field of custody events: ``ed25519:`` + base64 of the raw public key."""
    return c.ACTOR_PREFIX + base64.b64encode(public_key).decode("ascii")


def public_key_from_actor(actor: str) -> bytes:
    if not actor.startswith(c.ACTOR_PREFIX):
        raise FormatError("A custody event names an unknown kind of signer.")
    try:
        raw = base64.b64decode(actor[len(c.ACTOR_PREFIX) :], validate=True)
    except ValueError as exc:
        raise FormatError("A custody event's signer is malformed.") from exc
    if len(raw) != 32:
        raise FormatError("A custody event's signer is malformed.")
    return raw
