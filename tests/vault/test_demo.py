"""The demo vault (invented evidence for workshops) and Vault.add_bytes, which it is built with."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import fast_kdf
from vault import Vault
from vault.errors import InvalidInput
from vault.evidence.models import Item, Metadata
from vault.host.demo import CASE_ACCOUNT, CASE_ARTICLE, DEMO_PASSPHRASE, DemoVault, create_demo

AZ_LETTERS = set("əğıöşçü")


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoVault:
    return create_demo(tmp_path_factory.mktemp("demo") / "Demo.evault", kdf=fast_kdf)


@pytest.fixture(scope="module")
def opened(demo: DemoVault) -> Iterator[Vault]:
    """The demo vault opened with the public passphrase, as a workshop participant would."""
    with Vault.open(demo.path, passphrase=DEMO_PASSPHRASE) as vault:
        yield vault


@pytest.fixture(scope="module")
def items(opened: Vault) -> list[Item]:
    return opened.list_items()


def test_passphrase_is_public_and_clearly_not_for_real_use(demo: DemoVault) -> None:
    assert demo.passphrase == DEMO_PASSPHRASE
    assert "demo" in DEMO_PASSPHRASE
    assert "not for real evidence" in DEMO_PASSPHRASE
    assert demo.recovery_key
    assert demo.items == 12


def test_every_title_says_demo(items: list[Item]) -> None:
    assert items
    for item in items:
        assert item.title.startswith("DEMO"), item.title
        assert "not real evidence" in item.description.lower() or "Invented" in item.description


def test_messages_in_english_azerbaijani_and_russian(items: list[Item], opened: Vault) -> None:
    messages = [i for i in items if i.kind == "message"]
    assert len(messages) >= 6
    texts = [opened.read_text(m.id) for m in messages]
    azerbaijani = [t for t in texts if AZ_LETTERS & set(t)]
    russian = [t for t in texts if any("а" <= ch <= "я" for ch in t.lower())]
    english = [t for t in texts if t.isascii()]
    assert len(azerbaijani) >= 2
    assert len(russian) >= 2
    assert len(english) >= 2
    # All seven Azerbaijani letters that have no plain-Latin keyboard key appear somewhere.
    assert set("".join(azerbaijani).lower()) >= AZ_LETTERS
    for m in messages:
        assert m.message is not None
        assert m.message["sent_tz"] == "Asia/Baku"
        assert m.message["sent_at"].startswith("2026-03-0")
        assert m.occurred_tz == "Asia/Baku"


def test_sent_time_is_baku_local(items: list[Item]) -> None:
    first = next(i for i in items if i.sender_handle == "@demo_troll_01" and i.kind == "message")
    assert first.message is not None
    # 2026-03-02 21:14 in Baku (UTC+04:00, no daylight saving) is 17:14 UTC.
    assert first.message["sent_at"] == "2026-03-02T21:14:00"
    assert first.message["sent_utc"] == "2026-03-02T17:14:00.000000Z"
    assert first.sender_id == "+994 00 000 00 01"


def test_senders_are_invented(items: list[Item]) -> None:
    for item in items:
        if item.sender_id.startswith("+"):
            assert item.sender_id.startswith("+994 00 000 00 0")
        if item.sender_handle.startswith("@"):
            assert item.sender_handle.startswith("@demo_")


def test_search_finds_folded_azerbaijani_and_russian(opened: Vault) -> None:
    # Typed on a keyboard without ə/ş: "Məqaləni" and "peşman" still match.
    found = opened.search("meqaleni pesman")
    assert [i.title for i in found] == ["DEMO: 'Delete the article' (Azerbaijani, Telegram)"]
    assert [i.title for i in opened.search("предупреждение")] == [
        "DEMO: 'Everyone will see' (Russian, Messenger)"
    ]
    assert len(opened.search("xəbərdarlıq")) == 1


def test_pictures_are_real_pngs(items: list[Item], opened: Vault) -> None:
    pictures = [i for i in items if i.kind == "file"]
    assert len(pictures) >= 3
    for picture in pictures:
        assert picture.media_type == "image/png"
        assert picture.original_filename.endswith(".png")
        data = b"".join(opened.read_content(picture.id))
        assert hashlib.sha256(data).hexdigest() == picture.sha256
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "PNG"
            assert image.width >= 300
            image.load()


def test_exactly_one_sensitive_item_a_grey_placeholder(items: list[Item], opened: Vault) -> None:
    sensitive = [i for i in items if i.sensitive]
    assert len(sensitive) == 1
    (item,) = sensitive
    assert item.kind == "file"
    assert "placeholder" in item.title.lower()
    data = b"".join(opened.read_content(item.id, reason="test"))
    with Image.open(io.BytesIO(data)) as image:
        corner = image.convert("RGB").getpixel((40, 40))
    assert corner == (128, 128, 128)
    assert opened.image_preview(item.id, 20, 10) is None  # not shown without asking


def test_cases_and_tags(items: list[Item], opened: Vault) -> None:
    assert {c.name for c in opened.list_cases()} == {CASE_ARTICLE, CASE_ACCOUNT}
    assert all(i.case in {CASE_ARTICLE, CASE_ACCOUNT} for i in items)
    moved = [i for i in items if i.case == CASE_ACCOUNT]
    assert [i.original_filename for i in moved] == ["demo-account-notice.png"]
    assert "account-takeover" in moved[0].tags
    tags = {t for i in items for t in i.tags}
    assert {"demo", "threat", "screenshot", "doxxing", "blackmail"} <= tags
    assert all("demo" in i.tags for i in items)
    notes = [i for i in items if i.kind == "note"]
    assert len(notes) == 1


def test_custody_history(opened: Vault) -> None:
    log = opened.custody_log()
    types = [r.type for r in log]
    assert types[0] == "vault.created"
    assert types.count("case.created") == 2
    assert types.count("item.created") == 12
    changes = [r for r in log if r.type == "item.metadata_changed"]
    assert len(changes) == 2
    assert all(r.reason and r.reason.startswith("DEMO:") for r in changes)
    assert "item.viewed" in types


def test_check_is_ok(opened: Vault) -> None:
    report = opened.check()
    assert report.ok, report.problems


def test_content_is_deterministic(demo: DemoVault, items: list[Item], tmp_path: Path) -> None:
    again = create_demo(tmp_path / "again", kdf=fast_kdf)
    with Vault.open(again.path, recovery_key=again.recovery_key) as vault:  # it opens
        other = vault.list_items()
    assert sorted(i.sha256 for i in other) == sorted(i.sha256 for i in items)
    assert again.recovery_key != demo.recovery_key  # the keys, of course, are new each time


def test_demo_writes_nothing_outside_its_folder(tmp_path: Path) -> None:
    (tmp_path / "already-here.txt").write_text("x", encoding="utf-8")
    before = _tree(tmp_path)
    result = create_demo(tmp_path / "Demo.evault", kdf=fast_kdf)
    after = _tree(tmp_path)
    assert {p for p in after - before if not p.startswith("Demo.evault")} == set()
    assert result.path == tmp_path / "Demo.evault"


@pytest.mark.parametrize("existing", ["empty", "with-file"])
def test_existing_folder_is_refused(tmp_path: Path, existing: str) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    if existing == "with-file":
        (folder / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InvalidInput, match="already exists"):
        create_demo(folder, kdf=fast_kdf)
    assert _tree(folder) == (set() if existing == "empty" else {"mine.txt"})


# ---------------------------------------------------------------------- Vault.add_bytes


def _png_bytes(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_add_bytes_hashes_and_stores_the_exact_bytes(vault: Vault) -> None:
    data = _png_bytes((10, 20, 30))
    result = vault.add_bytes(data, "shot.png", Metadata(tags=("x",)))
    assert not result.duplicate
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.size == len(data)
    assert result.source == "shot.png"
    item = vault.get_item(result.item_id)
    assert item.kind == "file"
    assert item.media_type == "image/png"
    assert item.title == "shot.png"  # like add_file: the file name when no title is given
    assert item.original_filename == "shot.png"
    assert item.sha256 == result.sha256
    assert b"".join(vault.read_content(item.id)) == data
    created = [r for r in vault.custody_log(item.id) if r.type == "item.created"]
    assert created[0].details["source"] == "file"
    assert vault.check().ok


def test_add_bytes_reports_duplicates_like_add_file(vault: Vault, tmp_path: Path) -> None:
    data = _png_bytes((200, 0, 0))
    first = vault.add_bytes(data, "a.png")
    second = vault.add_bytes(data, "b.png", Metadata(title="other title"))
    assert second.duplicate
    assert second.item_id == first.item_id
    on_disk = tmp_path / "same.png"
    on_disk.write_bytes(data)
    from_file = vault.add_file(on_disk)
    assert from_file.duplicate and from_file.item_id == first.item_id
    assert vault.count_items() == 1
    # And the other way round: bytes already added from a file are found too.
    other = tmp_path / "other.bin"
    other.write_bytes(b"plain bytes from a file")
    added = vault.add_file(other)
    assert vault.add_bytes(b"plain bytes from a file", "x.bin").item_id == added.item_id


def test_add_bytes_writes_no_file_outside_the_vault(vault: Vault, tmp_path: Path) -> None:
    before = _tree(tmp_path)
    vault.add_bytes(_png_bytes((0, 0, 255)), "picture.png")
    vault.add_bytes(b"%PDF-1.4 not really", "doc.pdf")
    outside = {p for p in _tree(tmp_path) - before if not p.startswith(vault.folder.name)}
    assert outside == set()


def test_add_bytes_keeps_only_the_file_name(vault: Vault) -> None:
    result = vault.add_bytes(b"abc", "../../etc/evil\\name.txt")
    assert vault.get_item(result.item_id).original_filename == "name.txt"


@pytest.mark.parametrize("name", ["", "   ", "folder/", ".."])
def test_add_bytes_needs_a_file_name(vault: Vault, name: str) -> None:
    with pytest.raises(InvalidInput, match="file name"):
        vault.add_bytes(b"abc", name)
    assert vault.count_items() == 0


def test_add_bytes_refuses_bad_metadata_before_writing(vault: Vault) -> None:
    with pytest.raises(InvalidInput):
        vault.add_bytes(b"abc", "a.txt", Metadata(occurred="not a date"))
    assert vault.count_items() == 0
    assert [r.type for r in vault.custody_log()] == ["vault.created"]
