"""The tamper matrix: every way of changing a bundle is detected by `verify`, by the right check.

Changed bundles are rewritten with zipfile exactly the way export writes them (support.rewrite), so
only the thing a test changes differs. Forgeries made with a vault's own key (support.resign) show
that the checks beyond the signatures hold on their own.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import minisign, sshsig
from crypto.canonical import canonical_json
from crypto.fingerprint import fingerprint
from tests.bundle.support import (
    SMALL_MEMBERS,
    Sample,
    assert_rejected,
    failed_checks,
    flip,
    item_problems,
    make_sample,
    manifest_of,
    member,
    outcome,
    read_members,
    replace,
    resign,
    rewrite,
    write_zip,
)
from vault.bundle import layout
from vault.bundle.verify import VerifyResult, verify_zip
from vault.errors import BundleUnusable

HASHES = "Hashes of the bundle's own files"
LISTED = "Every file listed, nothing added"
MINISIGN = "minisign signature"
OPENSSH = "OpenSSH signature"
KEYS = "Public key files in keys/"
CUSTODY = "Chain of custody"
STRUCTURE = "ZIP structure"
EXPECTED_KEY = "Signer is the expected key"
DESCRIBED = "Manifest describes every evidence file"

ALL_CHECKS = [
    STRUCTURE,
    "Signer named in the manifest",
    MINISIGN,
    OPENSSH,
    KEYS,
    LISTED,
    HASHES,
    DESCRIBED,
    CUSTODY,
]


@dataclass
class World:
    root: Path
    one: Sample
    two: Sample
    bundle: Path  # vault one, --all
    other: Path  # vault two, --all

    @property
    def item_paths(self) -> set[str]:
        return {e["path"] for e in manifest_of(self.bundle)["items"]}

    def text_owner(self, name: str) -> str | None:
        for entry in manifest_of(self.bundle)["items"]:
            if entry["text_path"] == name:
                return str(entry["path"])
        return None


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("tamper")
    one = make_sample(root, "one.evault", seed=1)
    two = make_sample(root, "two.evault", seed=2)
    bundle, other = root / "one.zip", root / "two.zip"
    one.vault.export_bundle(bundle, everything=True)
    two.vault.export_bundle(other, everything=True)
    try:
        yield World(root, one, two, bundle, other)
    finally:
        one.vault.close()
        two.vault.close()


def _fp(sample: Sample) -> str:
    return fingerprint(sample.vault.public_key)


def _result(path: Path, **kwargs: object) -> VerifyResult:
    got = outcome(path, **kwargs)
    assert isinstance(got, VerifyResult), f"refused as unusable: {got}"
    return got


def test_the_untouched_bundle_verifies(world: World) -> None:
    result = _result(world.bundle)
    assert result.intact
    # Intact, but nobody compared the signer with the defender's key: not verified.
    assert not result.ok and result.verdict == "signer-not-confirmed"
    assert [c.name for c in result.checks] == ALL_CHECKS
    assert len(result.items) == 4
    assert result.signer_fingerprint == _fp(world.one)
    assert result.key_matched is None
    with_key = _result(world.bundle, key=_fp(world.one))
    assert with_key.ok and with_key.verdict == "verified"
    assert with_key.key_matched is True
    assert EXPECTED_KEY in [c.name for c in with_key.checks]


def _data_offset(path: Path, name: str) -> tuple[int, int]:
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    return info.header_offset + 30 + len(name.encode()), info.file_size


def _expect(world: World, name: str, result: VerifyResult | str) -> None:
    """The check (or item) that must name a change to member ``name``."""
    if name == layout.MANIFEST:
        # A broken manifest cannot be read at all; one that still parses fails its hash.
        if isinstance(result, str):
            assert "manifest.json" in result
        else:
            assert not result.intact
            assert "manifest.json was changed" in failed_checks(result).get(HASHES, "")
        return
    assert isinstance(result, VerifyResult), result
    assert not result.intact
    failed = failed_checks(result)
    items = item_problems(result)
    if name in world.item_paths:
        assert name in items, (failed, items)
        assert any("changed" in p or "cannot be read" in p for p in items[name])
    elif (owner := world.text_owner(name)) is not None:
        assert any("text copy was changed" in p for p in items[owner]), items
    elif name == layout.SUMS:
        assert {MINISIGN, OPENSSH} <= set(failed)
    elif name == layout.MINISIG:
        assert set(failed) == {MINISIGN}
        assert not items
    elif name == layout.SSHSIG:
        assert set(failed) == {OPENSSH}
        assert not items
    elif name.startswith("keys/"):
        assert KEYS in failed
        assert name in failed[HASHES]
    else:  # custody.jsonl, report.html, VERIFY.txt
        assert f"{name} was changed" in failed[HASHES]
        if name == layout.CUSTODY:
            assert CUSTODY in failed


@pytest.mark.parametrize("name", SMALL_MEMBERS)
def test_a_byte_flipped_in_place_in_any_member(world: World, tmp_path: Path, name: str) -> None:
    """A changed byte inside the stored data (the ZIP's CRC no longer matches either)."""
    start, size = _data_offset(world.bundle, name)
    data = world.bundle.read_bytes()
    changed = tmp_path / "changed.zip"
    changed.write_bytes(flip(data, start + size // 2))
    _expect(world, name, outcome(changed))


@pytest.mark.parametrize("name", SMALL_MEMBERS)
def test_a_member_rewritten_with_one_byte_changed(world: World, tmp_path: Path, name: str) -> None:
    """The same change made properly (valid ZIP, correct CRC), as a careful forger would."""
    changed = rewrite(
        world.bundle,
        tmp_path / "changed.zip",
        lambda ms: [(n, flip(d, len(d) // 2) if n == name else d) for n, d in ms],
    )
    result = outcome(changed)
    _expect(world, name, result)
    if isinstance(result, VerifyResult):
        assert STRUCTURE not in failed_checks(result)  # the rewrite itself is faithful


def test_evidence_change_names_the_item_and_its_new_hash(world: World, tmp_path: Path) -> None:
    path = "evidence/0002-report.pdf"
    new_bytes = b"%PDF-1.7\nsomething else entirely\n"
    changed = rewrite(world.bundle, tmp_path / "c.zip", lambda ms: replace(ms, path, new_bytes))
    result = _result(changed)
    problems = item_problems(result)
    assert list(problems) == [path]
    assert any("was changed" in p and _sha(new_bytes) in p for p in problems[path])
    assert any("size differs" in p for p in problems[path])
    # Everything else still holds; only the item fails.
    assert failed_checks(result) == {}
    assert not result.intact


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_changing_the_unsigned_minisign_comment_is_detected(world: World, tmp_path: Path) -> None:
    old = member(world.bundle, layout.MINISIG)
    new = old.replace(b"evault bundle signature", b"evault bundle signaturf", 1)
    assert new != old
    # minisign itself accepts it (the line is not signed) ...
    bundle_id = manifest_of(world.bundle)["bundle_id"]
    comment = minisign.verify(new, world.one.vault.public_key, member(world.bundle, layout.SUMS))
    assert bundle_id in comment
    # ... but evault refuses any change to a bundle.
    changed = rewrite(world.bundle, tmp_path / "c.zip", lambda ms: replace(ms, layout.MINISIG, new))
    result = _result(changed)
    assert set(failed_checks(result)) == {MINISIGN}
    assert "comment" in failed_checks(result)[MINISIGN]


def test_renamed_member(world: World, tmp_path: Path) -> None:
    old, new = "evidence/0002-report.pdf", "evidence/0002-report-2.pdf"
    changed = rewrite(
        world.bundle, tmp_path / "c.zip", lambda ms: [(new if n == old else n, d) for n, d in ms]
    )
    result = _result(changed)
    failed = failed_checks(result)
    assert f"listed but missing: {old}" in failed[LISTED]
    assert f"present but not listed (added after signing?): {new}" in failed[LISTED]
    assert f"{new} is not in the manifest" not in failed.get(DESCRIBED, "")  # not listed at all
    assert "the file is missing from the bundle" in item_problems(result)[old]

    renamed_manifest = rewrite(
        world.bundle,
        tmp_path / "m.zip",
        lambda ms: [("manifest2.json" if n == layout.MANIFEST else n, d) for n, d in ms],
    )
    with pytest.raises(BundleUnusable, match=r"no readable manifest\.json"):
        verify_zip(renamed_manifest)


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("evidence/0001-Foto_masin_9_mart.jpg", LISTED),
        ("evidence/0003-message.json", LISTED),
        (layout.CUSTODY, CUSTODY),
        (layout.REPORT, LISTED),
        (layout.VERIFY, LISTED),
        (layout.KEY_MINISIGN, KEYS),
        (layout.KEY_SSH, KEYS),
        (layout.ALLOWED_SIGNERS, KEYS),
        (layout.SUMS, MINISIGN),
        (layout.MINISIG, MINISIGN),
        (layout.SSHSIG, OPENSSH),
    ],
)
def test_removed_member(world: World, tmp_path: Path, name: str, check: str) -> None:
    changed = rewrite(
        world.bundle, tmp_path / "c.zip", lambda ms: [(n, d) for n, d in ms if n != name]
    )
    result = _result(changed)
    failed = failed_checks(result)
    assert check in failed, failed
    if name not in (layout.SUMS, *layout.SIGNATURE_MEMBERS):
        assert f"listed but missing: {name}" in failed[LISTED]
    if name == layout.SUMS:
        assert OPENSSH in failed
    if name.startswith("evidence/0001"):
        assert "the file is missing from the bundle" in item_problems(result)[name]
    if name.endswith("message.json"):
        assert item_problems(result)  # the message's text copy is gone


def test_removed_manifest_is_unusable(world: World, tmp_path: Path) -> None:
    changed = rewrite(
        world.bundle, tmp_path / "c.zip", lambda ms: [(n, d) for n, d in ms if n != layout.MANIFEST]
    )
    with pytest.raises(BundleUnusable, match=r"manifest\.json"):
        verify_zip(changed)


@pytest.mark.parametrize("name", ["evidence/0005-extra.jpg", "notes.txt", "keys/another.pub"])
def test_added_member(world: World, tmp_path: Path, name: str) -> None:
    changed = rewrite(world.bundle, tmp_path / "c.zip", lambda ms: [*ms, (name, b"planted")])
    result = _result(changed)
    failed = failed_checks(result)
    assert set(failed) == {LISTED}, failed
    assert f"present but not listed (added after signing?): {name}" in failed[LISTED]
    assert not result.intact


def test_file_replaced_together_with_its_sums_line(world: World, tmp_path: Path) -> None:
    path = "evidence/0001-Foto_masin_9_mart.jpg"
    fake = b"\xff\xd8\xff\xe0 a different photo"

    def change(ms: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        docs = dict(ms)
        old_line = f"{_sha(docs[path])}  {path}".encode()
        sums = docs[layout.SUMS].replace(old_line, f"{_sha(fake)}  {path}".encode())
        assert sums != docs[layout.SUMS]
        return replace(replace(ms, path, fake), layout.SUMS, sums)

    result = _result(rewrite(world.bundle, tmp_path / "c.zip", change))
    failed = failed_checks(result)
    assert {MINISIGN, OPENSSH} <= set(failed)
    assert "SHA256SUMS and the manifest give different hashes" in item_problems(result)[path]


def _transplant(world: World, names: tuple[str, ...], dst: Path) -> Path:
    theirs = dict(read_members(world.other))
    return rewrite(
        world.bundle, dst, lambda ms: [(n, theirs[n] if n in names else d) for n, d in ms]
    )


def test_another_vaults_signatures_transplanted(world: World, tmp_path: Path) -> None:
    changed = _transplant(world, (layout.SUMS, *layout.SIGNATURE_MEMBERS), tmp_path / "c.zip")
    for key in (None, _fp(world.one)):
        result = _result(changed, key=key)
        failed = failed_checks(result)
        # The manifest and keys/ still name vault one: vault two's signatures do not verify.
        assert {MINISIGN, OPENSSH} <= set(failed)
        assert result.signer_fingerprint == _fp(world.one)
        assert not result.intact
    assert _result(changed, key=_fp(world.one)).key_matched is True


def test_another_vaults_signatures_and_keys_transplanted(world: World, tmp_path: Path) -> None:
    names = (
        layout.SUMS,
        *layout.SIGNATURE_MEMBERS,
        layout.KEY_MINISIGN,
        layout.KEY_SSH,
        layout.ALLOWED_SIGNERS,
    )
    changed = _transplant(world, names, tmp_path / "c.zip")
    result = _result(changed, key=_fp(world.one))
    failed = failed_checks(result)
    assert {MINISIGN, OPENSSH, KEYS} <= set(failed)
    assert "holds another key" in failed[KEYS]


def test_a_whole_bundle_from_another_vault_fails_the_expected_key(world: World) -> None:
    # Consistent in itself: it verifies, but only as signed by vault two.
    alone = _result(world.other)
    assert alone.intact
    assert alone.signer_fingerprint == _fp(world.two) != _fp(world.one)
    public_one = world.one.vault.public_key
    for key in (
        _fp(world.one),
        _fp(world.one).replace(" ", ""),
        base64.b64encode(public_one).decode(),
        sshsig.ssh_public_key_line(public_one, "defender"),
        minisign.public_key_file(public_one, "defender"),
    ):
        result = _result(world.other, key=key)
        assert not result.ok
        assert result.key_matched is False
        failed = failed_checks(result)
        assert set(failed) == {EXPECTED_KEY}
        assert f"whose fingerprint is {_fp(world.two)}" in failed[EXPECTED_KEY]
    assert _result(world.other, key=_fp(world.two)).ok


def test_bad_key_option_is_unusable(world: World) -> None:
    with pytest.raises(BundleUnusable, match="neither a fingerprint"):
        verify_zip(world.bundle, key="12345 67890")


def test_vault_ones_evidence_resigned_by_vault_two_breaks_the_custody_chain(
    world: World, tmp_path: Path
) -> None:
    """A forger with their own key re-signs everything consistently as theirs: the custody log was
    signed by vault one, so it cannot be passed off as vault two's."""
    two = world.two.vault
    doc = manifest_of(world.bundle)
    doc["signer"] = manifest_of(world.other)["signer"]
    theirs = dict(read_members(world.other))
    keys = (layout.KEY_MINISIGN, layout.KEY_SSH, layout.ALLOWED_SIGNERS)

    def change(ms: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        ms = [(n, theirs[n] if n in keys else d) for n, d in ms]
        return resign(ms, two.session.signer, manifest=doc)

    result = _result(rewrite(world.bundle, tmp_path / "c.zip", change))
    failed = failed_checks(result)
    assert set(failed) == {CUSTODY}, failed
    assert "signature" in failed[CUSTODY] or "another vault" in failed[CUSTODY]


# ---------------------------------------------------------------------------- custody.jsonl


def _lines(world: World) -> list[bytes]:
    return member(world.bundle, layout.CUSTODY).splitlines(keepends=True)


def _with_custody(
    world: World, dst: Path, lines: list[bytes], *, resigned: bool, fix_count: bool = True
) -> Path:
    data = b"".join(lines)

    def change(ms: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
        ms = replace(ms, layout.CUSTODY, data)
        if not resigned:
            return ms
        doc = manifest_of(world.bundle)
        if fix_count:
            doc["custody"]["events"] = len(lines)
        return resign(ms, world.one.vault.session.signer, manifest=doc)

    return rewrite(world.bundle, dst, change)


def _types(lines: list[bytes]) -> list[str]:
    return [json.loads(line)["body"]["type"] for line in lines]


def test_dropped_custody_event(world: World, tmp_path: Path) -> None:
    lines = _lines(world)
    middle = len(lines) // 2
    dropped = lines[:middle] + lines[middle + 1 :]
    result = _result(_with_custody(world, tmp_path / "c.zip", dropped, resigned=False))
    failed = failed_checks(result)
    assert "custody.jsonl was changed" in failed[HASHES]
    assert "number of events differs" in failed[CUSTODY]


@pytest.mark.parametrize(
    ("event_type", "where", "message"),
    [
        ("vault.created", CUSTODY, "does not start with the vault's creation"),
        ("item.created", "item", "no record of it being added"),
        ("item.metadata_changed", "item", "description differs"),
    ],
)
def test_dropped_custody_event_even_when_resigned(
    world: World, tmp_path: Path, event_type: str, where: str, message: str
) -> None:
    """Someone holding vault one's key drops an event and signs again: the log itself tells."""
    lines = _lines(world)
    index = _types(lines).index(event_type)
    dropped = lines[:index] + lines[index + 1 :]
    result = _result(_with_custody(world, tmp_path / "c.zip", dropped, resigned=True))
    assert not result.intact
    failed = failed_checks(result)
    if where == CUSTODY:
        assert message in failed[CUSTODY]
    else:
        problems = [p for ps in item_problems(result).values() for p in ps]
        assert any(message in p for p in problems), problems
    assert HASHES not in failed  # the sums were recomputed: only the log's own checks catch it


@pytest.mark.parametrize("resigned", [False, True])
def test_reordered_custody_events(world: World, tmp_path: Path, resigned: bool) -> None:
    lines = _lines(world)
    swapped = [lines[1], lines[0], *lines[2:]]
    result = _result(_with_custody(world, tmp_path / "c.zip", swapped, resigned=resigned))
    failed = failed_checks(result)
    assert CUSTODY in failed
    assert "out of order" in failed[CUSTODY] or "does not start" in failed[CUSTODY]
    if not resigned:
        assert "custody.jsonl was changed" in failed[HASHES]
    else:
        assert HASHES not in failed


def test_custody_event_with_a_changed_body_even_when_resigned(world: World, tmp_path: Path) -> None:
    lines = _lines(world)
    index = _types(lines).index("item.created")
    entry = json.loads(lines[index])
    sealed = entry["body"]["details"]["sealed"]  # the details are sealed (docs/format.md §5.6)
    entry["body"]["details"]["sealed"] = ("1" if sealed[0] == "0" else "0") + sealed[1:]
    lines[index] = canonical_json(entry) + b"\n"
    result = _result(_with_custody(world, tmp_path / "c.zip", lines, resigned=True))
    assert not result.intact
    assert CUSTODY in failed_checks(result)


def test_custody_details_disclosed_beside_an_event_changed_even_when_resigned(
    world: World, tmp_path: Path
) -> None:
    """A title changed in what a line discloses no longer opens the signed commitment."""
    lines = _lines(world)
    index = _types(lines).index("item.created")
    entry = json.loads(lines[index])
    entry["disclosed"]["details"]["metadata"]["title"] = "A different title"
    lines[index] = canonical_json(entry) + b"\n"
    result = _result(_with_custody(world, tmp_path / "c.zip", lines, resigned=True))
    assert not result.intact
    assert "do not match what it signed" in failed_checks(result)[CUSTODY]


# ---------------------------------------------------------------------------- ZIP structure


def test_a_faithful_repack_with_another_zip_writer_is_refused(world: World, tmp_path: Path) -> None:
    """Same members, same bytes, but not the ZIP records export writes (seekable: no descriptors)."""
    repacked = tmp_path / "repacked.zip"
    with zipfile.ZipFile(repacked, "w", zipfile.ZIP_STORED) as zf:
        for name, data in read_members(world.bundle):
            zf.writestr(name, data)
    result = _result(repacked)
    assert set(failed_checks(result)) == {STRUCTURE}
    assert not result.intact


@pytest.mark.parametrize("how", ["comment", "appended", "prepended"])
def test_bytes_added_around_the_zip(world: World, tmp_path: Path, how: str) -> None:
    changed = tmp_path / "c.zip"
    if how == "comment":
        shutil.copy(world.bundle, changed)
        with zipfile.ZipFile(changed, "a") as zf:
            zf.comment = b"hello"
    elif how == "appended":
        changed.write_bytes(world.bundle.read_bytes() + b"\0" * 100)
    else:
        changed.write_bytes(b"MZ" + b"\0" * 98 + world.bundle.read_bytes())
    got = assert_rejected(changed)
    if isinstance(got, VerifyResult):
        assert STRUCTURE in failed_checks(got)


def test_same_members_other_timestamp_is_still_a_valid_bundle(world: World, tmp_path: Path) -> None:
    """ZIP timestamps are not evidence: a consistent rewrite with another time verifies."""
    copy = write_zip(
        tmp_path / "c.zip", read_members(world.bundle), date_time=(2030, 1, 2, 3, 4, 6)
    )
    assert _result(copy).intact


def _structural_positions(path: Path) -> list[int]:
    data = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        content: set[int] = set()
        for info in zf.infolist():
            start = info.header_offset + 30 + len(info.filename)
            content.update(range(start, start + info.compress_size))
    return [p for p in range(len(data)) if p not in content]


@pytest.mark.slow
def test_every_byte_of_one_members_records_and_the_end_record(world: World, tmp_path: Path) -> None:
    """Exhaustive over the ZIP records of one member (local header, descriptor, central entry)
    and the end record: the places a plain ZIP reader never looks."""
    data = world.bundle.read_bytes()
    with zipfile.ZipFile(world.bundle) as zf:
        info = zf.getinfo(layout.REPORT)
        start_dir = zf.start_dir
        names = [i.filename for i in zf.infolist()]
    local = range(info.header_offset, info.header_offset + 30 + len(layout.REPORT))
    after = info.header_offset + 30 + len(layout.REPORT) + info.compress_size
    descriptor = range(after, after + 16)
    central_offset = start_dir + sum(46 + len(n) for n in names[: names.index(layout.REPORT)])
    central = range(central_offset, central_offset + 46 + len(layout.REPORT))
    end = range(len(data) - 22, len(data))
    changed = tmp_path / "c.zip"
    for position in [*local, *descriptor, *central, *end]:
        for mask in (0x01, 0x80):
            changed.write_bytes(flip(data, position, mask))
            assert_rejected(changed)


# ---------------------------------------------------------------------------- property


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_single_changed_byte_is_detected(world: World, data: st.DataObject) -> None:
    original = world.bundle.read_bytes()
    position = data.draw(st.integers(0, len(original) - 1), label="position")
    value = data.draw(st.integers(0, 255).filter(lambda v: v != original[position]), label="value")
    changed = world.root / "property.zip"
    changed.write_bytes(original[:position] + bytes([value]) + original[position + 1 :])
    assert_rejected(changed)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_changed_byte_of_the_zip_records_is_detected(world: World, data: st.DataObject) -> None:
    """The same property, with positions drawn only from the ZIP's own records (a small part of the
    file that uniform sampling rarely hits)."""
    original = world.bundle.read_bytes()
    position = data.draw(st.sampled_from(_structural_positions(world.bundle)), label="position")
    value = data.draw(st.integers(0, 255).filter(lambda v: v != original[position]), label="value")
    changed = world.root / "property-records.zip"
    changed.write_bytes(original[:position] + bytes([value]) + original[position + 1 :])
    assert_rejected(changed)


@pytest.mark.slow
def test_zip64_records_are_checked_as_strictly(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bundles over 2 GiB or with more than 65,535 members use ZIP64 records. Lowering zipfile's
    limits (for export and verify alike) makes a small bundle use every one of them: ZIP64 local
    extra fields and 24-byte data descriptors, ZIP64 sizes and offsets in the central directory,
    and the ZIP64 end records."""
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 3000)
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 5)
    bundle = world.root / "zip64.zip"
    if bundle.exists():
        bundle.unlink()
    world.one.vault.export_bundle(bundle, everything=True)
    data = bundle.read_bytes()
    assert b"PK\x06\x06" in data and b"PK\x06\x07" in data  # ZIP64 end record and locator
    with zipfile.ZipFile(bundle) as zf:
        assert any(i.extra for i in zf.infolist())  # ZIP64 fields in the central directory
        photo = zf.getinfo("evidence/0001-Foto_masin_9_mart.jpg")
    local_extra = struct.unpack_from("<H", data, photo.header_offset + 28)[0]
    assert local_extra == 20  # ZIP64 extra field in the local header (24-byte descriptor follows)
    result = _result(bundle)
    assert result.intact, failed_checks(result)
    positions = _structural_positions(bundle)
    changed = world.root / "zip64-changed.zip"
    for position in positions[:: max(1, len(positions) // 150)] + positions[-120:]:
        changed.write_bytes(flip(data, position))
        assert_rejected(changed)


# ---------------------------------------------------------------------------- older bundles


def test_a_format_1_bundle_still_verifies_with_either_form_of_the_digits() -> None:
    """A bundle made by evault 0.1 (format 1, the fingerprint's version 1), kept as a vector:
    lawyers hold the older digits, and the bundles they already received must still check."""
    from crypto.fingerprint import fingerprint_v1

    vectors = Path(__file__).resolve().parent.parent / "vectors"
    bundle = vectors / "bundle-format-1.zip"
    info = json.loads((vectors / "bundle-format-1.json").read_text(encoding="utf-8"))
    public_key = base64.b64decode(info["public_key"])
    assert fingerprint_v1(public_key) == info["fingerprint_v1"]  # independent of the file
    assert manifest_of(bundle)["version"] == 1
    alone = _result(bundle)
    assert alone.intact and not alone.ok, failed_checks(alone)
    older = _result(bundle, key=info["fingerprint_v1"])
    assert older.ok
    assert "older form" in {c.name: c.detail for c in older.checks}[EXPECTED_KEY]
    assert _result(bundle, key=fingerprint(public_key)).ok  # today's digits for the same key
    assert not _result(bundle, key="1" * 30).ok
