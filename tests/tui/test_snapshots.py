"""Snapshot tests: what the main screens look like at 80x24, compared with reviewed SVG baselines.

The baselines live in ``tests/tui/__snapshots__/test_snapshots/``. After a deliberate change to a
screen, look at the new pictures and accept them with::

    pytest tests/tui/test_snapshots.py --snapshot-update

(``--snapshot-report`` writes an HTML page showing old and new side by side when a test fails.)

Everything a screen shows must be the same on every run and every machine, so the vault here is
built with fixed content, fixed metadata and fixed ``now=`` times (these screens show when things
were added and their SHA-256), and item ids, which the vault draws from ``uuid.uuid4``, come from a
fixed sequence for the setup only. The create screen shows the vault's folder, so it is given a
relative folder name inside a temporary working directory instead of a random absolute path.
Input cursors are set not to blink, or the picture would depend on when it was taken.

``snap_compare`` runs the app itself (synchronously), so these tests are plain functions, not
``async`` ones.
"""

from __future__ import annotations

import io
import itertools
import types
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from tests.conftest import PASSPHRASE, fast_kdf
from tui.app import EvaultApp, make_app
from tui.screens.evidence import EvidenceScreen
from tui.screens.item import ItemScreen
from tui.screens.start import CreateScreen, UnlockScreen
from vault import Vault
from vault.evidence.models import MessageFields, Metadata

# Slow: real processes, terminals or the whole app; left out of the fast loop (-m 'not slow').
pytestmark = pytest.mark.slow

SIZE = (80, 24)
START = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)

SnapCompare = Callable[..., bool]

# Fictional evidence: fixed bytes and metadata, added one minute apart (newest is listed first).


def _screenshot_png() -> bytes:
    """A small drawn 'chat screenshot' (a real PNG, so the item screen draws its preview)."""
    img = Image.new("RGB", (160, 48), (236, 236, 236))
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, 159, 9], fill=(40, 90, 160))  # app bar
    draw.rounded_rectangle([6, 14, 110, 26], 4, fill=(255, 255, 255))  # incoming bubble
    draw.rounded_rectangle([50, 31, 154, 43], 4, fill=(200, 240, 190))  # outgoing bubble
    draw.rectangle([10, 18, 80, 22], fill=(200, 40, 40))  # the threat, in red
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


PNG = _screenshot_png()
JPEG = b"\xff\xd8\xff\xe0" + b"placeholder for a private photo" * 20


def _fixed_ids() -> Callable[[], uuid.UUID]:
    counter = itertools.count(1)
    return lambda: uuid.UUID(int=(0x5EED << 96) + next(counter), version=4)


@pytest.fixture
def evidence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, str]]:
    """A closed vault holding five fictional items; returns its folder and the items' ids."""
    # Item ids only: a deterministic sequence for building the test data, restored afterwards.
    monkeypatch.setattr("vault.evidence.adding.uuid", types.SimpleNamespace(uuid4=_fixed_ids()))
    shot = tmp_path / "threat.png"
    shot.write_bytes(PNG)
    photo = tmp_path / "IMG_0412.jpg"
    photo.write_bytes(JPEG)
    minute = iter(range(100))

    def at() -> datetime:
        return START + timedelta(minutes=next(minute))

    vault, _ = Vault.create(tmp_path / "evidence.evault", PASSPHRASE, kdf=fast_kdf, now=at())
    try:
        ids = {
            "shot": vault.add_file(
                shot,
                Metadata(
                    title="Threat screenshot",
                    platform="Telegram",
                    sender_handle="@unknown_caller",
                    occurred="2026-03-09T21:14+04:00",
                    case="Calls at night",
                    tags=("threat", "telegram"),
                ),
                now=at(),
            ).item_id,
            "message": vault.add_message(
                "Səni tapacağıq. Bu son xəbərdarlıqdır.",
                Metadata(title="WhatsApp threat", platform="WhatsApp", case="Calls at night"),
                MessageFields(sent="2026-03-10T23:05", sent_tz="Asia/Baku"),
                now=at(),
            ).item_id,
            "photo": vault.add_file(
                photo,
                Metadata(title="Leaked photo", platform="Instagram", sensitive=True),
                now=at(),
            ).item_id,
            "note": vault.add_note(
                "Second call at 23:40, same voice, said they know the office address.",
                Metadata(title="My notes on the calls", occurred="2026-03-10T23:40+04:00"),
                now=at(),
            ).item_id,
            "private": vault.add_message(
                "intimate words",
                Metadata(title="Private chat", platform="Signal", sensitive=True),
                now=at(),
            ).item_id,
        }
    finally:
        vault.close()
    return tmp_path / "evidence.evault", ids


def _app(folder: Path) -> EvaultApp:
    return make_app(folder, kdf=fast_kdf)


def _steady_cursors(app: App[Any]) -> None:
    for field in app.screen.query(Input):
        field.cursor_blink = False


async def _unlock(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await pilot.pause()
    assert isinstance(app.screen, UnlockScreen)
    app.screen.query_one("#secret", Input).value = PASSPHRASE
    await pilot.press("enter")
    unlocking = [w for w in app.workers if w.group == "unlock"]
    if unlocking:
        await app.workers.wait_for_complete(unlocking)
    await pilot.pause()
    assert isinstance(app.screen, EvidenceScreen)


def _open_item(item_id: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await _unlock(pilot)
        table = pilot.app.screen.query_one("#items", DataTable)
        table.move_cursor(row=table.get_row_index(item_id))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ItemScreen)
        assert pilot.app.screen.item_id == item_id

    return run_before


def test_unlock_screen(snap_compare: SnapCompare, evidence: tuple[Path, dict[str, str]]) -> None:
    """The first thing a defender sees: passphrase (masked), keyfile, no vault name anywhere."""
    folder, _ = evidence

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        assert isinstance(pilot.app.screen, UnlockScreen)
        _steady_cursors(pilot.app)

    assert snap_compare(_app(folder), terminal_size=SIZE, run_before=run_before)


def test_create_screen(
    snap_compare: SnapCompare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No vault yet: create one. The folder is shown as given (relative here, so it is fixed)."""
    monkeypatch.chdir(tmp_path)
    folder = Path("evidence.evault")

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        assert isinstance(pilot.app.screen, CreateScreen)
        _steady_cursors(pilot.app)

    assert snap_compare(_app(folder), terminal_size=SIZE, run_before=run_before)
    assert not (tmp_path / "evidence.evault").exists()  # looking creates nothing


def test_evidence_list(snap_compare: SnapCompare, evidence: tuple[Path, dict[str, str]]) -> None:
    """After unlocking: the table, newest first, sensitive items marked, the item count."""
    folder, _ = evidence

    async def run_before(pilot: Pilot[Any]) -> None:
        await _unlock(pilot)
        _steady_cursors(pilot.app)

    assert snap_compare(_app(folder), terminal_size=SIZE, run_before=run_before)


def test_item_view(snap_compare: SnapCompare, evidence: tuple[Path, dict[str, str]]) -> None:
    """A non-sensitive file: its details, SHA-256 and custody timeline; no preview of content."""
    folder, ids = evidence
    assert snap_compare(_app(folder), terminal_size=SIZE, run_before=_open_item(ids["shot"]))


def test_sensitive_item_view(
    snap_compare: SnapCompare, evidence: tuple[Path, dict[str, str]]
) -> None:
    """A sensitive message: marked as such, and nothing of its text on screen."""
    folder, ids = evidence
    assert snap_compare(_app(folder), terminal_size=SIZE, run_before=_open_item(ids["private"]))
