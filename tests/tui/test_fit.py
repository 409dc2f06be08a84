"""At 80x24, every answer is on screen and every key lands where the eye is (issue 14, items 1, 3
and 5's radio buttons and file picker).

"On screen" is checked on what the app really draws: the text of the 80x24 frame the screen
renders (``_frame``), not the widget tree, which holds a status line drawn three rows below the
bottom just as well. Fast typing and pasting are sent the way a terminal sends them: all keys at
once into the app's input queue (``_burst``), with no pause for the app to catch up between them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual import events
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    DirectoryTree,
    Input,
    ProgressBar,
    RadioSet,
    Static,
    TextArea,
)

from tests.conftest import PASSPHRASE
from tests.importers.test_importing import first_export
from tests.tui.test_app import (
    SIZE,
    _app,
    _listed,
    _open_item,
    _press,
    _settle,
    _status_shows,
    _type,
    _unlock,
    _until,
    filled,
)
from tui.app import EvaultApp
from tui.screens.add import AddFilesScreen, MessageScreen, NoteScreen
from tui.screens.bundles import ExportScreen, VerifyScreen
from tui.screens.cases import CasesScreen
from tui.screens.delete import DeleteScreen
from tui.screens.evidence import EvidenceScreen
from tui.screens.imports import ImportScreen
from tui.screens.item import EditScreen
from tui.screens.proof import ProofOfTimeScreen
from tui.screens.settings import SettingsScreen
from tui.screens.start import CreateScreen, RecoveryKeyScreen, UnlockScreen

__all__ = ["filled"]  # the fixture, used here by name

pytestmark = pytest.mark.slow


def _frame(app: EvaultApp) -> str:
    """The words of the frame the current screen draws at 80x24, lines joined by spaces (a
    sentence may wrap)."""
    strips = app.screen._compositor.render_strips()
    assert len(strips) == SIZE[1]
    return re.sub(r"\s+", " ", " ".join(strip.text for strip in strips))


def _on_screen(app: EvaultApp, text: str) -> bool:
    return re.sub(r"\s+", " ", text) in _frame(app)


def _in_view(app: EvaultApp, widget: Widget) -> bool:
    """The whole widget is drawn inside the 80x24 screen (not scrolled away, not cut)."""
    _frame(app)  # draw the frame first: the compositor knows what is visible once it drew it
    visible = app.screen._compositor.visible_widgets
    if widget not in visible:
        return False
    region, clip = visible[widget]
    return (
        region.area > 0
        and clip.contains_region(region)
        and app.screen.region.contains_region(region)
    )


def _burst(app: EvaultApp, text: str) -> None:
    """Send ``text`` as key presses all at once, as a fast typist or a terminal without
    bracketed paste does: the app reads them one by one, never waiting in between."""
    driver = app._driver
    assert driver is not None
    for ch in text:
        key = {"/": "slash", " ": "space", "\t": "tab"}.get(ch, ch)
        event = events.Key(key, ch)
        event.set_sender(app)
        driver.send_message(event)


def _paste(app: EvaultApp, text: str) -> None:
    """A paste from a terminal with bracketed paste: one ``Paste`` event."""
    driver = app._driver
    assert driver is not None
    event = events.Paste(text)
    event.set_sender(app)
    driver.send_message(event)


# ---------------------------------------------------------------- item 1: outcomes on screen


async def test_create_screen_says_the_passphrases_differ_on_screen(tmp_path: Path) -> None:
    app = _app(tmp_path / "new.evault")
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, CreateScreen), "the create screen")
        await _type(pilot, "five random words here now")
        await pilot.press("enter")
        await _type(pilot, "five random words here noW")
        await pilot.press("enter")
        await pilot.pause()
        assert _on_screen(app, "The two passphrases are different.")
        assert app.focused is app.screen.query_one("#second", Input)  # to type it again
        assert app.screen.query_one("#second", Input).value == ""


async def test_recovery_key_screen_says_write_it_down_on_screen(tmp_path: Path) -> None:
    app = _app(tmp_path / "new.evault")
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, CreateScreen), "the create screen")
        await _type(pilot, "five random words here now")
        await pilot.press("enter")
        await _type(pilot, "five random words here now")
        await pilot.press("enter")
        await _settle(app, pilot)
        await _until(pilot, lambda: isinstance(app.screen, RecoveryKeyScreen), "the key")
        await _press(app, pilot, "#continue")
        assert _on_screen(app, "Please write the key down first, then tick the box.")


async def test_add_files_outcome_on_screen_and_form_cleared(
    filled: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = filled
    new = tmp_path / "voice.ogg"
    new.write_bytes(b"OggS" + bytes(range(256)) * 900)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, AddFilesScreen), "add files")
        screen = app.screen
        # The progress bar, once shown, is drawn inside the 80x24 screen.
        bar = screen.query_one("#progress", ProgressBar)
        bar.display = True
        await pilot.pause()
        assert _in_view(app, bar)
        bar.display = False
        screen.query_one("#paths", TextArea).text = str(new)
        screen.query_one("#add-title", Input).value = "Voice message at night"
        screen.query_one("#add-sensitive", Checkbox).value = True
        await _press(app, pilot, "#add")
        await _settle(app, pilot)
        await _until(pilot, lambda: not screen.running, "the file added")  # type: ignore[attr-defined]
        await pilot.pause()
        assert _on_screen(app, "Added 1 file.")
        assert _in_view(app, screen.query_one("#status", Static))
        # Cleared for the next files: nothing typed for this one lands on the next.
        assert screen.query_one("#paths", TextArea).text == ""
        assert screen.query_one("#add-title", Input).value == ""
        assert screen.query_one("#add-sensitive", Checkbox).value is False


@pytest.mark.parametrize("screen_type", [MessageScreen, NoteScreen])
async def test_message_and_note_added_on_screen(
    filled: tuple[Path, dict[str, str]], screen_type: type[MessageScreen | NoteScreen]
) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("m" if screen_type is MessageScreen else "n")
        await _until(pilot, lambda: isinstance(app.screen, screen_type), "the form")
        prefix = screen_type.prefix
        app.screen.query_one(f"#{prefix}-text", TextArea).text = "Bu son xəbərdarlıqdır"
        app.screen.query_one(f"#{prefix}-title", Input).value = "Last warning"
        await _press(app, pilot, "#add")
        said = "Message added." if screen_type is MessageScreen else "Note added."
        await _status_shows(app, pilot, said)
        await pilot.pause()
        assert _on_screen(app, said)
        assert app.screen.query_one(f"#{prefix}-title", Input).value == ""
        assert app.focused is app.screen.query_one(f"#{prefix}-text", TextArea)


async def test_every_screen_status_line_is_on_screen(
    filled: tuple[Path, dict[str, str]],
) -> None:
    """Whatever a screen says, and however long its form, the sentence is drawn at 80x24."""
    folder, _ = filled
    app = _app(folder)
    sentence = "Something the defender must see after pressing a button, said in one sentence."
    screens = [
        AddFilesScreen,
        MessageScreen,
        NoteScreen,
        ImportScreen,
        ExportScreen,
        VerifyScreen,
        CasesScreen,
        SettingsScreen,
        ProofOfTimeScreen,
    ]
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        for screen_type in screens:
            await app.push_screen(screen_type())
            await pilot.pause()
            status = app.screen.query_one("#status", Static)
            status.update(sentence)
            await pilot.pause()
            assert _on_screen(app, sentence), screen_type.__name__
            assert _in_view(app, status), screen_type.__name__
            app.pop_screen()
            await pilot.pause()
        app.screen.app.pop_screen()


async def test_settings_and_cases_answers_on_screen(filled: tuple[Path, dict[str, str]]) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("s")
        await _until(pilot, lambda: isinstance(app.screen, SettingsScreen), "settings")
        app.screen.query_one("#new1", Input).value = "one long new passphrase"
        app.screen.query_one("#new2", Input).value = "another long passphrase"
        await _press(app, pilot, "#passwd")
        assert _on_screen(app, "The two passphrases are different.")
        await _press(app, pilot, "#backup")
        assert _on_screen(app, "Type the folder for the copy first")
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, EvidenceScreen), "the list")
        await pilot.press("c")
        await _until(pilot, lambda: isinstance(app.screen, CasesScreen), "cases")
        await _press(app, pilot, "#rename")
        assert _on_screen(app, "Choose the case to rename first.")


async def test_item_dialogs_answers_on_screen(filled: tuple[Path, dict[str, str]]) -> None:
    """The delete and edit dialogs are taller than 24 rows: their answer is scrolled into view."""
    folder, ids = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await _open_item(app, pilot, ids["shot"])
        await pilot.press("d")
        await _until(pilot, lambda: isinstance(app.screen, DeleteScreen), "the delete dialog")
        await _press(app, pilot, "#delete")
        await pilot.pause()
        assert _on_screen(app, "Say why the item is deleted")
        assert app.focused is app.screen.query_one("#delete-reason", Input)
        await pilot.press("escape")
        await pilot.press("e")
        await _until(pilot, lambda: isinstance(app.screen, EditScreen), "the edit dialog")
        app.screen.query_one("#edit-occurred", Input).value = "last Tuesday"
        await _press(app, pilot, "#save")
        await _status_shows(app, pilot, "is not a date and time I can read")
        status = app.screen.query_one("#status", Static)
        await _until(pilot, lambda: _in_view(app, status), "the answer scrolled into view")


async def test_import_report_on_screen(filled: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """An import's report is many lines: its start and its chats are drawn at 80x24."""
    folder, _ = filled
    export = first_export(tmp_path)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("i")
        await _until(pilot, lambda: isinstance(app.screen, ImportScreen), "import")
        app.screen.query_one("#path", Input).value = str(export)
        await _press(app, pilot, "#import")
        await _settle(app, pilot)
        await _status_shows(app, pilot, "Naməlum Şəxs: 4 messages, 4 new")
        await pilot.pause()
        report = str(app.screen.query_one("#status", Static).render()).strip().splitlines()
        assert len(report) > 8  # longer than a one-sentence answer
        for line in (report[0], "Naməlum Şəxs: 4 messages, 4 new", report[-1]):
            assert _on_screen(app, line), line


# ---------------------------------------------------------------- item 3: focus and typing


@pytest.mark.parametrize(
    ("key", "screen_type", "first"),
    [
        ("a", AddFilesScreen, "#picker"),
        ("x", ExportScreen, "#case"),
        ("s", SettingsScreen, "#new1"),
        ("p", ProofOfTimeScreen, "#request-out"),
    ],
)
async def test_screens_open_on_a_visible_field_and_tab_never_lands_on_nothing(
    filled: tuple[Path, dict[str, str]], key: str, screen_type: type[Widget], first: str
) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press(key)
        await _until(pilot, lambda: isinstance(app.screen, screen_type), screen_type.__name__)
        await pilot.pause()
        assert app.focused is app.screen.query_one(first)
        for _ in range(8):  # every Tab stop is a field, a button or a choice, drawn on screen
            await pilot.press("tab")
            await pilot.pause()
            focused = app.focused
            assert focused is not None
            assert _in_view(app, focused), f"{screen_type.__name__}: {focused!r}"
            assert isinstance(
                focused,
                Input | TextArea | Button | Checkbox | RadioSet | DirectoryTree,
            ), f"{screen_type.__name__}: an invisible stop {focused!r}"


async def test_typed_right_after_opening_export_lands_in_its_first_field(
    filled: tuple[Path, dict[str, str]],
) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("x")
        await _until(pilot, lambda: isinstance(app.screen, ExportScreen), "export")
        _burst(app, "Calls at night")  # at once, as the screen appears
        await _until(
            pilot,
            lambda: app.screen.query_one("#case", Input).value == "Calls at night",
            "the case name typed in its field",
        )


async def test_a_path_typed_on_opening_add_files_lands_in_the_files_box(
    filled: tuple[Path, dict[str, str]],
) -> None:
    """The screen opens on the file picker, which takes no letters: typing a path at once must
    not lose its first characters."""
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, AddFilesScreen), "add files")
        _burst(app, "/media/stick/threat.png")
        await _until(
            pilot,
            lambda: app.screen.query_one("#paths", TextArea).text == "/media/stick/threat.png",
            "the whole path typed in the Files box",
        )


@pytest.mark.parametrize(
    ("key", "screen_type", "title"),
    [
        ("m", MessageScreen, "Add a threat message"),
        ("n", NoteScreen, "Write a note"),
        ("x", ExportScreen, "Export evidence for your lawyer"),
        ("p", ProofOfTimeScreen, "Proof of time"),
    ],
)
async def test_forms_open_with_their_title_in_view(
    filled: tuple[Path, dict[str, str]], key: str, screen_type: type[Widget], title: str
) -> None:
    """Focusing the first field must not scroll the screen's title and first label off the top
    (seen at 80x24: the message form opened on a bare box)."""
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press(key)
        await _until(pilot, lambda: isinstance(app.screen, screen_type), screen_type.__name__)
        await pilot.pause()
        assert title in _frame(app)
        assert app.focused is not None and _in_view(app, app.focused)


@pytest.mark.parametrize("key", ["a", "m", "n"])
async def test_text_boxes_have_room_to_type(filled: tuple[Path, dict[str, str]], key: str) -> None:
    """The Files, message and note boxes show several lines (the note box was drawn with none:
    its top and bottom edges touched, and what was typed could not be seen)."""
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press(key)
        await _until(pilot, lambda: bool(app.screen.query(TextArea)), "the form")
        await pilot.pause()
        assert app.screen.query_one(TextArea).content_region.height >= 3


async def test_settings_open_at_the_top_with_the_passphrase_field_focused(
    filled: tuple[Path, dict[str, str]],
) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        assert app.vault is not None
        fingerprint = app.vault.identity()["fingerprint"]
        await pilot.press("s")
        await _until(pilot, lambda: isinstance(app.screen, SettingsScreen), "settings")
        await pilot.pause()
        new1 = app.screen.query_one("#new1", Input)
        assert app.focused is new1 and _in_view(app, new1)
        assert _on_screen(app, "Settings") and _on_screen(app, fingerprint)


async def test_fields_typed_with_tab_at_full_speed_each_get_their_words(
    filled: tuple[Path, dict[str, str]],
) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("s")
        await _until(pilot, lambda: isinstance(app.screen, SettingsScreen), "settings")
        await pilot.pause()
        _burst(app, "first words\tsecond words")
        await _until(
            pilot,
            lambda: app.screen.query_one("#new2", Input).value == "second words",
            "the second field typed",
        )
        assert app.screen.query_one("#new1", Input).value == "first words"


@pytest.mark.parametrize("word", ["xeberdarliq", "sekillerin"])
async def test_fast_search_right_after_unlock_lands_in_the_search_box(
    filled: tuple[Path, dict[str, str]], word: str
) -> None:
    """ "/xeberdarliq" opened Export and "/sekillerin" Settings: the letters after the "/" were
    read as shortcuts before the search box had the focus."""
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "the unlock screen")
        app.screen.query_one("#secret", Input).value = PASSPHRASE
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, EvidenceScreen), "the list")
        _burst(app, "/" + word)  # at once, as the list appears
        await _settle(app, pilot)
        await _until(pilot, lambda: _listed(app), "the list, searched")
        assert len(app.screen_stack) == 2 and isinstance(app.screen, EvidenceScreen)
        assert app.screen.query_one("#search", Input).value == word


async def test_paste_into_the_list_is_a_search(filled: tuple[Path, dict[str, str]]) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        assert not isinstance(app.focused, Input)  # the list has the focus
        _paste(app, "/sekillerin")
        _burst(app, "xs")  # typed right after the paste: more search words, not shortcuts
        await _settle(app, pilot)
        await pilot.pause()
        assert len(app.screen_stack) == 2 and isinstance(app.screen, EvidenceScreen)
        search = app.screen.query_one("#search", Input)
        assert search.value == "sekillerinxs"
        assert app.focused is search


# ---------------------------------------------------------------- item 5: choices and picker


async def test_export_choices_show_which_is_chosen_without_colour(
    filled: tuple[Path, dict[str, str]],
) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("x")
        await _until(pilot, lambda: isinstance(app.screen, ExportScreen), "export")
        await pilot.pause()
        assert _frame(app).count("●") == 1  # one dot: on the chosen line only
        assert re.search(r"●\S* Your lawyer's own key", _frame(app))
        await pilot.press("tab")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert _frame(app).count("●") == 1
        assert re.search(r"●\S* A passphrase you tell the lawyer", _frame(app))


async def test_file_picker_hides_dot_folders_and_opens_downloads(
    filled: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _ = filled
    home = tmp_path / "home"
    for name in (".ssh", ".cargo", "Downloads", "Pictures", "Documents"):
        (home / name).mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("not a real key")
    (home / ".bash_history").write_text("history")
    (home / "Downloads" / "threat.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    monkeypatch.setenv("HOME", str(home))
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, AddFilesScreen), "add files")
        await _until(pilot, lambda: "threat.png" in _frame(app), "Downloads opened in the picker")
        frame = _frame(app)
        assert "Pictures" in frame and "Documents" in frame
        assert ".ssh" not in frame and ".cargo" not in frame and ".bash_history" not in frame
