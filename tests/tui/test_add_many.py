"""The Add screen gives all the files it was handed to one ``add_files`` call (prepared and
written in batches, issue 18), and its one progress bar counts all their bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import events
from textual.widgets import ProgressBar, Static, TextArea

from tests.conftest import PASSPHRASE
from tests.tui.test_app import SIZE, _app, _press, _settle, _unlock, _until
from tests.tui.test_fit import filled
from tui.screens.add import AddFilesScreen, PathPicker, _AllFiles
from vault import Vault

__all__ = ["filled"]  # the fixture, used here by name


class _Bar:
    """Stands in for the screen's poster: what the bar would be told (not the code under test)."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, int | None]] = []

    def __call__(self, done: int, total: int | None) -> None:
        self.seen.append((done, total))


def test_one_bar_counts_small_files_and_a_streamed_one() -> None:
    bar = _Bar()
    progress = _AllFiles(bar, 100 + 200 + 3000 + 50)  # type: ignore[arg-type]
    progress(100, 100)  # a small file, reported once whole
    progress(200, 200)
    for done in (1000, 2000, 3000):  # a big one, streamed chunk by chunk
        progress(done, 3000)
    progress(50, 50)
    assert [d for d, _t in bar.seen] == [100, 300, 1300, 2300, 3300, 3350]
    assert {t for _d, t in bar.seen} == {3350}


async def test_many_files_added_at_once(
    filled: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = filled
    paths = []
    for n in range(30):
        path = tmp_path / f"shot-{n}.png"
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([n]) * (3000 + n))
        paths.append(path)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, AddFilesScreen), "add files")
        screen: Any = app.screen
        screen.query_one("#paths", TextArea).text = "\n".join(map(str, paths))
        await _press(app, pilot, "#add")
        await _settle(app, pilot)
        await _until(pilot, lambda: not screen.running, "the files added")
        status = str(screen.query_one("#status", Static).render())
        assert "Added 30 files." in status
        bar = screen.query_one("#progress", ProgressBar)
        assert bar.total == sum(p.stat().st_size for p in paths)
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        names = {i.original_filename for i in vault.list_items()}
        assert {p.name for p in paths} <= names
        assert vault.check().ok


async def test_paths_typed_before_the_focus_moves_keep_their_line_breaks(
    filled: tuple[Path, Any], tmp_path: Path
) -> None:
    """The screen opens with the focus on the file picker. Keys typed at once reach the picker
    before the focus has moved to the Files box: letters were passed on, but Enter opened the
    picker's selection instead of ending the line, so the next path was glued onto the first
    (seen typing two paths in the app in tmux). Enter typed in that burst ends the line too."""
    folder, _ = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, AddFilesScreen), "the add screen")
        picker = app.screen.query_one(PathPicker)
        await _until(pilot, lambda: app.focused is picker, "the picker focused")
        for key in [*"/a/one.png", "enter", *"/b/two.png"]:  # all queued to the picker at once
            character = "\n" if key == "enter" else key
            picker.post_message(events.Key(key, None if key == "enter" else character))
        await pilot.pause()
        await pilot.pause()
        area = app.screen.query_one("#paths", TextArea)
        assert area.text == "/a/one.png\n/b/two.png"
        # Back in the picker on purpose, Enter is the picker's again (it opens the folder).
        await pilot.press("shift+tab")
        picker.focus()
        await _until(pilot, lambda: app.focused is picker, "the picker focused again")
        await pilot.press("enter")
        await pilot.pause()
        assert area.text == "/a/one.png\n/b/two.png"  # no line break added
