"""Helpers shared by the vault tests: raw SQLCipher access, byte flipping, folder snapshots.

Raw access deliberately goes around the :class:`vault.Vault` facade (through the crypto API for the
key and ``sqlcipher3`` for the file) so tamper tests change the database the way an attacker who
holds the key would, not the way the code under test would.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import rfc8785
import sqlcipher3

from crypto import keyslots
from crypto.keysfile import parse_keys_file
from tests.conftest import PASSPHRASE

DB = "vault.db"
KEYS = "vault.keys"


def db_key(folder: Path, passphrase: str = PASSPHRASE, keyfile: bytes | None = None) -> bytes:
    keys = parse_keys_file((folder / KEYS).read_bytes())
    return keyslots.unlock_with_passphrase(keys, passphrase, keyfile)


@contextmanager
def raw_db(folder: Path, passphrase: str = PASSPHRASE) -> Iterator[Any]:
    """A plain sqlcipher3 connection to a *closed* vault's database (autocommit)."""
    key = db_key(folder, passphrase)
    conn = sqlcipher3.connect(str(folder / DB), isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("PRAGMA cipher_page_size = 16384")
        conn.execute("PRAGMA cipher_hmac_algorithm = HMAC_SHA256")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        yield conn
    finally:
        conn.close()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` (recursively) by relative name, with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def flip_byte(path: Path, offset: int, mask: int = 0x01) -> None:
    with path.open("r+b") as f:
        f.seek(offset)
        (value,) = f.read(1)
        f.seek(offset)
        f.write(bytes([value ^ mask]))


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def keys_doc(folder: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((folder / KEYS).read_text("utf-8"))
    return doc


def write_keys_doc(folder: Path, doc: dict[str, Any]) -> None:
    (folder / KEYS).write_text(json.dumps(doc, indent=2), "utf-8")


def recheck(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with each version 2 slot's checksum recomputed (docs/format.md §2.2), as someone
    editing the file on purpose would: the edit is then not *damage* but an alteration."""
    for slot in doc["slots"]:
        body = {k: v for k, v in slot.items() if k != "check"}
        digest = hashlib.sha256(b"evault-slot-check-v2\x00" + rfc8785.dumps(body)).digest()
        slot["check"] = base64.b64encode(digest[:16]).decode("ascii")
    return doc
