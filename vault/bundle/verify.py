"""Checking an evidence bundle without a vault (docs/format.md §6.4).

The ZIP is read in place: nothing is extracted, member names are never used as paths, and every
size is capped before it is read. Problems found in the evidence are collected and reported item by
item (the bundle "does not verify"); input that cannot be read at all raises :class:`BundleUnusable`.

This module reads the bundle and runs the checks in order; each kind of check has its module:
``zipcheck`` (the ZIP's records, and safe access to its members), ``signatures`` (the signer, the
two signatures, the key files), ``members`` (SHA256SUMS, the files and the manifest's items) and
``custody_check`` (the chain of custody against the manifest, with ``records_check`` for
imported messages' creation records). ``verify_result`` holds what is
reported; its types are importable from here too.
"""

from __future__ import annotations

import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from crypto import minisign, sshsig
from crypto.canonical import parse_canonical
from crypto.errors import FormatError
from crypto.fingerprint import normalize_fingerprint
from vault.bundle import layout
from vault.bundle.custody_check import check_custody, read_chain
from vault.bundle.members import check_members, check_sums, member_digests
from vault.bundle.said import joined, say, ungettext
from vault.bundle.signatures import b64decode_exact, check_signatures, check_signer
from vault.bundle.source import Source, on_disk
from vault.bundle.timestamp_check import check_timestamps
from vault.bundle.verify_result import TOOL, Check, ItemResult, Progress, VerifyResult
from vault.bundle.zipcheck import READ_BLOCK, Reader, layout_problem
from vault.clock import format_utc, utc_now
from vault.errors import BundleUnusable
from vault.i18n import N_, _
from vault.imports.parsers import ziplayout

__all__ = [
    "READ_BLOCK",
    "TOOL",
    "Check",
    "ItemResult",
    "Progress",
    "VerifyResult",
    "parse_expected_key",
    "verify_zip",
]


def parse_expected_key(text: str) -> bytes | str:
    """``--key``: a 30-digit fingerprint (returned as text) or a public key (returned as bytes):
    a minisign public key line, an ``ssh-ed25519`` line, or base64 of the raw 32 bytes."""
    cleaned = text.strip()
    try:
        return normalize_fingerprint(cleaned)
    except FormatError:
        pass
    if cleaned.startswith("ssh-ed25519"):
        try:
            return sshsig.parse_ssh_public_key(cleaned)
        except FormatError:
            pass
    try:
        return minisign.parse_public_key(cleaned)[1]
    except FormatError:
        pass
    raw = b64decode_exact(cleaned, 32)
    if raw is not None:
        return raw
    raise BundleUnusable(
        _("The --key value is neither a fingerprint (30 digits in 6 groups) nor a public key.")
    )


def verify_zip(
    path: Path,
    *,
    key: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    now: datetime | None = None,
    display_name: str | None = None,
    file_sha256: str | None = None,
    source: Source | None = None,
) -> VerifyResult:
    """Verify a bundle ZIP: the file at ``path``, or the bytes of ``source`` (an encrypted
    bundle's plaintext, decrypted as read; ``path`` then names the encrypted file). Never writes
    anything."""
    expected = parse_expected_key(key) if key else None
    result = VerifyResult(
        bundle_name=display_name or path.name,
        bundle_sha256=file_sha256 or "",
        checked_at=format_utc(now or utc_now()),
        key_expected=key.strip() if key else None,
    )
    try:
        source = source or on_disk(path, hash_file=not file_sha256)
        archive_size = source.size
        with source.open() as raw:
            claimed = ziplayout.claimed_members(raw, archive_size)
        if claimed is not None and claimed > layout.MAX_MEMBERS:
            raise BundleUnusable(
                _("This file has far more members than any bundle; it was refused.")
            )
        zip_file = source.open()
        try:
            zf = zipfile.ZipFile(zip_file)
        except BaseException:
            zip_file.close()
            raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise BundleUnusable(
            _(
                "{name} is not a readable bundle (not a ZIP file, or cut short). "
                "Ask for it to be sent again."
            ).format(name=result.bundle_name)
        ) from None
    with zip_file, zf:
        reader = Reader(zf)
        try:
            with source.open() as raw:
                problems = reader.inventory(archive_size, raw)
                odd = layout_problem(raw, zf.infolist(), zf.start_dir, archive_size)
        except (zipfile.BadZipFile, ValueError) as exc:
            raise BundleUnusable(
                _("{name} is not a readable bundle ({problem}).").format(
                    name=result.bundle_name, problem=exc
                )
            ) from None
        except OSError:
            raise BundleUnusable(
                _("{name} could not be read. Check the path.").format(name=result.bundle_name)
            ) from None
        if odd is not None:
            problems.append(odd)
        result.check(
            say(N_("ZIP structure")),
            not problems,
            joined(problems)
            or ungettext(
                "{n} member, names and sizes safe",
                "{n} members, names and sizes safe",
                len(reader.members),
            ),
        )
        manifest = _manifest(reader)
        public_key = check_signer(manifest, result)
        check_signatures(reader, public_key, manifest, result, expected)
        sums = check_sums(reader, result)
        # The chain's signatures and links are checked on a thread of their own while this one
        # reads the bytes: that Python work overlaps the hashing instead of following it.
        with ThreadPoolExecutor(1, thread_name_prefix="evault-verify-chain") as pool:
            pending = pool.submit(read_chain, reader, manifest, public_key)
            try:
                whole, actual = member_digests(
                    source, reader, sums, progress=progress, cancel=cancel
                )
            except OSError:
                raise BundleUnusable(
                    _("{name} could not be read. Check the path.").format(name=result.bundle_name)
                ) from None
            chain = pending.result()
        result.bundle_sha256 = file_sha256 or whole or ""
        check_members(actual, reader, sums, manifest, result)
        creations = check_custody(reader, manifest, chain, result)
        check_timestamps(reader, manifest, result, creations.seqs)
    return result


def _manifest(reader: Reader) -> dict[str, Any]:
    data = reader.small(layout.MANIFEST, layout.MAX_DOCUMENT_BYTES)
    if data is None:
        raise BundleUnusable(
            _(
                "This file has no readable manifest.json, so it is not an evidence bundle "
                "(or it is damaged). Ask for it to be sent again."
            )
        )
    try:
        manifest = parse_canonical(data, max_bytes=layout.MAX_DOCUMENT_BYTES)
    except FormatError:
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != layout.FORMAT:
        raise BundleUnusable(
            _("manifest.json is damaged or not in the bundle format, so nothing can be checked.")
        )
    if manifest.get("version") not in layout.VERSIONS_READ:
        raise BundleUnusable(
            _("This bundle was made by a newer version of evidence-vault. Install it to verify.")
        )
    if (
        not isinstance(manifest.get("items"), list)
        or not isinstance(manifest.get("signer"), dict)
        or not all(isinstance(manifest.get(k), str) for k in ("bundle_id", "created", "vault_id"))
        or any(not isinstance(manifest.get(k), str | None) for k in ("case", "note"))
    ):
        raise BundleUnusable(_("manifest.json is damaged, so nothing can be checked."))
    return manifest
