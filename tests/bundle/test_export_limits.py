"""A bundle that verify would refuse for its size is not written at all."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from tests.bundle.support import outcome
from vault import Vault
from vault.bundle import layout, sizes
from vault.bundle.verify import verify_zip
from vault.errors import InvalidInput
from vault.evidence.models import Metadata


def test_more_items_than_a_bundle_can_hold_is_refused_before_writing(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        vault.add_note(f"note {n}", Metadata(title=f"note {n}"))
    events = len(vault.custody_log())
    monkeypatch.setattr(layout, "MAX_ITEMS", 2)
    out = tmp_path / "too-big.zip"
    with pytest.raises(InvalidInput, match="at most 2 items"):
        vault.export_bundle(out, everything=True)
    assert not out.exists() and not list(tmp_path.glob("*partial*"))
    assert len(vault.custody_log()) == events  # nothing recorded either


def test_the_cap_leaves_room_for_three_members_per_item() -> None:
    assert 3 * layout.MAX_ITEMS + 10_000 <= layout.MAX_MEMBERS


def _vault_with_notes(vault: Vault, count: int, description: str = "") -> None:
    for n in range(count):
        vault.add_note(f"note {n}", Metadata(title=f"note {n}", description=description))


def test_export_refuses_before_writing_when_the_manifest_would_pass_what_verify_reads(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _vault_with_notes(vault, 4, description="x" * 3000)
    events = len(vault.custody_log())
    monkeypatch.setattr(layout, "MAX_DOCUMENT_BYTES", 10_000)  # four entries of 3 KB and more
    out = tmp_path / "too-long.zip"
    with pytest.raises(InvalidInput, match=r"too many for one bundle: its manifest\.json"):
        vault.export_bundle(out, everything=True)
    assert not out.exists() and not list(tmp_path.glob("*partial*"))
    assert len(vault.custody_log()) == events


@pytest.mark.parametrize("document", ["manifest.json", "custody.jsonl"])
def test_export_never_writes_a_document_longer_than_verify_reads(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, document: str
) -> None:
    # The document itself, as written, is found one byte too long (the early estimate lets the
    # items through), and the export stops with nothing left behind. (SHA256SUMS is checked the
    # same way; a bundle's manifest is always longer, so that check is only a backstop.)
    _vault_with_notes(vault, 6, description="z" * 500)
    probe = tmp_path / "probe.zip"
    vault.export_bundle(probe, everything=True)
    with zipfile.ZipFile(probe) as zf:
        sizes_now = {name: zf.getinfo(name).file_size for name in zf.namelist()}
    events = len(vault.custody_log())
    monkeypatch.setattr(layout, "MAX_DOCUMENT_BYTES", sizes_now[document] - 1)
    monkeypatch.setattr(sizes, "ENTRY_FIXED_BYTES", 0)
    out = tmp_path / "too-long.zip"
    with pytest.raises(InvalidInput, match=f"its {re.escape(document)} would be"):
        vault.export_bundle(out, everything=True)
    assert not out.exists() and not list(tmp_path.glob("*partial*"))
    assert len(vault.custody_log()) == events


def test_a_bundle_whose_manifest_passed_the_old_16_mib_cap_verifies(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 16 MiB of manifest took 20,000 imported messages (too slow here); the same relation, a
    # manifest above a lower cap and below the one verify uses, is what is checked.
    _vault_with_notes(vault, 6, description="y" * 2000)
    out = tmp_path / "long.zip"
    vault.export_bundle(out, everything=True)
    with zipfile.ZipFile(out) as zf:
        longest = max(zf.getinfo(n).file_size for n in ("manifest.json", "custody.jsonl"))
    assert longest > 12_000
    monkeypatch.setattr(layout, "MAX_DOCUMENT_BYTES", longest)  # exactly fits: verifies
    assert verify_zip(out).intact
    monkeypatch.setattr(layout, "MAX_DOCUMENT_BYTES", longest - 1)  # verify refuses, calmly
    refused = outcome(out)
    assert isinstance(refused, str) or not refused.intact
