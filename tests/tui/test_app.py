"""The terminal app driven by keyboard with Textual's Pilot, asserting on the vault afterwards.

Nothing here sleeps a fixed time and hopes: the app's workers report by messages, so each test
waits for its workers and then for the condition it expects (``_until``, with a generous deadline
that only matters when something is really wrong), and time itself (auto-lock) comes from a clock
the test drives. The suite must pass on a machine busy with other work.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from textual.css.query import NoMatches
from textual.widgets import (
    Checkbox,
    DataTable,
    Input,
    Label,
    Select,
    Static,
    TextArea,
)

from tests.cli.test_import_cli import META_SENDER, META_URL, meta_export
from tests.conftest import PASSPHRASE, fast_kdf
from tests.importers.test_importing import first_export, reposted_export
from tests.vault.support import db_key
from tui.app import DEFAULT_AUTO_LOCK_SECONDS, EvaultApp, make_app
from tui.screens.add import AddFilesScreen, MessageScreen, NoteScreen
from tui.screens.delete import DeleteScreen
from tui.screens.evidence import EvidenceScreen
from tui.screens.imports import ChatScreen, ChatsScreen, ImportScreen
from tui.screens.item import ItemScreen
from tui.screens.start import CreateScreen, RecoveryKeyScreen, UnlockScreen
from tui.widgets.dialogs import MessageDialog
from tui.widgets.keys import KeysPanel
from vault import Vault
from vault.evidence.models import Metadata

# Slow: real processes, terminals or the whole app; left out of the fast loop (-m 'not slow').
pytestmark = pytest.mark.slow

SIZE = (80, 24)


def _app(folder: Path, **kwargs: float) -> EvaultApp:
    return make_app(folder, kdf=fast_kdf, **kwargs)  # type: ignore[arg-type]


OUR_WORKERS = {
    "unlock",
    "create",
    "add",
    "export",
    "verify",
    "passwd",
    "lock",
    "import",
    "preview",
    "similar",
    "item",
    "timeline",
    "reveal",
    "page",
    "chats",
    "chat-lines",
    "vault",
}
DEADLINE = 60.0  # seconds: reached only when something is broken, never by a slow machine


def _debug(pilot: object) -> str:
    """The status line, if the screen has one: what the app said instead."""
    app = pilot.app  # type: ignore[attr-defined]
    try:
        return str(app.screen.query_one("#status", Static).render())
    except NoMatches:
        return "no status line on this screen"


async def _until(pilot: object, condition: Callable[[], bool], what: str) -> None:
    """Let the app run until ``condition()`` holds (it reports by messages, in its own time)."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"the app never got to: {what} ({_debug(pilot)})")
        await pilot.pause(0.02)  # type: ignore[attr-defined]


async def _settle(app: EvaultApp, pilot: object) -> None:
    """Wait for the app's own workers (the file picker keeps a loader worker running)."""
    ours = [w for w in app.workers if w.group in OUR_WORKERS]
    if ours:  # an empty list would mean "wait for every worker", the picker's loader included
        await app.workers.wait_for_complete(ours)
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]  # what the workers posted is handled


async def _press(app: EvaultApp, pilot: object, selector: str) -> None:
    """Activate a button by keyboard (it may be scrolled out of an 80x24 view)."""
    widget = app.screen.query_one(selector)
    widget.focus()
    # Focus is deferred, and a button ignores Enter while it still shows its last press.
    await _until(
        pilot,
        lambda: app.focused is widget and not widget.has_class("-active"),
        f"{selector} focused and ready",
    )
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def _type(pilot: object, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)  # type: ignore[attr-defined]


@pytest.fixture
def filled(make_vault: object, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    vault, _ = make_vault("filled.evault")  # type: ignore[operator]
    shot = tmp_path / "threat.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"pixels" * 100)
    private = tmp_path / "private.jpg"
    private.write_bytes(b"\xff\xd8\xff intimate placeholder")
    ids = {
        "shot": vault.add_file(
            shot, Metadata(title="Threat screenshot", platform="Telegram")
        ).item_id,
        "private": vault.add_file(private, Metadata(title="Leaked photo", sensitive=True)).item_id,
        "message": vault.add_message(
            "Səni tapacağıq. УГРОЗА", Metadata(platform="WhatsApp")
        ).item_id,
        "secret_message": vault.add_message(
            "intimate words", Metadata(title="Private chat", sensitive=True)
        ).item_id,
    }
    folder = vault.folder
    vault.close()
    return folder, ids


async def _unlock(app: EvaultApp, pilot: object, passphrase: str = PASSPHRASE) -> None:
    await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "the unlock screen")
    app.screen.query_one("#secret", Input).value = passphrase
    await pilot.press("enter")  # type: ignore[attr-defined]
    await _settle(app, pilot)
    if passphrase == PASSPHRASE:
        await _until(pilot, lambda: _listed(app), "the evidence list, read")


async def _status_shows(app: EvaultApp, pilot: object, text: str) -> None:
    """The screen's status line says ``text`` (a worker's answer arrives as a message)."""
    await _until(
        pilot,
        lambda: text in str(app.screen.query_one("#status", Static).render()),
        f"the status line to say {text!r}",
    )


def _listed(app: EvaultApp) -> bool:
    """The evidence screen shows its list (the first page has arrived)."""
    screen = app.screen
    return isinstance(screen, EvidenceScreen) and not screen.fetching


async def test_create_vault_and_confirm_recovery_key(tmp_path: Path) -> None:
    folder = tmp_path / "new.evault"
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, CreateScreen)
        await _type(pilot, "five random words here now")
        assert "Strong" in str(app.screen.query_one("#strength", Static).render())
        await pilot.press("enter")
        await _type(pilot, "five random words here now")
        await pilot.press("enter")
        await _settle(app, pilot)
        assert isinstance(app.screen, RecoveryKeyScreen)
        recovery = app.screen.recovery
        # Without ticking the box and typing the last group, it does not continue.
        last_group = app.screen.query_one("#last-group", Input)
        last_group.focus()
        await pilot.press("enter")
        assert isinstance(app.screen, RecoveryKeyScreen)
        app.screen.query_one("#written", Checkbox).value = True
        last_group.value = "ZZZZ"
        await pilot.press("enter")
        assert isinstance(app.screen, RecoveryKeyScreen)
        last_group.value = recovery.split("-")[-1].lower()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EvidenceScreen)
    assert app.vault is None  # closed when the app ended
    with Vault.open(folder, passphrase="five random words here now") as vault:
        assert [e.type for e in vault.custody_log()] == ["vault.created"]
    with Vault.open(folder, recovery_key=recovery) as vault:
        assert vault.list_items() == []


async def test_create_refuses_different_passphrases(tmp_path: Path) -> None:
    folder = tmp_path / "new.evault"
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#first", Input).value = "one passphrase here"
        app.screen.query_one("#second", Input).value = "another passphrase"
        await _press(app, pilot, "#create")
        await _settle(app, pilot)
        assert isinstance(app.screen, CreateScreen)
        assert "different" in str(app.screen.query_one("#status", Static).render())
    assert not folder.exists()


async def test_wrong_passphrase_is_one_calm_sentence(filled: tuple[Path, dict[str, str]]) -> None:
    folder, _ = filled
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot, "not the passphrase")
        assert isinstance(app.screen, UnlockScreen)
        status = str(app.screen.query_one("#status", Static).render())
        assert status == "That passphrase does not open this vault. Check it and try again."
        assert app.screen.query_one("#secret", Input).value == ""
        assert app.vault is None
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


async def test_unlock_lists_items_and_search_filters_live(
    filled: tuple[Path, dict[str, str]],
) -> None:
    folder, ids = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        screen = app.screen
        assert isinstance(screen, EvidenceScreen)
        table = screen.query_one("#items", DataTable)
        assert table.row_count == 4
        marks = {str(table.get_row(k)[2]): str(table.get_row(k)[0]) for k in table.rows}
        # A sensitive item's own title ("Leaked photo") shows only after its reveal.
        assert marks["Sensitive picture"] == "SENS" and marks["Threat screenshot"] == ""
        await pilot.press("slash")
        await _type(pilot, "tapacaq")
        await _until(
            pilot,
            lambda: screen.filters.query == "tapacaq" and not screen.fetching,
            "the search applied",
        )
        assert table.row_count == 0  # "tapacaq" is not a prefix of "tapacagiq"
        search = screen.query_one("#search", Input)
        search.value = ""
        await _type(pilot, "TAPACAG")
        await _until(
            pilot,
            lambda: screen.filters.query == "TAPACAG" and not screen.fetching,
            "the second search applied",
        )
        assert [k.value for k in table.rows] == [ids["message"]]


async def _open_item(app: EvaultApp, pilot: object, item_id: str) -> ItemScreen:
    table = app.screen.query_one("#items", DataTable)
    table.move_cursor(row=table.get_row_index(item_id))
    await pilot.press("enter")  # type: ignore[attr-defined]
    await _until(
        pilot,
        lambda: isinstance(app.screen, ItemScreen) and app.screen.item is not None,
        "the item screen, read",
    )
    await _settle(app, pilot)  # its preview and "seen elsewhere" workers too
    assert isinstance(app.screen, ItemScreen)
    return app.screen


async def test_open_item_shows_hash_and_custody(
    filled: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, ids = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        screen = await _open_item(app, pilot, ids["shot"])
        details = str(screen.query_one("#details", Static).render())
        expected = hashlib.sha256((tmp_path / "threat.png").read_bytes()).hexdigest()
        assert expected in details
        assert "added to the vault" in str(screen.query_one("#timeline", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, EvidenceScreen)


async def test_sensitive_content_needs_an_explicit_reveal(
    filled: tuple[Path, dict[str, str]],
) -> None:
    folder, ids = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        screen = await _open_item(app, pilot, ids["secret_message"])
        content = screen.query_one("#content", Static)
        assert "intimate words" not in str(content.render())
        await pilot.press("space")
        await pilot.pause()
        await pilot.press("enter")  # the focused, safe answer: keep hidden
        await pilot.pause()
        assert "intimate words" not in str(content.render())
        assert app.vault is not None
        assert [e.type for e in app.vault.custody_log(ids["secret_message"])] == ["item.created"]
        await pilot.press("space")
        await pilot.pause()
        await _press(app, pilot, "#yes")
        await _until(pilot, lambda: "intimate words" in str(content.render()), "the reveal")
        await _settle(app, pilot)
        assert [e.type for e in app.vault.custody_log(ids["secret_message"])][-1] == "item.viewed"
        await pilot.press("escape")  # leaving hides it: the screen is gone
        await pilot.pause()
        screen = await _open_item(app, pilot, ids["secret_message"])
        assert "intimate words" not in str(screen.query_one("#content", Static).render())


async def test_delete_for_good_from_the_item_screen(filled: tuple[Path, dict[str, str]]) -> None:
    """The app's equivalent of ``rm --purge``: a tick with its warning, then a new vault key."""
    folder, ids = filled
    before = db_key(folder)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await _open_item(app, pilot, ids["shot"])
        await pilot.press("d")
        await _until(pilot, lambda: isinstance(app.screen, DeleteScreen), "the delete dialog")
        warning = str(app.screen.query_one("#purge-warning", Static).render())
        assert "cannot be undone" in warning and "even with your passphrase" in warning
        assert app.focused is app.screen.query_one("#delete-reason", Input)
        app.screen.query_one("#delete-reason", Input).value = "not needed any more"
        app.screen.query_one("#delete-purge", Checkbox).value = True
        await _press(app, pilot, "#delete")
        await _until(pilot, lambda: isinstance(app.screen, EvidenceScreen), "back to the list")
        await _settle(app, pilot)
        assert app.vault is not None
        gone = [i for i in app.vault.list_items(include_deleted=True) if i.id == ids["shot"]]
        assert gone[0].deleted_at is not None
    assert db_key(folder) != before  # re-encrypted under a new key
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        assert vault.check().ok


async def test_edit_metadata_is_a_custody_event(filled: tuple[Path, dict[str, str]]) -> None:
    folder, ids = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await _open_item(app, pilot, ids["shot"])
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#edit-title", Input).value = "Threat, 9 March"
        app.screen.query_one("#edit-tags", Input).value = "threat, telegram"
        app.screen.query_one("#edit-reason", Input).value = "more precise title"
        await _press(app, pilot, "#save")
        await _until(
            pilot,
            lambda: "Threat, 9 March" in str(app.screen.query_one("#item-title", Label).render()),
            "the edited item, read again",
        )
        assert isinstance(app.screen, ItemScreen)
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        item = vault.get_item(ids["shot"])
        assert item.title == "Threat, 9 March" and item.tags == ("telegram", "threat")
        last = vault.custody_log(ids["shot"])[-1]
        assert last.type == "item.metadata_changed" and last.reason == "more precise title"
        assert vault.check().ok


async def test_add_files_with_progress_and_duplicate_warning(
    filled: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = filled
    new = tmp_path / "voice.ogg"
    new.write_bytes(b"OggS" + bytes(range(256)) * 9000)  # > 2 MiB: several chunks
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddFilesScreen)
        app.screen.query_one("#paths", TextArea).text = f"{new}\n{tmp_path / 'threat.png'}"
        app.screen.query_one("#add-platform", Input).value = "Signal"
        app.screen.query_one("#add-case", Input).value = "Calls at night"
        await _press(app, pilot, "#add")
        await _settle(app, pilot)
        await _until(pilot, lambda: not app.screen.running, "the files added")  # type: ignore[attr-defined]
        status = str(app.screen.query_one("#status", Static).render())
        assert "Added 1 file" in status and "already in the vault" in status
        await pilot.press("escape")
        await _until(pilot, lambda: _listed(app), "the list, read again")
        assert app.screen.query_one("#items", DataTable).row_count == 5
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        added = [i for i in vault.list_items() if i.original_filename == "voice.ogg"]
        assert len(added) == 1
        assert added[0].sha256 == hashlib.sha256(new.read_bytes()).hexdigest()
        assert added[0].platform == "Signal" and added[0].case == "Calls at night"


async def test_add_message_form(filled: tuple[Path, dict[str, str]]) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MessageScreen)
        app.screen.query_one("#msg-text", TextArea).text = "Bu son xəbərdarlıqdır"
        typed = {
            "#msg-sent": "2026-03-10T23:05",
            "#msg-zone": "Asia/Baku",
            "#msg-platform": "Instagram",
            "#msg-sender-id": "1789000000",
        }
        for field, value in typed.items():
            app.screen.query_one(field, Input).value = value
        await _press(app, pilot, "#add")
        await _status_shows(app, pilot, "Message added")
        area = app.screen.query_one("#msg-text", TextArea)
        assert area.text == ""  # cleared for the next one, its details too
        assert app.screen.query_one("#msg-sent", Input).value == ""
        area.text = "Bu son xəbərdarlıqdır"  # the same message again: not stored twice
        for field, value in typed.items():
            app.screen.query_one(field, Input).value = value
        await _press(app, pilot, "#add")
        await _status_shows(app, pilot, "already in the vault")
        assert area.text == "Bu son xəbərdarlıqdır"  # kept, so nothing typed is lost
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        (found,) = vault.search("xeberdarliq")
        assert found.platform == "Instagram" and found.sender_id == "1789000000"
        assert (
            found.message is not None and found.message["sent_utc"] == "2026-03-10T19:05:00.000000Z"
        )


async def test_panic_key_locks_from_any_screen(filled: tuple[Path, dict[str, str]]) -> None:
    folder, ids = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        screen = await _open_item(app, pilot, ids["secret_message"])
        opened = app.vault
        assert opened is not None
        await pilot.press("e")  # even with a dialog open
        await pilot.pause()
        await pilot.press("ctrl+l")
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "the unlock screen")
        assert app.vault is None
        assert len(app.screen_stack) == 2  # the blank base screen and the unlock screen
        assert screen not in app.screen_stack
        await _until(pilot, lambda: opened.closed, "the vault closed")
        # The vault is really closed: another process can open it now.
        with Vault.open(folder, passphrase=PASSPHRASE, lock_wait=0.1) as other:
            assert len(other.list_items()) == 4
        await _unlock(app, pilot)
        assert isinstance(app.screen, EvidenceScreen)
        await pilot.press("f12")
        await _until(
            pilot,
            lambda: app.vault is None and isinstance(app.screen, UnlockScreen),
            "the second lock",
        )


async def test_panic_key_never_waits_for_a_task_holding_the_vault(
    filled: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """A long task (here: another thread holding the vault, as an add or import does) must not
    hold the panic key back: the screens go at once, the vault closes when the task lets go."""
    folder, _ = filled
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
            await pilot.press("ctrl+l")
            await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "the unlock screen")
            assert app.vault is None and not opened.closed  # gone from view, not yet closed
        finally:
            release.set()
            task.join()
        await _until(pilot, lambda: opened.closed, "the vault closed once the task let go")


async def test_panic_key_stops_a_long_add_and_keeps_nothing_half_added(
    filled: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = filled
    big = tmp_path / "video.mp4"
    with big.open("wb") as f:  # 96 MiB: many chunks, so the add is still running when locked
        for i in range(96):
            f.write(bytes([i]) * (1 << 20))
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        opened = app.vault
        assert opened is not None
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, AddFilesScreen), "the add screen")
        app.screen.query_one("#paths", TextArea).text = str(big)
        await _press(app, pilot, "#add")
        await pilot.press("ctrl+l")
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "the unlock screen")
        await _until(pilot, lambda: opened.closed, "the vault closed")
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        names = [i.original_filename for i in vault.list_items()]
        assert names.count("video.mp4") <= 1  # whole or not at all
        if "video.mp4" in names:
            (item,) = [i for i in vault.list_items() if i.original_filename == "video.mp4"]
            assert item.size == big.stat().st_size
        assert vault.check().ok


async def test_auto_lock_after_idle(filled: tuple[Path, dict[str, str]]) -> None:
    """Time comes from a clock the test moves, so a busy machine cannot make the app look idle."""
    folder, _ = filled
    now = [1000.0]
    app = make_app(folder, kdf=fast_kdf, auto_lock_seconds=60, clock=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        assert app.vault is not None
        now[0] += 50
        await pilot.press("down")  # activity resets the timer
        now[0] += 59
        app._check_idle()  # what the once-a-second check does
        await _settle(app, pilot)
        assert app.vault is not None  # 59 s since the key press: not yet
        now[0] += 2
        # The app's own once-a-second check notices (no direct call: this checks the wiring).
        await _until(
            pilot,
            lambda: app.vault is None and isinstance(app.screen, UnlockScreen),
            "the auto-lock",
        )


async def test_cases_create_and_rename(filled: tuple[Path, dict[str, str]]) -> None:
    folder, ids = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("c")
        await _settle(app, pilot)
        app.screen.query_one("#new-name", Input).value = "Threats after the article"
        await _press(app, pilot, "#create")
        await _status_shows(app, pilot, "created")
        assert app.vault is not None
        app.vault.update_metadata(ids["shot"], {"case": "Threats after the article"})
        await _press(app, pilot, "#create")  # a second press with an empty name: refused calmly
        await _status_shows(app, pilot, "must be 1 to")
        app.screen.query_one("#rename-which").value = "Threats after the article"  # type: ignore[attr-defined]
        app.screen.query_one("#rename-to", Input).value = "Threats, March (example)"
        await _press(app, pilot, "#rename")
        await _status_shows(app, pilot, "Renamed")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, EvidenceScreen)
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        assert vault.get_item(ids["shot"]).case == "Threats, March (example)"
        assert vault.check().ok


def _png(color: tuple[int, int, int], size: tuple[int, int] = (64, 32)) -> bytes:
    """A real picture: left half ``color``, right half white."""
    img = Image.new("RGB", size, (255, 255, 255))
    ImageDraw.Draw(img).rectangle([0, 0, size[0] // 2 - 1, size[1] - 1], fill=color)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def pictures(make_vault: object, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    vault, _ = make_vault("pictures.evault")  # type: ignore[operator]
    plain = tmp_path / "screenshot.png"
    plain.write_bytes(_png((200, 30, 30)))
    private = tmp_path / "leaked.png"
    private.write_bytes(_png((30, 30, 200)))
    ids = {
        "plain": vault.add_file(plain, Metadata(title="Screenshot")).item_id,
        "private": vault.add_file(private, Metadata(title="Leaked", sensitive=True)).item_id,
    }
    folder = vault.folder
    vault.close()
    return folder, ids


def _drawn(content: Static) -> bool:
    """True when the content area holds a half-block picture."""
    return "\u2580" in str(content.render())


async def test_picture_preview_only_for_non_sensitive_until_revealed(
    pictures: tuple[Path, dict[str, str]],
) -> None:
    folder, ids = pictures
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        screen = await _open_item(app, pilot, ids["plain"])
        await _settle(app, pilot)
        content = screen.query_one("#content", Static)
        assert _drawn(content)
        assert "64×32 pixels" in str(content.render())
        assert app.vault is not None
        # A small preview of a non-sensitive picture is not a custody event.
        assert [e.type for e in app.vault.custody_log(ids["plain"])] == ["item.created"]
        await pilot.press("escape")
        await pilot.pause()

        screen = await _open_item(app, pilot, ids["private"])
        content = screen.query_one("#content", Static)
        assert not _drawn(content) and "Sensitive" in str(content.render())
        await pilot.press("space")
        await pilot.pause()
        await _press(app, pilot, "#yes")
        await _until(pilot, lambda: _drawn(content), "the revealed picture")
        await _settle(app, pilot)
        assert [e.type for e in app.vault.custody_log(ids["private"])][-1] == "item.viewed"
        await pilot.press("escape")
        await pilot.pause()
        screen = await _open_item(app, pilot, ids["private"])
        assert not _drawn(screen.query_one("#content", Static))


async def test_auto_lock_time_is_kept_in_the_vault(filled: tuple[Path, dict[str, str]]) -> None:
    folder, _ = filled
    app = make_app(folder, kdf=fast_kdf)  # no fixed time: the vault's choice applies
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        assert app.auto_lock_seconds == DEFAULT_AUTO_LOCK_SECONDS
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#autolock", Input).value = "500"
        await _press(app, pilot, "#save-autolock")
        await _settle(app, pilot)
        assert "between 1 and 120" in str(app.screen.query_one("#status", Static).render())
        app.screen.query_one("#autolock", Input).value = "2"
        await _press(app, pilot, "#save-autolock")
        await _status_shows(app, pilot, "now locks after 2 minutes")
        assert app.auto_lock_seconds == 120
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        assert vault.auto_lock_minutes() == 2
    again = make_app(folder, kdf=fast_kdf)
    async with again.run_test(size=SIZE) as pilot:
        await _unlock(again, pilot)
        assert again.auto_lock_seconds == 120  # remembered by the vault, not by this computer


async def test_add_note_from_the_app(filled: tuple[Path, dict[str, str]]) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        app.screen.query_one("#note-text", TextArea).text = "Zəng gecə saat 2-də gəldi."
        app.screen.query_one("#note-case", Input).value = "Calls at night"
        await _press(app, pilot, "#add")
        await _status_shows(app, pilot, "Note added")
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        (note,) = [i for i in vault.list_items() if i.kind == "note"]
        assert note.case == "Calls at night"
        assert b"".join(vault.read_content(note.id)).decode() == "Zəng gecə saat 2-də gəldi."


async def test_f1_lists_every_key(filled: tuple[Path, dict[str, str]]) -> None:
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen.query(KeysPanel)
        await pilot.press("f1")
        await pilot.pause()
        assert not app.screen.query(KeysPanel)


async def test_import_screen_imports_and_chats_browse(
    filled: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = filled
    export = first_export(tmp_path)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)
        app.screen.query_one("#path", Input).value = str(export)
        app.screen.query_one("#case", Input).value = "Telegram threats"
        await _press(app, pilot, "#import")
        await _settle(app, pilot)
        status = str(app.screen.query_one("#status", Static).render())
        assert "Naməlum Şəxs: 4 messages, 4 new" in status and "as import " in status
        # Importing the same export again adds nothing, and says so.
        await _press(app, pilot, "#import")
        await _settle(app, pilot)
        assert "imported before" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("escape")
        await _until(pilot, lambda: _listed(app), "the list, read again")
        await pilot.press("t")
        await _until(
            pilot,
            lambda: (
                isinstance(app.screen, ChatsScreen)
                and app.screen.query_one("#chats", DataTable).row_count == 1
            ),
            "the chats",
        )
        await pilot.press("enter")
        await _until(
            pilot,
            lambda: (
                isinstance(app.screen, ChatScreen)
                and app.screen.query_one("#lines", DataTable).row_count > 0
            ),
            "the chat's messages",
        )
        lines = app.screen.query_one("#lines", DataTable)
        assert lines.row_count == 4
        first_row = [str(c) for c in lines.get_row_at(0)]
        assert first_row[0] == "2023-11-14 12:00" and first_row[1] == "Naməlum Şəxs"
        await pilot.press("enter")
        await _until(
            pilot,
            lambda: isinstance(app.screen, ItemScreen) and app.screen.item is not None,
            "the message, read",
        )
        details = str(app.screen.query_one("#details", Static).render())
        assert "As exported: 1699963200" in details and "Chat:" in details
        assert "Naməlum Şəxs" in details
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        assert len(vault.imports()) == 1
        assert {
            i.case for i in vault.list_items() if i.kind == "message" and i.platform == "telegram"
        } == {"Telegram threats"}


async def test_import_screen_error_is_one_sentence(
    filled: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = filled
    export = first_export(tmp_path)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(export)
        app.screen.query_one("#kind", Select).value = "whatsapp"
        await _press(app, pilot, "#import")
        await _settle(app, pilot)
        status = str(app.screen.query_one("#status", Static).render())
        assert "does not look like a WhatsApp export" in status and "Traceback" not in status
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        assert vault.imports() == [] and len(vault.list_items()) == 4


async def test_picture_screen_says_where_it_was_seen_without_showing_it(
    make_vault: object, tmp_path: Path
) -> None:
    vault, _ = make_vault("reposts.evault")  # type: ignore[operator]
    export, _leaked, _smaller = reposted_export(tmp_path)
    vault.import_export("telegram", export)
    first = next(i for i in vault.list_items() if i.original_filename == "a.jpg")
    folder = vault.folder
    vault.close()
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        screen = await _open_item(app, pilot, first.id)
        await _settle(app, pilot)
        seen = str(screen.query_one("#seen", Static).render())
        assert "Seen 2 times, in 2 chats" in seen
        assert "1 other picture" in seen
        assert "Kanal A" in seen and "Kanal B" in seen
        # Imported pictures are sensitive by default: nothing is drawn.
        assert "\u2580" not in str(screen.query_one("#content", Static).render())


async def test_titles_are_never_read_as_markup(make_vault: object) -> None:
    """Titles come from attackers: "[photo]" or "[link=…]" must show as typed, not vanish or style."""
    vault, _ = make_vault("markup.evault")  # type: ignore[operator]
    hostile = "[photo] [bold red]ALARM[/] [link=https://example.invalid]x[/link]"
    added = vault.add_message(hostile, Metadata(title=hostile))
    folder = vault.folder
    vault.close()
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        table = app.screen.query_one("#items", DataTable)
        table.move_cursor(row=table.get_row_index(added.item_id))
        await pilot.pause()
        drawn = app.export_screenshot()  # what is on the screen, not what the table holds
        assert "[photo]&#160;[bold&#160;red]ALARM" in drawn


async def test_portable_notices_are_shown_before_unlocking(
    filled: tuple[Path, dict[str, str]],
) -> None:
    folder, _ = filled
    warning = "The stick is nearly full (12 MiB free). Adding evidence may fail."
    app = make_app(folder, kdf=fast_kdf, notices=[warning], exports_folder=folder.parent)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        assert warning in str(app.screen.query_one("#dialog-message", Static).render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, UnlockScreen)
        await _unlock(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        out = app.screen.query_one("#out", Input).value
        assert out.startswith(str(folder.parent))  # bundles default to the stick's exports


async def test_import_screen_attaches_profile_links_to_meta_senders(
    filled: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = filled
    export = meta_export(tmp_path)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#kind", Select).value = "meta"
        app.screen.query_one("#path", Input).value = str(export)
        profiles = app.screen.query_one("#profiles", TextArea)
        profiles.text = "no equals sign here"
        await _press(app, pilot, "#import")
        assert "not in the form Name = https" in str(
            app.screen.query_one("#status", Static).render()
        )
        profiles.text = f"{META_SENDER} = {META_URL}\n"
        await _press(app, pilot, "#import")
        await _settle(app, pilot)
        assert "2 messages, 2 new" in str(app.screen.query_one("#status", Static).render())
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        (threat,) = vault.search("живёшь")
        assert threat.source_url == META_URL and threat.sender_handle == META_SENDER
