"""Checking a bundle file as a lawyer receives it: the ZIP, or an age-encrypted bundle (decrypted
to a copy and the copy verified, or read in place without a copy). The one way both front ends
(``evault verify`` and the app's verify screen) check a bundle, so they can never check
differently.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from crypto.errors import DecryptionFailed, FormatError
from vault.bundle import decrypt
from vault.bundle.signatures import compare_signer
from vault.bundle.source import FileDigest, Source
from vault.bundle.verify import Progress, VerifyResult, verify_zip
from vault.errors import BundleUnusable, Cancelled, InvalidInput
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
    keep_decrypted: bool = True,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> CheckedBundle:
    """Verify the bundle at ``path``; an encrypted one is decrypted first, or read in place.

    ``key`` is the fingerprint (or public key) the defender gave; ``identities`` are age key files
    (or the bundle's ``.key.age`` file, found beside it when none is given); ``ask_passphrase`` is
    called only if a passphrase-protected key file needs it. An encrypted bundle's decrypted copy
    is written to ``decrypted_out`` (default: beside it) unless ``keep_decrypted`` is False. The
    report names the file the lawyer received and its SHA-256, not the decrypted copy's.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(
            _("{name} is not a file. Check the name and try again.").format(name=path)
        )
    if decrypt.is_encrypted(path):
        return _verify_encrypted(
            path,
            key=key,
            identities=list(identities),
            ask_passphrase=ask_passphrase,
            copy_to=decrypted_out,
            keep=keep_decrypted,
            progress=progress,
            cancel=cancel,
        )
    result = verify_zip(path, key=key, progress=progress, cancel=cancel)
    _stop_if_cancelled(cancel)
    return CheckedBundle(result)


def _stop_if_cancelled(cancel: threading.Event | None) -> None:
    # Stopped as the check ended (the app's panic key; a check reads a bundle in one pass and
    # may finish first): the panic wins.
    if cancel is not None and cancel.is_set():
        raise Cancelled(_("The check was stopped before it finished."))


def _verify_encrypted(
    path: Path,
    *,
    key: str | None,
    identities: list[Path],
    ask_passphrase: Callable[[], str] | None,
    copy_to: Path | None,
    keep: bool,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> CheckedBundle:
    """With a copy kept: decrypted to it first, then the copy verified. Without: one pass over
    the plaintext, decrypted as it is read, the encrypted file hashed beside it; nothing is
    written."""
    keys = decrypt.load_identities(decrypt.identity_files_for(path, identities), ask_passphrase)
    if keep:
        target = decrypt.copy_target(path, copy_to)
        encrypted_sha256 = decrypt.decrypt_to(path, keys, target, cancel)
        try:
            result = verify_zip(
                target,
                key=key,
                progress=progress,
                cancel=cancel,
                display_name=path.name,
                file_sha256=encrypted_sha256,
            )
            _stop_if_cancelled(cancel)
        except Cancelled:  # stopped: the copy this check made is not left behind
            target.unlink(missing_ok=True)
            raise
        return CheckedBundle(result, target)
    with decrypt.open_encrypted(path, keys) as plain, FileDigest(path) as digest:
        source = Source(
            plain.size,
            lambda: cast(BinaryIO, plain.reader()),  # a RawIOBase: read, seek, tell
            hash_file=False,
        )
        try:
            result = verify_zip(path, key=key, progress=progress, cancel=cancel, source=source)
        except DecryptionFailed as exc:  # a chunk found damaged when it was read
            raise BundleUnusable(str(exc)) from None
        _stop_if_cancelled(cancel)
        try:
            result.bundle_sha256 = digest.hexdigest()
        except OSError:
            raise BundleUnusable(
                _("{name} could not be read. Check the path.").format(name=path.name)
            ) from None
    return CheckedBundle(result)


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
