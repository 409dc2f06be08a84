"""The app's unlock screen: recovery shares typed one after another (issue 13).

Fails on main before issue 13 (cecf928): the unlock screen had no ``#shares`` button, and
``Vault.issue_recovery_shares`` did not exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tests.tui.test_app import SIZE, _app, _press, _settle, _until
from tui.screens.evidence import EvidenceScreen
from tui.screens.start import UnlockScreen


def _status(app: object) -> str:
    return str(app.screen.query_one("#status", Static).render())  # type: ignore[attr-defined]


@pytest.mark.slow
async def test_two_typed_shares_open_the_vault(make_vault: object, tmp_path: Path) -> None:
    vault, _ = make_vault()  # type: ignore[operator]
    folder: Path = vault.folder
    pages = vault.issue_recovery_shares(2, 3, tmp_path / "pages").pages
    vault.close()
    texts = [p.read_text(encoding="utf-8") for p in pages]
    words = [t.split("-----\n", 1)[1].split("\n-----", 1)[0] for t in texts]
    first = [w for w in words[0].split() if not w[0].isdigit()]
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "the unlock screen")
        await _press(app, pilot, "#shares")
        secret = app.screen.query_one("#secret", Input)
        # A mistyped word: one calm sentence, the share stays to be corrected.
        wrong = "academic" if first[20] != "academic" else "acid"
        secret.value = " ".join([*first[:20], wrong, *first[21:]])
        await pilot.press("enter")
        assert "mistyped" in _status(app) and secret.value
        # The first share alone does not open the vault.
        secret.value = " ".join(w[:4] for w in first)  # four letters of each word are enough
        await pilot.press("enter")
        await pilot.pause()
        assert "1 of 2 shares given" in _status(app)
        assert isinstance(app.screen, UnlockScreen) and secret.value == ""
        # The same share again is named as such, and still counts once.
        secret.value = words[0]
        await pilot.press("enter")
        await pilot.pause()
        assert "Share 1 was already given. 1 of 2 shares given" in _status(app)
        assert isinstance(app.screen, UnlockScreen)
        secret.value = words[2]
        await pilot.press("enter")
        await _settle(app, pilot)
        await _until(pilot, lambda: isinstance(app.screen, EvidenceScreen), "the evidence list")
