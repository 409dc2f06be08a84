"""The smaller confusions of issue 14 (item 5), at 80x24: F1 starts with this app's keys, the filter
menus never break their words, the cursor stays on the item just looked at, Esc leaves the search
box (and a second Esc clears it), an empty vault says what to do first, and the app says when it
will lock by itself, and warns before it does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Label, Select, Static
from textual.widgets._toast import Toast

from tests.conftest import MakeVault, fast_kdf
from tests.tui.test_app import (
    SIZE,
    _app,
    _listed,
    _open_item,
    _type,
    _unlock,
    _until,
    filled,  # noqa: F401 - the fixture, shared with the app tests
)
from tui.app import make_app
from tui.screens.evidence import EvidenceScreen
from tui.screens.start import UnlockScreen
from tui.widgets.keys import KeysPanel

pytestmark = pytest.mark.slow


def _text(app: object, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def test_f1_lists_this_screens_keys_first_in_plain_words(
    filled: tuple[Path, dict[str, str]],  # noqa: F811
) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("f1")
        await _until(pilot, lambda: bool(app.screen.query(KeysPanel)), "the list of keys")
        shown = str(app.screen.query_one(KeysPanel).query_one("#keys-text", Static).render())
        lines = shown.splitlines()
        assert lines[0] == "Keys on this screen"
        assert "a  Add" in lines[1:6] and "m  Message" in lines[1:6]
        assert "Ctrl+L or F12  Lock at once (the panic key)" in lines
        # The terminal's generic keys come last, summed up; Textual's names never appear.
        assert lines.index("Moving around") > lines.index("Anywhere") > lines.index("a  Add")
        for generic in ("Cursor up", "Page Left", "Copy selected text", "Focus Next"):
            assert generic not in shown
        await pilot.press("f1")
        await _until(pilot, lambda: not app.screen.query(KeysPanel), "the list closed")


async def test_filter_menus_never_wrap_at_80_columns(
    filled: tuple[Path, dict[str, str]],  # noqa: F811
) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)

        def one_line_each() -> bool:
            labels = [s.query_one("#label") for s in app.screen.query("#filters Select")]
            return len(labels) == 4 and all(label.size.height == 1 for label in labels)

        await pilot.pause()
        assert one_line_each()
        await pilot.press("f1")  # the list of keys takes a third of the width
        await _until(pilot, lambda: bool(app.screen.query(KeysPanel)), "the list of keys")
        await pilot.pause()
        assert one_line_each()
        platform = app.screen.query_one("#filter-platform", Select)
        assert str(platform.query_one("#label", Static).render()).startswith("Pl")


async def test_the_cursor_stays_on_the_item_after_leaving_it(
    filled: tuple[Path, dict[str, str]],  # noqa: F811
) -> None:
    folder, ids = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        table = app.screen.query_one("#items", DataTable)
        await _open_item(app, pilot, ids["message"])
        row = table.get_row_index(ids["message"])
        assert row > 0  # not the first row: going back to the top would be visible
        await pilot.press("escape")
        await _until(
            pilot,
            lambda: _listed(app) and table.row_count == 4 and table.cursor_row == row,
            "the list, read again, the cursor on the same item",
        )
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        assert key == ids["message"]


async def test_escape_leaves_the_search_box_and_a_second_escape_clears_it(
    filled: tuple[Path, dict[str, str]],  # noqa: F811
) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        screen = app.screen
        assert isinstance(screen, EvidenceScreen)
        search = screen.query_one("#search", Input)
        table = screen.query_one("#items", DataTable)
        await pilot.press("slash")
        await _until(pilot, lambda: app.focused is search, "the search box")
        await _type(pilot, "TAPACAG")
        await pilot.press("escape")
        await _until(pilot, lambda: app.focused is table, "the list, after Esc")
        await _until(
            pilot,
            lambda: screen.filters.query == "TAPACAG" and not screen.fetching,
            "the search kept and applied",
        )
        assert search.value == "TAPACAG" and table.row_count == 1
        await pilot.press("escape")
        await _until(
            pilot,
            lambda: search.value == "" and not screen.fetching and table.row_count == 4,
            "the search cleared: everything listed again",
        )
        assert isinstance(app.screen, EvidenceScreen) and app.vault is not None


async def test_an_empty_vault_says_what_to_do_first(make_vault: MakeVault) -> None:
    vault, _ = make_vault("empty.evault")
    folder = vault.folder
    vault.close()
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        screen = app.screen
        hint = screen.query_one("#empty-hint", Static)
        assert hint.display and hint.region.height > 0  # on screen at 80x24
        words = " ".join(_text(app, "#empty-hint").split())
        assert words.startswith("Nothing here yet. Press a to add files")
        # The keys it names are the keys of this screen.
        keys = {b.key: b.action for b in screen.BINDINGS}  # type: ignore[union-attr]
        for key, action in (
            ("a", "add_files"),
            ("m", "add_message"),
            ("n", "add_note"),
            ("i", "import_export"),
        ):
            assert f"{key} to " in words or f"{key} for " in words
            assert keys[key] == action
        # A search that finds nothing says how to leave it instead.
        await pilot.press("slash")
        await _type(pilot, "nothing")
        await pilot.press("enter")
        await _until(pilot, lambda: "Nothing matches" in _text(app, "#empty-hint"), "the hint")


async def test_the_app_says_when_it_locks_and_warns_before(
    filled: tuple[Path, dict[str, str]],  # noqa: F811
) -> None:
    folder, _ = filled
    now = [1000.0]
    app = make_app(folder, kdf=fast_kdf, auto_lock_seconds=120, clock=lambda: now[0])
    async with app.run_test(size=SIZE, notifications=True) as pilot:  # as when run for real
        await _unlock(app, pilot)
        summary = str(app.screen.query_one("#summary", Label).render())
        assert "locks after 2 min idle" in summary
        assert app.screen.query_one("#summary").region.y < SIZE[1]  # on screen

        def warned() -> bool:
            return any("locks in" in str(t.render()) for t in app.screen.query(Toast))

        now[0] += 85  # 35 s left: no warning yet
        app._check_idle()
        await pilot.pause()
        assert not warned()
        now[0] += 10  # 25 s left: the warning, on screen
        await _until(pilot, warned, "the warning before locking")
        await pilot.press("down")  # any key keeps it open, and the warning goes
        await _until(pilot, lambda: not warned(), "the warning gone")
        assert app.vault is not None
        now[0] += 121
        await _until(
            pilot,
            lambda: app.vault is None and isinstance(app.screen, UnlockScreen),
            "the auto-lock",
        )
