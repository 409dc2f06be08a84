"""What the bundle writer keeps of every item until the end, kept small (vault.bundle.compact;
issue 18, "memory stays flat"): the manifest written in pieces must be the canonical JSON of the
whole, byte for byte; entries and bodies made again when read must read as what was kept; the
report made from them must be the report made from lists; and items read a batch at a time
must come out in order."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crypto.canonical import canonical_json
from tests.bundle.support import Sample, make_sample, manifest_of, member
from vault.bundle import compact, documents, layout, writer
from vault.bundle.documents.report_timeline import _timeline
from vault.bundle.verify import verify_zip
from vault.errors import EvaultError
from vault.evidence.models import Metadata

_WORDS = ["təhdid", "угроза", "threat", "🙂 smile", 'quote " and \\', "tab\tline\n", "", "x" * 300]


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(7 if depth < 3 else 4)
    if kind == 0:
        return rng.choice(_WORDS)
    if kind == 1:
        return rng.randrange(-(2**40), 2**40)
    if kind == 2:
        return rng.choice([None, True, False])
    if kind == 3:
        return rng.choice(_WORDS) + str(rng.randrange(100))
    if kind in (4, 5):
        return {
            rng.choice(_WORDS) + str(i): _value(rng, depth + 1) for i in range(rng.randrange(4))
        }
    return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def _entry(rng: random.Random, n: int) -> dict[str, Any]:
    return {
        "id": f"item-{n}",
        "kind": rng.choice(["file", "message", "note"]),
        "sha256": f"{rng.getrandbits(256):064x}",
        "size": rng.randrange(10**9),
        "text_path": None if rng.random() < 0.5 else f"evidence/{n:05d}.json",
        "metadata": {"title": rng.choice(_WORDS), "tags": [rng.choice(_WORDS)], "x": _value(rng)},
    }


@pytest.mark.parametrize("seed", range(40))
def test_manifest_in_pieces_is_the_canonical_json_of_the_whole(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    manifest: dict[str, Any] = {}
    # Keys on both sides of "items" in RFC 8785's order, or on one side only, or none.
    for key in ("bundle_id", "case", "created", "custody", "note", "signer", "version", "a", "z"):
        if rng.random() < 0.6:
            manifest[key] = _value(rng)
    entries = compact.Entries()
    listed = [_entry(rng, n) for n in range(rng.choice([0, 1, 2, 7]))]
    for entry in listed:
        entries.append(entry)
    manifest["items"] = entries
    pieces = list(compact.manifest_parts(manifest, entries))
    assert b"".join(pieces) == canonical_json({**manifest, "items": listed})
    assert len(pieces) >= len(listed)  # one piece per entry at least: never built whole


def test_entries_read_back_as_they_were_kept() -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    listed = [_entry(rng, n) for n in range(5)]
    entries = compact.Entries()
    for entry in listed:
        entries.append(entry)
    assert len(entries) == 5
    assert list(entries) == listed
    assert entries[0] == listed[0]
    assert entries[-1] == listed[-1]
    assert entries[1:3] == listed[1:3]
    with pytest.raises(IndexError):
        entries[5]
    with pytest.raises(IndexError):
        entries[-6]
    # Each read makes a new dict: changing one changes nothing kept.
    entries[0]["id"] = "changed"
    assert entries[0]["id"] == "item-0"


def test_lazy_makes_each_value_when_it_is_read_and_keeps_none() -> None:
    made: list[int] = []

    def make(index: int) -> dict[str, int]:
        made.append(index)
        return {"n": index}

    lazy = compact.Lazy(3, make)
    assert made == []
    assert [v["n"] for v in lazy] == [0, 1, 2]
    assert [v["n"] for v in lazy] == [0, 1, 2]
    assert made == [0, 1, 2, 0, 1, 2]
    assert lazy[-1] == {"n": 2}
    assert compact.as_sequence(lazy) is lazy
    assert compact.as_sequence("not a list") == ()


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[Sample]:
    s = make_sample(tmp_path)
    s.vault.update_metadata(s.message, {"sensitive": True}, reason="private")
    yield s
    s.vault.close()


def _timeline_table(html: str) -> str:
    found = re.search(r'<table class="timeline">.*?</table>', html, re.S)
    assert found is not None
    return found.group(0)


@pytest.mark.parametrize("include_sensitive_text", [False, True])
def test_report_from_compact_entries_and_lazy_bodies_is_the_report_from_lists(
    sample: Sample, tmp_path: Path, include_sensitive_text: bool
) -> None:
    out = tmp_path / "b.zip"
    sample.vault.export_bundle(out, everything=True)
    manifest = manifest_of(out)
    bodies = [json.loads(line)["body"] for line in member(out, layout.CUSTODY).splitlines()]
    # Out of time order, so the timeline must sort (the report finds the order in one pass).
    random.Random(3).shuffle(bodies)  # noqa: S311 - reproducible test data
    texts = {sample.message: "the message text", sample.note: "the note text"}
    entries = compact.Entries()
    for entry in manifest["items"]:
        entries.append(entry)
    lazy = compact.Lazy(len(bodies), lambda n: json.loads(json.dumps(bodies[n])))
    options: dict[str, Any] = {"texts": texts, "include_sensitive_text": include_sensitive_text}
    from_lists = documents.report_html(manifest, bodies, **options)
    compact_manifest = {**manifest, "items": entries}
    from_compact = b"".join(documents.report_html_parts(compact_manifest, lazy, **options))
    assert from_compact == from_lists
    html = from_lists.decode("utf-8")
    assert f"<td>{len(manifest['items'])}</td>" in html  # the item count is still counted
    # The order found in the report's one pass is the order of sorting the events directly.
    numbers = {item["id"]: n for n, item in enumerate(manifest["items"], 1)}
    titles = {item["id"]: "" for item in manifest["items"]}
    direct = _timeline(bodies, numbers, titles)
    rows = re.findall(r"<tr><td>(\d+)</td>", _timeline_table(html))
    assert rows == re.findall(r"<tr><td>(\d+)</td>", direct)
    assert len(rows) == len(bodies)


def test_items_read_a_batch_at_a_time_keep_their_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two items read at a time, a bundle of seven (batches of 2, 2, 2, 1) lists them in
    the order they were added, each with its own hash, and verifies; the same as all at once."""
    s = make_sample(tmp_path)
    try:
        added = [s.photo, s.pdf, s.message, s.note]
        for n in range(3):
            added.append(s.vault.add_note(f"note {n}", Metadata(case="Case A")).item_id)
        whole = tmp_path / "whole.zip"
        s.vault.export_bundle(whole, everything=True)
        monkeypatch.setattr(writer, "ITEMS_AT_ONCE", 2)
        batched = tmp_path / "batched.zip"
        s.vault.export_bundle(batched, everything=True)
        listed = manifest_of(batched)["items"]
        assert len(listed) == 7
        assert listed == manifest_of(whole)["items"]
        assert [entry["id"] for entry in listed] == added
        for entry in listed:
            assert entry["sha256"] == s.vault.get_item(entry["id"]).sha256
        assert verify_zip(batched).intact
    finally:
        s.vault.close()


@pytest.mark.parametrize("which", ["written", "not_yet_read"])
def test_an_item_deleted_during_the_export_stops_it_calmly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    """The app stays usable while a bundle is made. An item deleted meanwhile (its bytes
    already in the ZIP, or not yet read) must stop the export with a sentence that says so,
    not the alarm that an original no longer matches its SHA-256; nothing is left behind."""
    monkeypatch.setattr(writer, "ITEMS_AT_ONCE", 1)  # the last item is read after the deletion
    s = make_sample(tmp_path)
    try:
        target = s.photo if which == "written" else s.note
        out_dir = tmp_path / "out"
        out_dir.mkdir()
        deleted: list[str] = []

        def progress(done: int, total: int | None) -> None:
            if not deleted and done > 0:
                s.vault.delete_item(target, reason="deleted by mistake during the export")
                deleted.append(target)

        with pytest.raises(EvaultError, match="was deleted while the bundle was being made"):
            s.vault.export_bundle(out_dir / "b.zip", everything=True, progress=progress)
        assert deleted == [target]
        assert list(out_dir.iterdir()) == []  # no bundle, no partial file
        assert s.vault.check().ok
        assert s.vault.export_bundle(out_dir / "again.zip", everything=True).items == 3
    finally:
        s.vault.close()
