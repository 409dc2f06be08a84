"""``check`` on healthy vaults: everything holds, counts are right, progress and cancel work."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from crypto.constants import CHUNK_SIZE
from tests.conftest import PASSPHRASE
from tests.vault.support import write
from vault import Vault
from vault.errors import Cancelled
from vault.evidence.models import MessageFields, Metadata


def _populate(vault: Vault, tmp_path: Path) -> dict[str, bytes]:
    originals = {
        "empty.bin": b"",
        "small.txt": "qısa mətn".encode(),
        "chunk.bin": bytes(range(256)) * (CHUNK_SIZE // 256),
        "over.bin": hashlib.sha256(b"seed").digest() * (CHUNK_SIZE // 32 + 3),
    }
    stored = {}
    for name, data in originals.items():
        result = vault.add_file(write(tmp_path, name, data), Metadata(case="Case 1"))
        stored[result.item_id] = data
    for text in ("Səni tapacağıq", "Мы знаем, где ты живёшь"):
        result = vault.add_message(text, Metadata(sender_handle="@x"), MessageFields(thread="t"))
        stored[result.item_id] = text.encode()
    result = vault.add_note("note")
    stored[result.item_id] = b"note"
    return stored


def test_healthy_vault_checks_ok_with_right_counts(vault: Vault, tmp_path: Path) -> None:
    stored = _populate(vault, tmp_path)
    report = vault.check()
    assert report.ok, report.problems
    assert report.problems == []
    assert report.items_checked == len(stored)
    assert report.bytes_checked == sum(len(d) for d in stored.values())
    assert report.events_checked == len(vault.custody_log())
    data = report.to_json()
    assert data["ok"] is True
    assert data["items_checked"] == len(stored)


def test_check_after_reopen(vault: Vault, tmp_path: Path) -> None:
    _populate(vault, tmp_path)
    vault.close()
    with Vault.open(vault.folder, passphrase=PASSPHRASE) as again:
        assert again.check().ok


def test_check_after_deletions_and_edits(vault: Vault, tmp_path: Path) -> None:
    stored = _populate(vault, tmp_path)
    ids = list(stored)
    vault.delete_item(ids[2], reason="duplicate")
    vault.delete_item(ids[5], reason="wrong")
    vault.update_metadata(ids[0], {"title": "Renamed", "tags": ["x"], "case": None})
    report = vault.check()
    assert report.ok, report.problems
    assert report.items_checked == len(stored) - 2
    assert report.bytes_checked == sum(len(stored[i]) for i in ids if i not in (ids[2], ids[5]))


def test_empty_vault_checks_ok(vault: Vault) -> None:
    report = vault.check()
    assert report.ok
    assert (report.items_checked, report.bytes_checked, report.events_checked) == (0, 0, 1)


def test_check_does_not_change_the_database(vault: Vault, tmp_path: Path) -> None:
    _populate(vault, tmp_path)
    log = vault.custody_log()
    before = (vault.folder / "vault.db").read_bytes()
    vault.check()
    assert vault.custody_log() == log
    assert (vault.folder / "vault.db").read_bytes() == before


def test_check_reports_progress_up_to_the_total(vault: Vault, tmp_path: Path) -> None:
    stored = _populate(vault, tmp_path)
    total = sum(len(d) for d in stored.values())
    seen: list[tuple[int, int | None]] = []
    vault.check(progress=lambda done, of: seen.append((done, of)))
    assert seen
    assert all(of == total for _, of in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1][0] == total


def test_check_can_be_cancelled(vault: Vault, tmp_path: Path) -> None:
    _populate(vault, tmp_path)
    cancel = threading.Event()
    with pytest.raises(Cancelled):
        vault.check(progress=lambda done, total: cancel.set(), cancel=cancel)
    assert vault.check().ok
