"""The metadata an ``item.created`` event signs is the item as the database holds it.

``insert_item`` describes a new item from the values it writes instead of reading the row back
(four look-ups per item saved on a 100,000-message import). These tests read every new item back
and compare, for typed messages, notes, files and imported messages, with cases, tags, times
with and without a zone, and a parent.
"""

from __future__ import annotations

import json
from pathlib import Path

from vault import Vault
from vault.evidence.items import load_item, metadata_snapshot
from vault.evidence.models import MessageFields, Metadata
from vault.imports.options import ImportOptions


def _signed_snapshots(vault: Vault) -> dict[str, dict[str, object]]:
    found = {}
    for record in vault.custody_log():
        if record.type == "item.created" and record.item_id is not None:
            found[record.item_id] = record.details["metadata"]
    return found


def _assert_all_match(vault: Vault) -> int:
    signed = _signed_snapshots(vault)
    conn = vault.session.conn
    for item_id, snapshot in signed.items():
        assert snapshot == metadata_snapshot(load_item(conn, item_id)), item_id
    assert vault.check().ok
    return len(signed)


def test_typed_items_sign_what_the_database_holds(vault: Vault, tmp_path: Path) -> None:
    meta = Metadata(
        title="  Threat ",
        description="from the group",
        platform="telegram",
        sender_handle="@someone_fict",
        sender_id="5550001111",
        occurred="2024-03-09T21:14",
        occurred_tz="Asia/Baku",
        case="  Case A ",
        tags=(" b", "a ", "b"),
        sensitive=True,
    )
    first = vault.add_message(
        "Stop writing.",
        meta,
        MessageFields(recipient="me", sent="2024-03-09T21:14:00+04:00", thread="Group"),
    )
    vault.add_message("Unknown time.", Metadata(case="Case A"), MessageFields(sent="unknown"))
    vault.add_note("What happened.", Metadata(occurred="unknown", parent_id=first.item_id[:8]))
    picture = tmp_path / "shot.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    vault.add_file(picture, Metadata(tags=("screenshot",), occurred="2024-03-09T17:00:00Z"))
    assert _assert_all_match(vault) == 4


def test_imported_messages_sign_what_the_database_holds(vault: Vault, tmp_path: Path) -> None:
    folder = tmp_path / "ChatExport"
    folder.mkdir()
    messages = [
        {
            "id": n,
            "type": "message",
            "date": "2023-11-14T16:00:00",
            "date_unixtime": str(1699963200 + 60 * n),
            "from": "Naməlum Şəxs",
            "from_id": "user5550001111",
            "text": f"Message {n}",
        }
        for n in range(1, 4)
    ]
    data = {"name": "Naməlum Şəxs", "type": "personal_chat", "id": 5550001111, "messages": messages}
    (folder / "result.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    vault.import_export("telegram", folder, ImportOptions(case="Threats", tags=("telegram", "a")))
    assert _assert_all_match(vault) == 3 + 2  # the messages, result.json and SHA256SUMS
