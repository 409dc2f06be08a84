"""Checking an evidence bundle without a vault (docs/format.md §6.4).

The ZIP is read in place: nothing is extracted, member names are never used as paths, and every
size is capped before it is read. Problems found in the evidence are collected and reported item by
item (the bundle "does not verify"); input that cannot be read at all raises :class:`BundleUnusable`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import stat
import struct
import threading
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from crypto import minisign, sshsig
from crypto.canonical import canonical_json, parse_canonical
from crypto.custody import SignedEvent, check_chain, replay_metadata
from crypto.errors import CryptoError, FormatError
from crypto.identity import fingerprint, normalize_fingerprint
from crypto.sums import parse_sums
from vault.bundle import layout
from vault.clock import format_utc, utc_now
from vault.errors import BundleUnusable, Cancelled
from vault.version import VERSION

TOOL = "evidence-vault (evault verify)"
READ_BLOCK = 1024 * 1024
Progress = Callable[[int, int | None], None]
_READ_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    ValueError,
    EOFError,
    NotImplementedError,
    RuntimeError,
)

# The ZIP records export writes (Python's zipfile, streaming: docs/format.md §6).
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_END64 = struct.Struct("<4sQ2H2L4Q")
_END64_LOCATOR = struct.Struct("<4sLQL")
_DESCRIPTOR_FLAG = 0x08  # bit 3: CRC and sizes follow the data (export streams)
_DESCRIPTOR_SIGNATURE = 0x08074B50
_REGULAR_FILE = 0o100644 << 16
_UNIX = 3


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class ItemResult:
    path: str
    title: str
    sha256: str
    size: int
    ok: bool = True
    problems: list[str] = field(default_factory=list)

    def fail(self, problem: str) -> None:
        self.ok = False
        self.problems.append(problem)


@dataclass
class VerifyResult:
    bundle_name: str
    bundle_sha256: str
    checked_at: str
    tool: str = TOOL
    tool_version: str = VERSION
    bundle_id: str = ""
    created: str = ""
    case: str | None = None
    note: str | None = None
    signer_fingerprint: str = ""
    signer_ssh_fingerprint: str = ""
    key_expected: str | None = None
    key_matched: bool | None = None
    checks: list[Check] = field(default_factory=list)
    items: list[ItemResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks) and all(i.ok for i in self.items)

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def _b64decode(value: object, length: int) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == length else None


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
    raw = _b64decode(cleaned, 32)
    if raw is not None:
        return raw
    raise BundleUnusable(
        "The --key value is neither a fingerprint (30 digits in 6 groups) nor a public key."
    )


class _Reader:
    """Safe access to the members of an open ZIP."""

    def __init__(self, zf: zipfile.ZipFile, result: VerifyResult) -> None:
        self.zf = zf
        self.result = result
        self.members: dict[str, zipfile.ZipInfo] = {}

    def inventory(self, archive_size: int) -> list[str]:
        """Check names, kinds, sizes and layout of every member; return what is wrong."""
        problems: list[str] = []
        infos = self.zf.infolist()
        if len(infos) > layout.MAX_MEMBERS:
            raise BundleUnusable("This file has far more members than any bundle; it was refused.")
        seen: set[str] = set()
        for info in infos:
            name = info.filename
            if name in seen:
                problems.append(
                    f"the member name {name!r} appears twice (one copy could hide another)"
                )
                continue
            seen.add(name)
            kind = stat.S_IFMT(info.external_attr >> 16)
            if not layout.is_safe_member_name(name):
                problems.append(
                    f"a member has an unsafe name {name[:80]!r} (ignored, never written)"
                )
            elif info.is_dir() or (kind and kind != stat.S_IFREG):
                problems.append(f"{name} is not a regular file (a folder or link); it was ignored")
            elif info.flag_bits & ~_DESCRIPTOR_FLAG:
                problems.append(
                    f"{name} uses ZIP features bundles never use (such as encryption); it was ignored"
                )
            elif info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
                problems.append(
                    f"{name} is compressed or its size is inconsistent; bundles store files as they are"
                )
            elif info.file_size > archive_size:
                problems.append(f"{name} claims to be larger than the whole file")
            else:
                self.members[name] = info
        ordered = sorted(self.members.values(), key=lambda i: i.header_offset)
        for before, after in itertools.pairwise(ordered):
            if before.header_offset + before.compress_size > after.header_offset:
                problems.append(f"{before.filename} overlaps {after.filename} inside the ZIP")
        return problems

    def small(self, name: str, cap: int) -> bytes | None:
        info = self.members.get(name)
        if info is None or info.file_size > cap:
            return None
        try:
            with self.zf.open(info) as member:
                data = member.read(cap + 1)
        except _READ_ERRORS:
            return None
        return data if len(data) <= cap else None

    def digest(
        self, name: str, on_bytes: Callable[[int], None], cancel: threading.Event | None
    ) -> str | None:
        """SHA-256 of a member, streamed; None if it cannot be read (bad CRC, truncated)."""
        info = self.members[name]
        digest = hashlib.sha256()
        try:
            with self.zf.open(info) as member:
                while True:
                    if cancel is not None and cancel.is_set():
                        raise Cancelled("The check was stopped before it finished.")
                    block = member.read(READ_BLOCK)
                    if not block:
                        break
                    digest.update(block)
                    on_bytes(len(block))
        except _READ_ERRORS:
            return None
        return digest.hexdigest()


def verify_zip(
    path: Path,
    *,
    key: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    now: datetime | None = None,
    display_name: str | None = None,
    file_sha256: str | None = None,
) -> VerifyResult:
    """Verify a (decrypted) bundle ZIP. Never writes anything."""
    expected = parse_expected_key(key) if key else None
    result = VerifyResult(
        bundle_name=display_name or path.name,
        bundle_sha256=file_sha256 or _file_sha256(path, cancel),
        checked_at=format_utc(now or utc_now()),
        key_expected=key.strip() if key else None,
    )
    try:
        archive_size = path.stat().st_size
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise BundleUnusable(
            f"{result.bundle_name} is not a readable bundle (not a ZIP file, or cut short). "
            "Ask for it to be sent again."
        ) from None
    with zf:
        reader = _Reader(zf, result)
        try:
            problems = reader.inventory(archive_size)
            with path.open("rb") as raw:
                odd = _layout_problem(raw, zf.infolist(), zf.start_dir, archive_size)
        except (zipfile.BadZipFile, ValueError) as exc:
            raise BundleUnusable(
                f"{result.bundle_name} is not a readable bundle ({exc})."
            ) from None
        except OSError:
            raise BundleUnusable(
                f"{result.bundle_name} could not be read. Check the path."
            ) from None
        if odd is not None:
            problems.append(odd)
        result.check(
            "ZIP structure",
            not problems,
            "; ".join(problems) or f"{len(reader.members)} members, names and sizes safe",
        )
        manifest = _manifest(reader)
        public_key = _signer(manifest, result)
        _signatures(reader, public_key, manifest, result, expected)
        sums = _sums(reader, result)
        _members(reader, sums, manifest, result, progress, cancel)
        _custody(reader, manifest, public_key, result)
    return result


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def _layout_problem(
    f: BinaryIO, infos: list[zipfile.ZipInfo], start_dir: int, archive_size: int
) -> str | None:
    """What differs between the ZIP's own records and what export writes for these members.

    Member data is covered by the hashes; this covers every other byte. Each local header, data
    descriptor, central directory entry and end record must be exactly what Python's zipfile writes
    when export streams these members: no gaps, no comments or extra fields, mode 0644. Fields that
    appear twice (local header and central directory) must agree, so no single byte of a bundle can
    change unnoticed, not even a timestamp.
    """
    try:
        return _layout_mismatch(f, infos, start_dir, archive_size)
    except (struct.error, UnicodeEncodeError, OverflowError):
        return "the ZIP's records hold values that bundles never have"


def _layout_mismatch(
    f: BinaryIO, infos: list[zipfile.ZipInfo], start_dir: int, archive_size: int
) -> str | None:
    limit = zipfile.ZIP64_LIMIT
    pos = 0
    local_zip64: list[bool] = []
    for info in infos:
        label = repr(info.orig_filename[:80])
        name = info.orig_filename.encode("ascii")
        if info.header_offset != pos:
            return f"the ZIP holds bytes that belong to no member before {label}"
        if (
            info.flag_bits & ~_DESCRIPTOR_FLAG
            or info.compress_type != zipfile.ZIP_STORED
            or info.reserved
            or info.volume
            or info.internal_attr
            or info.external_attr != _REGULAR_FILE
            or info.create_system != _UNIX
            or info.comment
        ):
            return f"the ZIP entry of {label} has attributes that bundles never have"
        f.seek(pos)
        head = f.read(_LOCAL.size)
        if len(head) != _LOCAL.size:
            return f"the ZIP is cut short in the header of {label}"
        zip64 = _LOCAL.unpack(head)[-1] != 0  # a ZIP64 extra field is the only one export writes
        local_zip64.append(zip64)
        streamed = bool(info.flag_bits & _DESCRIPTOR_FLAG)
        crc, compress_size, file_size = (
            (0, 0, 0) if streamed else (info.CRC, info.compress_size, info.file_size)
        )
        extra = b""
        if zip64:
            extra = struct.pack("<HHQQ", 1, 16, file_size, compress_size)
            compress_size = file_size = 0xFFFFFFFF
        dostime, dosdate = _dos_time(info.date_time)
        expected = (
            _LOCAL.pack(
                b"PK\x03\x04",
                zipfile.ZIP64_VERSION if zip64 else zipfile.DEFAULT_VERSION,
                0,
                info.flag_bits,
                zipfile.ZIP_STORED,
                dostime,
                dosdate,
                crc,
                compress_size,
                file_size,
                len(name),
                len(extra),
            )
            + name
            + extra
        )
        if head + f.read(len(expected) - _LOCAL.size) != expected:
            return f"the ZIP's local header of {label} differs from its central directory entry"
        pos += len(expected) + info.compress_size
        if streamed:
            descriptor = struct.pack(
                "<LLQQ" if zip64 else "<LLLL",
                _DESCRIPTOR_SIGNATURE,
                info.CRC,
                info.compress_size,
                info.file_size,
            )
            f.seek(pos)
            if f.read(len(descriptor)) != descriptor:
                return f"the ZIP's data descriptor of {label} differs from its central directory"
            pos += len(descriptor)
    if pos != start_dir:
        return "the ZIP holds bytes that belong to no member before its central directory"
    f.seek(start_dir)
    for info, zip64 in zip(infos, local_zip64, strict=True):
        name = info.orig_filename.encode("ascii")
        file_size, compress_size, offset = info.file_size, info.compress_size, info.header_offset
        wide: list[int] = []
        if file_size > limit or compress_size > limit:
            wide += [file_size, compress_size]
            file_size = compress_size = 0xFFFFFFFF
        if offset > limit:
            wide.append(offset)
            offset = 0xFFFFFFFF
        extra = struct.pack(f"<HH{len(wide)}Q", 1, 8 * len(wide), *wide) if wide else b""
        dostime, dosdate = _dos_time(info.date_time)
        expected = (
            _CENTRAL.pack(
                b"PK\x01\x02",
                zipfile.ZIP64_VERSION if wide else zipfile.DEFAULT_VERSION,
                _UNIX,
                zipfile.ZIP64_VERSION if wide or zip64 else zipfile.DEFAULT_VERSION,
                0,
                info.flag_bits,
                zipfile.ZIP_STORED,
                dostime,
                dosdate,
                info.CRC,
                compress_size,
                file_size,
                len(name),
                len(extra),
                0,
                0,
                0,
                _REGULAR_FILE,
                offset,
            )
            + name
            + extra
        )
        if f.read(len(expected)) != expected:
            return f"the ZIP's central directory entry of {info.orig_filename[:80]!r} is not as bundles write it"
    end = f.tell()
    count, size = len(infos), end - start_dir
    tail = b""
    if count > zipfile.ZIP_FILECOUNT_LIMIT or start_dir > limit or size > limit:
        tail += _END64.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, count, count, size, start_dir)
        tail += _END64_LOCATOR.pack(b"PK\x06\x07", 0, end, 1)
    tail += _END.pack(
        b"PK\x05\x06",
        0,
        0,
        min(count, 0xFFFF),
        min(count, 0xFFFF),
        min(size, 0xFFFFFFFF),
        min(start_dir, 0xFFFFFFFF),
        0,
    )
    if end + len(tail) != archive_size or f.read(len(tail)) != tail:
        return (
            "the ZIP's end record is not as bundles write it (a comment or bytes added at the end?)"
        )
    return None


def _file_sha256(path: Path, cancel: threading.Event | None) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while block := f.read(READ_BLOCK):
                if cancel is not None and cancel.is_set():
                    raise Cancelled("The check was stopped before it finished.")
                digest.update(block)
    except OSError:
        raise BundleUnusable(f"{path} could not be read. Check the path.") from None
    return digest.hexdigest()


def _manifest(reader: _Reader) -> dict[str, Any]:
    data = reader.small(layout.MANIFEST, layout.MAX_DOCUMENT_BYTES)
    if data is None:
        raise BundleUnusable(
            "This file has no readable manifest.json, so it is not an evidence bundle "
            "(or it is damaged). Ask for it to be sent again."
        )
    try:
        manifest = parse_canonical(data, max_bytes=layout.MAX_DOCUMENT_BYTES)
    except FormatError:
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != layout.FORMAT:
        raise BundleUnusable(
            "manifest.json is damaged or not in the bundle format, so nothing can be checked."
        )
    if manifest.get("version") != layout.VERSION:
        raise BundleUnusable(
            "This bundle was made by a newer version of evidence-vault. Install it to verify."
        )
    if (
        not isinstance(manifest.get("items"), list)
        or not isinstance(manifest.get("signer"), dict)
        or not all(isinstance(manifest.get(k), str) for k in ("bundle_id", "created", "vault_id"))
        or any(not isinstance(manifest.get(k), str | None) for k in ("case", "note"))
    ):
        raise BundleUnusable("manifest.json is damaged, so nothing can be checked.")
    return manifest


def _signer(manifest: dict[str, Any], result: VerifyResult) -> bytes:
    signer = manifest["signer"]
    public_key = _b64decode(signer.get("public_key"), 32)
    if public_key is None or signer.get("algorithm") != "ed25519":
        raise BundleUnusable("The bundle does not name a signing key this program can check.")
    result.bundle_id = str(manifest.get("bundle_id", ""))
    result.created = str(manifest.get("created", ""))
    result.case = manifest.get("case") if isinstance(manifest.get("case"), str) else None
    result.note = manifest.get("note") if isinstance(manifest.get("note"), str) else None
    result.signer_fingerprint = fingerprint(public_key)
    result.signer_ssh_fingerprint = sshsig.ssh_fingerprint(public_key)
    result.check(
        "Signer named in the manifest",
        signer.get("fingerprint") == result.signer_fingerprint,
        f"fingerprint {result.signer_fingerprint}"
        if signer.get("fingerprint") == result.signer_fingerprint
        else "the fingerprint written in the manifest does not belong to its public key",
    )
    return public_key


def _signatures(
    reader: _Reader,
    public_key: bytes,
    manifest: dict[str, Any],
    result: VerifyResult,
    expected: bytes | str | None,
) -> None:
    sums = reader.small(layout.SUMS, layout.MAX_DOCUMENT_BYTES)
    minisig = reader.small(layout.MINISIG, layout.MAX_MINISIG_BYTES)
    sshsig_text = reader.small(layout.SSHSIG, layout.MAX_SSHSIG_BYTES)
    if sums is None:
        result.check("minisign signature", False, "SHA256SUMS is missing or unreadable")
        result.check("OpenSSH signature", False, "SHA256SUMS is missing or unreadable")
    else:
        try:
            comment = minisign.verify((minisig or b"").decode("ascii"), public_key, sums)
            ok = f"bundle {result.bundle_id}" in comment
            untrusted = minisign.parse_signature(minisig or b"").untrusted_comment
            if not ok:
                detail = "valid, but names another bundle"
            elif untrusted != layout.MINISIG_UNTRUSTED_COMMENT:
                ok = False
                detail = "valid, but its unsigned comment line was changed after signing"
            else:
                detail = f"valid; trusted comment: {comment}"
            result.check("minisign signature", ok, detail)
        except (CryptoError, UnicodeDecodeError):
            result.check(
                "minisign signature", False, "SHA256SUMS.minisig is missing or does not verify"
            )
        try:
            sshsig.verify((sshsig_text or b"").decode("ascii"), public_key, sums, layout.NAMESPACE)
            result.check("OpenSSH signature", True, f"valid (namespace {layout.NAMESPACE})")
        except (CryptoError, UnicodeDecodeError):
            result.check("OpenSSH signature", False, "SHA256SUMS.sig is missing or does not verify")
    _key_files(reader, public_key, result)
    if expected is None:
        result.key_matched = None
        return
    if isinstance(expected, str):
        matched = expected == result.signer_fingerprint
    else:
        matched = expected == public_key
    result.key_matched = matched
    result.check(
        "Signer is the expected key",
        matched,
        "matches the key you gave"
        if matched
        else f"DIFFERENT from the key you gave: this bundle was signed by {result.signer_fingerprint}",
    )


def _key_files(reader: _Reader, public_key: bytes, result: VerifyResult) -> None:
    problems = []
    mini = reader.small(layout.KEY_MINISIGN, layout.MAX_KEY_FILE_BYTES)
    ssh = reader.small(layout.KEY_SSH, layout.MAX_KEY_FILE_BYTES)
    allowed = reader.small(layout.ALLOWED_SIGNERS, layout.MAX_KEY_FILE_BYTES)
    try:
        if mini is None or minisign.parse_public_key(mini) != (
            minisign.key_id(public_key),
            public_key,
        ):
            problems.append(f"{layout.KEY_MINISIGN} holds another key")
    except (FormatError, UnicodeDecodeError):
        problems.append(f"{layout.KEY_MINISIGN} is malformed")
    try:
        if ssh is None or sshsig.parse_ssh_public_key(ssh.strip()) != public_key:
            problems.append(f"{layout.KEY_SSH} holds another key")
    except (FormatError, UnicodeDecodeError):
        problems.append(f"{layout.KEY_SSH} is malformed")
    expected_line = sshsig.allowed_signers_line(layout.PRINCIPAL, public_key, layout.NAMESPACE)
    if allowed is None or allowed.decode("ascii", "replace").strip() != expected_line:
        problems.append(f"{layout.ALLOWED_SIGNERS} does not name the signer")
    result.check(
        "Public key files in keys/",
        not problems,
        "; ".join(problems) or "all three hold the signer's key",
    )


def _sums(reader: _Reader, result: VerifyResult) -> dict[str, str]:
    data = reader.small(layout.SUMS, layout.MAX_DOCUMENT_BYTES)
    try:
        sums = parse_sums(data or b"", max_bytes=layout.MAX_DOCUMENT_BYTES)
    except FormatError as exc:
        result.check("SHA256SUMS", False, str(exc))
        return {}
    present = set(reader.members) - {layout.SUMS, *layout.SIGNATURE_MEMBERS}
    missing = sorted(set(sums) - present)
    extra = sorted(present - set(sums))
    problems = [f"listed but missing: {n}" for n in missing] + [
        f"present but not listed (added after signing?): {n}" for n in extra
    ]
    result.check(
        "Every file listed, nothing added",
        not problems,
        "; ".join(problems) or f"{len(sums)} files listed",
    )
    return sums


def _members(
    reader: _Reader,
    sums: dict[str, str],
    manifest: dict[str, Any],
    result: VerifyResult,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> None:
    total = sum(reader.members[n].file_size for n in sums if n in reader.members)
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    actual: dict[str, str | None] = {}
    for name in sums:
        if name in reader.members:
            actual[name] = reader.digest(name, advance, cancel)
    bad_docs = [
        n
        for n in sums
        if not n.startswith(layout.EVIDENCE_DIR) and n in actual and actual[n] != sums[n]
    ]
    result.check(
        "Hashes of the bundle's own files",
        not bad_docs,
        "; ".join(f"{n} was changed" for n in bad_docs)
        or "manifest, custody log, report and keys unchanged",
    )
    items = manifest["items"]
    paths_seen: set[str] = set()
    for entry in items:
        if not isinstance(entry, dict):
            result.check("Manifest items", False, "an item entry is malformed")
            continue
        raw_metadata = entry.get("metadata")
        metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
        raw_size = entry.get("size")
        item = ItemResult(
            path=str(entry.get("path", "")),
            title=str(metadata.get("title", "")),
            sha256=str(entry.get("sha256", "")),
            size=raw_size if isinstance(raw_size, int) else -1,
        )
        result.items.append(item)
        if item.path in paths_seen:
            item.fail("the manifest names this file twice")
        paths_seen.add(item.path)
        if item.path not in sums:
            item.fail("the file is not listed in SHA256SUMS")
        elif sums[item.path] != item.sha256:
            item.fail("SHA256SUMS and the manifest give different hashes")
        if item.path not in reader.members:
            item.fail("the file is missing from the bundle")
        else:
            got = actual.get(item.path)
            if got is None:
                item.fail("the file cannot be read (damaged inside the ZIP)")
            elif got != item.sha256:
                item.fail(f"the file was changed: its SHA-256 is now {got}")
            if reader.members[item.path].file_size != item.size:
                item.fail("its size differs from the manifest")
        text_path = entry.get("text_path")
        if text_path is not None and not isinstance(text_path, str):
            item.fail("the manifest names its readable text copy wrongly")
        elif text_path is not None and text_path not in sums:
            item.fail("its readable text copy is missing from SHA256SUMS")
        elif text_path is not None and actual.get(text_path) != sums[text_path]:
            item.fail("its readable text copy was changed (or cannot be read)")
    listed_evidence = {n for n in sums if n.startswith(layout.EVIDENCE_DIR)}
    described = paths_seen | {
        e.get("text_path")
        for e in items
        if isinstance(e, dict) and isinstance(e.get("text_path"), str)
    }
    unexplained = sorted(listed_evidence - described)
    result.check(
        "Manifest describes every evidence file",
        not unexplained,
        "; ".join(f"{n} is not in the manifest" for n in unexplained) or f"{len(items)} items",
    )


def _custody(
    reader: _Reader, manifest: dict[str, Any], public_key: bytes, result: VerifyResult
) -> None:
    data = reader.small(layout.CUSTODY, layout.MAX_DOCUMENT_BYTES)
    if data is None:
        result.check("Chain of custody", False, "custody.jsonl is missing or too large")
        return
    events: list[SignedEvent] = []
    problems: list[str] = []
    for number, line in enumerate(data.split(b"\n")[:-1] if data.endswith(b"\n") else [data], 1):
        try:
            entry = parse_canonical(line, max_bytes=layout.MAX_DOCUMENT_BYTES)
            body = entry["body"]
            body_bytes = canonical_json(body)
            signature = _b64decode(entry["signature"], 64)
            if signature is None or not isinstance(body.get("seq"), int):
                raise FormatError("malformed")
            events.append(SignedEvent(body["seq"], body_bytes, str(entry["hash"]), signature))
        except (FormatError, KeyError, TypeError, AttributeError):
            problems.append(f"line {number} is malformed")
    raw_info = manifest.get("custody")
    custody_info: dict[str, Any] = raw_info if isinstance(raw_info, dict) else {}
    if custody_info.get("events") != len(events) + len(problems):
        problems.append("the number of events differs from the manifest")
    if not events or events[0].seq != 1:
        problems.append("it does not start with the vault's creation")
    for problem in check_chain(
        events, public_key, vault_id=str(manifest.get("vault_id")), contiguous=False
    ):
        problems.append(f"event {problem.seq}: {problem.message}")
    head_seq = custody_info.get("head_seq")
    if events and isinstance(head_seq, int):
        if events[-1].seq > head_seq:
            problems.append("it has events newer than the manifest's custody head")
        elif events[-1].seq == head_seq and events[-1].hash != custody_info.get("head_hash"):
            problems.append("its last event is not the custody head named in the manifest")
    result.check(
        "Chain of custody",
        not problems,
        "; ".join(problems) or f"{len(events)} events, links and signatures hold",
    )
    bodies = []
    for event in events:
        try:
            bodies.append(event.parsed())
        except FormatError:
            continue
    created = {
        str(b["item"].get("id")): str(b["item"].get("sha256"))
        for b in bodies
        if b.get("type") == "item.created" and isinstance(b.get("item"), dict)
    }
    deleted = {
        str(b["item"].get("id"))
        for b in bodies
        if b.get("type") == "item.deleted" and isinstance(b.get("item"), dict)
    }
    replayed = replay_metadata(bodies)
    entries = [e for e in manifest["items"] if isinstance(e, dict)]
    for entry, item in zip(entries, result.items, strict=False):
        item_id = str(entry.get("id"))
        if item_id not in created:
            item.fail("the custody log has no record of it being added")
            continue
        if created[item_id] != entry.get("sha256"):
            item.fail("its hash differs from the one recorded when it was added")
        if item_id in deleted:
            item.fail("the custody log says it was deleted")
        if replayed.get(item_id) != entry.get("metadata"):
            item.fail("its description differs from what the custody log records")
