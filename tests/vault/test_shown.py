"""The one rule for what may be shown of a sensitive item before its reveal (vault.evidence.shown),
on real items of a real vault and on hostile bundle metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from vault import Metadata, Vault, shown_item, shown_title
from vault.evidence.shown import WITHHELD_TEXT, neutral_title, shown_record, snapshot_title


@pytest.mark.parametrize(
    ("kind", "media_type", "noun"),
    [
        ("message", "text/plain", "message"),
        ("note", "text/plain", "note"),
        ("file", "image/jpeg", "picture"),
        ("file", "video/mp4", "video"),
        ("file", "audio/ogg", "audio recording"),
        ("file", "application/pdf", "file"),
    ],
)
def test_neutral_title_says_only_the_kind_platform_and_time(
    kind: str, media_type: str, noun: str
) -> None:
    assert neutral_title(kind, media_type) == f"Sensitive {noun}"
    assert (
        neutral_title(kind, media_type, "Telegram", "2026-03-12T23:05:41+04:00")
        == f"Sensitive {noun} (Telegram, 2026-03-12 23:05)"
    )


def test_items_rows_and_revealed(vault: Vault, tmp_path: Path) -> None:
    photo = tmp_path / "me_at_the_beach.jpg"
    photo.write_bytes(b"\xff\xd8\xff not really a picture")
    secret = vault.add_file(
        photo, Metadata(description="posted by him", platform="Telegram", sensitive=True)
    ).item_id
    plain = vault.add_message("We know where you live", Metadata()).item_id
    item = vault.get_item(secret)
    assert item.title == "me_at_the_beach.jpg"
    shown = shown_item(item)
    assert shown.title == "Sensitive picture (Telegram)"
    assert shown.description == shown.original_filename == WITHHELD_TEXT
    assert shown.sha256 == item.sha256 and shown.platform == "Telegram"
    assert shown_item(item, revealed=True) == item
    assert vault.get_item(secret).title == "me_at_the_beach.jpg"  # only a copy changed
    rows = {row.id: row for row in vault.item_page()}
    assert shown_title(rows[secret], details=False) == "Sensitive picture"
    assert shown_title(rows[plain]) == "We know where you live"
    assert shown_item(vault.get_item(plain)) == vault.get_item(plain)


@pytest.mark.parametrize(
    "metadata",
    [
        {"title": "words", "sensitive": True, "platform": 7, "occurred_at": ["x"]},
        {"title": "words", "sensitive": True, "occurred_at": "not a time"},
    ],
)
def test_snapshot_title_from_hostile_metadata(metadata: dict[str, Any]) -> None:
    assert snapshot_title(None, 5, metadata) == "Sensitive file"
    assert snapshot_title(None, 5, metadata, revealed=True) == "words"
    assert snapshot_title("file", "image/png", {"title": 3, "sensitive": "yes"}) == "3"


def test_shown_record_hides_what_custody_recorded(vault: Vault) -> None:
    item_id = vault.add_message("Intimate words", Metadata(sensitive=True)).item_id
    vault.update_metadata(item_id, {"title": "New words"}, reason="clearer")
    records = vault.custody_log(item_id)
    hidden = [shown_record(r, withheld=True) for r in records]
    assert "Intimate words" in str([r.details for r in records])
    assert "Intimate words" not in str([r.details for r in hidden])
    assert "New words" not in str([r.details for r in hidden])
    assert [r.hash for r in hidden] == [r.hash for r in records]
    assert vault.check().ok  # the signed log itself is unchanged
