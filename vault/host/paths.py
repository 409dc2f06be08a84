"""Where the vault lives when no ``--vault`` is given.

Order: the ``EVAULT_VAULT`` environment variable, else a per-user folder:

- Linux and other Unix: ``$XDG_DATA_HOME/evidence-vault/Evidence.evault``
  (``~/.local/share/evidence-vault/Evidence.evault`` when XDG_DATA_HOME is unset)
- macOS: ``~/Library/Application Support/evidence-vault/Evidence.evault``
- Windows: ``%APPDATA%\\evidence-vault\\Evidence.evault``
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

VAULT_ENV = "EVAULT_VAULT"
FOLDER = "evidence-vault"
VAULT_NAME = "Evidence.evault"


def default_vault_path(
    env: Mapping[str, str] | None = None, platform: str | None = None, home: Path | None = None
) -> Path:
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if env.get(VAULT_ENV):
        return Path(env[VAULT_ENV]).expanduser()
    home = Path.home() if home is None else home
    if platform == "win32":
        base = Path(env["APPDATA"]) if env.get("APPDATA") else home / "AppData" / "Roaming"
    elif platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(env["XDG_DATA_HOME"]) if env.get("XDG_DATA_HOME") else home / ".local" / "share"
    return base / FOLDER / VAULT_NAME
