"""Originals that compress are kept compressed, and come back byte for byte (migration 10).

Checked from outside the code under test: chunks' encodings and sizes through a raw SQLCipher
connection, the bytes given back against ``hashlib`` of the file on disk, the file's size on disk,
and the freed pages of a deleted compressed original decrypted page by page.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import zlib
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, MakeVault, fast_kdf
from tests.vault.pages import decrypted_pages
from tests.vault.support import db_key, raw_db
from vault import AddResult, MessageFields, Metadata, Vault
from vault.errors import VaultDamaged
from vault.evidence import chunkcodec
from vault.store import schema


def _chat_json(size: int, seed: int = 7) -> bytes:
    """A chat export's JSON, not one repeated line: varied words, ids, times (as real ones)."""
    rng = random.Random(seed)  # noqa: S311 - test data, not a secret
    words = ["salam", "xəbərdarlıq", "угроза", "photo", "tomorrow", "delete", "ailən", "адрес"]
    messages = []
    total = 0
    mid = 0
    while total < size:
        mid += 1
        text = " ".join(rng.choice(words) for _ in range(rng.randint(3, 20)))
        message = {
            "id": mid,
            "date_unixtime": str(1_600_000_000 + mid * 37),
            "from": "Küləkli",
            "from_id": f"user{rng.randint(1, 99)}",
            "text": text,
        }
        messages.append(message)
        total += len(text) + 90
    return json.dumps({"name": "chat", "messages": messages}, ensure_ascii=False).encode()


def _chunk_rows(folder: Path, sha256: str) -> list[tuple[int, int, bytes]]:
    with raw_db(folder) as conn:
        rows = conn.execute(
            "SELECT ch.seq, ch.encoding, ch.data FROM chunks ch JOIN contents co"
            " ON co.id = ch.content_id WHERE co.sha256 = ? ORDER BY ch.seq",
            (sha256,),
        ).fetchall()
    return [(int(s), int(e), bytes(d)) for s, e, d in rows]


def _read_back(vault: Vault, item_id: str) -> bytes:
    return b"".join(vault.read_content(item_id))


def test_a_chat_export_is_stored_compressed_and_read_back_exactly(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    data = _chat_json(3 * 1024 * 1024 + 12345)
    source = tmp_path / "result.json"
    source.write_bytes(data)
    vault, _ = make_vault()
    folder = vault.folder
    before = (folder / "vault.db").stat().st_size
    item = vault.add_file(source, Metadata(title="export"))
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    assert _read_back(vault, item.item_id) == data
    out = tmp_path / "out.json"
    vault.export_content(item.item_id, out)
    assert out.read_bytes() == data
    assert vault.check().ok
    vault.close()

    rows = _chunk_rows(folder, item.sha256)
    assert len(rows) == 4
    assert {encoding for _, encoding, _ in rows} == {chunkcodec.ZLIB}
    assert sum(len(d) for _, _, d in rows) < len(data) // 2
    assert b"".join(zlib.decompress(d) for _, _, d in rows) == data
    grown = (folder / "vault.db").stat().st_size - before
    assert grown < len(data) // 2


@pytest.mark.parametrize(
    "head", [b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"PK\x03\x04", b"\x00\x00\x00\x18ftyp"]
)
def test_random_bytes_and_compressed_formats_are_stored_as_they_are(
    make_vault: MakeVault, tmp_path: Path, head: bytes
) -> None:
    # Random bytes do not shrink; a picture's or archive's first bytes skip the attempt even
    # when (as here, for the test) the rest would shrink.
    body = os.urandom(300_000) if not head else _chat_json(300_000)
    source = tmp_path / "f.bin"
    source.write_bytes(head + body)
    vault, _ = make_vault()
    folder = vault.folder
    item = vault.add_file(source, Metadata(title="f"))
    assert _read_back(vault, item.item_id) == head + body
    vault.close()
    rows = _chunk_rows(folder, item.sha256)
    assert [(e, d) for _, e, d in rows] == [(chunkcodec.RAW, head + body)]


def _stored_export(
    make_vault: MakeVault, tmp_path: Path, seed: int
) -> tuple[Path, AddResult, bytes]:
    """A closed vault holding one 200 KB chat JSON (one compressed chunk): folder, item, bytes."""
    data = _chat_json(200_000, seed=seed)
    source = tmp_path / "result.json"
    source.write_bytes(data)
    vault, _ = make_vault()
    item = vault.add_file(source, Metadata(title="export"))
    vault.close()
    return vault.folder, item, data


def test_a_deleted_compressed_original_leaves_no_page(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    folder, item, _data = _stored_export(make_vault, tmp_path, seed=11)
    [(_, encoding, stored)] = _chunk_rows(folder, item.sha256)
    assert encoding == chunkcodec.ZLIB
    marks = [stored[i : i + 48] for i in range(100, len(stored) - 48, len(stored) // 5)]
    key = db_key(folder)

    def pages_holding() -> int:
        return sum(
            any(m in page for page in decrypted_pages(folder / "vault.db", key)) for m in marks
        )

    assert pages_holding() == len(marks)  # the control: the compressed bytes are findable
    with Vault.open(folder, passphrase=PASSPHRASE) as again:
        again.delete_item(item.item_id, reason="not needed")
    assert pages_holding() == 0


def test_a_damaged_compressed_chunk_is_reported_not_passed_on(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    folder, item, data = _stored_export(make_vault, tmp_path, seed=3)
    with raw_db(folder) as conn:
        # What the key's holder could write: a well-formed stream of other, longer bytes.
        conn.execute(
            "UPDATE chunks SET data = ? WHERE encoding = 1", (zlib.compress(data + b"more", 1),)
        )
    with Vault.open(folder, passphrase=PASSPHRASE) as again:
        report = again.check()
        assert not report.ok
        assert any(item.item_id in str(p) for p in report.problems)
    with raw_db(folder) as conn:  # a stream that would unpack past the chunk size
        conn.execute(
            "UPDATE chunks SET data = ? WHERE encoding = 1", (zlib.compress(bytes(2 << 20), 1),)
        )
    with Vault.open(folder, passphrase=PASSPHRASE) as again:
        with pytest.raises(VaultDamaged):
            _read_back(again, item.item_id)
        assert not again.check().ok


def test_decode_refuses_bombs_cut_streams_and_unknown_encodings() -> None:
    limit = 1 << 20
    bomb = zlib.compress(bytes(limit * 4), 9)  # 4 MiB of zeros in about 4 KiB
    with pytest.raises(VaultDamaged):
        chunkcodec.decode(bomb, chunkcodec.ZLIB, limit)
    whole = zlib.compress(b"x" * 50_000)
    with pytest.raises(VaultDamaged):
        chunkcodec.decode(whole[:-6], chunkcodec.ZLIB, limit)
    with pytest.raises(VaultDamaged):
        chunkcodec.decode(whole + b"trailing", chunkcodec.ZLIB, limit)
    with pytest.raises(VaultDamaged):
        chunkcodec.decode(whole, 7, limit)
    with pytest.raises(VaultDamaged):
        chunkcodec.decode(whole, chunkcodec.ZLIB, 0)
    assert chunkcodec.decode(whole, chunkcodec.ZLIB, limit) == b"x" * 50_000
    assert chunkcodec.decode(b"as is", chunkcodec.RAW, limit) == b"as is"


def test_small_originals_stay_as_they_are() -> None:
    text = b"They wrote to me again tonight. " * 100  # 3,200 bytes: under a page
    assert chunkcodec.encode(text) == (text, chunkcodec.RAW)
    stored, encoding = chunkcodec.encode(text * 2)
    assert encoding == chunkcodec.ZLIB
    assert zlib.decompress(stored) == text * 2


def test_migration_10_keeps_tags_message_fields_and_raw_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "v9"
    monkeypatch.setattr(schema, "MIGRATIONS", [m for m in schema.MIGRATIONS if m[0] <= 9])
    monkeypatch.setattr(schema, "LATEST", 9)
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    text = (
        "Bu sonuncu xəbərdarlıqdır. " * 100
    )  # under MIN_SIZE: this code writes it as version 9 did
    message = vault.add_message(
        text,
        Metadata(title="threat", tags=("threat", "telegram"), platform="telegram"),
        MessageFields(recipient="me", sent="2024-03-01T10:00:00+04:00", thread="the chat"),
    )
    vault.close()
    with raw_db(folder) as conn:
        assert "encoding" not in {r[1] for r in conn.execute("PRAGMA table_info(chunks)")}
    monkeypatch.undo()

    with Vault.open(folder, passphrase=PASSPHRASE) as upgraded:
        item = upgraded.get_item(message.item_id)
        assert item.tags == ("telegram", "threat")
        assert item.message is not None
        assert (item.message["recipient"], item.message["thread"]) == ("me", "the chat")
        assert item.message["sent_at"] == "2024-03-01T10:00:00+04:00"
        assert _read_back(upgraded, message.item_id) == text.encode()
        assert upgraded.check().ok
    with raw_db(folder) as conn:
        tables = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
        encodings = [r[0] for r in conn.execute("SELECT encoding FROM chunks")]
    assert "WITHOUT ROWID" in tables["item_tags"]
    assert "WITHOUT ROWID" in tables["messages"]
    assert encodings == [chunkcodec.RAW]


def test_add_files_stores_compressible_files_compressed_and_pictures_as_they_are(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    # add_files writes its batches itself (vault/evidence/filebatch.py): the same decision.
    texts = [_chat_json(60_000 + 1000 * k, seed=k) for k in range(4)]
    picture = b"\x89PNG\r\n\x1a\n" + _chat_json(50_000, seed=99)
    paths = []
    for k, data in enumerate([*texts, picture]):
        path = tmp_path / f"f{k}.bin"
        path.write_bytes(data)
        paths.append(path)
    vault, _ = make_vault()
    folder = vault.folder
    results = vault.add_files(paths, Metadata())
    assert [_read_back(vault, r.item_id) for r in results] == [*texts, picture]
    assert vault.check().ok
    vault.close()
    for result, data in zip(results[:4], texts, strict=True):
        [(_, encoding, stored)] = _chunk_rows(folder, result.sha256)
        assert encoding == chunkcodec.ZLIB and zlib.decompress(stored) == data
    assert _chunk_rows(folder, results[4].sha256) == [(0, chunkcodec.RAW, picture)]
