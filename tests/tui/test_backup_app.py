"""The app's Settings: "Back up now" writes a checked copy into the folder typed, in a worker."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from tests.conftest import PASSPHRASE, MakeVault
from tests.tui.test_app import SIZE, _app, _press, _unlock, _until
from tui.screens.settings import SettingsScreen
from vault import Vault


async def test_back_up_now_writes_a_checked_copy(make_vault: MakeVault, tmp_path: Path) -> None:
    vault, _ = make_vault()
    added = vault.add_note("kept in the copy too")
    folder: Path = vault.folder
    vault.close()
    dest = tmp_path / "second-stick" / "Copy.evault"
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("s")
        await _until(pilot, lambda: isinstance(app.screen, SettingsScreen), "settings")

        def status() -> str:
            return str(app.screen.query_one("#status", Static).render())

        await _press(app, pilot, "#backup")
        await _until(pilot, lambda: "Type the folder" in status(), "asked for a folder")
        app.screen.query_one("#backup-to", Input).value = str(dest)
        await _press(app, pilot, "#backup")
        await _until(pilot, lambda: "Backup written and checked" in status(), "the backup")
        await _press(app, pilot, "#backup")
        await _until(pilot, lambda: "brought up to date" in status(), "the update")
    with Vault.open(dest, passphrase=PASSPHRASE) as copy:
        assert [i.id for i in copy.list_items()] == [added.item_id]
        assert copy.check().ok
