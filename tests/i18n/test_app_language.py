"""The app in Azerbaijani and Russian (issue 15): its own words translated, the language chosen in
Settings kept in the vault and applied at once and at every unlock, and every main screen still
fitting 80x24 in the longer languages.

Real vaults (fast KDF) and the real compiled catalogs; the frame checked is what the app draws.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Button, Checkbox, DataTable, Footer, Input, Label, Static, TextArea

from tests.conftest import PASSPHRASE
from tests.importers.test_importing import first_export
from tests.tui.test_app import (
    SIZE,
    _app,
    _open_item,
    _press,
    _settle,
    _status_shows,
    _unlock,
    _until,
    filled,
)
from tests.tui.test_fit import _frame, _in_view, _on_screen
from tui.app import EvaultApp
from tui.screens.add import AddFilesScreen, MessageScreen, NoteScreen
from tui.screens.bundles import ExportScreen, VerifyScreen
from tui.screens.cases import CasesScreen
from tui.screens.delete import DeleteScreen
from tui.screens.evidence import EvidenceScreen
from tui.screens.imports import ChatScreen, ChatsScreen, ImportScreen
from tui.screens.item import ItemScreen
from tui.screens.proof import ProofOfTimeScreen
from tui.screens.settings import SettingsScreen
from tui.screens.start import CreateScreen, UnlockScreen
from tui.screens.wipe import WipeDialog
from tui.widgets.dialogs import ConfirmDialog
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


# Words of the English screens that a translated screen must not show any more (whole words, case
# as written): labels, buttons, ticks, menus, footer keys. Names of things stay as they are
# (Telegram, WhatsApp, age1, Asia/Baku, F1), and so do the vault's own words, translated elsewhere.
ENGLISH_WORDS = (
    "Add",
    "Back",
    "Title",
    "Platform",
    "Sender",
    "Case",
    "Tags",
    "Sensitive",
    "Files",
    "When",
    "Time zone",
    "Who",
    "What",
    "Import",
    "Export",
    "Verify",
    "Bundle",
    "Protect",
    "Passphrase",
    "Fingerprint",
    "Note",
    "Show",
    "Save",
    "Wipe",
    "Keep",
    "Type",
    "Let the file tell",
    "Pictures and videos",
)


def _english_left(app: EvaultApp) -> list[str]:
    """The English words still shown by the current screen's own widgets: its labels and
    texts, buttons, tick boxes, menus' prompts, footer keys (not a file picker's folder names)."""
    screen = app.screen
    texts = [str(widget.render()) for widget in screen.query(Static) if widget.display]
    texts += [str(button.label) for button in screen.query(Button)]
    texts += [str(box.label) for box in screen.query(Checkbox)]
    texts += [str(field.placeholder) for field in screen.query(Input)]
    texts += _footer_words(app) if screen.query(Footer) else []
    shown = " ".join(texts)
    return [word for word in ENGLISH_WORDS if re.search(rf"\b{word}\b", shown)]


async def _check_fits(app: EvaultApp, pilot: object, name: str) -> None:
    """The fit rules of tests/tui/test_fit.py: every button reachable and drawn whole when
    focused, every footer key shown, and a status sentence drawn on screen."""
    await pilot.pause()  # type: ignore[attr-defined]
    screen = app.screen
    if screen.query(Footer):
        # A loaded machine may draw the pushed screen's footer a few frames later: wait for it
        # to be drawn (or time out, and then the assertion below says what is cut off).
        with contextlib.suppress(AssertionError, TimeoutError):
            await _until(
                pilot, lambda: all(w in _frame(app) for w in _footer_words(app)), f"{name} footer"
            )
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
        await _check_fits(app, pilot, "wipe dialog")  # its buttons too, below the long warning
        assert not _english_left(app), "wipe dialog"
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
            ProofOfTimeScreen,
        ):
            await app.push_screen(screen_type())
            await _check_fits(app, pilot, screen_type.__name__)
            left = _english_left(app)
            assert not left, f"{screen_type.__name__}: still in English: {left}"
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


ITEM_WORDS = {
    "az": {
        "content": "Məzmun",
        "custody": "Saxlama zənciri",
        "unreadable": "Bu şəkil oxuna bilmədi",
        "edit": "Redaktə",
        "hidden": "Həssas: heç nə göstərilmir",
        "show": "Göstər",
        "keep": "Gizli saxla",
        "question": "Bu material həssas kimi işarələnib",
    },
    "ru": {
        "content": "Содержимое",
        "custody": "Цепочка хранения",
        "unreadable": "Это изображение не удалось прочитать",
        "edit": "Изменить",
        "hidden": "Деликатное: ничего не показывается",
        "show": "Показать",
        "keep": "Не показывать",
        "question": "Этот материал отмечен как деликатный",
    },
}


@pytest.mark.parametrize("lang", ["az", "ru"])
async def test_item_view_in_azerbaijani_and_russian(
    filled: tuple[Path, dict[str, str]], lang: str
) -> None:
    """The item view's own words: headings, what a picture that cannot be compared says, the
    footer, a sensitive item's placeholder and the reveal question with its two answers."""
    folder, ids = filled
    words = ITEM_WORDS[lang]
    set_language(lang)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        screen = await _open_item(app, pilot, ids["shot"])
        headings = [str(label.render()) for label in screen.query(Label)]
        assert words["content"] in headings and words["custody"] in headings
        seen = screen.query_one("#seen", Static)
        await _until(pilot, lambda: words["unreadable"] in str(seen.render()), "seen elsewhere")
        assert words["edit"] in _footer_words(app)
        assert _on_screen(app, words["content"])
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, EvidenceScreen), "the list")
        screen = await _open_item(app, pilot, ids["secret_message"])
        content = screen.query_one("#content", Static)
        assert words["hidden"] in str(content.render())
        await pilot.press("space")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the reveal question")
        await pilot.pause()
        assert _on_screen(app, words["question"])
        assert str(app.screen.query_one("#yes", Button).label) == words["show"]
        assert str(app.screen.query_one("#no", Button).label) == words["keep"]
        await pilot.press("enter")  # the focused, safe answer: keep hidden
        await _until(pilot, lambda: isinstance(app.screen, ItemScreen), "back on the item")
        assert "intimate words" not in str(content.render())


ADD_WORDS = {
    "az": ("Faylları sübut kimi əlavə edin", "Əlavə et", "1 fayl əlavə edildi."),
    "ru": ("Добавьте файлы как доказательства", "Добавить", "Добавлен 1 файл."),
    "en": ("Add files as evidence", "Add", "Added 1 file."),
}


@pytest.mark.parametrize("lang", ["az", "ru", "en"])
async def test_add_files_form_in_azerbaijani_and_russian(
    filled: tuple[Path, dict[str, str]], tmp_path: Path, lang: str
) -> None:
    """The add-files form: its title and button, and what it says once a real file is added
    (a number in each language's plural form, and the duplicate sentence)."""
    folder, _ids = filled
    title, button, added = ADD_WORDS[lang]
    new = tmp_path / "voice.ogg"
    new.write_bytes(b"OggS" + bytes(range(256)) * 40)
    set_language(lang)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, AddFilesScreen), "the add form")
        await _until(pilot, lambda: _drawn_says(app, title), f"{lang}: the form's title")
        assert str(app.screen.query_one("#add", Button).label) == button
        app.screen.query_one("#paths", TextArea).text = f"{new}\n{tmp_path / 'threat.png'}"
        await _press(app, pilot, "#add")
        await _settle(app, pilot)
        await _until(pilot, lambda: not app.screen.running, "the files added")  # type: ignore[attr-defined]
        await _status_shows(app, pilot, added)
        duplicate = {
            "az": "1 fayl artıq seyfdədir (eyni məzmun), yenidən saxlanmadı: threat.png.",
            "ru": "1 файл уже есть в хранилище (то же содержимое), повторно не сохранён: threat.png.",
            "en": "1 already in the vault (same content), not stored again: threat.png.",
        }[lang]
        await _status_shows(app, pilot, duplicate)


IMPORT_WORDS = {
    "az": {
        "title": "Çat və ya poçt ixracını idxal edin",
        "button": "İdxal et",
        "first": "Əvvəlcə ixracı seçin",
        "chat": "Çat",
        "summary": "1 çat · Enter mesajları göstərir",
        "lines": "4 mesaj · vaxt UTC ilə",
    },
    "ru": {
        "title": "Импорт выгрузки чата или почты",
        "button": "Импортировать",
        "first": "Сначала выберите выгрузку",
        "chat": "Чат",
        "summary": "1 чат · Enter показывает сообщения",
        "lines": "4 сообщения · время в UTC",
    },
}


@pytest.mark.parametrize("lang", ["az", "ru"])
async def test_import_screen_and_chats_in_azerbaijani_and_russian(
    filled: tuple[Path, dict[str, str]], tmp_path: Path, lang: str
) -> None:
    """The import screen's words, its answer when no export is chosen, then a real export
    imported and browsed: the chat list's heading and summary, the chat's summary line."""
    folder, _ids = filled
    words = IMPORT_WORDS[lang]
    export = first_export(tmp_path)
    set_language(lang)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("i")
        await _until(pilot, lambda: isinstance(app.screen, ImportScreen), "the import screen")
        await _until(pilot, lambda: _drawn_says(app, words["title"]), f"{lang}: the title")
        assert str(app.screen.query_one("#import", Button).label) == words["button"]
        await _press(app, pilot, "#import")
        await _status_shows(app, pilot, words["first"])
        app.screen.query_one("#path", Input).value = str(export)
        await _press(app, pilot, "#import")
        await _settle(app, pilot)
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, EvidenceScreen), "the list")
        await pilot.press("t")
        await _until(
            pilot,
            lambda: (
                isinstance(app.screen, ChatsScreen)
                and app.screen.query_one("#chats", DataTable).row_count == 1
            ),
            "the chats",
        )
        table = app.screen.query_one("#chats", DataTable)
        assert str(table.ordered_columns[0].label) == words["chat"]
        assert str(app.screen.query_one("#summary", Label).render()) == words["summary"]
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, ChatScreen), "the chat")
        assert words["lines"] in str(app.screen.query_one("#summary", Label).render())


@pytest.mark.parametrize("lang", ["en", "az", "ru"])
async def test_wipe_dialog_buttons_fit_80x24(
    filled: tuple[Path, dict[str, str]], lang: str
) -> None:
    """The wipe dialog's long warning scrolls in its own box: both buttons stay on screen,
    also after a wrong word made the status line longer."""
    folder, _ids = filled
    set_language(lang)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "unlock")
        await pilot.press("f8")
        await _until(pilot, lambda: isinstance(app.screen, WipeDialog), "wipe dialog")
        await _check_fits(app, pilot, "wipe dialog")
        app.screen.query_one("#word", Input).value = "nope"
        app.screen.query_one("#word", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        await _check_fits(app, pilot, "wipe dialog, after a wrong word")
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "kept")
    assert (folder / "vault.keys").exists()
