"""Who signed a bundle: the signer the manifest names, the minisign and OpenSSH signatures over
SHA256SUMS, the public key files in ``keys/``, and the comparison with the key the lawyer was given.

The fingerprint in the manifest counts only when it belongs to the public key beside it, and that
key counts only when it is compared with the one the defender gave the lawyer (``--key``): a
forged bundle is signed consistently with its own key.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from crypto import minisign, sshsig
from crypto.errors import CryptoError, FormatError
from crypto.fingerprint import FINGERPRINT_VERSION, fingerprint, fingerprint_v1, matches
from vault.bundle import layout
from vault.bundle.said import joined, say
from vault.bundle.verify_result import VerifyResult
from vault.bundle.zipcheck import Reader
from vault.errors import BundleUnusable
from vault.i18n import N_, _

# Check names and findings said more than once (English in --json, translated where shown).
MINISIGN = say(N_("minisign signature"))
OPENSSH = say(N_("OpenSSH signature"))
HOLDS_ANOTHER = N_("{name} holds another key")
MALFORMED = N_("{name} is malformed")


def b64decode_exact(value: object, length: int) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == length else None


def check_signer(manifest: dict[str, Any], result: VerifyResult) -> bytes:
    signer = manifest["signer"]
    public_key = b64decode_exact(signer.get("public_key"), 32)
    if public_key is None or signer.get("algorithm") != "ed25519":
        raise BundleUnusable(_("The bundle does not name a signing key this program can check."))
    result.bundle_id = str(manifest.get("bundle_id", ""))
    result.created = str(manifest.get("created", ""))
    result.case = manifest.get("case") if isinstance(manifest.get("case"), str) else None
    result.note = manifest.get("note") if isinstance(manifest.get("note"), str) else None
    result.signer_fingerprint = fingerprint(public_key)
    result.signer_ssh_fingerprint = sshsig.ssh_fingerprint(public_key)
    result.signer_public_key = base64.b64encode(public_key).decode("ascii")
    # Version 1 bundles wrote the older form of the fingerprint (docs/format.md §4).
    written = (
        fingerprint_v1(public_key) if manifest.get("version") == 1 else fingerprint(public_key)
    )
    result.check(
        say(N_("Signer named in the manifest")),
        signer.get("fingerprint") == written,
        say(
            N_("the bundle says it was signed by the key with fingerprint {fingerprint}"),
            fingerprint=result.signer_fingerprint,
        )
        if signer.get("fingerprint") == written
        else say(N_("the fingerprint written in the manifest does not belong to its public key")),
    )
    return public_key


def check_signatures(
    reader: Reader,
    public_key: bytes,
    manifest: dict[str, Any],
    result: VerifyResult,
    expected: bytes | str | None,
) -> None:
    sums = reader.small(layout.SUMS, layout.MAX_DOCUMENT_BYTES)
    minisig = reader.small(layout.MINISIG, layout.MAX_MINISIG_BYTES)
    sshsig_text = reader.small(layout.SSHSIG, layout.MAX_SSHSIG_BYTES)
    if sums is None:
        result.check(MINISIGN, False, say(N_("SHA256SUMS is missing or unreadable")))
        result.check(OPENSSH, False, say(N_("SHA256SUMS is missing or unreadable")))
    else:
        try:
            comment = minisign.verify((minisig or b"").decode("ascii"), public_key, sums)
            ok = f"bundle {result.bundle_id}" in comment
            untrusted = minisign.parse_signature(minisig or b"").untrusted_comment
            if not ok:
                detail = say(N_("valid, but names another bundle"))
            elif untrusted != layout.MINISIG_UNTRUSTED_COMMENT:
                ok = False
                detail = say(N_("valid, but its unsigned comment line was changed after signing"))
            else:
                detail = say(N_("valid; trusted comment: {comment}"), comment=comment)
            result.check(MINISIGN, ok, detail)
        except (CryptoError, UnicodeDecodeError):
            result.check(
                MINISIGN, False, say(N_("SHA256SUMS.minisig is missing or does not verify"))
            )
        try:
            sshsig.verify((sshsig_text or b"").decode("ascii"), public_key, sums, layout.NAMESPACE)
            result.check(
                OPENSSH, True, say(N_("valid (namespace {namespace})"), namespace=layout.NAMESPACE)
            )
        except (CryptoError, UnicodeDecodeError):
            result.check(OPENSSH, False, say(N_("SHA256SUMS.sig is missing or does not verify")))
    _key_files(reader, public_key, result)
    if expected is None:
        result.key_matched = None
        return
    compare_signer(result, public_key, expected)


def compare_signer(result: VerifyResult, public_key: bytes, expected: bytes | str) -> None:
    """Record whether the bundle's signer is the key the lawyer was given (fingerprint digits in
    either form, or a public key): the one check that tells the defender's bundle from a forgery."""
    version: int | None = None
    if isinstance(expected, str):
        version = matches(public_key, expected)
        matched = version is not None
    else:
        matched = expected == public_key
    result.key_matched = matched
    if not matched:
        different = (
            N_(
                "DIFFERENT from the fingerprint you gave: this bundle was signed by another key, "
                "whose fingerprint is {fingerprint}"
            )
            if isinstance(expected, str)
            else N_(
                "DIFFERENT from the key you gave: this bundle was signed by another key, "
                "whose fingerprint is {fingerprint}"
            )
        )
        detail = say(different, fingerprint=result.signer_fingerprint)
    elif version is not None and version != FINGERPRINT_VERSION:
        detail = say(N_("matches the fingerprint you gave (in its older form, from evault 0.1)"))
    elif version:
        detail = say(N_("matches the fingerprint you gave"))
    else:
        detail = say(N_("matches the key you gave"))
    result.check(say(N_("Signer is the expected key")), matched, detail)


def _key_files(reader: Reader, public_key: bytes, result: VerifyResult) -> None:
    problems: list[Any] = []
    mini = reader.small(layout.KEY_MINISIGN, layout.MAX_KEY_FILE_BYTES)
    ssh = reader.small(layout.KEY_SSH, layout.MAX_KEY_FILE_BYTES)
    allowed = reader.small(layout.ALLOWED_SIGNERS, layout.MAX_KEY_FILE_BYTES)
    try:
        if mini is None or minisign.parse_public_key(mini) != (
            minisign.key_id(public_key),
            public_key,
        ):
            problems.append(say(HOLDS_ANOTHER, name=layout.KEY_MINISIGN))
    except (FormatError, UnicodeDecodeError):
        problems.append(say(MALFORMED, name=layout.KEY_MINISIGN))
    try:
        if ssh is None or sshsig.parse_ssh_public_key(ssh.strip()) != public_key:
            problems.append(say(HOLDS_ANOTHER, name=layout.KEY_SSH))
    except (FormatError, UnicodeDecodeError):
        problems.append(say(MALFORMED, name=layout.KEY_SSH))
    expected_line = sshsig.allowed_signers_line(layout.PRINCIPAL, public_key, layout.NAMESPACE)
    if allowed is None or allowed.decode("ascii", "replace").strip() != expected_line:
        problems.append(say(N_("{name} does not name the signer"), name=layout.ALLOWED_SIGNERS))
    result.check(
        say(N_("Public key files in keys/")),
        not problems,
        joined(problems) or say(N_("all three hold the signer's key")),
    )
