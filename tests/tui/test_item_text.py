"""The item screen shows an imported message's text, then its original as the export holds it.

A Telegram message's original is its JSON object; an e-mail's is its bytes, here Shift_JIS, which
is not UTF-8 and used to stop the app with a UnicodeDecodeError when shown. Real vaults, real
imports, the real app at 80x24.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import DataTable, Static

from tests.importers.test_importing import chat, message, write_folder
from tests.importers.test_readable import _shift_jis_mail
from tests.tui.test_app import SIZE, _app, _open_item, _settle, _unlock, _until
from tui.screens.imports import ChatScreen, ChatsScreen
from vault.imports.options import ImportOptions

HEADING = "As the export holds it (the original, unchanged):"


def _imported(make_vault: object, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    vault, _ = make_vault("imported.evault")  # type: ignore[operator]
    entities = ["Bax ", {"type": "text_link", "text": "bura", "href": "https://example.org/l"}]
    folder = write_folder(tmp_path / "ChatExport", chat([message(1, entities)]), {})
    vault.import_export("telegram", folder, ImportOptions())
    mail_file = tmp_path / "sjis.eml"
    mail_file.write_bytes(_shift_jis_mail())
    vault.import_export("email", mail_file, ImportOptions())
    ids = {i.platform: i.id for i in vault.list_items() if i.kind == "message"}
    folder_path = vault.folder
    vault.close()
    return folder_path, ids


def _shows(widget: Static, words: str) -> Callable[[], bool]:
    return lambda: words in str(widget.render())


async def test_an_imported_message_shows_its_text_then_its_original(
    make_vault: object, tmp_path: Path
) -> None:
    folder, ids = _imported(make_vault, tmp_path)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        for platform, text, original in (
            ("telegram", "Bax bura (https://example.org/l)", '"type": "text_link"'),
            ("email", "記事を消せ。お前の家を知っている。", "Content-Type: text/plain"),
        ):
            screen = await _open_item(app, pilot, ids[platform])
            content = screen.query_one("#content", Static)
            await pilot.press("space")
            await _until(pilot, _shows(content, HEADING), "the text shown")
            await _settle(app, pilot)
            shown = str(content.render())
            assert shown.index(text) < shown.index(HEADING) < shown.index(original)
            assert "\\r" not in shown  # the e-mail's CR LF line ends are plain line breaks
            await pilot.press("escape")
            await pilot.pause()


async def test_a_message_without_a_time_says_unknown_in_its_chat(
    make_vault: object, tmp_path: Path
) -> None:
    """An e-mail with no Date header had an empty "When" cell: now it says so."""
    vault, _ = make_vault("undated.evault")  # type: ignore[operator]
    undated = _shift_jis_mail().replace(b"Date: Tue, 14 Nov 2023 08:00:00 +0900\r\n", b"")
    assert b"Date:" not in undated
    mail_file = tmp_path / "undated.eml"
    mail_file.write_bytes(undated)
    vault.import_export("email", mail_file, ImportOptions())
    folder = vault.folder
    vault.close()
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("t")
        await _until(pilot, lambda: isinstance(app.screen, ChatsScreen), "the chats")
        await _settle(app, pilot)
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(app.screen, ChatScreen), "the chat")
        table = app.screen.query_one("#lines", DataTable)
        await _until(pilot, lambda: table.row_count == 1, "its one message")
        assert str(table.get_row_at(0)[0]) == "unknown"
