"""Opening ``vault.db`` with SQLCipher: the pragma sequence of docs/format.md §3, and error mapping.

The database key is given as a raw key (``x'…'``), so SQLCipher's PBKDF2 is not used. The key is
proven by reading ``sqlite_master``; ``cipher_version`` proves the driver really is SQLCipher (Python's
own ``sqlite3`` would silently ignore ``PRAGMA key`` and write plaintext).
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import sqlcipher3

from crypto import constants as c
from vault.errors import EvaultError, StorageError, StorageFull, VaultDamaged
from vault.i18n import N_, _

Connection = Any  # sqlcipher3.Connection has no type stubs
CACHE_KIB = 16 * 1024  # the page cache of every connection: memory stays bounded (imports raise it)

DAMAGED_MESSAGE = N_(
    "The vault's database is damaged or was altered, so it cannot be read. "
    "Nothing was changed; restore the vault folder from a backup copy if you have one."
)
FULL_MESSAGE = N_("The disk is full, so nothing was saved. Free some space and try again.")
IO_MESSAGE = N_(
    "The vault could not be read or written (was the disk or USB stick removed?). "
    "Nothing half-written is kept; reconnect it and try again."
)


def connect(
    path: Path, db_key: bytes, *, create: bool = False, read_only: bool = False
) -> Connection:
    """Open ``path`` keyed with ``db_key`` and prove the key; raise :class:`VaultDamaged` if not.

    ``read_only`` opens it so that nothing can be written (a backup's copy is checked that way)."""
    if len(db_key) != c.DB_KEY_BYTES:
        raise ValueError("database key must be 32 bytes")
    if not create and not path.is_file():
        raise VaultDamaged(_("The vault's database file (vault.db) is missing."))
    if not create and path.stat().st_size == 0:
        # SQLite would take an emptied file for a new database and the schema would be rebuilt.
        raise VaultDamaged(_(DAMAGED_MESSAGE))
    try:
        target = path.absolute().as_uri() + "?mode=ro" if read_only else str(path)
        conn = sqlcipher3.connect(
            target, isolation_level=None, check_same_thread=False, uri=read_only
        )
    except sqlcipher3.Error as exc:
        raise StorageError(_(IO_MESSAGE)) from exc
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{db_key.hex()}'\"")
        conn.execute(f"PRAGMA cipher_page_size = {c.CIPHER_PAGE_SIZE}")
        conn.execute(f"PRAGMA cipher_hmac_algorithm = {c.CIPHER_HMAC_ALGORITHM}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        version = conn.execute("PRAGMA cipher_version").fetchone()
        if not version or not version[0]:
            raise VaultDamaged(
                _("This program was installed without SQLCipher; it cannot open vaults.")
            )
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA journal_mode = DELETE").fetchone()
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    except sqlcipher3.Error as exc:
        conn.close()
        raise translate(exc) from None
    except EvaultError:
        conn.close()
        raise
    return conn


def translate(exc: BaseException) -> EvaultError:
    """Map a SQLCipher/OS error to one calm, secret-free sentence."""
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return StorageFull(_(FULL_MESSAGE))
    if "disk is full" in text or "database or disk is full" in text:
        return StorageFull(_(FULL_MESSAGE))
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return VaultDamaged(_(DAMAGED_MESSAGE))
    if "readonly" in text or "read-only" in text:
        return StorageError(
            _(
                "The vault is on a disk that cannot be written to (read-only). "
                "Copy it somewhere writable, or unlock the USB stick, and try again."
            )
        )
    return StorageError(_(IO_MESSAGE))


MAX_ROWS_PER_INSERT = 500  # and never more than SQLite's 32,766 bound values in one statement


def insert_rows(conn: Connection, insert: str, rows: list[tuple[Any, ...]]) -> None:
    """Run ``insert`` (``"INSERT INTO t (a, b)"``, without ``VALUES``) for all ``rows`` as one
    multi-row statement (a few, for very many rows).

    Why not ``executemany``: it steps once per row, and every step lets go of the GIL and must
    win it back. With a second thread busy in Python (adding files prepares the next ones), each
    win-back can wait for that thread; one statement per table per batch waits once.
    """
    if not rows:
        return
    width = len(rows[0])
    per = max(1, min(MAX_ROWS_PER_INSERT, 32766 // width))
    one = "(" + ",".join("?" * width) + ")"
    for start in range(0, len(rows), per):
        part = rows[start : start + per]
        values = ",".join([one] * len(part))
        conn.execute(f"{insert} VALUES {values}", [v for row in part for v in row])
