"""Verify of an encrypted bundle, with its decrypted copy (decrypted, then checked) and without
(``--no-decrypted-copy``: the plaintext read in place, decrypted as it is read; issue 18): the
same verdicts as verifying the ZIP ``age -d`` gives, a copy only when complete and only if
wanted, and calm refusals for damage, a re-encrypted forgery and a full disk."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from crypto import transport
from tests.bundle.support import (
    file_sha256,
    flip,
    listing,
    read_members,
    replace,
    rewrite,
    tool,
)
from tests.conftest import MakeVault
from vault.bundle.checking import verify_bundle
from vault.bundle.verify import verify_zip
from vault.errors import BundleUnusable

SEALED = 64 * 1024 + 16


def _bundle(make_vault: MakeVault, work: Path) -> tuple[Path, Path, str]:
    """An encrypted bundle of a 1 MiB recording and a note, its lawyer's key file, recipient."""
    vault, _ = make_vault()
    vault.add_bytes(os.urandom(1024 * 1024), "recording.ogg")
    vault.add_bytes(b"they said they know where I live", "threat.txt")
    secret, recipient = transport.new_identity()
    bundle = work / "bundle.zip.age"
    vault.export_bundle(bundle, everything=True, recipients=[recipient])
    key = work / "lawyer.key"
    key.write_text(secret + "\n", encoding="ascii")
    return bundle, key, recipient


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "received"
    folder.mkdir()
    return folder


def test_the_verdict_and_the_copy_equal_those_of_age_d(
    make_vault: MakeVault, work: Path, tmp_path: Path
) -> None:
    bundle, key, _ = _bundle(make_vault, work)
    by_age = tmp_path / "by-age.zip"
    assert tool("age", "-d", "-i", key, "-o", by_age, bundle).returncode == 0
    expected = verify_zip(by_age)
    checked = verify_bundle(bundle, identities=[key])
    assert checked.result.intact and expected.intact
    assert checked.decrypted == work / "bundle.zip"
    assert checked.decrypted.read_bytes() == by_age.read_bytes()
    assert checked.result.bundle_sha256 == file_sha256(bundle)  # the file received, encrypted
    assert [(c.name, c.ok, c.detail) for c in checked.result.checks] == [
        (c.name, c.ok, c.detail) for c in expected.checks
    ]
    assert [(i.path, i.ok) for i in checked.result.items] == [
        (i.path, i.ok) for i in expected.items
    ]


def test_without_a_copy_nothing_is_written(make_vault: MakeVault, work: Path) -> None:
    bundle, key, _ = _bundle(make_vault, work)
    before = listing(work)
    checked = verify_bundle(bundle, identities=[key], keep_decrypted=False)
    assert checked.result.intact and checked.decrypted is None
    assert checked.result.bundle_sha256 == file_sha256(bundle)
    assert listing(work) == before


@pytest.mark.parametrize("keep", [True, False])
def test_a_chunk_damaged_in_the_middle_is_refused_and_leaves_nothing(
    make_vault: MakeVault, work: Path, keep: bool
) -> None:
    """A bit flipped inside the recording's bytes (without a copy: found when the pass reaches
    that chunk, after the ZIP's records and the signatures were read). No copy, not even a
    partial one."""
    bundle, key, _ = _bundle(make_vault, work)
    data = bundle.read_bytes()
    bundle.write_bytes(flip(data, len(data) // 2))
    before = listing(work)
    with pytest.raises(BundleUnusable, match="damaged"):
        verify_bundle(bundle, identities=[key], keep_decrypted=keep)
    assert listing(work) == before


def test_a_forgery_re_encrypted_to_the_lawyer_does_not_verify(
    make_vault: MakeVault, work: Path, tmp_path: Path
) -> None:
    """Anyone may encrypt to the lawyer's public key: a changed ZIP, encrypted again with the real
    age, decrypts fine and must fail as the same ZIP fails unencrypted."""
    bundle, key, recipient = _bundle(make_vault, work)
    plain = tmp_path / "plain.zip"
    assert tool("age", "-d", "-i", key, "-o", plain, bundle).returncode == 0
    name, data = next((n, d) for n, d in read_members(plain) if n.endswith("threat.txt"))
    forged = tmp_path / "forged.zip"
    rewrite(plain, forged, lambda members: replace(members, name, b"they said nothing"))
    assert not verify_zip(forged).intact
    bundle.unlink()
    assert tool("age", "-e", "-r", recipient, "-o", bundle, forged).returncode == 0
    checked = verify_bundle(bundle, identities=[key], keep_decrypted=False)
    assert not checked.result.intact
    assert [i.path for i in checked.result.items if not i.ok] == [name]
    assert data != b"they said nothing"


@contextlib.contextmanager
def _small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 512 KiB file system (a tmpfs; mounting needs root, as in CI)."""
    point = tmp_path / "small"
    point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root (CI runs as root)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(point)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("this machine does not let root mount a tmpfs")
    try:
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)


def test_a_full_disk_for_the_copy_says_so_and_leaves_nothing(
    make_vault: MakeVault, work: Path, tmp_path: Path
) -> None:
    bundle, key, _ = _bundle(make_vault, work)
    with _small_disk(tmp_path) as small:
        with pytest.raises(BundleUnusable, match="disk is full"):
            verify_bundle(bundle, identities=[key], decrypted_out=small / "bundle.zip")
        assert list(small.iterdir()) == []
    # The bundle itself was fine: with room, it verifies.
    assert verify_bundle(bundle, identities=[key], keep_decrypted=False).result.intact


def test_a_chunk_boundary_cut_is_refused_before_anything_is_read(
    make_vault: MakeVault, work: Path
) -> None:
    bundle, key, _ = _bundle(make_vault, work)
    data = bundle.read_bytes()
    header_end = data.index(b"\n", data.index(b"\n---") + 1) + 1
    bundle.write_bytes(data[: header_end + 16 + 3 * SEALED])
    before = listing(work)
    with pytest.raises(BundleUnusable, match="damaged"):
        verify_bundle(bundle, identities=[key])
    assert listing(work) == before
