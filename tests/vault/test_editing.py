"""Editing descriptive metadata (never the original bytes) and deleting to a tombstone."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from tests.vault.support import raw_db, write
from vault import Vault
from vault.errors import InvalidInput, ItemNotFound
from vault.evidence.models import MessageFields, Metadata


def _file(vault: Vault, tmp_path: Path, data: bytes = b"\xff\xd8\xff photo", **meta: object) -> str:
    return vault.add_file(write(tmp_path, "photo.jpg", data), Metadata(**meta)).item_id  # type: ignore[arg-type]


# ---------------------------------------------------------------- editing


def test_every_editable_field_changes_and_is_logged(vault: Vault, tmp_path: Path) -> None:
    data = b"\xff\xd8\xff photo bytes"
    item_id = _file(vault, tmp_path, data, title="Old", tags=("a",))
    before = vault.get_item(item_id)
    later = datetime(2031, 1, 1, tzinfo=UTC)

    after = vault.update_metadata(
        item_id,
        {
            "title": "New title",
            "description": "what it shows",
            "platform": "Signal",
            "source_url": "https://example.org/x",
            "sender_handle": "@someone",
            "sender_id": "1234",
            "occurred": "2026-03-09T21:14+04:00",
            "case": "Case Ə",
            "tags": ["threat", "  police ", "threat"],
            "sensitive": True,
        },
        reason="filled in details",
        now=later,
    )

    assert after.title == "New title"
    assert after.description == "what it shows"
    assert after.platform == "Signal"
    assert after.source_url == "https://example.org/x"
    assert after.sender_handle == "@someone"
    assert after.sender_id == "1234"
    assert (after.occurred_at, after.occurred_tz, after.occurred_utc) == (
        "2026-03-09T21:14:00+04:00",
        "+04:00",
        "2026-03-09T17:14:00.000000Z",
    )
    assert after.case == "Case Ə"
    assert after.tags == ("police", "threat")
    assert after.sensitive is True
    assert after.updated_at == "2031-01-01T00:00:00.000000Z"
    # What may never change.
    assert (after.sha256, after.size, after.kind, after.captured_at, after.created_at) == (
        before.sha256,
        before.size,
        before.kind,
        before.captured_at,
        before.created_at,
    )
    assert after.sha256 == hashlib.sha256(data).hexdigest()
    assert b"".join(vault.read_content(item_id)) == data

    event = [e for e in vault.custody_log(item_id) if e.type == "item.metadata_changed"][-1]
    changes = event.details["changes"]
    assert set(changes) == {
        "title",
        "description",
        "platform",
        "source_url",
        "sender_handle",
        "sender_id",
        "occurred",
        "case",
        "tags",
        "sensitive",
    }
    assert changes["title"] == {"from": "Old", "to": "New title"}
    assert changes["tags"] == {"from": ["a"], "to": ["police", "threat"]}
    assert changes["sensitive"] == {"from": False, "to": True}
    assert changes["case"] == {"from": None, "to": "Case Ə"}
    assert changes["occurred"] == {
        "from": {"at": None, "tz": "unknown"},
        "to": {"at": "2026-03-09T21:14:00+04:00", "tz": "+04:00"},
    }
    assert event.reason == "filled in details"
    assert vault.check().ok


def test_occurred_can_be_edited_with_a_zone_name(vault: Vault) -> None:
    item_id = vault.add_note("what happened").item_id
    after = vault.update_metadata(
        item_id, {"occurred": "2026-03-09T21:14", "occurred_tz": "Asia/Baku"}
    )
    assert (after.occurred_at, after.occurred_tz, after.occurred_utc) == (
        "2026-03-09T21:14:00",
        "Asia/Baku",
        "2026-03-09T17:14:00.000000Z",
    )


def test_occurred_can_be_edited_with_no_zone_given(vault: Vault) -> None:
    """The command line passes ``occurred_tz`` = None when --occurred-tz is not used."""
    item_id = vault.add_note("what happened").item_id
    after = vault.update_metadata(item_id, {"occurred": "2026-03-09T21:14", "occurred_tz": None})
    assert (after.occurred_at, after.occurred_tz, after.occurred_utc) == (
        "2026-03-09T21:14:00",
        "unknown",
        None,
    )


def test_occurred_can_be_cleared(vault: Vault) -> None:
    item_id = vault.add_note("x", Metadata(occurred="2026-03-09T21:14+04:00")).item_id
    after = vault.update_metadata(item_id, {"occurred": None})
    assert (after.occurred_at, after.occurred_tz, after.occurred_utc) == (None, "unknown", None)


def test_a_zone_alone_is_not_an_editable_field(vault: Vault) -> None:
    item_id = vault.add_note("x").item_id
    with pytest.raises(InvalidInput):
        vault.update_metadata(item_id, {"occurred_tz": "Asia/Baku"})


@pytest.mark.parametrize(
    "changes",
    [
        {"sha256": "0" * 64},
        {"size": 1},
        {"kind": "note"},
        {"captured_at": "2000-01-01T00:00:00.000000Z"},
        {"deleted_at": "x"},
        {"title": "fine", "original_filename": "other.jpg"},
        {"occurred": "last tuesday"},
        {"occurred": "2026-03-09T21:14", "occurred_tz": "Mars/Olympus"},
        {"case": "   "},
    ],
)
def test_refused_edits_change_nothing(vault: Vault, tmp_path: Path, changes: dict) -> None:  # type: ignore[type-arg]
    item_id = _file(vault, tmp_path, title="Original")
    before = vault.get_item(item_id)
    log_before = vault.custody_log()
    with pytest.raises(InvalidInput):
        vault.update_metadata(item_id, changes)
    assert vault.get_item(item_id) == before
    assert vault.custody_log() == log_before
    assert vault.list_cases() == []


def test_editing_an_unknown_or_deleted_item_is_not_found(vault: Vault) -> None:
    item_id = vault.add_note("x").item_id
    vault.delete_item(item_id, reason="gone")
    with pytest.raises(ItemNotFound):
        vault.update_metadata(item_id, {"title": "back"})
    with pytest.raises(ItemNotFound):
        vault.update_metadata("abcdef12", {"title": "none"})


def test_moving_between_cases_and_out(vault: Vault) -> None:
    item_id = vault.add_note("x", Metadata(case="A")).item_id
    assert vault.update_metadata(item_id, {"case": "B"}).case == "B"
    assert vault.update_metadata(item_id, {"case": None}).case is None
    assert sorted(c.name for c in vault.list_cases()) == ["A", "B"]


def test_edits_survive_reopen(vault: Vault) -> None:
    item_id = vault.add_note("x").item_id
    vault.update_metadata(item_id, {"title": "Persisted", "tags": ["kept"]})
    vault.close()
    with Vault.open(vault.folder, passphrase=PASSPHRASE) as again:
        item = again.get_item(item_id)
        assert (item.title, item.tags) == ("Persisted", ("kept",))


# ---------------------------------------------------------------- deleting


def test_delete_leaves_a_tombstone_and_removes_content(vault: Vault, tmp_path: Path) -> None:
    data = b"\xff\xd8\xff intimate photo" * 1000
    item_id = _file(
        vault,
        tmp_path,
        data,
        title="Private",
        description="details",
        platform="WhatsApp",
        source_url="https://x",
        sender_handle="@h",
        sender_id="1",
        occurred="2026-03-09T21:14+04:00",
        case="Case",
        tags=("t",),
        sensitive=True,
    )
    keep = vault.add_note("another item").item_id
    stamp = datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)

    tomb = vault.delete_item(item_id, reason="  the person asked  ", now=stamp)

    assert tomb.deleted_at == "2031-02-03T04:05:06.000000Z"
    assert tomb.deleted_reason == "the person asked"
    assert (tomb.id, tomb.kind, tomb.sha256, tomb.size) == (
        item_id,
        "file",
        hashlib.sha256(data).hexdigest(),
        len(data),
    )
    assert tomb.title == tomb.description == tomb.platform == tomb.source_url == ""
    assert tomb.sender_handle == tomb.sender_id == tomb.original_filename == ""
    assert tomb.occurred_at is None and tomb.occurred_utc is None
    assert tomb.case is None
    assert tomb.tags == ()

    with pytest.raises(ItemNotFound):
        vault.get_item(item_id)
    assert vault.get_item(item_id, include_deleted=True) == tomb
    assert [i.id for i in vault.list_items()] == [keep]
    assert [i.id for i in vault.list_items(include_deleted=True)] == [item_id, keep]
    assert [e.type for e in vault.custody_log(item_id)] == ["item.created", "item.deleted"]
    assert vault.check().ok

    vault.close()
    with raw_db(vault.folder) as conn:
        assert conn.execute(
            "SELECT count(*) FROM contents WHERE sha256 = ?", (hashlib.sha256(data).hexdigest(),)
        ).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM chunks").fetchone() == (1,)  # the note's
        assert conn.execute("SELECT content_id FROM items WHERE id = ?", (item_id,)).fetchone() == (
            None,
        )
        assert conn.execute(
            "SELECT count(*) FROM item_tags WHERE item_id = ?", (item_id,)
        ).fetchone() == (0,)


def test_delete_a_message(vault: Vault) -> None:
    item_id = vault.add_message(
        "threat text", Metadata(sender_handle="@x"), MessageFields(sent="2026-01-01T00:00Z")
    ).item_id
    vault.delete_item(item_id, reason="wrong chat")
    assert vault.list_items() == []
    assert vault.check().ok
    # The same message may be added again: it is not a duplicate of a tombstone.
    again = vault.add_message(
        "threat text", Metadata(sender_handle="@x"), MessageFields(sent="2026-01-01T00:00Z")
    )
    assert not again.duplicate
    assert vault.read_text(again.item_id) == "threat text"


def test_deleting_one_of_two_items_sharing_bytes_keeps_the_other(vault: Vault) -> None:
    first = vault.add_note("same words").item_id
    second = vault.add_note("same words").item_id
    vault.delete_item(first, reason="double entry")
    assert vault.read_text(second) == "same words"
    assert vault.check().ok


@pytest.mark.parametrize("reason", ["", "   "])
def test_delete_needs_a_reason(vault: Vault, reason: str) -> None:
    item_id = vault.add_note("x").item_id
    with pytest.raises(InvalidInput):
        vault.delete_item(item_id, reason=reason)
    assert vault.get_item(item_id).deleted_at is None
    assert [e.type for e in vault.custody_log()][-1] == "item.created"


def test_delete_twice_is_not_found(vault: Vault) -> None:
    item_id = vault.add_note("x").item_id
    vault.delete_item(item_id, reason="once")
    with pytest.raises(ItemNotFound):
        vault.delete_item(item_id, reason="twice")
    assert [e.type for e in vault.custody_log(item_id)] == ["item.created", "item.deleted"]


def test_export_refuses_to_overwrite_unless_asked(vault: Vault, tmp_path: Path) -> None:
    item_id = vault.add_note("content").item_id
    target = write(tmp_path, "existing.txt", b"do not lose me")
    with pytest.raises(InvalidInput):
        vault.export_content(item_id, target)
    assert target.read_bytes() == b"do not lose me"
    with pytest.raises(InvalidInput):
        vault.export_content(item_id, tmp_path)
    vault.export_content(item_id, target, overwrite=True)
    assert target.read_bytes() == b"content"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_export_can_be_cancelled_and_leaves_no_partial_file(vault: Vault, tmp_path: Path) -> None:
    import threading

    from crypto.constants import CHUNK_SIZE
    from vault.errors import Cancelled

    data = bytes(range(256)) * (3 * CHUNK_SIZE // 256 + 1)
    item_id = vault.add_file(write(tmp_path, "big.bin", data)).item_id
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    cancel = threading.Event()
    log_before = vault.custody_log()

    with pytest.raises(Cancelled):
        vault.export_content(
            item_id, out_dir / "copy.bin", progress=lambda done, total: cancel.set(), cancel=cancel
        )

    assert list(out_dir.iterdir()) == []
    assert vault.custody_log() == log_before
    vault.export_content(item_id, out_dir / "copy.bin")
    assert (out_dir / "copy.bin").read_bytes() == data
    assert [p.name for p in out_dir.iterdir()] == ["copy.bin"]


def test_renaming_a_case_moves_its_items_and_check_still_holds(
    vault: Vault, tmp_path: Path
) -> None:
    f = tmp_path / "case-file.txt"
    f.write_bytes(b"evidence in a case")
    added = vault.add_file(f, Metadata(case="Hack, 9 March"))
    renamed = vault.rename_case("Hack, 9 March", "Account hacked, 9 March")
    assert renamed.name == "Account hacked, 9 March"
    assert vault.get_item(added.item_id).case == "Account hacked, 9 March"
    assert vault.custody_log()[-1].type == "case.renamed"
    assert vault.check().ok, vault.check().problems
    with pytest.raises(InvalidInput):
        vault.rename_case("No such case", "x")
    vault.create_case("Other")
    with pytest.raises(InvalidInput):
        vault.rename_case("Other", "Account hacked, 9 March")
