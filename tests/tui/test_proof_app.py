"""Proof of time in the app (issue 17, item 5): write a request from the screen, load a real
answer made by ``openssl ts -reply`` (tests/timestamps/tsa.py), and see it on the item view.

Driven with Textual's Pilot like tests/tui/test_app.py (whose helpers it uses), on a real vault.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from tests.timestamps.tsa import LocalTSA
from tests.tui.test_app import (
    SIZE,
    _app,
    _listed,
    _open_item,
    _press,
    _status_shows,
    _unlock,
    _until,
    filled,
)
from tui.app import EvaultApp
from tui.screens.evidence import EvidenceScreen
from tui.screens.proof import ProofOfTimeScreen
from tui.screens.settings import SettingsScreen
from vault import Metadata

pytestmark = pytest.mark.slow  # real openssl processes and a real vault

__all__ = ["filled"]  # the fixture, used here by name


def _said(app: EvaultApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def _back_to_list(app: EvaultApp, pilot: object) -> None:
    await pilot.press("escape")  # type: ignore[attr-defined]
    await _until(pilot, lambda: _listed(app), "the evidence list again")


async def test_request_answer_and_item_view(
    filled: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, ids = filled
    tsa = LocalTSA(tmp_path / "tsa")
    stick = tmp_path / "stick"
    stick.mkdir()
    tsq, tsr = stick / "proof.tsq", stick / "proof.tsr"
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("p")
        await _until(pilot, lambda: isinstance(app.screen, ProofOfTimeScreen), "proof of time")
        await _until(pilot, lambda: "No proof of time yet" in _said(app, "#kept"), "none kept")
        default = Path(app.screen.query_one("#request-out", Input).value)
        assert default.name == f"proof-{date.today():%Y%m%d}.tsq"
        assert default.parent == app.exports_folder

        # Part 1: the request is written and listed as waiting; the commands are shown.
        app.screen.query_one("#request-out", Input).value = str(tsq)
        await _press(app, pilot, "#write")
        await _status_shows(app, pilot, "Request written")
        assert tsq.is_file() and tsq.stat().st_size > 0
        said = _said(app, "#status")
        assert "--data-binary @proof.tsq https://freetsa.org/tsr -o proof.tsr" in said
        # In the app the answer comes back through the screen, not a typed command.
        said_flat = " ".join(said.split())
        assert '"2. Load the answer"' in said_flat and "timestamp add" not in said_flat
        await _until(pilot, lambda: "waiting for an answer" in _said(app, "#kept"), "waiting")

        # A wrong file: one calm sentence, nothing kept, the request still waiting.
        wrong = stick / "wrong.tsr"
        wrong.write_bytes(b"this is not an answer from any authority")
        app.screen.query_one("#answer", Input).value = str(wrong)
        app.screen.query_one("#ca", Input).value = str(tsa.ca_pem)
        await _press(app, pilot, "#load")
        await _status_shows(app, pilot, "Nothing was changed.")
        status = _said(app, "#status")
        assert "Traceback" not in status and status.count("\n") == 0
        assert app.vault is not None
        assert app.vault.timestamps()["tokens"] == []
        assert len(app.vault.timestamps()["pending"]) == 1

        # Part 2: the real answer from the local authority is checked and kept.
        tsa.answer(tsq, tsr)
        app.screen.query_one("#answer", Input).value = str(tsr)
        await _press(app, pilot, "#load")
        await _status_shows(app, pilot, "Proof of time kept: Test TSA")
        await _until(pilot, lambda: "Test TSA" in _said(app, "#kept"), "the token listed")
        assert "waiting for an answer" not in _said(app, "#kept")
        gen_time = app.vault.timestamps()["tokens"][0].gen_time

        # An item added before: its view says when it existed by, and who says so.
        await _back_to_list(app, pilot)
        await _open_item(app, pilot, ids["shot"])
        await _until(pilot, lambda: "Existed no later than" in _said(app, "#proof"), "the proof")
        line = _said(app, "#proof")
        assert f"{gen_time[:10]} {gen_time[11:19]} UTC" in line and "(Test TSA)" in line

        # An item added after: no proof of time covers it.
        await _back_to_list(app, pilot)
        late = app.vault.add_message("Added after the stamp", Metadata(title="Late")).item_id
        screen = app.screen
        assert isinstance(screen, EvidenceScreen)
        screen.after_change()
        await _until(
            pilot,
            lambda: (
                _listed(app)
                and late in [str(k.value) for k in screen.query_one("#items", DataTable).rows]
            ),
            "the late item listed",
        )
        await _open_item(app, pilot, late)
        await _until(pilot, lambda: bool(_said(app, "#proof")), "the proof line")
        assert "Existed no later than" not in _said(app, "#proof")
        assert "No proof of time yet" in _said(app, "#proof")


async def test_settings_open_proof_of_time(filled: tuple[Path, dict[str, str]]) -> None:
    """Not in the list's footer (full at 80 columns in az and ru): Settings leads there too."""
    folder, _ids = filled
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _unlock(app, pilot)
        await pilot.press("s")
        await _until(pilot, lambda: isinstance(app.screen, SettingsScreen), "settings")
        await _press(app, pilot, "#proof-of-time")
        await _until(pilot, lambda: isinstance(app.screen, ProofOfTimeScreen), "proof of time")
        await _until(pilot, lambda: "No proof of time yet" in _said(app, "#kept"), "none kept")
