"""A vault made before proof of time (schema 6) gains the two tables when opened, and a stamp then
kept leaves ``evault check`` clean and the list in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE, fast_kdf
from tests.timestamps.tsa import LocalTSA
from vault import Vault
from vault.store import schema


@pytest.mark.slow
def test_a_schema_6_vault_is_upgraded_and_stamped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "old"
    monkeypatch.setattr(schema, "MIGRATIONS", [m for m in schema.MIGRATIONS if m[0] <= 6])
    monkeypatch.setattr(schema, "LATEST", 6)
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    vault.add_note("written before proof of time existed")
    vault.close()
    monkeypatch.undo()

    tsa = LocalTSA(tmp_path / "tsa")
    with Vault.open(folder, passphrase=PASSPHRASE) as upgraded:
        assert upgraded.timestamps() == {"tokens": [], "pending": []}
        upgraded.timestamp_request(tmp_path / "a.tsq")
        upgraded.timestamp_request(tmp_path / "b.tsq")  # several may wait at once
        assert len(upgraded.timestamps()["pending"]) == 2
        kept = upgraded.timestamp_add(tsa.answer(tmp_path / "b.tsq"), ca=tsa.ca_pem)
        found = upgraded.timestamps()
        assert found["tokens"] == [kept] and len(found["pending"]) == 1
        item = upgraded.list_items()[0]
        assert upgraded.proof_of_time(item.id) == kept
        report = upgraded.check()
        assert report.ok, report.problems
