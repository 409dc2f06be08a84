"""Snapshot tests of the main screens at 80x24 in Azerbaijani and Russian (issue 15).

The same fixed vault and steps as ``test_snapshots.py`` (whose English baselines must not change),
with the language chosen the way a defender chooses it for one run (``--lang``: the app is told
the language is fixed, so the vault's own setting does not replace it at unlock). Accept deliberate
changes with ``pytest tests/tui/test_snapshots_languages.py --snapshot-update`` after looking at
the pictures: Azerbaijani words are longer, and a label cut at the right edge is a defect.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.conftest import fast_kdf
from tests.tui.test_snapshots import (
    SIZE,
    SnapCompare,
    _open_item,
    _steady_cursors,
    _unlock,
    evidence,
)
from tui.app import EvaultApp, make_app
from tui.screens.start import UnlockScreen
from vault import set_language

pytestmark = pytest.mark.slow
LANGS = ("az", "ru")

__all__ = ["evidence"]  # the fixture, used by name below


def _app(folder: Path, lang: str) -> EvaultApp:
    set_language(lang)  # what tui/cli.py does for --lang before the app starts
    return make_app(folder, kdf=fast_kdf, language_fixed=True)


@pytest.mark.parametrize("lang", LANGS)
def test_unlock_screen(
    snap_compare: SnapCompare, evidence: tuple[Path, dict[str, str]], lang: str
) -> None:
    folder, _ids = evidence

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        assert isinstance(pilot.app.screen, UnlockScreen)
        _steady_cursors(pilot.app)

    assert snap_compare(_app(folder, lang), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_evidence_list(
    snap_compare: SnapCompare, evidence: tuple[Path, dict[str, str]], lang: str
) -> None:
    folder, _ids = evidence

    async def run_before(pilot: Pilot[Any]) -> None:
        await _unlock(pilot)
        _steady_cursors(pilot.app)

    assert snap_compare(_app(folder, lang), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_item_view(
    snap_compare: SnapCompare, evidence: tuple[Path, dict[str, str]], lang: str
) -> None:
    folder, ids = evidence
    assert snap_compare(_app(folder, lang), terminal_size=SIZE, run_before=_open_item(ids["shot"]))


@pytest.mark.parametrize("lang", LANGS)
def test_sensitive_item_view(
    snap_compare: SnapCompare, evidence: tuple[Path, dict[str, str]], lang: str
) -> None:
    folder, ids = evidence
    assert snap_compare(
        _app(folder, lang), terminal_size=SIZE, run_before=_open_item(ids["private"])
    )
