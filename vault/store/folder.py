"""The vault folder: the names of the files in it, and whether a folder holds a vault at all.

Light on purpose (no database or crypto imports): the terminal app asks "is there a vault here?" to
choose its first screen before anything heavy is loaded.
"""

from __future__ import annotations

from pathlib import Path

DB_NAME = "vault.db"
KEYS_NAME = "vault.keys"
JOURNAL_NAME = DB_NAME + "-journal"  # SQLite's rollback journal, present only mid-write
LOCK_NAME = "vault.lock"  # Windows only: Linux and macOS lock the folder itself


def holds_vault(folder: Path) -> bool:
    """True when ``folder`` has a vault's files, even a damaged vault's (unlocking then says
    exactly what is wrong); False for a missing or empty folder, where a vault can be created."""
    try:
        return (folder / KEYS_NAME).exists() or (folder / DB_NAME).exists()
    except OSError:
        return False
