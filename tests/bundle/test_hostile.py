"""Hostile input to `verify`: unsafe member names, links, duplicates, compression and zip bombs,
too many or too large members, damaged or odd manifests, unknown versions, cut-off files, wrong
keys. Each gets a clear message (BundleUnusable) or a failed check, never a traceback, and nothing
is written anywhere (verify never writes; decryption writes only the decrypted ZIP asked for).
"""

from __future__ import annotations

import copy
import json
import random
import stat
import struct
import time
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crypto import transport
from crypto.canonical import canonical_json
from crypto.sums import format_sums
from tests.bundle.support import (
    Sample,
    failed_checks,
    listing,
    make_sample,
    manifest_of,
    outcome,
    read_members,
    replace,
    resign,
    rewrite,
    write_zip,
)
from tests.importers.hostile_zips import overlapping_zip
from vault.bundle import documents, layout
from vault.bundle.checking import verify_bundle
from vault.bundle.verify import VerifyResult, verify_zip
from vault.errors import BundleUnusable, InvalidInput, WrongPassphrase

STRUCTURE = "ZIP structure"


@dataclass
class Hostile:
    root: Path
    sample: Sample
    forger: Sample
    bundle: Path
    forged: Path  # the forger's own consistent bundle, to build signed hostile manifests on


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    root = tmp_path_factory.mktemp("hostile")
    sample = make_sample(root, "v.evault", seed=3)
    forger = make_sample(root, "forger.evault", seed=4)
    bundle, forged = root / "bundle.zip", root / "forged.zip"
    sample.vault.export_bundle(bundle, everything=True)
    forger.vault.export_bundle(forged, everything=True)
    try:
        yield Hostile(root, sample, forger, bundle, forged)
    finally:
        sample.vault.close()
        forger.vault.close()


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder for the test's files; the working directory is an empty folder beside it. After
    the test, neither holds anything the test did not make itself."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(cwd)
    yield folder
    assert listing(cwd) == set(), "something was written to the working directory"
    assert not [n for n in listing(folder) if "partial" in n or n.endswith(".decrypted.zip")]


def _no_traceback_outcome(path: Path, **kwargs: Any) -> VerifyResult | str:
    """Refused (message) or not ok, nothing written beside the file; everything reported
    serialises and prints as a certificate."""
    before = listing(path.parent)
    got = outcome(path, **kwargs)
    assert listing(path.parent) == before
    if isinstance(got, VerifyResult):
        assert not got.intact
        data = got.to_json()
        json.dumps(data)
        assert b"FAILED" in documents.certificate_html(data)
    else:
        assert got and "Traceback" not in got
    return got


def _structure_problem(path: Path) -> str:
    got = _no_traceback_outcome(path)
    assert isinstance(got, VerifyResult), got
    return failed_checks(got)[STRUCTURE]


def _with_extra(hostile: Hostile, dst: Path, *extra: tuple[str, bytes]) -> Path:
    return rewrite(hostile.bundle, dst, lambda ms: [*ms, *extra])


# ---------------------------------------------------------------------------- member names


@pytest.mark.parametrize(
    "name",
    [
        "../evil",
        "/abs",
        "/etc/cron.d/evil",
        "a/../../b",
        "evidence/../../../b",
        "C:\\x",
        "C:/x",
        "evidence\\0009-x.jpg",
        "evidence/./x",
        "evidence//x",
        "evidence/x\x01",
        "évidence/x",
        "x" * 300,
    ],
)
def test_unsafe_member_names(hostile: Hostile, work: Path, name: str) -> None:
    path = _with_extra(hostile, work / "names.zip", (name, b"planted"))
    problem = _structure_problem(path)
    assert "unsafe name" in problem
    # Nothing was extracted anywhere: no "evil", no "b", no "x" beside the bundle or elsewhere.
    assert listing(work) == {"names.zip"}


def test_unsafe_name_replacing_a_listed_member(hostile: Hostile, work: Path) -> None:
    target = "evidence/0002-report.pdf"
    path = rewrite(
        hostile.bundle,
        work / "c.zip",
        lambda ms: [
            ("evidence/../evidence/0002-report.pdf" if n == target else n, d) for n, d in ms
        ],
    )
    got = _no_traceback_outcome(path)
    assert isinstance(got, VerifyResult)
    assert "unsafe name" in failed_checks(got)[STRUCTURE]
    assert any(i.path == target and not i.ok for i in got.items)


def _zip_with_special(
    dst: Path, members: list[tuple[str, bytes]], special: zipfile.ZipInfo, data: bytes
) -> Path:
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zf:
        for name, content in members:
            zf.writestr(name, content)
        zf.writestr(special, data)
    return dst


def test_symlink_member(hostile: Hostile, work: Path) -> None:
    link = zipfile.ZipInfo("evidence/0009-link")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = _zip_with_special(work / "link.zip", read_members(hostile.bundle), link, b"/etc/passwd")
    problem = _structure_problem(path)
    assert "evidence/0009-link is not a regular file" in problem


def test_symlink_in_place_of_an_evidence_file(hostile: Hostile, work: Path) -> None:
    target = "evidence/0002-report.pdf"
    link = zipfile.ZipInfo(target)
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    others = [(n, d) for n, d in read_members(hostile.bundle) if n != target]
    path = _zip_with_special(work / "link.zip", others, link, b"/etc/passwd")
    got = _no_traceback_outcome(path)
    assert isinstance(got, VerifyResult)
    assert f"{target} is not a regular file" in failed_checks(got)[STRUCTURE]
    assert any(i.path == target and "missing" in "; ".join(i.problems) for i in got.items)


@pytest.mark.parametrize("kind", ["dir-entry", "fifo", "block-device"])
def test_directory_and_special_members(hostile: Hostile, work: Path, kind: str) -> None:
    if kind == "dir-entry":
        info = zipfile.ZipInfo("evidence/sub/")
        info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
        name = "evidence/sub/"
    else:
        name = "evidence/0009-odd"
        info = zipfile.ZipInfo(name)
        mode = stat.S_IFIFO if kind == "fifo" else stat.S_IFBLK
        info.external_attr = (mode | 0o644) << 16
    info.create_system = 3
    path = _zip_with_special(work / "special.zip", read_members(hostile.bundle), info, b"")
    problem = _structure_problem(path)
    assert "not a regular file" in problem or "unsafe name" in problem
    assert name.rstrip("/") in problem


@pytest.mark.parametrize("name", ["evidence/0002-report.pdf", layout.MANIFEST, layout.SUMS])
def test_duplicate_member_names(hostile: Hostile, work: Path, name: str) -> None:
    members = read_members(hostile.bundle)
    fake = b"{}" if name == layout.MANIFEST else b"a second copy with other bytes"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile: "Duplicate name"
        path = write_zip(work / "dup.zip", [*members, (name, fake)])
    got = _no_traceback_outcome(path)
    assert isinstance(got, VerifyResult)
    assert f"{name!r} appears twice" in failed_checks(got)[STRUCTURE]


# ---------------------------------------------------------------------------- compression, bombs


def test_deflated_member(hostile: Hostile, work: Path) -> None:
    target = "evidence/0001-Foto_masin_9_mart.jpg"
    path = work / "deflated.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in read_members(hostile.bundle):
            zf.writestr(
                name,
                data,
                compress_type=zipfile.ZIP_DEFLATED if name == target else zipfile.ZIP_STORED,
            )
    got = _no_traceback_outcome(path)
    assert isinstance(got, VerifyResult)
    assert f"{target} is compressed" in failed_checks(got)[STRUCTURE]


def _central_offsets(path: Path) -> dict[str, int]:
    data = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        offset = zf.start_dir
        found = {}
        for info in zf.infolist():
            assert data[offset : offset + 4] == b"PK\x01\x02"
            n, e, c = struct.unpack("<HHH", data[offset + 28 : offset + 34])
            found[info.filename] = offset
            offset += 46 + n + e + c
    return found


def _patch(path: Path, offset: int, fmt: str, *values: int) -> None:
    data = bytearray(path.read_bytes())
    struct.pack_into(fmt, data, offset, *values)
    path.write_bytes(bytes(data))


def test_stored_member_with_inconsistent_sizes(hostile: Hostile, work: Path) -> None:
    target = "report.html"
    path = work / "sizes.zip"
    with zipfile.ZipFile(path, "w") as zf:  # seekable: sizes in the local header too
        for name, data in read_members(hostile.bundle):
            zf.writestr(name, data)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(target)
    size = info.file_size
    _patch(path, info.header_offset + 22, "<L", size * 50)  # local: uncompressed size
    _patch(path, _central_offsets(path)[target] + 24, "<L", size * 50)  # central
    problem = _structure_problem(path)
    assert f"{target} is compressed or its size is inconsistent" in problem


def _bomb_stream(size_mib: int) -> tuple[bytes, int]:
    """Raw deflate data for ``size_mib`` MiB of zeros (about 1 KiB per MiB), and its CRC-32."""
    block = bytes(1 << 20)
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    z.compress(block)
    z.flush(zlib.Z_FULL_FLUSH)
    piece = z.compress(block) + z.flush(zlib.Z_FULL_FLUSH)  # independent of what came before
    crc = 0
    for _ in range(size_mib):
        crc = zlib.crc32(block, crc)
    return piece * size_mib + z.flush(zlib.Z_FINISH), crc


def test_zip_bomb_is_refused_without_reading_it(
    hostile: Hostile, work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deflated member of 1 GiB of zeros (1 MiB in the file): refused because bundles only
    store, and never decompressed."""
    stream, crc = _bomb_stream(1024)
    name = "evidence/0001-Foto_masin_9_mart.jpg"  # in place of a listed evidence file
    members = [(n, stream if n == name else d) for n, d in read_members(hostile.bundle)]
    path = work / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for member_name, data in members:
            zf.writestr(member_name, data)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    # Turn the stored member into a deflated one that expands to 1 GiB.
    _patch(path, info.header_offset + 8, "<H", zipfile.ZIP_DEFLATED)
    _patch(path, info.header_offset + 14, "<LLL", crc, len(stream), 1 << 30)
    central = _central_offsets(path)[name]
    _patch(path, central + 10, "<H", zipfile.ZIP_DEFLATED)
    _patch(path, central + 16, "<LLL", crc, len(stream), 1 << 30)
    with zipfile.ZipFile(path) as zf:  # a real bomb: any ZIP reader would inflate 1 GiB
        assert zf.getinfo(name).file_size == 1 << 30
        with zf.open(name) as bomb:
            assert bomb.read(1 << 16) == bytes(1 << 16)

    def never(*args: object, **kwargs: object) -> object:
        raise AssertionError("verify started to decompress a member")

    monkeypatch.setattr(zlib, "decompressobj", never)  # what zipfile inflates with
    started = time.monotonic()
    got = _no_traceback_outcome(path)
    assert time.monotonic() - started < 5
    assert isinstance(got, VerifyResult)
    assert f"{name} is compressed" in failed_checks(got)[STRUCTURE]
    assert any(i.path == name and not i.ok for i in got.items)


def test_member_claiming_more_than_the_whole_file(hostile: Hostile, work: Path) -> None:
    path = work / "claims.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in read_members(hostile.bundle):
            zf.writestr(name, data)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(layout.CUSTODY)
    huge = 3 << 30
    central = _central_offsets(path)[layout.CUSTODY]
    _patch(path, central + 20, "<LL", huge, huge)
    _patch(path, info.header_offset + 18, "<LL", huge, huge)
    got = _no_traceback_outcome(path)
    if isinstance(got, VerifyResult):
        assert "custody.jsonl" in failed_checks(got)[STRUCTURE]


@pytest.mark.slow
def test_too_many_members(work: Path) -> None:
    path = work / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for number in range(layout.MAX_MEMBERS + 1):
            zf.writestr(f"evidence/{number:06d}", b"")
    with pytest.raises(BundleUnusable, match="far more members"):
        verify_zip(path)


def test_too_many_members_is_refused_from_the_end_record(work: Path) -> None:
    """The count is read from the ZIP's end record before any member is, so a file claiming
    millions of members is refused at once (zipfile would first build an object for each): here
    the central directory behind the claim is missing altogether, and the claim alone refuses it.
    (Only ZIP64 can count past 65,535, which is below the limit.)"""
    claim = layout.MAX_MEMBERS + 1
    body = b"PK\x03\x04" + bytes(26)  # where members would be; never read
    eocd64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, claim, claim, 0, 0)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, len(body), 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0, 0xFFFFFFFF, 0)
    path = work / "claims.zip"
    path.write_bytes(body + eocd64 + locator + end)
    with pytest.raises(BundleUnusable, match="far more members"):
        verify_zip(path)


# ---------------------------------------------------------------------------- sizes and manifests


def test_oversized_manifest(hostile: Hostile, work: Path) -> None:
    doc = manifest_of(hostile.bundle)
    doc["note"] = "x" * (layout.MAX_DOCUMENT_BYTES + 1)
    path = rewrite(
        hostile.bundle,
        work / "big.zip",
        lambda ms: replace(ms, layout.MANIFEST, canonical_json(doc)),
    )
    with pytest.raises(BundleUnusable, match=r"no readable manifest\.json"):
        verify_zip(path)


@pytest.mark.parametrize(
    ("name", "size", "check"),
    [
        (layout.CUSTODY, layout.MAX_DOCUMENT_BYTES + 1, "Chain of custody"),
        (layout.MINISIG, layout.MAX_MINISIG_BYTES + 1, "minisign signature"),
        (layout.SSHSIG, layout.MAX_SSHSIG_BYTES + 1, "OpenSSH signature"),
        (layout.KEY_SSH, layout.MAX_KEY_FILE_BYTES + 1, "Public key files in keys/"),
    ],
)
def test_oversized_members_are_not_read(
    hostile: Hostile, work: Path, name: str, size: int, check: str
) -> None:
    path = rewrite(hostile.bundle, work / "big.zip", lambda ms: replace(ms, name, b"\n" * size))
    got = _no_traceback_outcome(path)
    assert isinstance(got, VerifyResult)
    assert check in failed_checks(got)


def _manifest_variant(hostile: Hostile, dst: Path, data: bytes) -> Path:
    return rewrite(hostile.bundle, dst, lambda ms: replace(ms, layout.MANIFEST, data))


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        (lambda doc: json.dumps(doc, indent=2).encode(), "damaged or not in the bundle format"),
        (lambda doc: json.dumps(doc).encode(), "damaged or not in the bundle format"),
        (lambda doc: canonical_json(doc) + b"\n", "damaged or not in the bundle format"),
        (lambda doc: b"\xef\xbb\xbf" + canonical_json(doc), "damaged or not in the bundle format"),
        (lambda doc: canonical_json(doc)[:-1], "damaged or not in the bundle format"),
        (lambda doc: canonical_json([doc]), "damaged or not in the bundle format"),
        (lambda doc: canonical_json({**doc, "format": "other"}), "not in the bundle format"),
        (lambda doc: canonical_json({**doc, "version": 4}), "newer version"),
        (lambda doc: canonical_json({**doc, "version": "1"}), "newer version"),
        (lambda doc: canonical_json({**doc, "items": {}}), "damaged"),
        (lambda doc: canonical_json({**doc, "signer": None}), "damaged"),
        (
            lambda doc: canonical_json({**doc, "signer": {**doc["signer"], "algorithm": "rsa"}}),
            "signing key",
        ),
        (
            lambda doc: canonical_json({**doc, "signer": {**doc["signer"], "public_key": "AAAA"}}),
            "signing key",
        ),
        (lambda doc: b"", "damaged or not in the bundle format"),
    ],
    ids=[
        "pretty",
        "not-canonical-spaces",
        "trailing-newline",
        "bom",
        "cut",
        "array",
        "format",
        "version-4",
        "version-string",
        "items-object",
        "signer-null",
        "algorithm",
        "short-key",
        "empty",
    ],
)
def test_unusable_manifests(
    hostile: Hostile, work: Path, variant: Callable[[dict[str, Any]], bytes], message: str
) -> None:
    data = variant(manifest_of(hostile.bundle))
    path = _manifest_variant(hostile, work / "m.zip", data)
    with pytest.raises(BundleUnusable) as caught:
        verify_zip(path)
    assert message in caught.value.message


def _signed_forgery(hostile: Hostile, dst: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """The forger's own bundle with its manifest changed, signed again consistently by the forger."""
    doc = copy.deepcopy(manifest_of(hostile.forged))
    change(doc)
    signer = hostile.forger.vault.session.signer
    return rewrite(hostile.forged, dst, lambda ms: resign(ms, signer, manifest=doc))


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    "change",
    [
        _set(("items",), [1, "x", None, []]),
        _set(("items",), []),
        _set(("items", 0, "path"), 7),
        _set(("items", 0, "path"), None),
        _set(("items", 0, "path"), "../../etc/passwd"),
        _set(("items", 0, "path"), layout.MANIFEST),
        _set(("items", 1, "path"), "evidence/0001-Foto_masin_9_mart.jpg"),
        _set(("items", 0, "size"), "12"),
        _set(("items", 0, "size"), -1),
        _set(("items", 0, "size"), 1e300),
        _set(("items", 0, "sha256"), None),
        _set(("items", 0, "metadata"), [1]),
        _set(("items", 0, "text_path"), ["a"]),
        _set(("items", 0, "text_path"), {"a": 1}),
        _set(("items", 2, "text_path"), None),
        _set(("items", 2, "text_path"), "evidence/0099-missing.json"),
        _set(("items", 0, "id"), {"x": 1}),
        _set(("custody",), "x"),
        _set(("custody",), {"events": "many", "head_seq": "x", "head_hash": 5}),
        _set(("custody", "head_seq"), 1),
        _set(("case",), {"a": 1}),
        _set(("note",), [1]),
        _set(("bundle_id",), {"x": 1}),
        _set(("vault_id",), None),
        _set(("signer", "fingerprint"), 5),
    ],
)
def test_signed_but_malformed_manifests_fail_without_traceback(
    hostile: Hostile, work: Path, change: Callable[[dict[str, Any]], None]
) -> None:
    _no_traceback_outcome(_signed_forgery(hostile, work / "f.zip", change))


@pytest.mark.parametrize(
    "line",
    [b"[]", b"{}", b"null", b'{"body":1,"hash":"x","signature":"x"}', b"not json", b"\xff\xfe"],
)
def test_signed_but_malformed_custody_lines(hostile: Hostile, work: Path, line: bytes) -> None:
    lines = dict(read_members(hostile.forged))[layout.CUSTODY].splitlines(keepends=True)
    lines.insert(2, line + b"\n")
    doc = manifest_of(hostile.forged)
    doc["custody"]["events"] = len(lines)
    signer = hostile.forger.vault.session.signer

    def change(ms: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        return resign(replace(ms, layout.CUSTODY, b"".join(lines)), signer, manifest=doc)

    got = _no_traceback_outcome(rewrite(hostile.forged, work / "f.zip", change))
    assert isinstance(got, VerifyResult)
    assert "line 3 is malformed" in failed_checks(got)["Chain of custody"]


# ---------------------------------------------------------------------------- cut off, not a ZIP


def test_truncated_bundle_at_many_points(hostile: Hostile, work: Path) -> None:
    data = hostile.bundle.read_bytes()
    cuts = sorted(
        {*range(0, len(data), max(1, len(data) // 40)), *range(len(data) - 120, len(data))}
    )
    path = work / "cut.zip"
    for cut in cuts:
        path.write_bytes(data[:cut])
        _no_traceback_outcome(path)


@pytest.mark.parametrize(
    "content",
    [b"", b"PK", b"PK\x05\x06" + bytes(18), b"hello, this is not a zip\n", bytes(range(256)) * 64],
    ids=["empty", "magic-only", "empty-zip", "text", "random"],
)
def test_not_a_bundle(work: Path, content: bytes) -> None:
    path = work / "x.zip"
    path.write_bytes(content)
    with pytest.raises(BundleUnusable):
        verify_zip(path)


def test_a_folder_or_missing_file_is_unusable(work: Path) -> None:
    with pytest.raises(BundleUnusable):
        verify_zip(work)
    with pytest.raises(BundleUnusable):
        verify_zip(work / "missing.zip")


def test_an_empty_but_well_formed_zip(work: Path) -> None:
    path = write_zip(work / "empty.zip", [])
    with pytest.raises(BundleUnusable, match=r"manifest\.json"):
        verify_zip(path)


# ---------------------------------------------------------------------------- encrypted bundles


def test_wrong_age_key_leaves_no_decrypted_file(hostile: Hostile, work: Path) -> None:
    _, recipient = transport.new_identity()
    wrong_secret, _ = transport.new_identity()
    encrypted = work / "bundle.zip.age"
    hostile.sample.vault.export_bundle(encrypted, everything=True, recipients=[recipient])
    wrong = work / "wrong.key"
    wrong.write_text(wrong_secret + "\n", encoding="ascii")
    before = listing(work)
    with pytest.raises(BundleUnusable, match="could not be decrypted with that key"):
        verify_bundle(encrypted, identities=[wrong])
    assert listing(work) == before


@pytest.mark.slow
def test_wrong_passphrase_leaves_no_decrypted_file(hostile: Hostile, work: Path) -> None:
    encrypted = work / "bundle.zip.age"
    hostile.sample.vault.export_bundle(
        encrypted, everything=True, passphrase="the right passphrase"
    )
    before = listing(work)
    with pytest.raises(WrongPassphrase):
        verify_bundle(encrypted, ask_passphrase=lambda: "a wrong passphrase")
    assert listing(work) == before


def test_cut_off_encrypted_bundle_leaves_no_decrypted_file(hostile: Hostile, work: Path) -> None:
    secret, recipient = transport.new_identity()
    full = work / "full.age"
    hostile.sample.vault.export_bundle(full, everything=True, recipients=[recipient])
    key = work / "lawyer.key"
    key.write_text(secret + "\n", encoding="ascii")
    data = full.read_bytes()
    cut = work / "cut.zip.age"
    for length in (10, len(data) // 2, len(data) - 1):
        cut.write_bytes(data[:length])
        before = listing(work)
        with pytest.raises(BundleUnusable):
            verify_bundle(cut, identities=[key])
        assert listing(work) == before


def test_not_an_age_key_file(hostile: Hostile, work: Path) -> None:
    _, recipient = transport.new_identity()
    encrypted = work / "bundle.zip.age"
    hostile.sample.vault.export_bundle(encrypted, everything=True, recipients=[recipient])
    junk = work / "junk.key"
    junk.write_text("ssh-ed25519 AAAA not an age key\n", encoding="ascii")
    before = listing(work)
    with pytest.raises(InvalidInput):
        verify_bundle(encrypted, identities=[junk])
    with pytest.raises(InvalidInput):
        verify_bundle(encrypted)  # no key given, none beside it
    assert listing(work) == before


def test_overlapping_members_are_never_read(hostile: Hostile, work: Path) -> None:
    """Sixty members listed in SHA256SUMS whose bytes all overlap (CVE-2024-0450's "quoted
    overlap"): a ZIP of about 300 KiB that would make verify hash about 18 MiB. They fail the
    structure check and are never read."""
    chain = [f"evidence/{i:04}-x.bin" for i in range(60)]
    kept = [(n, d) for n, d in read_members(hostile.bundle) if not n.startswith("evidence/")]
    sums = format_sums(dict.fromkeys(chain, "0" * 64))
    members = [(n, sums if n == layout.SUMS else d) for n, d in kept]
    blob = random.Random(5).randbytes(256 * 1024)  # noqa: S311 - reproducible test data
    path = overlapping_zip(work / "overlap.zip", members, chain, blob)
    archive_size = path.stat().st_size
    with zipfile.ZipFile(path) as zf:  # what any reader without the check would read
        assert sum(zf.getinfo(n).file_size for n in chain) > 50 * archive_size
    hashed: list[int] = []
    got = _no_traceback_outcome(path, progress=lambda done, _total: hashed.append(done))
    assert isinstance(got, VerifyResult)
    assert "shares its bytes with another member" in failed_checks(got)[STRUCTURE]
    assert max(hashed, default=0) <= archive_size
