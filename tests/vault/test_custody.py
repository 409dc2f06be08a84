"""The custody log: one signed, chained event per operation, verified here independently of the
code under test (hashlib for the chain, ``cryptography`` for the Ed25519 signatures)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import PASSPHRASE, fast_kdf
from tests.vault.support import raw_db, write
from vault import Vault
from vault.errors import InvalidInput, ItemNotFound
from vault.evidence.models import Metadata

SIG_PREFIX = b"evault-custody-v1\x00"


def _types(vault: Vault) -> list[str]:
    return [e.type for e in vault.custody_log()]


def _verify_log_independently(
    folder: Path, public_key: bytes, vault_id: str
) -> list[dict[str, Any]]:
    """Read the raw custody table of a closed vault and check every rule of docs/format.md §5."""
    with raw_db(folder) as conn:
        rows = conn.execute(
            "SELECT seq, id, body, hash, signature FROM custody ORDER BY seq"
        ).fetchall()
    verifier = Ed25519PublicKey.from_public_bytes(public_key)
    actor = "ed25519:" + base64.b64encode(public_key).decode("ascii")
    bodies = []
    prev_hash = None
    prev_time = ""
    for expected_seq, (seq, event_id, stored_body, digest, signature) in enumerate(rows, start=1):
        body = bytes(stored_body)
        parsed = json.loads(body)
        assert seq == expected_seq == parsed["seq"]
        assert event_id == parsed["id"]
        assert digest == hashlib.sha256(body).hexdigest()
        assert parsed["prev"] == prev_hash
        assert parsed["actor"] == actor
        assert parsed["vault_id"] == vault_id
        assert parsed["v"] == 1
        assert parsed["time"] >= prev_time
        assert parsed["time"].endswith("Z") and len(parsed["time"]) == 27
        # Canonical: sorted keys, no whitespace.
        assert body == json.dumps(
            parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
        verifier.verify(bytes(signature), SIG_PREFIX + body)
        with pytest.raises(InvalidSignature):
            verifier.verify(bytes(signature), body)  # the domain prefix is part of what is signed
        prev_hash, prev_time = digest, parsed["time"]
        bodies.append(parsed)
    return bodies


# ---------------------------------------------------------------- one event per operation


def test_each_operation_adds_exactly_its_event(vault: Vault, tmp_path: Path) -> None:
    assert _types(vault) == ["vault.created"]

    data = b"\xff\xd8\xff evidence photo"
    added = vault.add_file(write(tmp_path, "photo.jpg", data), Metadata(title="Photo"))
    sha = hashlib.sha256(data).hexdigest()
    log = vault.custody_log()
    assert [e.type for e in log] == ["vault.created", "item.created"]
    created = log[-1]
    assert (created.item_id, created.item_sha256) == (added.item_id, sha)
    assert set(created.details) == {"source", "metadata"}
    assert created.details["source"] == "file"
    snapshot = created.details["metadata"]
    assert snapshot["title"] == "Photo"
    assert snapshot["size"] == len(data)
    assert snapshot["media_type"] == "image/jpeg"
    assert snapshot["original_filename"] == "photo.jpg"
    assert snapshot["tags"] == [] and snapshot["case"] is None and snapshot["sensitive"] is False

    def last_after(action) -> Any:  # type: ignore[no-untyped-def]
        before = len(vault.custody_log())
        action()
        log = vault.custody_log()
        assert len(log) == before + 1
        return log[-1]

    viewed = last_after(lambda: b"".join(vault.read_content(added.item_id, how="opened in viewer")))
    assert viewed.type == "item.viewed"
    assert (viewed.item_id, viewed.item_sha256) == (added.item_id, sha)
    assert viewed.details == {"how": "opened in viewer"}

    exported = last_after(
        lambda: vault.export_content(added.item_id, tmp_path / "for-lawyer.jpg", reason="court")
    )
    assert exported.type == "item.exported"
    assert (exported.item_id, exported.item_sha256) == (added.item_id, sha)
    assert exported.details == {"destination": "for-lawyer.jpg"}
    assert exported.reason == "court"

    edited = last_after(
        lambda: vault.update_metadata(added.item_id, {"title": "Photo 1"}, reason="typo")
    )
    assert edited.type == "item.metadata_changed"
    assert (edited.item_id, edited.item_sha256) == (added.item_id, sha)
    assert edited.details == {"changes": {"title": {"from": "Photo", "to": "Photo 1"}}}
    assert edited.reason == "typo"

    case = vault.create_case("Case Alpha")
    case_event = vault.custody_log()[-1]
    assert case_event.type == "case.created"
    assert case_event.item_id is None
    assert case_event.details == {"case_id": case.id, "name": "Case Alpha"}

    deleted = last_after(lambda: vault.delete_item(added.item_id, reason="duplicate upload"))
    assert deleted.type == "item.deleted"
    assert (deleted.item_id, deleted.item_sha256) == (added.item_id, sha)
    assert deleted.reason == "duplicate upload"
    assert deleted.details == {"title": "Photo 1"}

    assert _types(vault) == [
        "vault.created",
        "item.created",
        "item.viewed",
        "item.exported",
        "item.metadata_changed",
        "case.created",
        "item.deleted",
    ]
    item_log = vault.custody_log(added.item_id)
    assert [e.type for e in item_log] == [
        "item.created",
        "item.viewed",
        "item.exported",
        "item.metadata_changed",
        "item.deleted",
    ]
    assert vault.check().ok


def test_reads_that_are_not_views_add_nothing(vault: Vault) -> None:
    item_id = vault.add_note("hello").item_id
    before = _types(vault)
    vault.get_item(item_id)
    vault.list_items()
    vault.search("hello")
    vault.custody_log(item_id)
    vault.custody_head()
    vault.identity()
    vault.check()
    assert _types(vault) == before


def test_read_text_is_a_view(vault: Vault) -> None:
    item_id = vault.add_note("hello").item_id
    vault.read_text(item_id)
    log = vault.custody_log()
    assert log[-1].type == "item.viewed"
    assert log[-1].item_id == item_id


def test_edit_without_a_real_change_adds_nothing(vault: Vault) -> None:
    item_id = vault.add_note("hello", Metadata(title="Same", tags=("a", "b"))).item_id
    before = _types(vault)
    updated_at = vault.get_item(item_id).updated_at
    vault.update_metadata(item_id, {"title": "Same", "tags": ["b", "a", " a "]})
    assert _types(vault) == before
    assert vault.get_item(item_id).updated_at == updated_at


def test_case_created_during_intake_is_logged_before_the_item(vault: Vault) -> None:
    vault.add_note("x", Metadata(case="New case"))
    assert _types(vault)[-2:] == ["case.created", "item.created"]
    vault.create_case("New case")  # already exists: nothing new
    assert _types(vault).count("case.created") == 1


def test_create_case_refuses_an_empty_name(vault: Vault) -> None:
    with pytest.raises(InvalidInput):
        vault.create_case("  ")
    assert _types(vault) == ["vault.created"]


def test_deleted_item_keeps_its_history(vault: Vault, tmp_path: Path) -> None:
    data = b"gone but accounted for"
    result = vault.add_file(write(tmp_path, "gone.txt", data))
    vault.delete_item(result.item_id, reason="asked by the source")
    with pytest.raises(ItemNotFound):
        vault.get_item(result.item_id)
    with pytest.raises(ItemNotFound):
        vault.read_content(result.item_id)
    history = vault.custody_log(result.item_id)
    assert [e.type for e in history] == ["item.created", "item.deleted"]
    assert all(e.item_sha256 == hashlib.sha256(data).hexdigest() for e in history)
    tomb = vault.get_item(result.item_id, include_deleted=True)
    assert tomb.deleted_reason == "asked by the source"


def test_custody_head_is_the_last_event(vault: Vault) -> None:
    vault.add_note("one")
    vault.add_note("two")
    head = vault.custody_head()
    last = vault.custody_log()[-1]
    assert head == {"seq": last.seq, "hash": last.hash, "time": last.time}
    assert head["seq"] == 3


def test_stored_log_verifies_independently(vault: Vault, tmp_path: Path) -> None:
    item_id = vault.add_file(write(tmp_path, "a.bin", b"abc")).item_id
    vault.add_message("Səni tapacağıq — угроза", Metadata(sender_handle="@x"))
    vault.update_metadata(item_id, {"tags": ["ə", "ё"], "sensitive": True})
    vault.delete_item(item_id, reason="test — причина")
    records = vault.custody_log()
    vault.close()
    bodies = _verify_log_independently(vault.folder, vault.public_key, vault.vault_id)
    assert [b["type"] for b in bodies] == [r.type for r in records]
    assert [b["id"] for b in bodies] == [r.id for r in records]


# ---------------------------------------------------------------- time


def test_clock_going_backwards_keeps_the_log_ordered_and_says_so(vault: Vault) -> None:
    now = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
    vault.add_note("later", now=now)
    earlier = now - timedelta(days=3)
    vault.add_note("borrowed computer with a wrong clock", now=earlier)
    log = vault.custody_log()
    assert log[-1].time == log[-2].time == "2030-05-01T12:00:00.000000Z"
    assert log[-1].details["clock_reported"] == "2030-04-28T12:00:00.000000Z"
    assert vault.check().ok


# ---------------------------------------------------------------- property


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("note"), st.text(min_size=1, max_size=40).filter(str.strip)),
        st.tuples(st.just("message"), st.sampled_from(["hədə", "угроза", "threat"])),
        st.tuples(st.just("file"), st.binary(max_size=300)),
        st.tuples(st.just("view"), st.integers(min_value=0, max_value=50)),
        st.tuples(st.just("export"), st.integers(min_value=0, max_value=50)),
        st.tuples(st.just("edit"), st.integers(min_value=0, max_value=50)),
        st.tuples(st.just("delete"), st.integers(min_value=0, max_value=50)),
        st.tuples(st.just("case"), st.sampled_from(["A", "B", "Case Ə"])),
        st.tuples(st.just("clock"), st.integers(min_value=-3, max_value=3)),
    ),
    max_size=14,
)


@pytest.mark.slow
@settings(max_examples=20, deadline=None)
@given(operations=OPERATIONS)
def test_any_sequence_of_operations_keeps_a_valid_chain(
    tmp_path_factory: pytest.TempPathFactory, operations: list[tuple[str, Any]]
) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    clock = datetime(2030, 1, 1, tzinfo=UTC)
    vault, _ = Vault.create(tmp / "v.evault", PASSPHRASE, kdf=fast_kdf, now=clock)
    expected = ["vault.created"]
    live: list[tuple[str, str, str]] = []  # (item id, sha256, kind) of items not deleted
    try:
        for n, (op, arg) in enumerate(operations):
            clock += timedelta(seconds=1)
            if op in ("note", "message", "file"):
                data = arg if op == "file" else arg.encode("utf-8")
                digest = hashlib.sha256(data).hexdigest()
                # Notes never deduplicate; a file or (same sender, same time) message does.
                dup_of = [i for i, s, k in live if op != "note" and (s, k) == (digest, op)]
                if op == "note":
                    r = vault.add_note(arg, now=clock)
                elif op == "message":
                    r = vault.add_message(arg, now=clock)
                else:
                    r = vault.add_file(write(tmp, f"f{n}", arg), now=clock)
                assert r.sha256 == digest
                assert r.duplicate == bool(dup_of)
                if dup_of:
                    assert r.item_id == dup_of[0]
                else:
                    live.append((r.item_id, digest, op))
                    expected.append("item.created")
            elif op == "case":
                known = {c.name for c in vault.list_cases()}
                vault.create_case(arg, now=clock)
                if arg not in known:
                    expected.append("case.created")
            elif op == "clock":
                clock += timedelta(hours=arg * 5)  # a clock may also jump backwards
            elif live:
                item_id = live[arg % len(live)][0]
                if op == "view":
                    b"".join(vault.read_content(item_id, now=clock))
                    expected.append("item.viewed")
                elif op == "export":
                    vault.export_content(item_id, tmp / f"out{n}", now=clock)
                    expected.append("item.exported")
                elif op == "edit":
                    vault.update_metadata(item_id, {"title": f"title {n}"}, now=clock)
                    expected.append("item.metadata_changed")
                else:
                    vault.delete_item(item_id, reason=f"reason {n}", now=clock)
                    del live[arg % len(live)]
                    expected.append("item.deleted")
        report = vault.check()
        assert report.ok, report.problems
        log = vault.custody_log()
        assert [e.type for e in log] == expected
        assert report.events_checked == len(log)
        assert {i.id for i in vault.list_items()} == {item_id for item_id, _, _ in live}
        for item_id, sha, _ in live:
            assert all(e.item_sha256 == sha for e in vault.custody_log(item_id))
    finally:
        vault.close()
    bodies = _verify_log_independently(vault.folder, vault.public_key, vault.vault_id)
    assert [b["type"] for b in bodies] == expected
