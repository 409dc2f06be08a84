"""Portable mode: everything the program writes stays in one folder (a USB stick), nothing on the host.

A trainer copies the portable folder onto a stick and runs evault from it on a borrowed computer.
The folder is recognised by the marker file ``evault-portable.txt`` beside the program (or one
folder above it), by ``--portable DIR``, or by the ``EVAULT_PORTABLE`` environment variable. Once
activated, before any vault is touched:

- vaults live in ``DIR/vaults/`` (default ``DIR/vaults/Evidence.evault``), exports default to
  ``DIR/exports/``;
- every variable a library might use to find a home, config, cache, data or temp folder points
  inside ``DIR/host/`` (HOME, XDG_*, TMPDIR/TEMP/TMP, APPDATA/LOCALAPPDATA, USERPROFILE), so even a
  library we did not expect to write would write to the stick, not the host;
- Python writes no bytecode caches (``sys.dont_write_bytecode``), Textual's log and devtools
  variables are removed.

Layout (docs/trainers.md)::

    evault-portable/
      evault-portable.txt    the marker (plain text explaining what this folder is)
      evault/ or program/    the program (a PyInstaller one-folder build, or the source)
      vaults/                participants' vaults
      exports/               bundles made on this stick
      host/                  where anything meant for the host's home or temp goes instead
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from vault.errors import InvalidInput, StorageError
from vault.host import outputs
from vault.i18n import _

MARKER = "evault-portable.txt"
PORTABLE_ENV = "EVAULT_PORTABLE"
LOW_SPACE_BYTES = 200 * 1024 * 1024
VAULTS = "vaults"
EXPORTS = "exports"
HOST = "host"

# Variables through which programs find the user's home, config, cache, data and temp folders.
_HOME_VARIABLES = ("HOME", "USERPROFILE")
_XDG_VARIABLES = {
    "XDG_CONFIG_HOME": "config",
    "XDG_CACHE_HOME": "cache",
    "XDG_DATA_HOME": "data",
    "XDG_STATE_HOME": "state",
}
_TEMP_VARIABLES = ("TMPDIR", "TEMP", "TMP", "SQLITE_TMPDIR")
_WINDOWS_VARIABLES = {"APPDATA": "appdata", "LOCALAPPDATA": "localappdata"}
_TRACE_VARIABLES = ("TEXTUAL_LOG", "TEXTUAL", "TEXTUAL_DEVTOOLS_HOST", "TEXTUAL_SCREENSHOT")


@dataclass
class Portable:
    """An activated portable folder and what the start-up check found."""

    root: Path
    warnings: list[str] = field(default_factory=list)

    @property
    def vaults(self) -> Path:
        return self.root / VAULTS

    @property
    def exports(self) -> Path:
        return self.root / EXPORTS

    @property
    def host(self) -> Path:
        return self.root / HOST

    @property
    def default_vault(self) -> Path:
        return self.vaults / "Evidence.evault"


def program_folder() -> Path:
    """Where the running program is: the PyInstaller folder, or the source checkout."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def find_root(explicit: str | None = None, env: dict[str, str] | None = None) -> Path | None:
    """The portable folder to use, or None for a normal installation."""
    env = dict(os.environ) if env is None else env
    if explicit:
        return Path(explicit).expanduser()
    if env.get(PORTABLE_ENV):
        return Path(env[PORTABLE_ENV]).expanduser()
    here = program_folder()
    for folder in (here, here.parent):
        if (folder / MARKER).is_file():
            return folder
    return None


def activate(root: Path) -> Portable:
    """Point every write at ``root``; refuse a folder that cannot be written to."""
    if not root.is_dir():
        raise InvalidInput(
            _(
                "The portable folder {root} does not exist. Check the path (it is the folder on the "
                "stick that holds evault-portable.txt)."
            ).format(root=root)
        )
    portable = Portable(root.resolve())
    try:
        for folder in (portable.vaults, portable.exports, portable.host):
            folder.mkdir(exist_ok=True)
        probe = portable.host / ".write-test"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError:
        raise StorageError(
            _(
                "The stick at {root} cannot be written to (it may be locked or full). Slide its "
                "write-protect switch off, or use another stick; nothing was changed."
            ).format(root=portable.root)
        ) from None
    _redirect_environment(portable)
    # A copy or bundle cut short on the stick by a killed run: removed before anything else.
    outputs.remove_stale_partials(portable.exports)
    free = shutil.disk_usage(portable.root).free
    if free < LOW_SPACE_BYTES:
        portable.warnings.append(
            _(
                "The stick is nearly full ({mib} MiB free). Adding evidence may fail; make room or "
                "use a larger stick."
            ).format(mib=free // (1024 * 1024))
        )
    return portable


def _redirect_environment(portable: Portable) -> None:
    host = portable.host
    sys.dont_write_bytecode = True
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    for name in _HOME_VARIABLES:
        os.environ[name] = str(host / "home")
    for name, sub in _XDG_VARIABLES.items():
        os.environ[name] = str(host / sub)
    for name in _TEMP_VARIABLES:
        os.environ[name] = str(host / "tmp")
    for name, sub in _WINDOWS_VARIABLES.items():
        os.environ[name] = str(host / sub)
    for name in _TRACE_VARIABLES:
        os.environ.pop(name, None)
    os.environ[PORTABLE_ENV] = str(portable.root)
    os.environ["EVAULT_VAULT"] = str(portable.default_vault)
    tempfile.tempdir = str(host / "tmp")
    for sub in ("home", "tmp"):
        (host / sub).mkdir(exist_ok=True)
