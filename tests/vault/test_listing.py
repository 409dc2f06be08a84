"""Paged rows for the evidence table: filters, search, sorting, paging, deleted items hidden."""

from __future__ import annotations

from pathlib import Path

from vault import Vault
from vault.evidence.listing import Filters
from vault.evidence.models import Metadata


def _fill(vault: Vault, tmp_path: Path) -> list[str]:
    ids = []
    for n in range(12):
        f = tmp_path / f"shot{n:02d}.png"
        f.write_bytes(f"screenshot {n}".encode())
        meta = Metadata(
            title=f"Shot {n:02d}" + (" TƏHDİD" if n % 3 == 0 else ""),
            platform="Telegram" if n % 2 else "Facebook",
            case="Hack" if n < 4 else None,
            tags=("threat",) if n % 4 == 0 else (),
            sensitive=n == 5,
            occurred=f"2026-03-{n + 1:02d}T10:00+04:00",
        )
        ids.append(vault.add_file(f, meta).item_id)
    vault.add_message("Это угроза", Metadata(platform="WhatsApp"))
    return ids


def test_paging_covers_every_row_once(vault: Vault, tmp_path: Path) -> None:
    _fill(vault, tmp_path)
    assert vault.count_items() == 13
    seen = []
    for offset in range(0, 13, 5):
        seen += [r.id for r in vault.item_page(offset=offset, limit=5)]
    assert len(seen) == 13 == len(set(seen))


def test_filters_and_search(vault: Vault, tmp_path: Path) -> None:
    ids = _fill(vault, tmp_path)
    assert vault.count_items(Filters(platform="Telegram")) == 6
    assert {r.id for r in vault.item_page(Filters(case="Hack"))} == set(ids[:4])
    assert {r.id for r in vault.item_page(Filters(tag="threat"))} == {ids[0], ids[4], ids[8]}
    assert vault.count_items(Filters(kind="message")) == 1
    assert {r.id for r in vault.item_page(Filters(query="tehdid"))} == {
        ids[0],
        ids[3],
        ids[6],
        ids[9],
    }
    assert vault.count_items(Filters(query="tehdid", platform="Telegram")) == 2
    assert vault.count_items(Filters(query="УГРОЗА")) == 1
    assert vault.count_items(Filters(query='"*')) == 0
    sensitive = [r for r in vault.item_page() if r.sensitive]
    assert [r.id for r in sensitive] == [ids[5]]


def test_sorting(vault: Vault, tmp_path: Path) -> None:
    _fill(vault, tmp_path)
    titles = [
        r.title for r in vault.item_page(Filters(kind="file"), sort="occurred", descending=False)
    ]
    assert titles[0].startswith("Shot 00") and titles[-1].startswith("Shot 11")
    newest_first = [r.title for r in vault.item_page(Filters(kind="file"), sort="captured")]
    assert newest_first[0].startswith("Shot 11")


def test_deleted_items_are_not_listed(vault: Vault, tmp_path: Path) -> None:
    ids = _fill(vault, tmp_path)
    vault.delete_item(ids[0], reason="mistake")
    assert ids[0] not in {r.id for r in vault.item_page(limit=100)}
    assert vault.count_items() == 12
    choices = vault.filter_choices()
    assert choices["case"] == ["Hack"]
    assert "Telegram" in choices["platform"] and choices["kind"] == ["file", "message"]
