"""Tampering with real files: any changed byte of vault.db, and rows changed by someone who holds the
database key (through a raw SQLCipher connection), must never pass silently."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto.constants import CHUNK_SIZE, CIPHER_PAGE_SIZE
from tests.conftest import PASSPHRASE, fast_kdf
from tests.vault.support import DB, flip_byte, keys_doc, raw_db, snapshot, write, write_keys_doc
from vault import Vault
from vault.custody.models import CheckReport
from vault.errors import KeysFileDamaged, VaultDamaged
from vault.evidence.models import Metadata


@pytest.fixture
def sample(tmp_path: Path) -> dict[str, Any]:
    """A closed vault with files (one spanning two chunks), a message, a note, an edit, a deletion."""
    folder = tmp_path / "sample.evault"
    vault, recovery = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    src = tmp_path / "src"
    src.mkdir()
    rng = random.Random(99)  # noqa: S311 - reproducible test data
    files = [
        vault.add_file(write(src, "big.mp4", rng.randbytes(CHUNK_SIZE + 5000)), Metadata(case="C")),
        vault.add_file(write(src, "photo.jpg", b"\xff\xd8\xff" + rng.randbytes(40_000))),
        vault.add_file(write(src, "doc.pdf", b"%PDF-1.7" + rng.randbytes(3_000))),
    ]
    message = vault.add_message("Səni tapacağıq", Metadata(sender_handle="@x"))
    note = vault.add_note("They came at night.")
    vault.update_metadata(files[1].item_id, {"title": "Photo of the car"})
    b"".join(vault.read_content(files[2].item_id))
    gone = vault.add_note("to be removed")
    vault.delete_item(gone.item_id, reason="mistake")
    assert vault.check().ok
    events = len(vault.custody_log())
    vault.close()
    return {
        "folder": folder,
        "files": files,
        "message": message,
        "note": note,
        "events": events,
        "recovery": recovery,
        "tmp": tmp_path,
    }


def _fresh_copy(sample: dict[str, Any], name: str) -> Path:
    target: Path = sample["tmp"] / "copies" / name
    shutil.copytree(sample["folder"], target)
    return target


def _outcome(folder: Path) -> CheckReport | None:
    """None if the vault refused to open as damaged; otherwise the check report."""
    try:
        vault = Vault.open(folder, passphrase=PASSPHRASE, lock_wait=0.1)
    except VaultDamaged:
        return None
    try:
        return vault.check()
    finally:
        vault.close()


def _assert_flip_detected(sample: dict[str, Any], offset: int, mask: int = 0x01) -> None:
    folder = _fresh_copy(sample, f"flip-{offset}-{mask}")
    flip_byte(folder / DB, offset, mask)
    report = _outcome(folder)
    if report is not None:
        assert not report.ok, f"flip at {offset} passed silently"
        assert any(p.startswith("vault.db") for p in report.problems), report.problems
    shutil.rmtree(folder)


# ---------------------------------------------------------------- vault.db bytes


@pytest.mark.slow
def test_every_page_detects_a_flipped_byte(sample: dict[str, Any]) -> None:
    size = (sample["folder"] / DB).stat().st_size
    assert size % CIPHER_PAGE_SIZE == 0
    pages = size // CIPHER_PAGE_SIZE
    assert pages > 80  # the sample spans many pages, including the overflow pages of a big chunk
    rng = random.Random(2026)  # noqa: S311 - reproducible test data
    for page in range(pages):
        _assert_flip_detected(sample, page * CIPHER_PAGE_SIZE + rng.randrange(CIPHER_PAGE_SIZE))


@pytest.mark.slow
@pytest.mark.parametrize("offset", [*range(16), 16, 17, 23, 24, 100, 4095, 16383, 16384])
def test_salt_and_first_page_flips_refuse_to_open(sample: dict[str, Any], offset: int) -> None:
    folder = _fresh_copy(sample, f"salt-{offset}")
    flip_byte(folder / DB, offset)
    with pytest.raises(VaultDamaged):
        Vault.open(folder, passphrase=PASSPHRASE, lock_wait=0.1)


@pytest.mark.slow
@pytest.mark.parametrize("from_end", [1, 2, 16, 32, 64, 80, 96, 100, CIPHER_PAGE_SIZE])
def test_flips_at_the_end_of_the_file_are_detected(sample: dict[str, Any], from_end: int) -> None:
    size = (sample["folder"] / DB).stat().st_size
    _assert_flip_detected(sample, size - from_end)


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.floats(min_value=0, max_value=1, exclude_max=True), mask=st.integers(1, 255))
def test_any_changed_byte_is_detected(sample: dict[str, Any], position: float, mask: int) -> None:
    size = (sample["folder"] / DB).stat().st_size
    _assert_flip_detected(sample, int(position * size), mask)


def test_truncated_database_is_detected(sample: dict[str, Any]) -> None:
    for keep in (0, 100, CIPHER_PAGE_SIZE, 5 * CIPHER_PAGE_SIZE + 7):
        folder = _fresh_copy(sample, f"trunc-{keep}")
        path = folder / DB
        path.write_bytes(path.read_bytes()[:keep])
        before = snapshot(folder)
        report = _outcome(folder)
        assert report is None or not report.ok, keep
        assert snapshot(folder) == before, keep  # trying to open never rebuilds or repairs


def test_emptied_database_is_damage_not_a_new_vault(sample: dict[str, Any]) -> None:
    folder = _fresh_copy(sample, "emptied")
    (folder / DB).write_bytes(b"")
    with pytest.raises(VaultDamaged):
        Vault.open(folder, passphrase=PASSPHRASE, lock_wait=0.1)
    assert (folder / DB).read_bytes() == b""


def test_appended_page_is_detected(sample: dict[str, Any]) -> None:
    folder = _fresh_copy(sample, "appended")
    with (folder / DB).open("ab") as f:
        f.write(random.Random(1).randbytes(CIPHER_PAGE_SIZE))  # noqa: S311 - reproducible test data
    report = _outcome(folder)
    assert report is None or not report.ok


def test_damaged_database_is_not_modified_by_trying_to_open_it(sample: dict[str, Any]) -> None:
    folder = _fresh_copy(sample, "readonly-attempt")
    flip_byte(folder / DB, 3 * CIPHER_PAGE_SIZE + 500)
    before = snapshot(folder)
    report = _outcome(folder)
    assert report is None or not report.ok
    assert snapshot(folder) == before


# ---------------------------------------------------------------- rows changed with the key


def _tamper(
    sample: dict[str, Any], name: str, *statements: tuple[str, tuple[Any, ...]]
) -> CheckReport:
    folder = _fresh_copy(sample, name)
    with raw_db(folder) as conn:
        for sql, params in statements:
            changed = conn.execute(sql, params).rowcount
            assert changed >= 1, sql
    with Vault.open(folder, passphrase=PASSPHRASE, lock_wait=0.1) as vault:
        return vault.check()


def _event(sample: dict[str, Any], seq: int) -> tuple[bytes, str, bytes]:
    with raw_db(sample["folder"]) as conn:
        body, digest, sig = conn.execute(
            "SELECT body, hash, signature FROM custody WHERE seq = ?", (seq,)
        ).fetchone()
    return bytes(body), str(digest), bytes(sig)


def _seq_of(sample: dict[str, Any], event_type: str, item_id: str | None = None) -> int:
    with raw_db(sample["folder"]) as conn:
        rows = conn.execute("SELECT seq, body FROM custody ORDER BY seq").fetchall()
    for seq, body in rows:
        parsed = json.loads(bytes(body))
        if parsed["type"] == event_type and (
            item_id is None or (parsed["item"] or {}).get("id") == item_id
        ):
            return int(seq)
    raise AssertionError(f"no {event_type} event")


def _names(report: CheckReport, text: str) -> bool:
    return any(text in p for p in report.problems)


def _flip_commitment(body: bytes) -> bytes:
    """``body`` with one hex digit of its sealed details' commitment changed."""
    at = body.index(b'"sealed":"') + len(b'"sealed":"')
    digit = b"1" if body[at : at + 1] == b"0" else b"0"
    return body[:at] + digit + body[at + 1 :]


def test_kept_details_changed_behind_the_vaults_back(sample: dict[str, Any]) -> None:
    """The details kept beside a sealed event (a title, a file name) must open its commitment."""
    seq = _seq_of(sample, "item.created", sample["files"][1].item_id)
    with raw_db(sample["folder"]) as conn:
        (details,) = conn.execute(
            "SELECT details FROM custody_disclosures WHERE seq = ?", (seq,)
        ).fetchone()
    altered = bytes(details).replace(b'"photo.jpg"', b'"photo.jpG"')
    assert altered != bytes(details)
    report = _tamper(
        sample,
        "disclosure",
        ("UPDATE custody_disclosures SET details = ? WHERE seq = ?", (altered, seq)),
    )
    assert _names(report, f"Custody event {seq}: the details kept beside it do not match")


def test_one_character_of_an_event_body_changed(sample: dict[str, Any]) -> None:
    seq = _seq_of(sample, "item.created", sample["files"][1].item_id)
    body, _, _ = _event(sample, seq)
    altered = _flip_commitment(body)  # the details are sealed (docs/format.md §5.6)
    assert altered != body and len(altered) == len(body)
    report = _tamper(sample, "body", ("UPDATE custody SET body = ? WHERE seq = ?", (altered, seq)))
    assert _names(report, f"Custody event {seq}:")


def test_event_body_changed_with_its_hash_recomputed(sample: dict[str, Any]) -> None:
    seq = _seq_of(sample, "item.created", sample["files"][0].item_id)
    body, _, _ = _event(sample, seq)
    altered = _flip_commitment(body)
    assert altered != body
    report = _tamper(
        sample,
        "body-rehashed",
        (
            "UPDATE custody SET body = ?, hash = ? WHERE seq = ?",
            (altered, hashlib.sha256(altered).hexdigest(), seq),
        ),
    )
    assert _names(report, f"Custody event {seq}: its signature does not verify")
    # The next event still links to the original hash.
    assert _names(report, f"Custody event {seq + 1}:")


def test_event_signature_changed(sample: dict[str, Any]) -> None:
    seq = 3
    _, _, sig = _event(sample, seq)
    altered = bytes([sig[0] ^ 0x80]) + sig[1:]
    report = _tamper(
        sample, "sig", ("UPDATE custody SET signature = ? WHERE seq = ?", (altered, seq))
    )
    assert _names(report, f"Custody event {seq}: its signature does not verify")


def test_event_deleted_in_the_middle(sample: dict[str, Any]) -> None:
    seq = _seq_of(sample, "item.viewed")
    assert 1 < seq < sample["events"]
    report = _tamper(
        sample,
        "deleted-event",
        ("DELETE FROM custody_items WHERE seq = ?", (seq,)),
        ("DELETE FROM custody WHERE seq = ?", (seq,)),
    )
    assert _names(report, f"Custody event {seq + 1}: events are missing before it")


def test_creation_event_deleted(sample: dict[str, Any]) -> None:
    item_id = sample["note"].item_id
    seq = _seq_of(sample, "item.created", item_id)
    report = _tamper(sample, "deleted-creation", ("DELETE FROM custody WHERE seq = ?", (seq,)))
    assert _names(report, f"Custody event {seq + 1}")
    assert _names(report, f"Item {item_id}: it has no creation event")


def test_two_event_bodies_swapped(sample: dict[str, Any]) -> None:
    a, b = 3, 4
    ev_a, ev_b = _event(sample, a), _event(sample, b)
    swap = "UPDATE custody SET body = ?, hash = ?, signature = ? WHERE seq = ?"
    report = _tamper(sample, "swap", (swap, (*ev_b, a)), (swap, (*ev_a, b)))
    assert _names(report, f"Custody event {a}:")
    assert _names(report, f"Custody event {b}:")


def test_event_of_another_vault_spliced_in(sample: dict[str, Any], make_vault) -> None:  # type: ignore[no-untyped-def]
    other, _ = make_vault("other.evault")
    other.add_note("x")
    other.close()
    with raw_db(other.folder) as conn:
        foreign = conn.execute("SELECT body, hash, signature FROM custody WHERE seq = 2").fetchone()
    report = _tamper(
        sample,
        "foreign",
        (
            "UPDATE custody SET body = ?, hash = ?, signature = ? WHERE seq = 2",
            (bytes(foreign[0]), foreign[1], bytes(foreign[2])),
        ),
    )
    assert _names(report, "Custody event 2:")


def test_content_chunk_changed(sample: dict[str, Any]) -> None:
    target = sample["files"][0]
    with raw_db(sample["folder"]) as conn:
        chunk_id, data = conn.execute(
            "SELECT ch.id, ch.data FROM chunks ch JOIN items i ON i.content_id = ch.content_id"
            " WHERE i.id = ? AND ch.seq = 1",
            (target.item_id,),
        ).fetchone()
    altered = bytes([data[0] ^ 1]) + bytes(data[1:])
    report = _tamper(
        sample, "chunk", ("UPDATE chunks SET data = ? WHERE id = ?", (altered, chunk_id))
    )
    assert _names(report, f"Item {target.item_id}: the stored bytes no longer match")
    assert len(report.problems) == 1


def test_content_chunk_removed(sample: dict[str, Any]) -> None:
    target = sample["files"][0]
    report = _tamper(
        sample,
        "chunk-gone",
        (
            "DELETE FROM chunks WHERE seq = 1 AND content_id ="
            " (SELECT content_id FROM items WHERE id = ?)",
            (target.item_id,),
        ),
    )
    assert _names(report, f"Item {target.item_id}")


def test_message_text_changed(sample: dict[str, Any]) -> None:
    target = sample["message"]
    report = _tamper(
        sample,
        "message-text",
        (
            "UPDATE chunks SET data = ? WHERE content_id ="
            " (SELECT content_id FROM items WHERE id = ?)",
            ("Səni tapmayacağıq".encode(), target.item_id),
        ),
    )
    assert _names(report, f"Item {target.item_id}")


def test_recorded_sha256_changed(sample: dict[str, Any]) -> None:
    target = sample["files"][1]
    fake = hashlib.sha256(b"something else").hexdigest()
    report = _tamper(
        sample, "items-sha", ("UPDATE items SET sha256 = ? WHERE id = ?", (fake, target.item_id))
    )
    assert _names(report, f"Item {target.item_id}")


def test_content_and_item_hashes_changed_together(sample: dict[str, Any]) -> None:
    """Swapping in other bytes and fixing both recorded hashes still contradicts the signed log."""
    target = sample["files"][2]
    new = b"%PDF-1.7 forged document"
    digest = hashlib.sha256(new).hexdigest()
    sub = "(SELECT content_id FROM items WHERE id = ?)"
    report = _tamper(
        sample,
        "forged",
        (f"DELETE FROM chunks WHERE content_id = {sub}", (target.item_id,)),  # noqa: S608
        (
            f"INSERT INTO chunks (content_id, seq, data) VALUES ({sub}, 0, ?)",  # noqa: S608
            (target.item_id, new),
        ),
        (
            f"UPDATE contents SET sha256 = ?, size = ?, chunk_count = 1 WHERE id = {sub}",  # noqa: S608
            (digest, len(new), target.item_id),
        ),
        (
            "UPDATE items SET sha256 = ?, size = ? WHERE id = ?",
            (digest, len(new), target.item_id),
        ),
    )
    assert report.problems == [
        f"Item {target.item_id}: its recorded SHA-256 differs from the one in its creation event.",
        f"Item {target.item_id}: its size changed without a custody event.",
    ]


def test_recorded_size_changed(sample: dict[str, Any]) -> None:
    target = sample["files"][1]
    report = _tamper(
        sample, "items-size", ("UPDATE items SET size = size + 1 WHERE id = ?", (target.item_id,))
    )
    assert _names(report, f"Item {target.item_id}")


def test_item_removed_without_a_trace(sample: dict[str, Any]) -> None:
    target = sample["note"]
    sub = "(SELECT content_id FROM items WHERE id = ?)"
    report = _tamper(
        sample,
        "vanished",
        (
            "DELETE FROM search WHERE rowid = (SELECT rowid FROM items WHERE id = ?)",
            (target.item_id,),
        ),
        (f"DELETE FROM chunks WHERE content_id = {sub}", (target.item_id,)),  # noqa: S608
        ("DELETE FROM items WHERE id = ?", (target.item_id,)),
    )
    assert _names(report, f"Item {target.item_id}")


def test_item_hidden_as_deleted_without_a_tombstone(sample: dict[str, Any]) -> None:
    target = sample["files"][1]
    report = _tamper(
        sample,
        "hidden",
        (
            "UPDATE items SET deleted_at = '2030-01-01T00:00:00.000000Z' WHERE id = ?",
            (target.item_id,),
        ),
    )
    assert _names(report, f"Item {target.item_id}: it was deleted without a custody tombstone")


def test_deleted_item_brought_back(sample: dict[str, Any]) -> None:
    report = _tamper(
        sample,
        "undeleted",
        ("UPDATE items SET deleted_at = NULL WHERE deleted_at IS NOT NULL", ()),
    )
    assert _names(report, "the log says it was deleted, but it is still here")


def test_identity_key_replaced(sample: dict[str, Any], make_vault) -> None:  # type: ignore[no-untyped-def]
    """Replacing the signing key (without re-signing) makes every existing event fail."""
    other, _ = make_vault("other.evault")
    other.close()
    with raw_db(other.folder) as conn:
        secret, public = conn.execute("SELECT secret_key, public_key FROM identity").fetchone()
    report = _tamper(
        sample,
        "identity",
        ("UPDATE identity SET secret_key = ?, public_key = ?", (bytes(secret), bytes(public))),
    )
    assert _names(report, "Custody event 1: its signature does not verify")


# ---------------------------------------------------------------- vault.keys


@pytest.mark.parametrize("field", ["wrapped", "nonce"])
def test_damaged_recovery_slot_is_named_damaged(sample: dict[str, Any], field: str) -> None:
    # A changed byte in the slot fails its checksum (docs/format.md §2.2): the recovery key is
    # told the key file is damaged, not that it is wrong; the passphrase still opens the vault,
    # and check reports the file.
    folder = _fresh_copy(sample, f"recovery-{field}")
    doc = keys_doc(folder)
    slot = next(s for s in doc["slots"] if s["kind"] == "recovery")
    value = slot[field]
    slot[field] = ("A" if value[0] != "A" else "B") + value[1:]
    write_keys_doc(folder, doc)
    with pytest.raises(KeysFileDamaged):
        Vault.open(folder, recovery_key=sample["recovery"], lock_wait=0.1)
    with Vault.open(folder, passphrase=PASSPHRASE, lock_wait=0.1) as vault:
        assert any("vault.keys" in p for p in vault.check().problems)


# ---------------------------------------------------------------- reading damaged content


@pytest.fixture
def damaged_big_item(make_vault, tmp_path: Path) -> tuple[Path, str, bytes]:  # type: ignore[no-untyped-def]
    """A vault holding one 2 MiB file, with one byte flipped in the middle of its stored chunks."""
    vault, _ = make_vault("big.evault")
    data = random.Random(5).randbytes(2 * CHUNK_SIZE)  # noqa: S311 - reproducible test data
    item_id = vault.add_file(write(tmp_path, "big.bin", data)).item_id
    vault.close()
    pages = (vault.folder / DB).stat().st_size // CIPHER_PAGE_SIZE
    flip_byte(vault.folder / DB, (pages * 2 // 3) * CIPHER_PAGE_SIZE + 100)
    return vault.folder, item_id, data


def test_damaged_content_never_comes_back_silently(
    damaged_big_item: tuple[Path, str, bytes], tmp_path: Path
) -> None:
    folder, item_id, _ = damaged_big_item
    with Vault.open(folder, passphrase=PASSPHRASE, lock_wait=0.1) as vault:
        report = vault.check()
        assert not report.ok
        with pytest.raises(Exception):  # noqa: B017 - any failure, as long as it is loud
            b"".join(vault.read_content(item_id))
        out = tmp_path / "exported"
        out.mkdir()
        with pytest.raises(Exception):  # noqa: B017
            vault.export_content(item_id, out / "big.bin")
        assert list(out.iterdir()) == []


def test_reading_damaged_content_is_a_calm_vault_damaged_error(
    damaged_big_item: tuple[Path, str, bytes],
) -> None:
    folder, item_id, _ = damaged_big_item
    with (
        Vault.open(folder, passphrase=PASSPHRASE, lock_wait=0.1) as vault,
        pytest.raises(VaultDamaged),
    ):
        b"".join(vault.read_content(item_id))


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        ("title", "A harmless picture", "title"),
        ("description", "nothing to see", "description"),
        ("sender_id", "someone-else", "sender_id"),
        ("occurred_at", "2020-01-01T00:00:00", "occurred_at"),
        ("sensitive", 1, "sensitive"),
    ],
)
def test_metadata_changed_behind_the_vaults_back_is_found(
    sample: dict[str, Any], column: str, value: object, field: str
) -> None:
    """Metadata edited with the right key but without a custody event contradicts the replay."""
    target = sample["files"][0]
    report = _tamper(
        sample,
        f"meta-{column}",
        (f"UPDATE items SET {column} = ? WHERE id = ?", (value, target.item_id)),  # noqa: S608
    )
    assert report.problems == [
        f"Item {target.item_id}: its {field} changed without a custody event."
    ]


def test_tags_changed_behind_the_vaults_back_are_found(sample: dict[str, Any]) -> None:
    target = sample["files"][0]
    report = _tamper(
        sample,
        "meta-tags",
        ("INSERT INTO item_tags (item_id, tag) VALUES (?, 'planted')", (target.item_id,)),
    )
    assert report.problems == [f"Item {target.item_id}: its tags changed without a custody event."]
