"""Adding evidence: original bytes in and out unchanged, SHA-256, duplicates, cancelling, metadata."""

from __future__ import annotations

import hashlib
import random
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.constants import CHUNK_SIZE
from tests.conftest import PASSPHRASE
from tests.vault.support import raw_db, write
from vault import Vault
from vault.errors import Cancelled, InvalidInput, ItemNotFound
from vault.evidence.models import AddResult, MessageFields, Metadata

SIZES = st.one_of(
    st.sampled_from(
        [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 2 * CHUNK_SIZE + 1]
    ),
    st.integers(min_value=0, max_value=3 * CHUNK_SIZE),
)


def _data(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)  # noqa: S311 - reproducible test data


def _read(vault: Vault, item_id: str) -> bytes:
    return b"".join(vault.read_content(item_id))


def _counts(vault: Vault) -> tuple[int, int]:
    return len(vault.list_items(include_deleted=True)), len(vault.custody_log())


# ---------------------------------------------------------------- round trip


def test_file_round_trip_property(vault: Vault, tmp_path: Path) -> None:
    """Whatever the size (empty, around chunk boundaries, several chunks), bytes come back identical,
    the SHA-256 is that of the bytes, and a second intake of the same bytes is a duplicate."""
    seen: dict[str, str] = {}
    counter = iter(range(10**6))

    @settings(max_examples=14, deadline=None)
    @given(size=SIZES, seed=st.integers(min_value=0, max_value=3))
    def run(size: int, seed: int) -> None:
        n = next(counter)
        data = _data(size, seed)
        source = write(tmp_path, f"in-{n}.bin", data)
        progress: list[tuple[int, int | None]] = []

        result = vault.add_file(source, progress=lambda done, total: progress.append((done, total)))

        digest = hashlib.sha256(data).hexdigest()
        assert result.sha256 == digest
        assert result.size == size
        assert result.duplicate == (digest in seen)
        if result.duplicate:
            assert result.item_id == seen[digest]
            return
        seen[digest] = result.item_id
        if size:
            assert progress[-1] == (size, size)
        item = vault.get_item(result.item_id)
        assert (item.sha256, item.size, item.kind) == (digest, size, "file")
        assert _read(vault, result.item_id) == data
        out = tmp_path / f"out-{n}.bin"
        vault.export_content(result.item_id, out)
        assert out.read_bytes() == data
        source.unlink()
        out.unlink()

    run()
    assert vault.check().ok
    vault.close()
    with raw_db(vault.folder) as conn:
        rows = conn.execute("SELECT id, size, chunk_size, chunk_count FROM contents").fetchall()
        assert len(rows) == len(seen)
        for content_id, size, chunk_size, chunk_count in rows:
            assert chunk_size == CHUNK_SIZE
            assert chunk_count == -(-size // CHUNK_SIZE)
            lengths = [
                r[0]
                for r in conn.execute(
                    "SELECT length(data) FROM chunks WHERE content_id = ? ORDER BY seq",
                    (content_id,),
                )
            ]
            assert len(lengths) == chunk_count
            assert all(n == CHUNK_SIZE for n in lengths[:-1])
            assert sum(lengths) == size


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(text=st.text(min_size=1, max_size=300).filter(lambda t: t.strip()))
def test_note_text_round_trip_property(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    from tests.conftest import fast_kdf

    folder = tmp_path_factory.mktemp("notes") / "v.evault"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    try:
        result = vault.add_note(text)
        data = text.encode("utf-8")
        assert result.sha256 == hashlib.sha256(data).hexdigest()
        assert result.size == len(data)
        assert _read(vault, result.item_id) == data
        assert vault.read_text(result.item_id) == text
    finally:
        vault.close()


def test_empty_file_is_evidence_too(vault: Vault, tmp_path: Path) -> None:
    result = vault.add_file(write(tmp_path, "empty.txt", b""))
    assert result.sha256 == hashlib.sha256(b"").hexdigest()
    assert result.size == 0
    assert _read(vault, result.item_id) == b""
    assert vault.check().ok


def test_file_with_interesting_name_keeps_it(vault: Vault, tmp_path: Path) -> None:
    name = "Ekran görüntüsü — угроза 2026.png"
    result = vault.add_file(write(tmp_path, name, b"\x89PNG\r\n\x1a\n" + b"\x00" * 30))
    item = vault.get_item(result.item_id)
    assert item.original_filename == name
    assert item.title == name
    assert item.media_type == "image/png"


# ---------------------------------------------------------------- duplicates


def test_same_bytes_under_another_name_is_a_duplicate(vault: Vault, tmp_path: Path) -> None:
    data = _data(CHUNK_SIZE + 10, 7)
    first = vault.add_file(write(tmp_path, "photo.jpg", data), Metadata(title="first"))
    before = _counts(vault)

    again = vault.add_file(write(tmp_path, "copy of photo.jpg", data), Metadata(title="second"))

    assert again.duplicate and not first.duplicate
    assert again.item_id == first.item_id
    assert again.sha256 == first.sha256 == hashlib.sha256(data).hexdigest()
    assert _counts(vault) == before
    assert vault.get_item(first.item_id).title == "first"
    vault.close()
    with raw_db(vault.folder) as conn:
        assert conn.execute("SELECT count(*) FROM contents").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == 2


def test_duplicates_inside_one_batch(vault: Vault, tmp_path: Path) -> None:
    a = write(tmp_path, "a.bin", b"alpha")
    b = write(tmp_path, "b.bin", b"beta")
    a2 = write(tmp_path, "a-again.bin", b"alpha")
    reported: list[AddResult] = []

    results = vault.add_files([a, b, a2], on_result=reported.append)

    assert [r.source for r in results] == [str(a), str(b), str(a2)]
    assert [r.duplicate for r in results] == [False, False, True]
    assert results[2].item_id == results[0].item_id
    assert reported == results
    assert [i.title for i in vault.list_items()] == ["a.bin", "b.bin"]
    assert [_read(vault, r.item_id) for r in results[:2]] == [b"alpha", b"beta"]


def test_batch_applies_metadata_to_every_file(vault: Vault, tmp_path: Path) -> None:
    paths = [write(tmp_path, f"shot{n}.png", bytes([n]) * 10) for n in range(3)]
    results = vault.add_files(paths, Metadata(case="Case A", tags=("threat",)))
    items = [vault.get_item(r.item_id) for r in results]
    assert [i.title for i in items] == ["shot0.png", "shot1.png", "shot2.png"]
    assert all(i.case == "Case A" and i.tags == ("threat",) for i in items)
    assert [c.name for c in vault.list_cases()] == ["Case A"]


def test_re_adding_a_deleted_file_is_new_evidence(vault: Vault, tmp_path: Path) -> None:
    path = write(tmp_path, "x.bin", b"once deleted")
    first = vault.add_file(path)
    vault.delete_item(first.item_id, reason="added by mistake")
    again = vault.add_file(path)
    assert not again.duplicate
    assert again.item_id != first.item_id
    assert _read(vault, again.item_id) == b"once deleted"
    assert vault.check().ok


def test_same_message_from_same_sender_at_same_time_is_a_duplicate(vault: Vault) -> None:
    meta = Metadata(platform="WhatsApp", sender_handle="+994501234567")
    fields = MessageFields(sent="2026-03-09T21:14+04:00")
    first = vault.add_message("Səni tapacağıq.", meta, fields)
    before = _counts(vault)

    again = vault.add_message("Səni tapacağıq.", meta, fields)

    assert again.duplicate
    assert again.item_id == first.item_id
    assert _counts(vault) == before


@pytest.mark.parametrize(
    ("meta", "fields"),
    [
        (Metadata(platform="WhatsApp", sender_handle="+994500000000"), None),
        (Metadata(platform="Telegram", sender_handle="+994501234567"), None),
        (Metadata(platform="WhatsApp", sender_handle="+994501234567", sender_id="42"), None),
        (None, MessageFields(sent="2026-03-09T21:15+04:00")),
        (None, MessageFields(sent=None)),
    ],
    ids=["other-sender", "other-platform", "other-sender-id", "other-time", "no-time"],
)
def test_same_words_in_other_circumstances_are_new_evidence(
    vault: Vault, meta: Metadata | None, fields: MessageFields | None
) -> None:
    base_meta = Metadata(platform="WhatsApp", sender_handle="+994501234567")
    base_fields = MessageFields(sent="2026-03-09T21:14+04:00")
    first = vault.add_message("Səni tapacağıq.", base_meta, base_fields)
    other = vault.add_message("Səni tapacağıq.", meta or base_meta, fields or base_fields)
    assert not other.duplicate
    assert other.item_id != first.item_id
    assert other.sha256 == first.sha256
    assert len(vault.list_items()) == 2


def test_notes_are_never_duplicates_but_bytes_are_stored_once(vault: Vault) -> None:
    results = [vault.add_note("They followed me home again.") for _ in range(3)]
    assert [r.duplicate for r in results] == [False, False, False]
    assert len({r.item_id for r in results}) == 3
    assert len(vault.list_items()) == 3
    vault.close()
    with raw_db(vault.folder) as conn:
        assert conn.execute("SELECT count(*) FROM contents").fetchone()[0] == 1


def test_file_with_the_bytes_of_a_message_is_not_a_duplicate(vault: Vault, tmp_path: Path) -> None:
    message = vault.add_message("exact same bytes")
    file = vault.add_file(write(tmp_path, "same.txt", b"exact same bytes"))
    assert not file.duplicate
    assert file.item_id != message.item_id
    vault.delete_item(file.item_id, reason="test")
    assert vault.read_text(message.item_id) == "exact same bytes"
    assert vault.check().ok


# ---------------------------------------------------------------- cancelling and failing


def _assert_only_creation(vault: Vault) -> None:
    assert vault.list_items(include_deleted=True) == []
    assert [e.type for e in vault.custody_log()] == ["vault.created"]
    vault.close()
    with raw_db(vault.folder) as conn:
        for table in ("items", "contents", "chunks", "custody_items", "search", "item_tags"):
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table  # noqa: S608


def test_cancel_mid_file_leaves_nothing(vault: Vault, tmp_path: Path) -> None:
    big = write(tmp_path, "video.mp4", _data(5 * CHUNK_SIZE + 3, 1))
    cancel = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int | None) -> None:
        seen.append(done)
        assert total == 5 * CHUNK_SIZE + 3
        if done >= 2 * CHUNK_SIZE:
            cancel.set()

    with pytest.raises(Cancelled):
        vault.add_file(
            big, Metadata(title="half", case="Never made"), progress=progress, cancel=cancel
        )

    assert seen == [CHUNK_SIZE, 2 * CHUNK_SIZE]
    assert vault.list_cases() == []
    _assert_only_creation(vault)


def test_cancelled_before_start_leaves_nothing(vault: Vault, tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        vault.add_file(write(tmp_path, "a.bin", b"abc"), cancel=cancel)
    _assert_only_creation(vault)


def test_vault_is_usable_after_a_cancel(vault: Vault, tmp_path: Path) -> None:
    cancel = threading.Event()
    big = write(tmp_path, "big.bin", _data(3 * CHUNK_SIZE, 2))
    with pytest.raises(Cancelled):
        vault.add_file(big, progress=lambda done, total: cancel.set(), cancel=cancel)
    result = vault.add_file(big)
    assert not result.duplicate
    assert _read(vault, result.item_id) == big.read_bytes()
    assert vault.check().ok


def test_missing_file_is_invalid_input_and_adds_nothing(vault: Vault, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        vault.add_file(tmp_path / "not-there.jpg")
    with pytest.raises(InvalidInput):
        vault.add_file(tmp_path)
    _assert_only_creation(vault)


def test_unreadable_file_is_invalid_input(vault: Vault, tmp_path: Path) -> None:
    import os

    path = write(tmp_path, "secret.bin", b"data")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):  # running as root: permissions do not apply
            pytest.skip("file permissions are not enforced for this user")
        with pytest.raises(InvalidInput):
            vault.add_file(path)
    finally:
        path.chmod(0o600)
    _assert_only_creation(vault)


@pytest.mark.parametrize(
    "meta",
    [
        Metadata(occurred="yesterday evening"),
        Metadata(occurred="2026-13-40T10:00"),
        Metadata(occurred="2026-03-09T10:00", occurred_tz="Mars/Olympus"),
        Metadata(tags=("ok", " ")),
        Metadata(tags=("x" * 101,)),
        Metadata(case="   "),
        Metadata(parent_id="not an id"),
    ],
    ids=[
        "words",
        "impossible-date",
        "unknown-zone",
        "blank-tag",
        "long-tag",
        "blank-case",
        "bad-parent",
    ],
)
def test_bad_metadata_is_refused_and_adds_nothing(
    vault: Vault, tmp_path: Path, meta: Metadata
) -> None:
    path = write(tmp_path, "a.bin", b"abc")
    with pytest.raises(InvalidInput):
        vault.add_file(path, meta)
    with pytest.raises(InvalidInput):
        vault.add_message("a message", meta)
    with pytest.raises(InvalidInput):
        vault.add_note("a note", meta)
    _assert_only_creation(vault)


def test_unknown_parent_is_not_found_and_adds_nothing(vault: Vault, tmp_path: Path) -> None:
    with pytest.raises(ItemNotFound):
        vault.add_file(write(tmp_path, "a.bin", b"abc"), Metadata(parent_id="0123abcd"))
    _assert_only_creation(vault)


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_empty_text_is_refused(vault: Vault, text: str) -> None:
    with pytest.raises(InvalidInput):
        vault.add_message(text)
    with pytest.raises(InvalidInput):
        vault.add_note(text)
    _assert_only_creation(vault)


def test_text_over_16_mib_is_refused(vault: Vault) -> None:
    with pytest.raises(InvalidInput):
        vault.add_note("a" * (16 * 1024 * 1024 + 1))
    _assert_only_creation(vault)


# ---------------------------------------------------------------- metadata


def test_metadata_is_stored_as_given(vault: Vault, tmp_path: Path) -> None:
    meta = Metadata(
        title="Threat screenshot",
        description="Sent after the protest",
        platform="Instagram",
        source_url="https://instagram.com/p/xyz",
        sender_handle="@anon_123",
        sender_id="987654",
        occurred="2026-03-09T21:14+04:00",
        case="Case 2026-01",
        tags=(" threat ", "protest", "threat"),
        sensitive=True,
    )
    result = vault.add_file(write(tmp_path, "IMG_0001.PNG", b"\x89PNG\r\n\x1a\nrest"), meta)
    item = vault.get_item(result.item_id)
    assert item.title == "Threat screenshot"
    assert item.description == "Sent after the protest"
    assert item.platform == "Instagram"
    assert item.source_url == "https://instagram.com/p/xyz"
    assert item.sender_handle == "@anon_123"
    assert item.sender_id == "987654"
    assert item.original_filename == "IMG_0001.PNG"
    assert item.media_type == "image/png"
    assert item.case == "Case 2026-01"
    assert item.tags == ("protest", "threat")
    assert item.sensitive is True
    assert item.occurred_at == "2026-03-09T21:14:00+04:00"
    assert item.occurred_tz == "+04:00"
    assert item.occurred_utc == "2026-03-09T17:14:00.000000Z"
    assert item.deleted_at is None
    assert item.created_at == item.updated_at == item.captured_at


@pytest.mark.parametrize(
    "case",
    [
        (
            "2026-03-09T21:14",
            "Asia/Baku",
            "2026-03-09T21:14:00",
            "Asia/Baku",
            "2026-03-09T17:14:00.000000Z",
        ),
        (
            "2026-07-01T12:00",
            "Europe/Berlin",
            "2026-07-01T12:00:00",
            "Europe/Berlin",
            "2026-07-01T10:00:00.000000Z",
        ),
        (
            "2026-01-01T12:00",
            "Europe/Berlin",
            "2026-01-01T12:00:00",
            "Europe/Berlin",
            "2026-01-01T11:00:00.000000Z",
        ),
        (
            "2026-03-09T21:14Z",
            None,
            "2026-03-09T21:14:00+00:00",
            "Z",
            "2026-03-09T21:14:00.000000Z",
        ),
        (
            "2026-03-09T21:14-05:30",
            None,
            "2026-03-09T21:14:00-05:30",
            "-05:30",
            "2026-03-10T02:44:00.000000Z",
        ),
        ("2026-03-09T21:14", None, "2026-03-09T21:14:00", "unknown", None),
        ("2026-03-09", None, "2026-03-09T00:00:00", "unknown", None),
        ("unknown", None, None, "unknown", None),
        (None, None, None, "unknown", None),
    ],
)
def test_occurred_time_and_zone(
    vault: Vault, case: tuple[str | None, str | None, str | None, str, str | None]
) -> None:
    occurred, zone, at, tz, utc = case
    result = vault.add_note("what happened", Metadata(occurred=occurred, occurred_tz=zone))
    item = vault.get_item(result.item_id)
    assert (item.occurred_at, item.occurred_tz, item.occurred_utc) == (at, tz, utc)


def test_message_fields_are_stored(vault: Vault) -> None:
    text = "Bu son xəbərdarlıqdır.\nSabah gələcəyik."
    result = vault.add_message(
        text,
        Metadata(platform="Telegram", sender_handle="@unknown"),
        MessageFields(recipient="me", sent="2026-03-09T21:14", sent_tz="Asia/Baku", thread="t1"),
    )
    item = vault.get_item(result.item_id)
    assert item.kind == "message"
    assert item.title == "Bu son xəbərdarlıqdır."
    assert item.media_type == "text/plain; charset=utf-8"
    assert item.message == {
        "recipient": "me",
        "sent_at": "2026-03-09T21:14:00",
        "sent_tz": "Asia/Baku",
        "sent_utc": "2026-03-09T17:14:00.000000Z",
        "thread": "t1",
    }
    assert vault.read_text(result.item_id) == text


def test_long_first_line_makes_a_shortened_title(vault: Vault) -> None:
    text = "x" * 200 + "\nsecond line"
    item = vault.get_item(vault.add_note(text).item_id)
    assert len(item.title) == 80
    assert item.title.endswith("…")
    assert vault.read_text(item.id) == text


def test_parent_link_by_prefix(vault: Vault, tmp_path: Path) -> None:
    original = vault.add_file(write(tmp_path, "orig.jpg", b"\xff\xd8\xff original"))
    redacted = vault.add_file(
        write(tmp_path, "redacted.jpg", b"\xff\xd8\xff redacted"),
        Metadata(parent_id=original.item_id[:8]),
    )
    assert vault.get_item(redacted.item_id).parent_id == original.item_id


def test_case_named_at_intake_is_created_once(vault: Vault) -> None:
    vault.add_note("one", Metadata(case="Case A"))
    vault.add_note("two", Metadata(case=" Case A "))
    cases = vault.list_cases()
    assert [c.name for c in cases] == ["Case A"]
    assert [e.type for e in vault.custody_log()].count("case.created") == 1


def test_item_lookup_by_prefix_and_bad_ids(vault: Vault) -> None:
    item_id = vault.add_note("findable").item_id
    assert vault.get_item(item_id[:6]).id == item_id
    assert vault.get_item(item_id.upper()).id == item_id
    with pytest.raises(InvalidInput):
        vault.get_item("abc")
    with pytest.raises(InvalidInput):
        vault.get_item("'; DROP TABLE items; --")
    with pytest.raises(ItemNotFound):
        vault.get_item("ffffffff-ffff")


def test_a_message_happened_when_it_was_sent_unless_told_otherwise(vault: Vault) -> None:
    sent = vault.add_message(
        "you will regret it",
        Metadata(),
        MessageFields(sent="2026-03-10T23:05", sent_tz="Asia/Baku"),
    )
    item = vault.get_item(sent.item_id)
    assert item.occurred_at == "2026-03-10T23:05:00" and item.occurred_tz == "Asia/Baku"
    assert item.occurred_utc == "2026-03-10T19:05:00.000000Z"
    told = vault.add_message(
        "another one",
        Metadata(occurred="2026-03-09T08:00+04:00"),
        MessageFields(sent="2026-03-10T23:05", sent_tz="Asia/Baku"),
    )
    assert vault.get_item(told.item_id).occurred_tz == "+04:00"
