"""The app at 80x24 shows nothing made from a sensitive item's content before its reveal: not in the
list, search results, the item page (heading, details, edit and delete dialogs, the reveal
question), the chats; after the item page's reveal the real title shows there, and leaving hides
it again (issue 14, item 2).

Every check reads the whole rendered frame (the screenshot the app exports), not a widget's value:
what counts is what a person standing behind the defender could read.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from tests.conftest import MakeVault
from tests.sensitive_support import (
    CHAT_SENDER,
    CHAT_WORD,
    DESCRIPTION_WORD,
    FILE_WORD,
    MESSAGE_WORD,
    SEARCH_WORD,
    SENDER,
    fill,
    planted_in,
)
from tests.tui.test_app import SIZE, _app, _open_item, _press, _settle, _type, _unlock, _until
from tui.app import EvaultApp
from tui.screens.delete import DeleteScreen
from tui.screens.evidence import EvidenceScreen
from tui.screens.imports import ChatScreen, ChatsScreen
from tui.screens.item import EditScreen, ItemScreen
from tui.widgets.dialogs import ConfirmDialog
from vault import Metadata

pytestmark = pytest.mark.slow


def frame(app: EvaultApp) -> str:
    """The text of the frame on screen now (tags dropped, entities and spaces restored)."""
    svg = app.export_screenshot()
    text = "".join(re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S))
    return html.unescape(text).replace("\xa0", " ")


def nothing_planted(app: EvaultApp, where: str) -> str:
    shown = frame(app)
    assert planted_in(shown) == [], f"{where}: sensitive words on screen"
    return shown


@pytest.fixture
def folder(make_vault: MakeVault, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    vault, _ = make_vault("sensitive.evault")
    ids = fill(vault, tmp_path)
    path = vault.folder
    vault.close()
    return path, ids


async def _back_to_list(app: EvaultApp, pilot: object) -> None:
    await pilot.press("escape")  # type: ignore[attr-defined]
    await _until(pilot, lambda: isinstance(app.screen, EvidenceScreen), "the list")
    await _settle(app, pilot)


async def test_no_sensitive_words_on_screen_before_the_reveal(
    folder: tuple[Path, dict[str, str]],
) -> None:
    path, ids = folder
    app = _app(path)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        listed = nothing_planted(app, "the list")
        assert "Sensitive message" in listed and "Sensitive picture" in listed

        # Search by a word of the message's second line: it is found, under a neutral title.
        screen = app.screen
        assert isinstance(screen, EvidenceScreen)
        await pilot.press("slash")
        await _type(pilot, SEARCH_WORD.lower())
        await _until(
            pilot,
            lambda: screen.filters.query == SEARCH_WORD.lower() and not screen.fetching,
            "the search applied",
        )
        table = screen.query_one("#items", DataTable)
        assert [k.value for k in table.rows] == [ids["message"]]
        assert "Sensitive message" in nothing_planted(app, "the search results")
        screen.query_one("#search", Input).value = ""
        await _until(
            pilot, lambda: screen.filters.query == "" and not screen.fetching, "search cleared"
        )
        table.focus()

        # The message's page: heading, details, the edit dialog, the reveal question.
        item = await _open_item(app, pilot, ids["message"])
        page = nothing_planted(app, "the sensitive message's page")
        assert "Sensitive message (Telegram)" in page and SENDER in page
        await pilot.press("e")
        await _until(pilot, lambda: isinstance(app.screen, EditScreen), "the edit dialog")
        await _settle(app, pilot)
        nothing_planted(app, "the edit dialog")
        await pilot.press("escape")
        await _until(pilot, lambda: app.screen is item, "back on the item")
        await pilot.press("d")
        await _until(pilot, lambda: isinstance(app.screen, DeleteScreen), "the delete dialog")
        await _settle(app, pilot)
        nothing_planted(app, "the delete dialog")
        await pilot.press("escape")
        await _until(pilot, lambda: app.screen is item, "back on the item")
        await pilot.press("space")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the reveal question")
        nothing_planted(app, "the reveal question")
        await _press(app, pilot, "#yes")
        await _until(pilot, lambda: item.revealed, "the reveal")
        await _settle(app, pilot)
        # After the reveal, the real title shows on this page (and is recorded in custody).
        assert MESSAGE_WORD in frame(app)
        heading = str(item.query_one("#item-title", Static).render())
        assert heading.startswith(MESSAGE_WORD)
        await _back_to_list(app, pilot)
        nothing_planted(app, "the list after leaving a revealed item")

        # The picture: its page, with "seen elsewhere", hides its file name and description.
        item = await _open_item(app, pilot, ids["photo"])
        page = nothing_planted(app, "the sensitive picture's page")
        assert "Sensitive picture (Telegram)" in page and "Seen 1 time" in page
        await pilot.press("space")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the reveal question")
        await _press(app, pilot, "#yes")
        await _until(pilot, lambda: item.revealed, "the picture revealed")
        await _settle(app, pilot)
        heading = str(item.query_one("#item-title", Static).render())
        assert heading.startswith(FILE_WORD)
        details = str(item.query_one("#details", Static).render())
        assert DESCRIPTION_WORD in details and FILE_WORD in details
        await _back_to_list(app, pilot)
        nothing_planted(app, "the list after leaving the revealed picture")

        # The imported chat: the sensitive message keeps its sender and time, not its words.
        await pilot.press("t")
        await _until(
            pilot,
            lambda: (
                isinstance(app.screen, ChatsScreen)
                and app.screen.query_one("#chats", DataTable).row_count == 1
            ),
            "the chats",
        )
        nothing_planted(app, "the chats")
        await pilot.press("enter")
        await _until(
            pilot,
            lambda: (
                isinstance(app.screen, ChatScreen)
                and app.screen.query_one("#lines", DataTable).row_count == 2
            ),
            "the chat's messages",
        )
        chat = nothing_planted(app, "the chat view")
        assert CHAT_SENDER in chat and "Sensitive message" in chat
        await pilot.press("enter")  # the first line: the sensitive message
        await _until(
            pilot,
            lambda: isinstance(app.screen, ItemScreen) and app.screen.item is not None,
            "the chat message's page",
        )
        await _settle(app, pilot)
        nothing_planted(app, "the chat message's page")
        chat_item = app.screen
        assert isinstance(chat_item, ItemScreen)
        await pilot.press("space")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the reveal question")
        await _press(app, pilot, "#yes")
        await _until(pilot, lambda: chat_item.revealed, "the chat message revealed")
        await _settle(app, pilot)
        assert CHAT_WORD in frame(app)
        await pilot.press("escape")
        await _until(pilot, lambda: isinstance(app.screen, ChatScreen), "the chat again")
        nothing_planted(app, "the chat view after leaving a revealed message")
        assert app.vault is not None
        views = [e.item_id or "" for e in app.vault.custody_log() if e.type == "item.viewed"]
        assert sorted(views) == sorted([ids["message"], ids["photo"], ids["chat_message"]])


async def test_revealing_a_file_the_terminal_cannot_show_shows_its_name(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """A sensitive PDF or video has no preview: its reveal shows its real name and details, and
    is recorded in custody like any other reveal."""
    vault, _ = make_vault("pdf.evault")
    pdf = tmp_path / f"{FILE_WORD}_contract.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% a fictional document\n")
    item_id = vault.add_file(pdf, Metadata(sensitive=True)).item_id
    path = vault.folder
    vault.close()
    app = _app(path)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        item = await _open_item(app, pilot, item_id)
        assert "Sensitive file" in nothing_planted(app, "the sensitive PDF's page")
        await pilot.press("space")
        await _until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the reveal question")
        await _press(app, pilot, "#yes")
        await _until(pilot, lambda: item.revealed, "the PDF revealed")
        await _settle(app, pilot)
        assert FILE_WORD in frame(app)
        assert "This terminal cannot show it" in str(item.query_one("#content", Static).render())
        assert app.vault is not None
        (viewed,) = [e for e in app.vault.custody_log(item_id) if e.type == "item.viewed"]
        assert viewed.details["how"] == "details shown"
        await _until(
            pilot,
            lambda: "title and details shown" in str(item.query_one("#timeline", Static).render()),
            "the reveal in the custody timeline",
        )
