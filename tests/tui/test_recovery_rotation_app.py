"""The app's Settings: a new recovery key replaces the old one only once its last group is typed;
and what the app says after unlocking a vault whose new recovery key was never confirmed."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.conftest import PASSPHRASE
from tests.tui.test_app import SIZE, _app, _press, _settle, _unlock, _until
from tui.screens.settings import NewRecoveryKeyDialog, SettingsScreen
from tui.screens.start import UnlockScreen
from tui.widgets.dialogs import ConfirmDialog, MessageDialog
from vault import Vault
from vault.errors import WrongPassphrase


async def test_new_recovery_key_is_confirmed_by_its_last_group(make_vault: object) -> None:
    vault, old_key = make_vault()  # type: ignore[operator]
    folder: Path = vault.folder
    vault.close()
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("s")
        await _until(pilot, lambda: isinstance(app.screen, SettingsScreen), "settings")
        await _press(app, pilot, "#recovery")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
        await _press(app, pilot, "#yes")
        await _until(pilot, lambda: isinstance(app.screen, NewRecoveryKeyDialog), "the new key")
        dialog = app.screen
        assert isinstance(dialog, NewRecoveryKeyDialog)
        new_key = dialog.recovery
        typed = dialog.query_one("#last-group", Input)
        typed.value = "ZZZZ" if not new_key.endswith("ZZZZ") else "YYYY"
        await pilot.press("enter")
        assert isinstance(app.screen, NewRecoveryKeyDialog)  # a wrong group confirms nothing
        typed.value = new_key.split("-")[-1].lower()
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, SettingsScreen), "back in settings")
        await _settle(app, pilot)
        await _until(
            pilot,
            lambda: "confirmed" in str(app.screen.query_one("#status", Static).render()),
            "the confirmation",
        )
    with pytest.raises(WrongPassphrase):
        Vault.open(folder, recovery_key=old_key)
    Vault.open(folder, recovery_key=new_key).close()


async def test_an_unconfirmed_recovery_key_is_mentioned_after_unlocking(make_vault: object) -> None:
    vault, old_key = make_vault()  # type: ignore[operator]
    vault.new_recovery_key()  # shown, never confirmed
    folder: Path = vault.folder
    vault.close()
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "the unlock screen")
        app.screen.query_one("#secret", Input).value = PASSPHRASE
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, MessageDialog), "the notice")
        message = str(app.screen.query_one("#dialog-message", Static).render())
        assert "never confirmed" in message
    Vault.open(folder, recovery_key=old_key).close()
