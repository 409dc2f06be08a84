"""The evidence list shows a search's first page before it counts every hit (issue 18: counting
a common word's hits cost more than reading the page, and the live search runs per keystroke)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Label

from tests.conftest import fast_kdf
from tests.tui.test_app import SIZE, _type, _unlock, _until
from tui.app import make_app
from tui.screens import evidence
from vault import Vault
from vault.evidence.models import Metadata


@pytest.fixture
def eight(make_vault: Any) -> Path:
    vault, _ = make_vault("eight.evault")
    for n in range(8):
        vault.add_note(f"harbour note {n}", Metadata(title=f"harbour {n}"))
    vault.add_note("something else", Metadata(title="other"))
    folder: Path = vault.folder
    vault.close()
    return folder


def _summary(app: Any) -> str:
    return str(app.screen.query_one("#summary", Label).render())


async def test_a_full_first_page_is_shown_and_then_counted(
    eight: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evidence, "PAGE", 3)
    calls: list[str] = []
    real_count = Vault.count_items

    def counting(self: Vault, filters: Any = None) -> int:
        calls.append("count")
        return real_count(self, filters)

    real_page = Vault.item_page

    def paging(self: Vault, *args: Any, **kwargs: Any) -> Any:
        calls.append("page")
        return real_page(self, *args, **kwargs)

    monkeypatch.setattr(Vault, "count_items", counting)
    monkeypatch.setattr(Vault, "item_page", paging)
    app = make_app(eight, kdf=fast_kdf)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await _until(pilot, lambda: "9 items" in _summary(app), "the whole vault counted")
        assert calls[:2] == ["page", "count"]  # the page first, then the count
        calls.clear()
        await pilot.press("slash")
        await _type(pilot, "harbour")
        await pilot.press("enter")
        await _until(pilot, lambda: "8 items" in _summary(app), "the search counted")
        assert calls.index("page") < calls.index("count")
        table = app.screen.query_one("#items", DataTable)
        assert table.row_count >= 3
        # A search whose first page is not full is its own count: no counting query at all.
        await pilot.press("slash")
        for _ in range(len("harbour")):
            await pilot.press("backspace")
        await _until(pilot, lambda: "9 items" in _summary(app), "the search cleared")
        await pilot.pause(0.5)
        calls.clear()
        await _type(pilot, "other")
        await pilot.press("enter")
        await _until(pilot, lambda: "1 item " in _summary(app), "the short search")
        assert "page" in calls and "count" not in calls


async def test_the_first_rows_are_shown_before_the_rest_of_the_page(
    eight: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The list reads a few rows, shows them, then reads the rest of its page, then counts: a
    # keystroke of the live search waits for the first rows only (issue 18).
    monkeypatch.setattr(evidence, "PAGE", 5)
    monkeypatch.setattr(evidence, "FIRST_ROWS", 2)
    limits: list[tuple[int, int]] = []
    firsts: list[int] = []
    real_page = Vault.item_page

    def paging(self: Vault, *args: Any, **kwargs: Any) -> Any:
        limits.append((kwargs.get("offset", 0), kwargs.get("limit", 200)))
        return real_page(self, *args, **kwargs)

    real_handler = evidence.EvidenceScreen.on_page_fetched

    def handler(self: Any, message: Any) -> None:
        if message.first:
            firsts.append(len(message.rows))
        real_handler(self, message)

    monkeypatch.setattr(Vault, "item_page", paging)
    monkeypatch.setattr(evidence.EvidenceScreen, "on_page_fetched", handler)
    app = make_app(eight, kdf=fast_kdf)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await _until(pilot, lambda: "9 items" in _summary(app), "the whole vault counted")
        table = app.screen.query_one("#items", DataTable)
        await _until(pilot, lambda: table.row_count >= 5, "the rest of the page")
        assert limits[:2] == [(0, 2), (2, 3)] and firsts[:1] == [2]
        shown = [str(table.get_row_at(r)[2]) for r in range(5)]
    # Newest added first (the fixture added harbour 0..7, then "other"), nothing twice or skipped.
    assert shown == ["other", "harbour 7", "harbour 6", "harbour 5", "harbour 4"]
