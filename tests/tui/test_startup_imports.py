"""What the app loads before the unlock screen's first frame (issue 18: start-up).

Every module imported before the first frame is time a defender waits for. The first frame needs
Textual, the unlock screen and the words it shows; it does not need the cryptography, the
database, pictures, dates in words, or the code of the other commands and screens: those load
after the frame is drawn (the vault code in a background thread while the passphrase is typed,
``tui.app._load_vault_code``) or when something asks for them.

The check runs the real entry point (``tui.launch.main``, what the ``evault`` command runs) with
``evault --vault PATH ui`` in a fresh interpreter, Textual drawing headless at 80x24 (the one
change: ``App.run`` is given ``headless=True`` and a pilot that waits for the unlock screen and
quits). A finder in front of ``sys.meta_path`` records every module imported in the main thread,
which is the thread that draws the first frame; the background thread's imports are not counted.
No timing is asserted: speed is measured by ``benchmarks/tui.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MakeVault

ROOT = Path(__file__).resolve().parents[2]

# Not needed for the unlock screen's first frame. Each entry also covers its submodules.
NOT_BEFORE_FIRST_FRAME = (
    # third-party: key derivation, encryption, the database, pictures, dates in words, JSON
    "argon2",
    "cryptography",
    "nacl",
    "pyrage",
    "sqlcipher3",
    "PIL",
    "babel",
    "rfc8785",
    # the vault's own heavy parts
    "vault.facade",
    "vault.bundle",
    "vault.imports",
    "vault.custody",
    "vault.evidence",
    "vault.media",
    "crypto.keyslots",
    "crypto.kdf",
    # the other commands and screens, and the words only they print
    "tui.render",
    "tui.progress",
    "tui.commands.vaults",
    "tui.commands.evidence",
    "tui.commands.bundles",
    "tui.commands.imports",
    "tui.commands.backups",
    "tui.commands.recovery",
    "tui.screens.evidence",
    "tui.screens.add",
    "tui.screens.item",
    "tui.screens.settings",
    "tui.widgets.dialogs",
    "tui.widgets.keys",
)

CHILD = r"""
import json, sys, threading

imported = []


class Recorder:
    # Records each import the main thread makes; finds nothing itself.
    def find_spec(self, name, path=None, target=None):
        if threading.current_thread() is threading.main_thread():
            imported.append(name)
        return None


sys.meta_path.insert(0, Recorder())

from textual.app import App

seen = {}


async def until_unlock_screen(pilot):
    for _ in range(500):
        if type(pilot.app.screen).__name__ == "UnlockScreen":
            seen["title"] = str(pilot.app.screen.query_one(".screen-title").render())
            seen["modules"] = sorted(set(imported))
            break
        await pilot.pause(0.02)
    pilot.app.exit()


run = App.run


def headless_run(self, **kwargs):
    return run(self, headless=True, size=(80, 24), auto_pilot=until_unlock_screen)


App.run = headless_run

from tui.launch import main

code = main(["--vault", sys.argv[1], "ui"])
print(json.dumps({"code": code, **seen}))
"""


def _first_frame_imports(vault: Path) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(PYTHONPATH=str(ROOT), EVAULT_LANG="en")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(vault)],
        capture_output=True,
        text=True,
        env=env,
        cwd=vault.parent,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.slow
def test_the_unlock_screen_is_drawn_without_the_modules_it_does_not_need(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    vault, _recovery = make_vault("v.evault")
    vault.close()
    result = _first_frame_imports(tmp_path / "v.evault")
    assert result["code"] == 0
    assert result["title"] == "Unlock your evidence vault"  # the frame really was drawn
    modules = result["modules"]
    assert isinstance(modules, list)
    assert "textual.app" in modules  # the recorder saw the imports
    early = sorted(
        name
        for name in modules
        if any(name == banned or name.startswith(banned + ".") for banned in NOT_BEFORE_FIRST_FRAME)
    )
    assert early == [], f"imported before the unlock screen's first frame: {early}"
