"""The app in Azerbaijani and Russian (issue 15): its own words translated, the language chosen in
Settings kept in the vault and applied at once and at every unlock, and every main screen still
fitting 80x24 in the longer languages.

Real vaults (fast KDF) and the real compiled catalogs; the frame checked is what the app draws.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Button, Footer, Static

from tests.conftest import PASSPHRASE
from tests.tui.test_app import SIZE, _app, _open_item, _settle, _unlock, _until, filled
from tests.tui.test_fit import _frame, _in_view, _on_screen
from tui.app import EvaultApp
from tui.screens.add import AddFilesScreen, MessageScreen, NoteScreen
from tui.screens.bundles import ExportScreen, VerifyScreen
from tui.screens.cases import CasesScreen
from tui.screens.delete import DeleteScreen
from tui.screens.evidence import EvidenceScreen
from tui.screens.imports import ImportScreen
from tui.screens.settings import SettingsScreen
from tui.screens.start import CreateScreen, UnlockScreen
from tui.screens.wipe import WipeDialog
from tui.widgets.keys import KeysPanel
from tui.widgets.tickbox import ChoiceButton
from vault import Vault, language, set_language

__all__ = ["filled"]  # the fixture, used here by name

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    """The language is process-wide: every test starts and ends in English."""
    set_language("en")
    yield
    set_language("en")


def _drawn_says(app: EvaultApp, text: str) -> bool:
    """The current screen has drawn its first frame, and it says ``text``."""
    if not app.screen._compositor.render_strips():
        return False
    return _on_screen(app, text)


def _footer_words(app: EvaultApp) -> list[str]:
    """The descriptions the footer shows on the current screen (translated at display)."""
    return [
        active.binding.description
        for active in app.screen.active_bindings.values()
        if active.binding.show and active.binding.description
    ]


@pytest.mark.parametrize(
    ("lang", "title", "button", "footer"),
    [
        ("az", "Sübut seyfinizin kilidini açın", "Kilidi aç", "Bərpa açarı"),
        ("ru", "Откройте хранилище доказательств", "Открыть", "Ключ восст."),
        ("en", "Unlock your evidence vault", "Unlock", "Use recovery key"),
    ],
)
async def test_unlock_screen_in_azerbaijani_and_russian(
    filled: tuple[Path, dict[str, str]], lang: str, title: str, button: str, footer: str
) -> None:
    folder, _ids = filled
    set_language(lang)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "unlock screen")
        await _until(pilot, lambda: _drawn_says(app, title), f"{lang}: the title drawn")
        assert str(app.screen.query_one("#unlock", Button).label) == button
        await _until(pilot, lambda: _drawn_says(app, footer), f"{lang}: the footer key")
        # A wrong passphrase: the screen's own words stay in the language, the vault's sentence
        # is shown (translated by the vault layer where it is).
        await _unlock(app, pilot, "not the passphrase at all")
        await _until(
            pilot,
            lambda: bool(str(app.screen.query_one("#status", Static).render()).strip()),
            "the answer to a wrong passphrase",
        )
        assert isinstance(app.screen, UnlockScreen)
        await _until(pilot, lambda: _drawn_says(app, title), f"{lang}: still the title")


async def test_language_chosen_in_settings_applies_at_once_and_persists(
    filled: tuple[Path, dict[str, str]],
) -> None:
    folder, _ids = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        assert "Add" in _footer_words(app)
        await pilot.press("s")
        await _until(pilot, lambda: isinstance(app.screen, SettingsScreen), "settings")
        app.screen.query_one("#language-ru", ChoiceButton).value = True
        await _until(
            pilot,
            lambda: isinstance(app.screen, SettingsScreen) and _drawn_says(app, "Настройки"),
            "Settings drawn again in Russian",
        )
        await _settle(app, pilot)
        assert _on_screen(app, "Язык программы теперь: Русский.")
        assert language() == "ru"
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, EvidenceScreen), "the list")
        await _until(pilot, lambda: not app.screen.fetching, "the list, read")  # type: ignore[attr-defined]
        await pilot.pause()
        assert "Добав." in _footer_words(app)
        assert _on_screen(app, "Заголовок")  # the list's column heading
        assert _on_screen(app, "порядок: сначала новые")  # the summary line, in Russian
        # Locked: the unlock screen stays in the vault's language.
        await pilot.press("ctrl+l")
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "locked")
        await pilot.pause()
        assert _on_screen(app, "Откройте хранилище доказательств")

    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        assert vault.language() == "ru"

    # A new run in English (the system's language): the vault's choice applies at unlock.
    set_language("en")
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app, EvaultApp)
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "unlock screen")
        await pilot.pause()
        assert _on_screen(app, "Unlock your evidence vault")
        await _unlock(app, pilot)
        await pilot.pause()
        assert "Добав." in _footer_words(app)

    # --lang or EVAULT_LANG given for this run: it wins over the vault's setting.
    set_language("en")
    app = _app(folder)
    app.language_fixed = True
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.pause()
        assert "Add" in _footer_words(app)
        assert language() == "en"


async def _check_fits(app: EvaultApp, pilot: object, name: str) -> None:
    """The fit rules of tests/tui/test_fit.py: every button reachable and drawn whole when
    focused, every footer key shown, and a status sentence drawn on screen."""
    await pilot.pause()  # type: ignore[attr-defined]
    screen = app.screen
    frame = _frame(app)
    if screen.query(Footer):
        for words in _footer_words(app):
            assert words in frame, f"{name}: footer key {words!r} cut off"
    for button in screen.query(Button):
        if not button.display or button.disabled:
            continue
        button.focus()
        await pilot.pause()  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        assert _in_view(app, button), f"{name}: button {button.label} out of view"
        assert str(button.label) in _frame(app), f"{name}: button {button.label} cut"


@pytest.mark.parametrize("lang", ["az", "ru"])
async def test_main_screens_fit_80x24(
    filled: tuple[Path, dict[str, str]], tmp_path: Path, lang: str
) -> None:
    folder, ids = filled
    set_language(lang)
    app = _app(tmp_path / "new.evault")
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, CreateScreen), "create")
        await _check_fits(app, pilot, "create")
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "unlock")
        await _check_fits(app, pilot, "unlock")
        await pilot.press("f8")
        await _until(pilot, lambda: isinstance(app.screen, WipeDialog), "wipe dialog")
        # Its buttons fall below 24 rows in English too (the warning is long): typing the word
        # and Enter is the way, and that line is drawn. Left for the wipe dialog's own issue.
        await pilot.pause()
        assert _drawn_says(app, "WIPE"), "wipe dialog"
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "unlock again")
        app.screen.query_one("#secret").focus()  # the buttons were focused one by one above
        await pilot.pause()
        await _unlock(app, pilot)
        await _check_fits(app, pilot, "evidence list")
        await pilot.press("f1")
        await _until(pilot, lambda: bool(app.screen.query(KeysPanel)), "keys panel")
        await pilot.pause()
        # The panel covers the footer's right end in English too; its own headings are drawn.
        heading = {"az": "Bu ekranın düymələri", "ru": "Клавиши этого экрана"}[lang]
        assert _drawn_says(app, heading), "keys panel"
        await pilot.press("f1")
        for screen_type in (
            AddFilesScreen,
            MessageScreen,
            NoteScreen,
            ImportScreen,
            ExportScreen,
            VerifyScreen,
            CasesScreen,
            SettingsScreen,
        ):
            await app.push_screen(screen_type())
            await _check_fits(app, pilot, screen_type.__name__)
            status = app.screen.query_one("#status", Static)
            status.update("Ə" * 150)
            await pilot.pause()
            assert _in_view(app, status), screen_type.__name__
            app.pop_screen()
            await pilot.pause()
        await _open_item(app, pilot, ids["shot"])
        await _check_fits(app, pilot, "item view")
        await pilot.press("d")
        await _until(pilot, lambda: isinstance(app.screen, DeleteScreen), "delete dialog")
        await _check_fits(app, pilot, "delete dialog")
