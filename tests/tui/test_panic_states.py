"""The panic key (Ctrl+L, F12) from every state of the app, at 80x24 (issue 14, item 4).

In each state — idle, adding a large file, importing a chat, exporting a bundle, verifying a
bundle, backing up, a dialog open, Settings changing the passphrase — the key must bring the unlock
screen within 200 ms, take the vault away from the app at once, stop the running work, and leave
the vault consistent: it opens again, ``check`` passes, no item or bundle is half there.

How the time is measured: the key is handed to the app's driver as a terminal would send it (not
with ``pilot.press``, which waits for the whole process to go idle, a busy worker included), and
the moment the unlock screen becomes the active screen is taken from the app's own screen-change
signal. So the number is the app's delay, not the test's polling; everything else waits for
conditions with a generous deadline, as the rest of the suite does.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.screen import Screen
from textual.widgets import DataTable, Input, ProgressBar, Static, TextArea

from crypto.kdf import Argon2Params
from tests.conftest import PASSPHRASE, MakeVault
from tests.importers.test_importing import chat, message, write_folder
from tests.tui.test_app import SIZE, _app, _open_item, _press, _unlock, _until
from tui.app import EvaultApp, make_app
from tui.screens.add import AddFilesScreen
from tui.screens.bundles import ExportScreen, VerifyScreen
from tui.screens.delete import DeleteScreen
from tui.screens.imports import ImportScreen
from tui.screens.settings import NewRecoveryKeyDialog, SettingsScreen
from tui.screens.start import UnlockScreen
from tui.screens.wipe import WipeDialog
from tui.widgets.dialogs import ConfirmDialog
from vault import Vault
from vault.errors import VaultBusy
from vault.evidence.models import Metadata
from vault.host.outputs import is_partial_name
from vault.store.copyfolder import STAGING_NAME
from vault.store.lock import VaultLock

pytestmark = pytest.mark.slow

PANIC_LIMIT = 0.2  # seconds from the key press to the unlock screen: the contract


def _limit() -> float:
    """The contract on an idle machine; on a loaded one (CI beside other jobs, load 8 on 2 cores)
    the wall-clock limit grows with the load, since the process then waits for a core. The work
    the interface's thread itself does is held to the strict limit in :func:`_panic` regardless."""
    cores = os.cpu_count() or 1
    return PANIC_LIMIT * max(1.0, os.getloadavg()[0] / cores)


MiB = 1 << 20


def _big_file(path: Path, mib: int) -> Path:
    """Bytes like a video's: an MP4 header, then random (incompressible) bytes, written a MiB at
    a time. (Repeated bytes would be stored compressed to almost nothing, migration 10, and a
    backup or export of them would end before it could be stopped.)"""
    with path.open("wb") as f:
        f.write(b"\x00\x00\x00\x18ftypmp42")
        for _ in range(mib):
            f.write(os.urandom(MiB))
    return path


@pytest.fixture
def stocked(make_vault: MakeVault, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A vault with a few ordinary items: a picture, a sensitive message, a video."""
    vault, _ = make_vault("stocked.evault")
    shot = tmp_path / "threat.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"pixels" * 100)
    ids = {
        "shot": vault.add_file(shot, Metadata(title="Threat screenshot")).item_id,
        "secret": vault.add_message(
            "intimate words", Metadata(title="Private chat", sensitive=True)
        ).item_id,
        "video": vault.add_file(
            _big_file(tmp_path / "video.mp4", 4), Metadata(title="Leaked video")
        ).item_id,
    }
    folder: Path = vault.folder
    vault.close()
    return folder, ids


async def _panic(app: EvaultApp, pilot: object, key: str = "ctrl+l") -> float:
    """Press the panic key as the terminal sends it; return the seconds until the unlock screen
    was the active screen. Afterwards the app holds no vault and shows only the unlock screen."""
    shown: list[float] = []

    def changed(screen: Screen[object]) -> None:
        if isinstance(screen, UnlockScreen) and not shown:
            shown.append(time.monotonic())

    app.screen_change_signal.subscribe(app, changed, immediate=True)
    driver = app._driver
    assert driver is not None
    pressed = time.monotonic()
    cpu = time.thread_time()  # the interface's thread (the app runs in this one, in tests)
    driver.send_message(events.Key(key, None))
    await _until(pilot, lambda: bool(shown), "the unlock screen")
    assert time.thread_time() - cpu < PANIC_LIMIT, "the interface's thread worked too long"
    assert app.vault is None  # the key is gone from the app the moment the screens go
    await _until(
        pilot,
        lambda: isinstance(app.screen, UnlockScreen) and len(app.screen_stack) == 2,
        "only the unlock screen left",
    )
    return shown[0] - pressed


def _send(app: EvaultApp, key: str) -> None:
    """A key as the terminal sends it, without waiting for anything."""
    driver = app._driver
    assert driver is not None
    driver.send_message(events.Key(key, "\r" if key == "enter" else None))


async def _closed(pilot: object, opened: Vault) -> None:
    """The vault object the app held is closed (keys dropped, lock released) once the running
    task lets go of it."""
    await _until(pilot, lambda: opened.closed, "the vault closed")


def _consistent(folder: Path, items_before: int | None = None) -> list[str]:
    """The vault opens, passes its check; returns the titles of its items."""
    with Vault.open(folder, passphrase=PASSPHRASE, lock_wait=10) as vault:
        assert vault.check().ok
        titles = [i.title for i in vault.list_items()]
    if items_before is not None:
        assert len(titles) == items_before
    return titles


def _no_partials(folder: Path) -> None:
    assert [p.name for p in folder.iterdir() if is_partial_name(p.name)] == []


async def _started(app: EvaultApp, pilot: object, what: str) -> None:
    """The task reported progress: it is really running, in the middle of its work."""
    await _until(
        pilot,
        lambda: (app.screen.query_one("#progress", ProgressBar).progress or 0) > 0,
        what,
    )


async def _open(app: EvaultApp, pilot: object) -> Vault:
    await _unlock(app, pilot)
    assert app.vault is not None
    return app.vault


async def test_panic_when_idle(stocked: tuple[Path, dict[str, str]]) -> None:
    folder, _ = stocked
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        opened = await _open(app, pilot)
        assert await _panic(app, pilot) < _limit()
        await _closed(pilot, opened)
        await _unlock(app, pilot)
        assert await _panic(app, pilot, "f12") < _limit()
    _consistent(folder, 3)


async def test_panic_while_adding_a_large_file(
    stocked: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = stocked
    big = _big_file(tmp_path / "long-video.mp4", 320)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        opened = await _open(app, pilot)
        await pilot.press("a")
        await _until(pilot, lambda: isinstance(app.screen, AddFilesScreen), "the add screen")
        app.screen.query_one("#paths", TextArea).text = str(big)
        await _press(app, pilot, "#add")
        await _started(app, pilot, "the add under way")
        assert await _panic(app, pilot) < _limit()
        await _closed(pilot, opened)
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:  # whole (it ended first) or not at all
        sizes = [i.size for i in vault.list_items() if i.original_filename == "long-video.mp4"]
        assert sizes in ([], [big.stat().st_size])
        assert vault.check().ok


def _chat_export(tmp_path: Path, messages: int) -> Path:
    return write_folder(
        tmp_path / "ChatExport_big",
        chat(
            [
                message(i, f"Xəbərdarlıq nömrə {i}: səni tapacağıq", offset=i)
                for i in range(messages)
            ]
        ),
        {},
    )


async def test_panic_while_importing_a_chat(
    stocked: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = stocked
    export = _chat_export(tmp_path, 40_000)
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        opened = await _open(app, pilot)
        await pilot.press("i")
        await _until(pilot, lambda: isinstance(app.screen, ImportScreen), "the import screen")
        app.screen.query_one("#path", Input).value = str(export)
        await _press(app, pilot, "#import")
        await _until(
            pilot,
            lambda: "Reading messages" in str(app.screen.query_one("#status", Static).render()),
            "the import reading messages",
        )
        assert await _panic(app, pilot) < _limit()
        await _closed(pilot, opened)
    _consistent(folder, 3)  # no message of the export kept
    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        assert vault.imports() == []


@pytest.fixture
def large(make_vault: MakeVault, tmp_path: Path) -> Path:
    """A vault with a 192 MiB video: exporting or backing it up takes long enough to be caught
    in the middle, even on a fast disk."""
    vault, _ = make_vault("large.evault")
    vault.add_file(_big_file(tmp_path / "long-video.mp4", 192), Metadata(title="Long video"))
    folder: Path = vault.folder
    vault.close()
    return folder


@pytest.fixture
def slow_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk as slow as a cheap USB stick at the end of a long write: the fsync that makes a
    bundle or a decrypted copy durable takes two seconds, and the panic key lands while the
    partial file is still there. (The test's key press returns only once the app stops
    receiving progress messages, i.e. after the last byte is written; the fsync used to take
    that long by itself, until outputs were written back as they were written.)"""
    fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        with contextlib.suppress(OSError):
            if is_partial_name(Path(os.readlink(f"/proc/self/fd/{fd}")).name):
                time.sleep(2.0)
        fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)


async def _nothing_left(pilot: object, folder: Path) -> None:
    """The stopped task removes what it had begun to write (it notices the lock at its next
    chunk, maybe after the vault is closed): the folder ends up empty."""
    await _until(pilot, lambda: not list(folder.rglob("*")), f"nothing left in {folder}")


@pytest.mark.usefixtures("slow_disk")
async def test_panic_while_exporting_a_bundle(large: Path, tmp_path: Path) -> None:
    out = tmp_path / "for-lawyer"
    out.mkdir()
    app = make_app(large, kdf=lambda: Argon2Params(1024, 1, 1), exports_folder=out)
    async with app.run_test(size=SIZE) as pilot:
        opened = await _open(app, pilot)
        await pilot.press("x")
        await _until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export screen")
        app.screen.query_one("#by-nothing").value = True  # type: ignore[attr-defined]
        await _until(
            pilot,
            lambda: not app.screen.query_one("#out", Input).value.endswith(".age"),
            "the plain bundle name",
        )
        await _press(app, pilot, "#export")
        await _until(
            pilot,
            lambda: any(is_partial_name(p.name) for p in out.iterdir()),
            "the bundle being written",
        )
        assert await _panic(app, pilot) < _limit()
        await _closed(pilot, opened)
        await _nothing_left(pilot, out)  # no bundle, whole or partial
    assert _consistent(large) == ["Long video"]


@pytest.mark.usefixtures("slow_disk")
async def test_panic_while_verifying_a_bundle(large: Path, tmp_path: Path) -> None:
    """Verifying needs no vault, but the lock still stops it: the decrypted copy it was writing
    is not left half-written."""
    received = tmp_path / "received"
    received.mkdir()
    bundle = received / "bundle.zip.age"
    with Vault.open(large, passphrase=PASSPHRASE) as vault:
        vault.export_bundle(bundle, everything=True, passphrase="bundle passphrase words")
    key_file = received / "bundle.zip.age.key.age"
    assert key_file.exists()
    app = _app(large)
    async with app.run_test(size=SIZE) as pilot:
        opened = await _open(app, pilot)
        await pilot.press("v")
        await _until(pilot, lambda: isinstance(app.screen, VerifyScreen), "the verify screen")
        app.screen.query_one("#bundle", Input).value = str(bundle)
        app.screen.query_one("#passphrase", Input).value = "bundle passphrase words"
        await _press(app, pilot, "#verify")
        await _until(
            pilot,
            lambda: any(is_partial_name(p.name) for p in received.iterdir()),
            "the decrypted copy being written",
        )
        assert await _panic(app, pilot) < _limit()
        await _closed(pilot, opened)
        await _until(
            pilot,
            lambda: not any(is_partial_name(p.name) for p in received.iterdir()),
            "the half-decrypted copy removed",
        )
        await _until(pilot, lambda: not app.workers, "the verify worker ended")
        # The worker's thread may outlive the closed screen by a moment (the decryption can
        # finish just as the panic comes; the check then stops and removes the whole copy).
        await _until(
            pilot,
            lambda: sorted(p.name for p in received.iterdir()) == [bundle.name, key_file.name],
            "only what the lawyer received left",
        )
    assert _consistent(large) == ["Long video"]


@pytest.fixture
def slow_stick(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second stick whose fsync of the copied vault takes two seconds (as a cheap stick's
    does at the end of a long write): on a quiet, fast machine the whole 192 MiB backup was
    otherwise over, checked and renamed before the test could see the copy under way."""
    fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        with contextlib.suppress(OSError):
            if STAGING_NAME in Path(os.readlink(f"/proc/self/fd/{fd}")).parts:
                time.sleep(2.0)
        fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)


@pytest.mark.usefixtures("slow_stick")
async def test_panic_while_backing_up(large: Path, tmp_path: Path) -> None:
    stick = tmp_path / "second-stick"
    stick.mkdir()
    copy = stick / "Copy.evault"
    app = _app(large)
    async with app.run_test(size=SIZE) as pilot:
        opened = await _open(app, pilot)
        await pilot.press("s")
        await _until(pilot, lambda: isinstance(app.screen, SettingsScreen), "settings")
        app.screen.query_one("#backup-to", Input).value = str(copy)
        await _press(app, pilot, "#backup")
        partial = copy / STAGING_NAME / "vault.db"
        await _until(pilot, partial.exists, "the copy under way")
        assert await _panic(app, pilot) < _limit()
        await _closed(pilot, opened)
        await _nothing_left(pilot, stick)  # no half copy, no empty folder
    assert _consistent(large) == ["Long video"]


def _slow_kdf() -> Argon2Params:
    """Key derivation that takes a noticeable time, as the real one (~0.5-1 s) does."""
    return Argon2Params(memory_kib=128 * 1024, iterations=12, parallelism=1)


async def test_panic_while_changing_the_passphrase(stocked: tuple[Path, dict[str, str]]) -> None:
    """The change is stopped: the new passphrase, never confirmed on screen, is not kept."""
    folder, _ = stocked
    app = make_app(folder, kdf=_slow_kdf)
    async with app.run_test(size=SIZE) as pilot:
        opened = await _open(app, pilot)
        await pilot.press("s")
        await _until(pilot, lambda: isinstance(app.screen, SettingsScreen), "settings")
        for field in ("#new1", "#new2"):
            app.screen.query_one(field, Input).value = "a new passphrase nobody saw"
        app.screen.query_one("#passwd").focus()
        await pilot.pause()
        _send(app, "enter")  # not pilot.press: it waits for the app to go idle, the change too
        await _until(
            pilot,
            lambda: any(w.group == "passwd" and w.is_running for w in app.workers),
            "the passphrase change under way",
        )
        assert await _panic(app, pilot) < _limit()
        await _closed(pilot, opened)
    _consistent(folder, 3)  # the old passphrase still opens it


def _dialogs() -> list[tuple[str, Callable[[Screen[object]], bool]]]:
    return [
        ("reveal", lambda s: isinstance(s, ConfirmDialog)),
        ("delete", lambda s: isinstance(s, DeleteScreen)),
        ("wipe", lambda s: isinstance(s, WipeDialog)),
        ("recovery", lambda s: isinstance(s, NewRecoveryKeyDialog)),
    ]


@pytest.mark.parametrize(("which", "is_open"), _dialogs(), ids=[d[0] for d in _dialogs()])
async def test_panic_with_a_dialog_open(
    stocked: tuple[Path, dict[str, str]],
    which: str,
    is_open: Callable[[Screen[object]], bool],
) -> None:
    folder, ids = stocked
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        opened = await _open(app, pilot)
        if which in ("reveal", "delete"):
            await _open_item(app, pilot, ids["secret"])
            await pilot.press("space" if which == "reveal" else "d")
        elif which == "wipe":
            await pilot.press("f8")
        else:
            await pilot.press("s")
            await _until(pilot, lambda: isinstance(app.screen, SettingsScreen), "settings")
            await _press(app, pilot, "#recovery")
            await _until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "the question")
            await _press(app, pilot, "#yes")
        await _until(pilot, lambda: is_open(app.screen), f"the {which} dialog")
        if which == "delete":  # half-way through deleting: a reason typed, not confirmed
            app.screen.query_one("#delete-reason", Input).value = "half typed"
        assert await _panic(app, pilot) < _limit()
        await _closed(pilot, opened)
        assert not any(is_open(s) for s in app.screen_stack)
    assert "Private chat" in _consistent(folder, 3)


async def test_panic_leaves_no_evidence_frame_between(
    stocked: tuple[Path, dict[str, str]],
) -> None:
    """From an item opened over the list, the screens go together: no frame drawn while locking
    shows the list or the item again (each screen removed one by one would show the one below)."""
    folder, ids = stocked
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot)
        await _open_item(app, pilot, ids["shot"])
        seen: list[str] = []
        app.screen_change_signal.subscribe(
            app, lambda screen: seen.append(type(screen).__name__), immediate=True
        )
        await _panic(app, pilot)
        assert seen[0] == "UnlockScreen", seen
        table_gone = not app.query(DataTable)
        assert table_gone


async def test_panic_while_the_passphrase_is_being_checked(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    """Enter pressed, then the lock key while the key is derived: the vault never opens on screen
    (it is closed when the check ends) and the unlock screen stays."""
    vault, _ = Vault.create(tmp_path / "slow.evault", PASSPHRASE, kdf=_slow_kdf)
    folder = vault.folder
    vault.close()
    app = _app(folder)
    async with app.run_test(size=SIZE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, UnlockScreen), "the unlock screen")
        app.screen.query_one("#secret", Input).value = PASSPHRASE
        _send(app, "enter")  # not pilot.press: it waits for the app to go idle, the unlock too
        await _until(
            pilot,
            lambda: any(w.group == "unlock" and w.is_running for w in app.workers),
            "the passphrase being checked",
        )
        assert await _panic(app, pilot) < _limit()
        await _until(pilot, lambda: _unlocked_by_nobody(folder), "the vault opened and closed")
        await pilot.pause()
        assert app.vault is None and isinstance(app.screen, UnlockScreen)
        assert len(app.screen_stack) == 2
    _consistent(folder, 0)


def _unlocked_by_nobody(folder: Path) -> bool:
    """The check ended and the vault it opened was closed again (its lock is free)."""
    lock = VaultLock(folder, wait_seconds=0)
    try:
        lock.acquire()
    except VaultBusy:
        return False
    lock.release()
    return True
