"""The emergency wipe in the terminal app: F8, then the word WIPE, then a calm screen.

Driven by keyboard with Textual's Pilot against real vaults on disk; afterwards neither the
passphrase nor the recovery key opens anything.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.conftest import MakeVault
from tests.tui.test_app import DEADLINE, SIZE, _app, _type, _unlock, _until
from tests.vault.test_wipe import _nothing_opens
from tui.app import EvaultApp
from tui.screens.evidence import EvidenceScreen
from tui.screens.start import CreateScreen, UnlockScreen
from tui.screens.wipe import WipeDialog, WipedScreen
from tui.widgets.keys import KeysPanel
from vault.evidence.models import Metadata

pytestmark = pytest.mark.slow


@pytest.fixture
def kept(make_vault: MakeVault) -> tuple[Path, str]:
    """A closed vault holding one message, and its recovery key."""
    vault, recovery = make_vault("kept.evault")
    vault.add_message("we know where you live", Metadata(platform="WhatsApp"))
    folder = vault.folder
    vault.close()
    return folder, recovery


def _shown(app: EvaultApp) -> str:
    """The words on the wiped screen, whatever the line breaks."""
    return " ".join(str(app.screen.query_one("#wiped-text", Static).render()).split())


def _wipe_offered(app: EvaultApp, *, in_footer: bool) -> bool:
    """F8 is a key of this screen, in the F1 list of all keys (and the footer, where it fits)."""
    return any(
        b.binding.key == "f8"
        and b.binding.description == "Wipe vault"
        and b.binding.show == in_footer
        for b in app.active_bindings.values()
    )


def _key_list(app: EvaultApp) -> str:
    """The text of the F1 panel's list of keys."""
    return str(app.screen.query_one(KeysPanel).query_one("#keys-text", Static).render())


async def _confirm(app: EvaultApp, pilot: object, word: str) -> None:
    await pilot.press("f8")  # type: ignore[attr-defined]
    await _until(pilot, lambda: isinstance(app.screen, WipeDialog), "the wipe dialog")
    app.screen.query_one("#word", Input).focus()
    await _type(pilot, word)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_wipe_from_the_evidence_list_closes_the_vault_and_wipes_it(
    kept: tuple[Path, str],
) -> None:
    folder, recovery = kept
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        opened = app.vault
        assert opened is not None
        assert _wipe_offered(app, in_footer=False)  # the full footer keeps the lock key
        await pilot.press("f1")  # ... and F1 lists it
        await _until(pilot, lambda: bool(app.screen.query(KeysPanel)), "the list of keys")
        assert "Wipe vault" in _key_list(app)
        await pilot.press("f1")
        # A slip (or a panicking hand) wipes nothing: a wrong word, then Escape.
        await _confirm(app, pilot, "wipr")
        assert isinstance(app.screen, WipeDialog)
        assert "Nothing was wiped" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, EvidenceScreen), "back to the list")
        assert app.vault is opened and (folder / "vault.keys").is_file()

        await _confirm(app, pilot, "WIPE")
        await _until(
            pilot,
            lambda: isinstance(app.screen, WipedScreen) and app.screen.done,
            "the wiped screen, done",
        )
        assert app.vault is None
        assert len(app.screen_stack) == 2  # nothing of the evidence is left behind it
        shown = _shown(app)
        assert "The vault in" in shown and "cannot be opened any more" in shown
        assert "USB sticks" in shown
        assert "Another evault window" not in shown  # it was this app's own vault
        await _until(pilot, lambda: opened.closed, "the vault closed")
        await pilot.press("ctrl+l")  # the lock key afterwards: nothing to unlock, calmly
        await _until(pilot, lambda: isinstance(app.screen, CreateScreen), "the start screen")
    assert not folder.exists()
    _nothing_opens(folder, recovery)


async def test_wipe_from_the_unlock_screen_needs_no_passphrase(kept: tuple[Path, str]) -> None:
    folder, recovery = kept
    (folder / "diary.txt").write_text("not the vault's", encoding="utf-8")
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "the unlock screen")
        assert _wipe_offered(app, in_footer=True)
        await _confirm(app, pilot, "wipe")
        await _until(
            pilot,
            lambda: isinstance(app.screen, WipedScreen) and app.screen.done,
            "the wiped screen, done",
        )
        assert "Left in the folder (not the vault's, so not touched): diary.txt." in _shown(app)
    assert sorted(p.name for p in folder.iterdir()) == ["diary.txt"]
    _nothing_opens(folder, recovery)


async def test_wipe_never_waits_for_a_task_holding_the_vault(kept: tuple[Path, str]) -> None:
    """As with the lock key: a long task holding the vault does not hold the wipe back."""
    folder, recovery = kept
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        opened = app.vault
        assert opened is not None
        held, release = threading.Event(), threading.Event()

        def long_task() -> None:
            with opened._mutex:  # what a worker in the middle of a long add holds
                held.set()
                release.wait(DEADLINE)

        task = threading.Thread(target=long_task)
        task.start()
        try:
            assert held.wait(DEADLINE)
            await _confirm(app, pilot, "WIPE")
            await _until(
                pilot,
                lambda: isinstance(app.screen, WipedScreen) and app.screen.done,
                "the wiped screen, done",
            )
            assert not folder.exists() and not opened.closed  # wiped before the task let go
        finally:
            release.set()
            task.join()
        await _until(pilot, lambda: opened.closed, "the vault closed once the task let go")
    _nothing_opens(folder, recovery)
