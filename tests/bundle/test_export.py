"""`export`: the bundle's members and bytes (docs/format.md §6), its custody record, the selection of
items, and that a failed export leaves nothing behind and records nothing."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import stat
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rfc8785

from crypto import sshsig, transport
from crypto.canonical import parse_canonical
from crypto.custody import SignedEvent, check_chain
from crypto.fingerprint import fingerprint
from crypto.sums import parse_sums
from tests.bundle.support import (
    BIG_SIZE,
    PHOTO_NAME,
    SMALL_MEMBERS,
    Sample,
    file_sha256,
    listing,
    make_sample,
    manifest_of,
    member,
    read_members,
    sha256,
)
from tests.conftest import PASSPHRASE
from tests.vault.support import raw_db
from vault import Vault
from vault.bundle import layout
from vault.bundle.verify import verify_zip
from vault.custody.models import CustodyRecord
from vault.errors import Cancelled, EvaultError, InvalidInput
from vault.evidence.models import Metadata
from vault.store.session import Session


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[Sample]:
    s = make_sample(tmp_path)
    yield s
    s.vault.close()


@pytest.fixture
def big_sample(tmp_path: Path) -> Iterator[Sample]:
    s = make_sample(tmp_path, big=True)
    yield s
    s.vault.close()


def _events(data: bytes) -> list[dict[str, Any]]:
    return [parse_canonical(line, max_bytes=1 << 24) for line in data.splitlines()]


def _exports(vault: Vault) -> list[CustodyRecord]:
    return [r for r in vault.custody_log() if r.type == "bundle.exported"]


def test_members_are_exactly_the_layout(sample: Sample, tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    sample.vault.export_bundle(out, everything=True)
    with zipfile.ZipFile(out) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == SMALL_MEMBERS
        for info in infos:
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.compress_size == info.file_size
            assert stat.S_ISREG(info.external_attr >> 16)
            assert not info.is_dir()
            assert layout.is_safe_member_name(info.filename)
        assert zf.testzip() is None
        sums = parse_sums(zf.read(layout.SUMS), max_bytes=layout.MAX_DOCUMENT_BYTES)
        # "<64 hex>  <name>\n" for every member but SHA256SUMS and its signatures, sorted by name.
        listed = [n for n in SMALL_MEMBERS if n not in (layout.SUMS, *layout.SIGNATURE_MEMBERS)]
        assert zf.read(layout.SUMS) == b"".join(
            f"{sha256(zf.read(n))}  {n}\n".encode() for n in sorted(listed)
        )
        assert sums == {n: sha256(zf.read(n)) for n in listed}
        assert zf.read(layout.KEY_SSH).startswith(b"ssh-ed25519 ")
        assert zf.read(layout.ALLOWED_SIGNERS).startswith(b"evault-bundle namespaces=")
        assert zf.read(layout.MINISIG).startswith(b"untrusted comment: evault bundle signature\n")
        assert zf.read(layout.SSHSIG).startswith(b"-----BEGIN SSH SIGNATURE-----\n")
    assert verify_zip(out).intact


def test_evidence_bytes_are_the_originals(big_sample: Sample, tmp_path: Path) -> None:
    sample = big_sample
    out = tmp_path / "bundle.zip"
    result = sample.vault.export_bundle(out, everything=True)
    assert result.items == 5
    manifest = manifest_of(out)
    entries = {e["id"]: e for e in manifest["items"]}
    assert list(entries) == sample.live
    for item_id in sample.live:
        entry = entries[item_id]
        original = sample.original(item_id)
        data = member(out, entry["path"])
        assert data == original
        assert entry["sha256"] == hashlib.sha256(original).hexdigest() == sha256(data)
        assert entry["size"] == len(original)
    assert entries[sample.big]["size"] == BIG_SIZE  # the streamed, multi-chunk path
    # The original file name is kept exactly in the manifest; the member name is safe ASCII.
    assert entries[sample.photo]["metadata"]["original_filename"] == PHOTO_NAME
    assert entries[sample.photo]["path"] == "evidence/0001-Foto_masin_9_mart.jpg"
    # A message: its exact UTF-8 bytes, plus a derived JSON copy for reading.
    message = entries[sample.message]
    assert message["kind"] == "message"
    assert message["path"].endswith("-message.txt")
    derived = json.loads(member(out, message["text_path"]))
    assert derived["text"] == sample.original(sample.message).decode("utf-8")
    assert derived["sha256_of_original"] == message["sha256"]
    assert entries[sample.photo]["text_path"] is None


def test_manifest_is_canonical_and_describes_the_bundle(sample: Sample, tmp_path: Path) -> None:
    head = sample.vault.custody_head()
    out = tmp_path / "bundle.zip"
    result = sample.vault.export_bundle(out, case="Case A", note="For the hearing on 12 May")
    raw = member(out, layout.MANIFEST)
    assert rfc8785.dumps(json.loads(raw)) == raw
    manifest = json.loads(raw)
    public_key = sample.vault.public_key
    assert manifest["format"] == "evault-bundle"
    assert manifest["version"] == 2
    assert manifest["bundle_id"] == result.bundle_id
    assert manifest["vault_id"] == sample.vault.vault_id
    assert manifest["case"] == "Case A"
    assert manifest["note"] == "For the hearing on 12 May"
    assert manifest["signer"] == {
        "algorithm": "ed25519",
        "public_key": base64.b64encode(public_key).decode(),
        "fingerprint": fingerprint(public_key),
        "ssh_fingerprint": sshsig.ssh_fingerprint(public_key),
    }
    assert result.fingerprint == fingerprint(public_key)
    lines = member(out, layout.CUSTODY).splitlines()
    assert manifest["custody"] == {
        "path": layout.CUSTODY,
        "events": len(lines),
        "head_seq": head["seq"],
        "head_hash": head["hash"],
    }
    assert [e["id"] for e in manifest["items"]] == sample.case_a


def test_custody_lines_verify_as_a_subset(sample: Sample, tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    sample.vault.export_bundle(out, case="Case A")
    data = member(out, layout.CUSTODY)
    assert data.endswith(b"\n")
    entries = _events(data)
    events = []
    for line, entry in zip(data.splitlines(), entries, strict=True):
        assert rfc8785.dumps(entry) == line  # each line canonical
        body = entry["body"]
        events.append(
            SignedEvent(
                body["seq"],
                rfc8785.dumps(body),
                entry["hash"],
                base64.b64decode(entry["signature"]),
            )
        )
    public_key = sample.vault.public_key
    assert check_chain(events, public_key, vault_id=sample.vault.vault_id, contiguous=False) == []
    bodies = [e["body"] for e in entries]
    assert bodies[0]["type"] == "vault.created"
    assert bodies[0]["prev"] is None
    assert [b["seq"] for b in bodies] == sorted({b["seq"] for b in bodies})
    named = {b["item"]["id"] for b in bodies if b["item"]}
    assert named == set(sample.case_a)  # nothing about the case-B item or the deleted note
    types = [b["type"] for b in bodies]
    assert types.count("item.created") == len(sample.case_a)
    assert "item.metadata_changed" in types  # the photo's edited title
    # The same events as the vault's own log.
    log = {r.seq: r.hash for r in sample.vault.custody_log()}
    assert all(log[e.seq] == e.hash for e in events)


def test_export_is_recorded_with_the_bundle_hash(sample: Sample, tmp_path: Path) -> None:
    before = len(sample.vault.custody_log())
    out = tmp_path / "bundle.zip"
    result = sample.vault.export_bundle(out, item_ids=[sample.pdf, sample.note], note="n")
    log = sample.vault.custody_log()
    # Recorded as started (before the bundle got its name), then as completed.
    assert [e.type for e in log[before:]] == ["bundle.export_started", "bundle.exported"]
    started, event = log[-2:]
    assert event.reason == "n"
    assert started.details == {
        "bundle_id": result.bundle_id,
        "file_name": "bundle.zip",
        "bundle_sha256": result.sha256,
        "bundle_size": result.size,
    }
    written = out.read_bytes()
    assert result.sha256 == file_sha256(out)
    assert result.size == len(written)
    details = event.details
    assert details["bundle_sha256"] == hashlib.sha256(written).hexdigest()
    assert details["bundle_size"] == len(written)
    assert details["bundle_id"] == manifest_of(out)["bundle_id"] == result.bundle_id
    assert details["file_name"] == "bundle.zip"
    assert details["encryption"] == "none"
    # The event binds the manifest (which lists every item and its SHA-256) by its hash.
    assert details["item_count"] == 2
    assert details["manifest_sha256"] == hashlib.sha256(member(out, layout.MANIFEST)).hexdigest()
    assert [e["id"] for e in manifest_of(out)["items"]] == [sample.pdf, sample.note]
    # The event names the exported items, so it is part of their history.
    assert any(r.type == "bundle.exported" for r in sample.vault.custody_log(sample.pdf))
    assert not any(r.type == "bundle.exported" for r in sample.vault.custody_log(sample.photo))
    assert sample.vault.check().ok
    assert not sample.vault.check().notes  # the export completed: nothing to note


def test_a_second_export_carries_the_first_and_verifies(sample: Sample, tmp_path: Path) -> None:
    sample.vault.export_bundle(tmp_path / "first.zip", everything=True)
    second = tmp_path / "second.zip"
    sample.vault.export_bundle(second, everything=True)
    types = [e["body"]["type"] for e in _events(member(second, layout.CUSTODY))]
    assert "bundle.exported" in types
    result = verify_zip(second)
    assert result.intact, [(c.name, c.detail) for c in result.checks]
    assert len(_exports(sample.vault)) == 2


def test_selection_by_case_ids_and_all(sample: Sample, tmp_path: Path) -> None:
    v = sample.vault

    def ids(name: str, **kwargs: object) -> list[str]:
        out = tmp_path / name
        v.export_bundle(out, **kwargs)  # type: ignore[arg-type]
        assert verify_zip(out).intact
        return [e["id"] for e in manifest_of(out)["items"]]

    assert ids("a.zip", case="Case A") == sample.case_a
    assert ids("b.zip", case="Case B") == [sample.pdf]
    assert ids("all.zip", everything=True) == sample.live  # never the deleted note
    assert ids("one.zip", item_ids=[sample.note]) == [sample.note]
    assert ids("short.zip", item_ids=[sample.pdf[:8]]) == [sample.pdf]  # a unique prefix
    # Ids and a case together: each item once, in the order they were added.
    assert ids("mix.zip", item_ids=[sample.note, sample.pdf], case="Case A") == [
        sample.photo,
        sample.pdf,
        sample.message,
        sample.note,
    ]


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"case": "No such case"}, {"item_ids": ["ffffffff-0000"]}],
    ids=["nothing", "unknown-case", "unknown-id"],
)
def test_nothing_to_export_is_refused(
    sample: Sample, tmp_path: Path, kwargs: dict[str, object]
) -> None:
    before = listing(tmp_path)
    events = len(sample.vault.custody_log())
    with pytest.raises(EvaultError) as caught:
        sample.vault.export_bundle(tmp_path / "out.zip", **kwargs)  # type: ignore[arg-type]
    assert caught.value.exit_code == 2
    assert listing(tmp_path) == before
    assert len(sample.vault.custody_log()) == events


def test_empty_selection_is_invalid_input(sample: Sample, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="Nothing to export"):
        sample.vault.export_bundle(tmp_path / "out.zip")
    sample.vault.create_case("Empty case")
    with pytest.raises(InvalidInput, match="Nothing to export"):
        sample.vault.export_bundle(tmp_path / "out.zip", case="Empty case")
    assert not (tmp_path / "out.zip").exists()


def test_existing_output_is_refused_and_left_alone(sample: Sample, tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    out.write_bytes(b"the lawyer's earlier bundle")
    before = listing(tmp_path)
    events = len(sample.vault.custody_log())
    with pytest.raises(InvalidInput, match="already exists"):
        sample.vault.export_bundle(out, everything=True)
    assert out.read_bytes() == b"the lawyer's earlier bundle"
    # Passphrase mode also writes OUT.key.age: an existing one is refused too.
    key = tmp_path / "other.zip.key.age"
    key.write_bytes(b"keep me")
    with pytest.raises(InvalidInput, match="already exists"):
        sample.vault.export_bundle(tmp_path / "other.zip", everything=True, passphrase="pw pw pw")
    assert key.read_bytes() == b"keep me"
    assert listing(tmp_path) == before | {"other.zip.key.age"}
    assert len(sample.vault.custody_log()) == events
    with pytest.raises(InvalidInput, match="does not exist"):
        sample.vault.export_bundle(tmp_path / "no-folder" / "b.zip", everything=True)


def _assert_nothing_written(folder: Path, before: set[str], vault: Vault, events: int) -> None:
    after = listing(folder)
    assert after == before, after - before
    assert not [n for n in after if "evault-partial" in n]
    assert len(vault.custody_log()) == events
    assert not _exports(vault)


@pytest.mark.slow
@pytest.mark.parametrize("encryption", ["none", "recipients", "passphrase"])
def test_cancel_mid_export_leaves_nothing(
    big_sample: Sample, tmp_path: Path, encryption: str
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    before = listing(out_dir)
    events = len(big_sample.vault.custody_log())
    cancel = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int | None) -> None:
        seen.append(done)
        if done >= 1024 * 1024:  # inside the big item, one chunk in: the ZIP is half written
            cancel.set()

    extra: dict[str, object] = {}
    if encryption == "recipients":
        extra["recipients"] = [transport.new_identity()[1]]
    elif encryption == "passphrase":
        extra["passphrase"] = "a long bundle passphrase"
    with pytest.raises(Cancelled):
        big_sample.vault.export_bundle(
            out_dir / "bundle.zip",
            everything=True,
            progress=progress,
            cancel=cancel,
            **extra,  # type: ignore[arg-type]
        )
    assert seen and seen[-1] < sum(len(big_sample.original(i)) for i in big_sample.live)
    _assert_nothing_written(out_dir, before, big_sample.vault, events)


def test_corrupted_stored_content_stops_the_export(tmp_path: Path) -> None:
    """Someone holding the database key changes a stored chunk: export must not sign a bundle."""
    sample = make_sample(tmp_path, big=True)
    target = sample.big
    assert target is not None
    sample.vault.close()
    with raw_db(sample.folder) as conn:
        chunk_id, data = conn.execute(
            "SELECT ch.id, ch.data FROM chunks ch JOIN items i ON i.content_id = ch.content_id"
            " WHERE i.id = ? AND ch.seq = 1",
            (target,),
        ).fetchone()
        conn.execute(
            "UPDATE chunks SET data = ? WHERE id = ?", (bytes([data[0] ^ 1]) + data[1:], chunk_id)
        )
    vault = Vault.open(sample.folder, passphrase=PASSPHRASE)
    try:
        out_dir = tmp_path / "out"
        out_dir.mkdir()
        before = listing(out_dir)
        events = len(vault.custody_log())
        with pytest.raises(EvaultError, match="no longer matches its recorded SHA-256") as caught:
            vault.export_bundle(out_dir / "bundle.zip", everything=True)
        assert target in str(caught.value)
        _assert_nothing_written(out_dir, before, vault, events)
        # The other items still export.
        vault.export_bundle(out_dir / "ok.zip", item_ids=[sample.photo])
        assert verify_zip(out_dir / "ok.zip").intact
    finally:
        vault.close()


@pytest.mark.slow
def test_encrypted_exports_record_the_encrypted_file(sample: Sample, tmp_path: Path) -> None:
    _, recipient = transport.new_identity()
    out = tmp_path / "bundle.zip.age"
    result = sample.vault.export_bundle(out, everything=True, recipients=[recipient])
    assert result.encryption == "recipients"
    assert out.read_bytes().startswith(transport.AGE_MAGIC)
    event = _exports(sample.vault)[-1]
    assert event.details["bundle_sha256"] == file_sha256(out) == result.sha256
    assert event.details["recipients"] == [recipient]
    # No unencrypted copy was left next to it.
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".zip" or "partial" in p.name]

    locked = tmp_path / "locked.zip.age"
    result = sample.vault.export_bundle(
        locked, everything=True, passphrase="a long bundle passphrase"
    )
    assert result.encryption == "passphrase"
    assert result.key_path == tmp_path / "locked.zip.age.key.age"
    assert result.key_path.read_bytes().startswith(transport.AGE_MAGIC)
    assert _exports(sample.vault)[-1].details["encryption"] == "passphrase"


def test_member_names_are_unique_and_safe_for_odd_file_names(
    tmp_path: Path, make_vault: object
) -> None:
    vault, _ = make_vault()  # type: ignore[operator]
    names = [
        "../../etc/passwd",
        "a\\b:c.txt",
        "ünïcödé.pdf",
        "x" * 200 + ".png",
        ".hidden",
        "no_ext",
    ]
    for n, name in enumerate(names):
        path = tmp_path / f"src{n}"
        path.mkdir()
        safe = name.replace("/", "_")
        (path / safe).write_bytes(f"file {n}".encode())
        vault.add_file(path / safe)
    out = tmp_path / "odd.zip"
    vault.export_bundle(out, everything=True)
    evidence = [n for n, _ in read_members(out) if n.startswith("evidence/")]
    assert len(evidence) == len(set(evidence)) == len(names)
    for name in evidence:
        assert layout.is_safe_member_name(name)
        assert re.fullmatch(r"evidence/\d{4}-[A-Za-z0-9._-]{1,80}", name), name
    assert verify_zip(out).intact


def test_a_failure_to_record_the_export_removes_the_bundle(
    sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle the custody log does not know as complete must not exist; its start stays
    recorded, and 'check' notes it (not as a problem)."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    before = listing(out_dir)
    events = len(sample.vault.custody_log())
    original = Session.event

    def fail_on_export(self: Session, event_type: str, *args: Any, **kwargs: Any) -> None:
        if event_type == "bundle.exported":
            raise OSError(28, "No space left on device")
        original(self, event_type, *args, **kwargs)

    monkeypatch.setattr(Session, "event", fail_on_export)
    with pytest.raises(EvaultError):  # a calm message (disk full), not an OSError traceback
        sample.vault.export_bundle(out_dir / "bundle.zip", everything=True)
    _assert_nothing_written(out_dir, before, sample.vault, events + 1)
    (started,) = sample.vault.custody_log()[events:]
    assert started.type == "bundle.export_started"
    assert started.details["file_name"] == "bundle.zip"
    report = sample.vault.check()
    assert report.ok, report.problems
    (note,) = report.notes
    assert started.details["bundle_id"] in note and started.details["bundle_sha256"] in note


@pytest.mark.slow
def test_a_bundle_of_thousands_of_items_exports_and_verifies(
    make_vault: object, tmp_path: Path
) -> None:
    """The export's custody event stays small however many items the bundle holds."""
    vault, _ = make_vault("many.evault")  # type: ignore[operator]
    folder = tmp_path / "many"
    folder.mkdir()
    paths = []
    for n in range(2300):
        path = folder / f"shot{n:04d}.png"
        path.write_bytes(f"screenshot number {n}".encode())
        paths.append(path)
    vault.add_files(paths)
    out = tmp_path / "many.zip"
    result = vault.export_bundle(out, everything=True)
    assert result.items == 2300
    assert verify_zip(out).intact
    assert vault.custody_log()[-1].details["item_count"] == 2300


def test_a_renamed_case_still_verifies(make_vault: object, tmp_path: Path) -> None:
    vault, _ = make_vault("renamed.evault")  # type: ignore[operator]
    f = tmp_path / "shot.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\nexample")
    vault.add_file(f, Metadata(case="Old name"))
    vault.rename_case("Old name", "New name")
    out = tmp_path / "renamed.zip"
    vault.export_bundle(out, case="New name")
    result = verify_zip(out)
    assert result.intact, [c for c in result.checks if not c.ok] + [
        i for i in result.items if not i.ok
    ]
