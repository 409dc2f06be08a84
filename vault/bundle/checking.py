"""Checking a bundle file as a lawyer receives it: decrypt it first if it is age-encrypted, then
verify the ZIP. The one way both front ends (``evault verify`` and the app's verify screen) check
a bundle, so they can never check differently.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from crypto.errors import FormatError
from vault.bundle import decrypt
from vault.bundle.signatures import compare_signer
from vault.bundle.verify import Progress, VerifyResult, verify_zip
from vault.errors import Cancelled, InvalidInput
from vault.i18n import _


@dataclass(frozen=True)
class CheckedBundle:
    """What the checks found, and the decrypted ZIP written for the lawyer (None if the file was a
    plain ZIP): a lawyer needs it anyway to look at the evidence."""

    result: VerifyResult
    decrypted: Path | None = None


def verify_bundle(
    path: Path,
    *,
    key: str | None = None,
    identities: Sequence[Path] = (),
    ask_passphrase: Callable[[], str] | None = None,
    decrypted_out: Path | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> CheckedBundle:
    """Verify the bundle at ``path``, decrypting it first when it is encrypted.

    ``key`` is the fingerprint (or public key) the defender gave; ``identities`` are age key files
    (or the bundle's ``.key.age`` file, found beside it when none is given); ``ask_passphrase`` is
    called only if a passphrase-protected key file needs it. The report names the file the lawyer
    received and its SHA-256, not the decrypted copy's.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(
            _("{name} is not a file. Check the name and try again.").format(name=path)
        )
    received = path.name
    encrypted_sha256 = None
    decrypted = None
    if decrypt.is_encrypted(path):
        decrypted, encrypted_sha256 = decrypt.decrypt_bundle(
            path, list(identities), ask_passphrase, decrypted_out, cancel
        )
        path = decrypted
    try:
        result = verify_zip(
            path,
            key=key,
            progress=progress,
            cancel=cancel,
            display_name=received,
            file_sha256=encrypted_sha256,
        )
        if cancel is not None and cancel.is_set():
            # Stopped as the check ended (the app's panic key; a check reads a bundle in one
            # pass and may finish first): the panic wins.
            raise Cancelled(_("The check was stopped before it finished."))
    except Cancelled:
        if decrypted is not None:  # stopped: the copy this check made is not left behind
            decrypted.unlink(missing_ok=True)
        raise
    return CheckedBundle(result, decrypted)


def confirm_signer(result: VerifyResult, typed: str) -> None:
    """Compare the signer of a verified bundle with the digits the lawyer types now (the ones the
    defender gave them): the result becomes verified, or not verified if the digits differ."""
    if result.key_matched is not None or not result.signer_public_key:
        return
    try:
        public_key = base64.b64decode(result.signer_public_key, validate=True)
        compare_signer(result, public_key, typed)
    except (FormatError, ValueError):
        raise InvalidInput(
            _(
                "That is not a fingerprint: it is 30 digits in 6 groups of 5, as the defender "
                "read them to you."
            )
        ) from None
    result.key_expected = typed.strip()
