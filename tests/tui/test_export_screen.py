"""The app's export screen: its tick box decides whether the bundle's report prints sensitive texts.

Driven with Textual's Pilot like tests/tui/test_app.py (whose helpers it uses); the bundle written
is then read like a lawyer would read it. All people are fictional.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, RadioButton, Static

from tests.tui.test_app import SIZE, _app, _listed, _press, _unlock, _until
from tui.screens.bundles import ExportDoneScreen, ExportScreen
from vault import Metadata

pytestmark = pytest.mark.slow

SECRET = "fictional intimate words 7731"
PLAIN = "Səni tapacağıq (fictional)."


@pytest.fixture
def folder(make_vault: object) -> Path:
    vault, _ = make_vault("export.evault")  # type: ignore[operator]
    vault.add_message(PLAIN, Metadata(title="Threat", platform="WhatsApp"))
    vault.add_message(SECRET, Metadata(title="Private chat", sensitive=True))
    path: Path = vault.folder
    vault.close()
    return path


def _report(bundle: Path) -> str:
    with zipfile.ZipFile(bundle) as zf:
        return zf.read("report.html").decode("utf-8")


async def test_the_tick_box_prints_sensitive_texts_in_the_report(
    folder: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    app = _app(folder)
    bundles = {}
    done_texts = {}
    # The second bundle goes into a folder other accounts can reach and list.
    shared = Path(tempfile.mkdtemp(prefix="evault-test-", dir="/tmp"))
    shared.chmod(0o755)
    request.addfinalizer(lambda: shutil.rmtree(shared, ignore_errors=True))
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        for ticked in (False, True):
            await pilot.press("x")
            await _until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export screen")
            screen = app.screen
            assert screen.query_one("#sensitive-text", Checkbox).value is False  # the default
            screen.query_one("#by-nothing", RadioButton).value = True
            await pilot.pause()
            bundles[ticked] = (shared if ticked else tmp_path) / f"bundle-{ticked}.zip"
            screen.query_one("#out", Input).value = str(bundles[ticked])
            screen.query_one("#sensitive-text", Checkbox).value = ticked
            await _press(app, pilot, "#export")
            await _until(
                pilot, lambda: isinstance(app.screen, ExportDoneScreen), "the bundle is ready"
            )
            done_texts[ticked] = str(app.screen.query_one("#done", Static).render())
            await pilot.press("escape")
            await _until(pilot, lambda: _listed(app), "the evidence list again")
    assert PLAIN in _report(bundles[False]) and SECRET not in _report(bundles[False])
    assert "Text withheld" in _report(bundles[False])
    assert PLAIN in _report(bundles[True]) and SECRET in _report(bundles[True])
    # Owner-only, and the done screen says so when other accounts can see the folder.
    assert {oct(b.stat().st_mode & 0o777) for b in bundles.values()} == {oct(0o600)}
    assert "other accounts on this computer" not in done_texts[False]
    assert "other accounts on this computer can see the names" in done_texts[True]
