"""The app's verify screen checks an encrypted bundle with or without leaving a decrypted copy.

Unticking "Keep a decrypted copy" is the app's ``evault verify --no-decrypted-copy``: a lawyer
on a shared office computer checks the bundle where it lies and nothing is written beside it.
A real vault, a real passphrase-encrypted bundle, the real app at 80x24.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, Static

from tests.conftest import PASSPHRASE
from tests.tui.test_app import SIZE, _app, _press, _settle, _unlock, _until
from tui.screens.bundles import VerifyScreen
from vault.evidence.models import Metadata

BUNDLE_WORDS = "bundle passphrase for the lawyer"


@pytest.mark.parametrize("keep", [True, False])
async def test_verify_screen_keeps_a_copy_only_when_asked(
    make_vault: object, tmp_path: Path, keep: bool
) -> None:
    vault, _ = make_vault("lawyer.evault")  # type: ignore[operator]
    vault.add_note("The grey car again, 21:40.", Metadata(title="Note"))
    received = tmp_path / "received"
    received.mkdir()
    bundle = received / "bundle.zip.age"
    vault.export_bundle(bundle, everything=True, passphrase=BUNDLE_WORDS)
    folder = vault.folder
    vault.close()
    before = sorted(p.name for p in received.iterdir())
    assert before == ["bundle.zip.age", "bundle.zip.age.key.age"]

    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot, PASSPHRASE)
        await pilot.press("v")
        await _until(pilot, lambda: isinstance(app.screen, VerifyScreen), "the verify screen")
        screen = app.screen
        screen.query_one("#bundle", Input).value = str(bundle)
        screen.query_one("#passphrase", Input).value = BUNDLE_WORDS
        box = screen.query_one("#keep-copy", Checkbox)
        assert box.value is True  # the default, as before: the lawyer can open the evidence
        box.value = keep
        await _press(app, pilot, "#verify")
        result = screen.query_one("#result", Static)
        await _until(pilot, lambda: "passed" in str(result.render()), "the checks shown")
        await _settle(app, pilot)
        shown = str(result.render())
    assert "FAILED" not in shown
    after = sorted(p.name for p in received.iterdir())
    if keep:
        assert after == sorted([*before, "bundle.zip"])
        assert "Decrypted to" in shown
    else:
        assert after == before  # checked in place: nothing written
        assert "Decrypted to" not in shown
