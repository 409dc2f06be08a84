"""Helpers shared by the bundle tests: sample vaults, bundle ZIPs read and rewritten the way export
writes them, re-signing (for forgeries made with a vault's own key), and the real tools.

Rewriting goes through Python's zipfile exactly as export does (streamed, stored, mode 0644, Unix),
so a rewritten bundle differs from the original only in the one thing a test changes, and the check
that catches it is the one that must, not the ZIP structure check.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from crypto import minisign, sshsig
from crypto.canonical import canonical_json
from crypto.fingerprint import fingerprint
from crypto.identity import SigningKey
from crypto.sums import format_sums
from tests.conftest import PASSPHRASE, fast_kdf
from vault import Vault
from vault.bundle import layout
from vault.bundle.verify import VerifyResult, verify_zip
from vault.errors import BundleUnusable
from vault.evidence.models import MessageFields, Metadata

BIG_SIZE = 1_572_864 + 4321  # about 1.5 MiB: two storage chunks, two read blocks in verify
TOOL_TIMEOUT = 60

PHOTO_NAME = "Foto maşın 9 mart.jpg"
MESSAGE_TEXT = "Səni tapacağıq. Мы знаем, где ты живёшь."
NOTE_TEXT = "They came at night, two men, a grey car.\n"

# What `export --all` of a small sample writes, in order (docs/format.md §6).
SMALL_MEMBERS = [
    "evidence/0001-Foto_masin_9_mart.jpg",
    "evidence/0002-report.pdf",
    "evidence/0003-message.txt",
    "evidence/0003-message.json",
    "evidence/0004-note.txt",
    "evidence/0004-note.json",
    layout.MANIFEST,
    layout.CUSTODY,
    layout.REPORT,
    layout.VERIFY,
    layout.KEY_MINISIGN,
    layout.KEY_SSH,
    layout.ALLOWED_SIGNERS,
    layout.SUMS,
    layout.MINISIG,
    layout.SSHSIG,
]


@dataclass
class Sample:
    """A vault with evidence: a photo (case A), a PDF (case B), a message and a note (case A),
    an edited title, and a deleted note; optionally a ~1.5 MiB video (case A)."""

    vault: Vault
    folder: Path
    photo: str
    pdf: str
    message: str
    note: str
    deleted: str
    big: str | None = None
    sources: dict[str, Path] = field(default_factory=dict)  # item id -> original file
    texts: dict[str, bytes] = field(default_factory=dict)  # item id -> original text bytes

    def original(self, item_id: str) -> bytes:
        if item_id in self.sources:
            return self.sources[item_id].read_bytes()
        return self.texts[item_id]

    @property
    def live(self) -> list[str]:
        ids = [self.photo, self.pdf, self.message, self.note]
        return ids + ([self.big] if self.big else [])

    @property
    def case_a(self) -> list[str]:
        ids = [self.photo, self.message, self.note]
        return ids + ([self.big] if self.big else [])


def make_sample(root: Path, name: str = "v.evault", *, big: bool = False, seed: int = 1) -> Sample:
    folder = root / name
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    src = root / f"{name}-sources"
    src.mkdir()
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    photo_path = src / PHOTO_NAME
    photo_path.write_bytes(b"\xff\xd8\xff\xe0" + rng.randbytes(12_000))
    pdf_path = src / "report.pdf"
    pdf_path.write_bytes(b"%PDF-1.7\n" + rng.randbytes(3_000))
    photo = vault.add_file(
        photo_path, Metadata(title="Photo", case="Case A", tags=("threat",), platform="Telegram")
    ).item_id
    pdf = vault.add_file(pdf_path, Metadata(case="Case B")).item_id
    message = vault.add_message(
        MESSAGE_TEXT,
        Metadata(sender_handle="@fictional_troll", case="Case A"),
        MessageFields(recipient="me"),
    ).item_id
    note = vault.add_note(NOTE_TEXT, Metadata(case="Case A")).item_id
    vault.update_metadata(photo, {"title": "Photo of the car"}, reason="clearer title")
    deleted = vault.add_note("added by mistake", Metadata(case="Case A")).item_id
    vault.delete_item(deleted, reason="mistake")
    sample = Sample(vault, folder, photo, pdf, message, note, deleted)
    sample.sources = {photo: photo_path, pdf: pdf_path}
    sample.texts = {message: MESSAGE_TEXT.encode("utf-8"), note: NOTE_TEXT.encode("utf-8")}
    if big:
        video = src / "video.mp4"
        video.write_bytes(rng.randbytes(BIG_SIZE))
        sample.big = vault.add_file(video, Metadata(case="Case A")).item_id
        sample.sources[sample.big] = video
    return sample


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    return sha256(path.read_bytes())


# ---------------------------------------------------------------------------- reading and writing


def read_members(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(info.filename, zf.read(info)) for info in zf.infolist()]


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def manifest_of(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(member(path, layout.MANIFEST))
    return doc


def date_time_of(path: Path) -> tuple[int, int, int, int, int, int]:
    with zipfile.ZipFile(path) as zf:
        return zf.infolist()[0].date_time


class _Unseekable:
    """Makes zipfile stream (data descriptors), as export does."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw

    def write(self, data: bytes) -> int:
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()

    def tell(self) -> int:
        raise OSError("not seekable")

    def seekable(self) -> bool:
        return False


def write_zip(
    path: Path,
    members: Iterable[tuple[str, bytes]],
    *,
    date_time: tuple[int, int, int, int, int, int] = (2026, 3, 9, 21, 14, 0),
) -> Path:
    """A ZIP written exactly the way export writes one."""
    with path.open("wb") as raw:
        zf = zipfile.ZipFile(_Unseekable(raw), "w", zipfile.ZIP_STORED, allowZip64=True)  # type: ignore[call-overload]
        with zf:
            for name, data in members:
                info = zipfile.ZipInfo(name, date_time=date_time)
                info.compress_type = zipfile.ZIP_STORED
                info.file_size = len(data)
                info.external_attr = 0o100644 << 16
                info.create_system = 3
                with zf.open(info, "w") as out:
                    out.write(data)
    return path


def rewrite(
    src: Path,
    dst: Path,
    change: Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]],
) -> Path:
    """Copy the bundle ``src`` to ``dst`` with its member list changed by ``change``."""
    return write_zip(dst, change(read_members(src)), date_time=date_time_of(src))


def replace(members: list[tuple[str, bytes]], name: str, data: bytes) -> list[tuple[str, bytes]]:
    assert name in dict(members), name
    return [(n, data if n == name else d) for n, d in members]


def flip(data: bytes, offset: int, mask: int = 0x01) -> bytes:
    changed = bytearray(data)
    changed[offset] ^= mask
    return bytes(changed)


def resign(
    members: list[tuple[str, bytes]], signer: SigningKey, *, manifest: dict[str, Any] | None = None
) -> list[tuple[str, bytes]]:
    """Recompute SHA256SUMS and sign it again with ``signer``, as a forger holding that key would.

    With ``manifest`` the manifest member is replaced first (canonical JSON)."""
    if manifest is not None:
        members = replace(members, layout.MANIFEST, canonical_json(manifest))
    docs = dict(members)
    doc = json.loads(docs[layout.MANIFEST])
    listed = {n: sha256(d) for n, d in members if n not in (layout.SUMS, *layout.SIGNATURE_MEMBERS)}
    sums = format_sums(listed)
    trusted = (
        f"evault bundle {doc.get('bundle_id')} created {doc.get('created')} "
        f"signer {fingerprint(signer.public_key).replace(' ', '')}"
    )
    signed = {
        layout.SUMS: sums,
        layout.MINISIG: minisign.sign(
            signer,
            sums,
            trusted_comment=trusted,
            untrusted_comment=layout.MINISIG_UNTRUSTED_COMMENT,
        ).encode("ascii"),
        layout.SSHSIG: sshsig.sign(signer, sums, layout.NAMESPACE).encode("ascii"),
    }
    kept = [(n, signed.pop(n, d)) for n, d in members]
    return kept + list(signed.items())


# ---------------------------------------------------------------------------- outcomes


def failed_checks(result: VerifyResult) -> dict[str, str]:
    return {c.name: c.detail for c in result.checks if not c.ok}


def item_problems(result: VerifyResult) -> dict[str, list[str]]:
    return {i.path: i.problems for i in result.items if not i.ok}


def outcome(path: Path, **kwargs: Any) -> VerifyResult | str:
    """The result, or the message of BundleUnusable (the only exception verify may raise)."""
    try:
        return verify_zip(path, **kwargs)
    except BundleUnusable as exc:
        return exc.message


def assert_rejected(path: Path, **kwargs: Any) -> VerifyResult | str:
    got = outcome(path, **kwargs)
    if isinstance(got, VerifyResult):
        assert not got.intact, "a changed bundle verified"
    else:
        assert got.strip(), "BundleUnusable without a message"
    return got


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


# ---------------------------------------------------------------------------- real tools


def tool(
    *args: str | os.PathLike[str], cwd: Path | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    program = shutil.which(str(args[0]))
    assert program is not None, f"{args[0]} is not installed (CI installs it; tests never skip)"
    return subprocess.run(
        [program, *map(str, args[1:])],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        timeout=TOOL_TIMEOUT,
        check=False,
    )


def unzip_to(bundle: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    done = tool("unzip", "-q", bundle, "-d", target)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return target
