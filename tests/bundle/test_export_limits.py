"""A bundle that verify would refuse for its size is not written at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from vault import Vault
from vault.bundle import layout
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
