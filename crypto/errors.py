"""Errors raised by the pure crypto layer.

Messages never contain secrets (no key, passphrase or plaintext bytes), only what went wrong in words
a person can act on. The vault layer maps these to its own hierarchy (``vault.errors``).
"""


class CryptoError(Exception):
    """Base class for every error raised by :mod:`crypto`."""


class DecryptionFailed(CryptoError):
    """Authenticated decryption failed: wrong key, or the data was changed."""


class FormatError(CryptoError):
    """Input is not in the expected format (truncated, malformed, wrong version)."""


class ParameterError(FormatError):
    """Untrusted parameters (KDF cost, lengths) are outside the caps we accept."""


class SignatureInvalid(CryptoError):
    """A signature does not verify under the expected key."""


class RecoveryKeyTypo(FormatError):
    """A recovery key's check group does not match: most likely a typing mistake."""
