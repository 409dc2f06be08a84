"""Per-vault preferences of the terminal app, kept inside the encrypted database.

Kept in the vault (not a config file in the home folder) because a preference file on the host is a
trace, and because the defender's choice should follow the vault to another computer.
"""

from __future__ import annotations

from vault.errors import InvalidInput
from vault.i18n import LANGUAGES, _
from vault.store.db import Connection
from vault.store.policy import AUTO_LOCK_MAX, AUTO_LOCK_MIN, check_auto_lock_minutes
from vault.store.session import transaction

AUTO_LOCK_KEY = "setting.auto_lock_minutes"
LANGUAGE_KEY = "setting.language"


def auto_lock_minutes(conn: Connection) -> int | None:
    """The stored auto-lock time, or None if the defender never chose one (or it is unusable)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (AUTO_LOCK_KEY,)).fetchone()
    if row is None:
        return None
    try:
        minutes = int(str(row[0]))
    except ValueError:
        return None
    return minutes if AUTO_LOCK_MIN <= minutes <= AUTO_LOCK_MAX else None


def set_auto_lock_minutes(conn: Connection, minutes: int) -> None:
    check_auto_lock_minutes(minutes)
    with transaction(conn):
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (AUTO_LOCK_KEY, str(minutes)),
        )


def language(conn: Connection) -> str | None:
    """The language the defender chose for this vault's app (None: never chosen, or unknown)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (LANGUAGE_KEY,)).fetchone()
    if row is None:
        return None
    value = str(row[0])
    return value if value in LANGUAGES else None


def set_language(conn: Connection, lang: str) -> None:
    if lang not in LANGUAGES:
        raise InvalidInput(
            _("This language is not available. Choose one of: {languages}.").format(
                languages=", ".join(LANGUAGES)
            )
        )
    with transaction(conn):
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (LANGUAGE_KEY, lang),
        )
