"""Verify reads a bundle once (issue 18): the digests of that one pass are exactly ``hashlib``'s,
and everything the pass replaced (zipfile's CRC-32 check, its local header check) still fails a
bundle as before."""

from __future__ import annotations

import hashlib
import itertools
import struct
import subprocess
import threading
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bundle.support import Sample, file_sha256, item_problems, make_sample
from vault.bundle import onepass
from vault.bundle.crc import crc32
from vault.bundle.members import member_digests
from vault.bundle.source import on_disk
from vault.bundle.verify import verify_zip
from vault.bundle.zipcheck import Reader
from vault.errors import Cancelled

PHOTO = "evidence/0001-Foto_masin_9_mart.jpg"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sample]:
    root = tmp_path_factory.mktemp("onepass")
    one = make_sample(root, "one.evault", big=True)
    try:
        yield one
    finally:
        one.vault.close()


def _export(sample: Sample, path: Path) -> Path:
    if path.exists():
        path.unlink()
    sample.vault.export_bundle(path, everything=True)
    return path


def _expected(path: Path) -> dict[str, str]:
    """Each member's SHA-256 as zipfile reads it (zipfile checks its CRC-32 too)."""
    with zipfile.ZipFile(path) as zf:
        return {i.filename: hashlib.sha256(zf.read(i)).hexdigest() for i in zf.infolist()}


def _digests(path: Path, *, hash_file: bool = True) -> tuple[str | None, dict[str, str | None]]:
    with zipfile.ZipFile(path) as zf:
        reader = Reader(zf)
        with path.open("rb") as raw:
            assert reader.inventory(path.stat().st_size, raw) == []
        sums = {name: "" for name in reader.members}
        source = on_disk(path, hash_file=hash_file)
        return member_digests(source, reader, sums, progress=None, cancel=None)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=70_000), st.lists(st.integers(0, 70_000), max_size=6))
def test_the_crc_used_gives_zlibs_value_piece_by_piece(data: bytes, cuts: list[int]) -> None:
    """The CRC-32 verify and export use (ISA-L's where installed) is zlib's, also when a member's
    bytes come in pieces cut anywhere (block edges) and as memoryviews."""
    edges = sorted({0, len(data), *(min(cut, len(data)) for cut in cuts)})
    crc = 0
    for lo, hi in itertools.pairwise(edges):
        crc = crc32(memoryview(data)[lo:hi], crc)
    assert crc == zlib.crc32(data)


def test_an_exported_bundles_crcs_are_zlibs_and_unzip_accepts_them(
    sample: Sample, tmp_path: Path
) -> None:
    """Export has zipfile compute the members' CRC-32s with ISA-L's function: each one stated in
    the central directory is checked here against ``zlib.crc32`` of the member's bytes, read
    from the file by offset (not through zipfile), and by the real ``unzip -t``."""
    bundle = _export(sample, tmp_path / "crc.zip")
    with zipfile.ZipFile(bundle) as zf, bundle.open("rb") as raw:
        infos = zf.infolist()
        spans, unreadable = onepass.member_spans(raw, infos)
        assert not unreadable and len(spans) == len(infos) > 5
        for span in spans:
            raw.seek(span.start)
            assert zlib.crc32(raw.read(span.size)) == span.crc, span.name
    tested = subprocess.run(
        ["unzip", "-tq", str(bundle)], capture_output=True, text=True, check=False
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "No errors detected" in tested.stdout


@pytest.mark.parametrize("block", [onepass.BLOCK, 4097, 65536])
def test_one_pass_gives_hashlibs_digests(
    sample: Sample, tmp_path: Path, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every member (a 1.5 MiB one across several blocks, many in one block) and the file."""
    bundle = _export(sample, tmp_path / "b.zip")
    monkeypatch.setattr(onepass, "BLOCK", block)
    whole, members = _digests(bundle)
    assert whole == file_sha256(bundle)
    assert members == _expected(bundle)
    # Without the file's digest (an encrypted bundle's certificate names the received file).
    assert _digests(bundle, hash_file=False) == (None, members)


def test_zip64_members_are_found_behind_their_extra_field(
    sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ZIP64 members carry an extra field in their local header: their data starts after it."""
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 3000)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 5)
    bundle = _export(sample, tmp_path / "zip64.zip")
    data = bundle.read_bytes()
    with zipfile.ZipFile(bundle) as zf:
        photo = zf.getinfo(PHOTO)
    assert struct.unpack_from("<H", data, photo.header_offset + 28)[0] == 20
    whole, members = _digests(bundle)
    assert whole == file_sha256(bundle)
    assert members == _expected(bundle)


def test_a_crc_changed_in_every_record_still_fails_the_item(sample: Sample, tmp_path: Path) -> None:
    """The data is intact and the ZIP's records agree with each other, but the CRC-32 they state
    is not the data's: the member cannot be read, as zipfile said (a regression guard: the CRC is
    computed in the one pass now, not by zipfile)."""
    bundle = _export(sample, tmp_path / "crc.zip")
    data = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as zf:
        info = zf.getinfo(PHOTO)
        start_dir = zf.start_dir
        names = [i.filename for i in zf.infolist()]
    wrong = info.CRC ^ 0x1
    descriptor = info.header_offset + 30 + len(PHOTO.encode()) + info.compress_size
    assert struct.unpack_from("<LL", data, descriptor) == (0x08074B50, info.CRC)
    struct.pack_into("<L", data, descriptor + 4, wrong)
    central = start_dir + sum(46 + len(n) for n in names[: names.index(PHOTO)])
    assert struct.unpack_from("<L", data, central + 16)[0] == info.CRC
    struct.pack_into("<L", data, central + 16, wrong)
    changed = tmp_path / "crc-changed.zip"
    changed.write_bytes(bytes(data))
    assert _digests(changed)[1][PHOTO] is None
    result = verify_zip(changed)
    assert not result.intact
    assert any("cannot be read" in p for p in item_problems(result)[PHOTO])
    assert result.bundle_sha256 == file_sha256(changed)


def test_a_local_name_that_differs_makes_the_member_unreadable(
    sample: Sample, tmp_path: Path
) -> None:
    """zipfile refuses a member whose local header names another file; so does the one pass."""
    bundle = _export(sample, tmp_path / "name.zip")
    data = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as zf:
        info = zf.getinfo(PHOTO)
    data[info.header_offset + 30 + len(PHOTO) - 1] ^= 0x01
    changed = tmp_path / "name-changed.zip"
    changed.write_bytes(bytes(data))
    whole, members = _digests(changed)
    assert members[PHOTO] is None
    assert whole == file_sha256(changed)


def test_verify_names_the_files_sha256_and_reports_progress_to_the_end(
    sample: Sample, tmp_path: Path
) -> None:
    bundle = _export(sample, tmp_path / "p.zip")
    seen: list[tuple[int, int | None]] = []
    result = verify_zip(bundle, progress=lambda done, total: seen.append((done, total)))
    assert result.intact
    assert result.bundle_sha256 == file_sha256(bundle)
    listed = sum(i.file_size for i in zipfile.ZipFile(bundle).infolist()) - sum(
        i.file_size
        for i in zipfile.ZipFile(bundle).infolist()
        if i.filename in ("SHA256SUMS", "SHA256SUMS.minisig", "SHA256SUMS.sig")
    )
    assert seen and seen[-1] == (listed, listed)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_cancel_stops_the_pass_and_its_threads(
    sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = _export(sample, tmp_path / "c.zip")
    monkeypatch.setattr(onepass, "BLOCK", 65536)
    before = threading.active_count()
    cancel = threading.Event()
    with pytest.raises(Cancelled):
        verify_zip(bundle, progress=lambda *_: cancel.set(), cancel=cancel)
    assert threading.active_count() == before


class _Counting:
    """A file that counts which of its bytes were read."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0
        self.seen = bytearray(len(data))

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = offset if whence == 0 else len(self.data) + offset
        return self.position

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else min(len(self.data), self.position + size)
        self.seen[self.position : end] = b"\x01" * (end - self.position)
        piece = self.data[self.position : end]
        self.position = end
        return piece


def test_the_pass_reads_every_byte_even_without_the_files_digest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the file's digest (an encrypted bundle's plaintext, decrypted as read) the pass
    still reads the bytes before, between and after the members: a chunk never read would never
    be authenticated, and a bundle ``age -d`` refuses must not verify."""
    monkeypatch.setattr(onepass, "BLOCK", 4096)
    data = bytes(range(256)) * 200  # 51,200 bytes; one member in the middle
    span = onepass._Span("evidence/x.bin", 20_000, 5_000, zlib.crc32(data[20_000:25_000]))
    raw = _Counting(data)
    whole, got = onepass.scan(
        cast(BinaryIO, raw),
        len(data),
        [span],
        hash_file=False,
        on_bytes=lambda _n: None,
        cancel=None,
    )
    assert whole is None
    assert got == {"evidence/x.bin": hashlib.sha256(data[20_000:25_000]).hexdigest()}
    assert all(raw.seen)
