"""Adding many files at once (vault/evidence/filebatch.py): the next files are prepared and their
events signed ahead on a second thread, rows are written in batches. What a defender relies on
must not change: every file wholly in or not at all, duplicates found, one verifiable
``item.created`` event per file, results heard only once committed, cancel and errors safe."""

from __future__ import annotations

import os
import random
import threading
import tracemalloc
from pathlib import Path

import pytest
import sqlcipher3

from crypto.constants import CHUNK_SIZE
from crypto.custody import check_chain, make_event
from tests.vault.support import raw_db, write
from vault import Vault
from vault.custody import log as custody
from vault.custody.appender import Appender, seal_ahead
from vault.errors import Cancelled, InvalidInput
from vault.evidence import filebatch
from vault.evidence.models import AddResult, Metadata
from vault.store import db


def _data(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)  # noqa: S311 - reproducible test data


def _read(vault: Vault, item_id: str) -> bytes:
    return b"".join(vault.read_content(item_id))


def _threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.name.startswith("evault-intake")}


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").is_dir() else 0


def test_a_mixed_batch_keeps_every_promise(vault: Vault, tmp_path: Path) -> None:
    """New files, a duplicate inside the call, a duplicate of a file already in the vault, a file
    with a message's bytes, a file larger than one chunk in the middle and a new case: every
    forecast the preparing thread made that no longer fits is signed again, and the log holds."""
    before = vault.add_file(write(tmp_path, "earlier.png", _data(3000, 1)))
    vault.add_message("the same words as a file")
    files = [
        write(tmp_path, "a.png", _data(5000, 2)),
        write(tmp_path, "b.png", _data(6000, 3)),
        write(tmp_path, "a-again.png", _data(5000, 2)),
        write(tmp_path, "earlier-again.png", _data(3000, 1)),
        write(tmp_path, "big.mp4", _data(2 * CHUNK_SIZE + 5, 4)),
        write(tmp_path, "words.txt", b"the same words as a file"),
        write(tmp_path, "empty.bin", b""),
        *(write(tmp_path, f"shot{n}.png", _data(1000 + n, 10 + n)) for n in range(40)),
    ]

    results = vault.add_files(files, Metadata(case="Hacked account", tags=("threat",)))

    assert [r.source for r in results] == [str(f) for f in files]
    duplicates = [r.duplicate for r in results]
    assert duplicates[:7] == [False, False, True, True, False, False, False]
    assert not any(duplicates[7:])
    assert results[2].item_id == results[0].item_id
    assert results[3].item_id == before.item_id
    for result, path in zip(results, files, strict=True):
        assert _read(vault, result.item_id) == path.read_bytes()
    new = [r for r in results if not r.duplicate]
    assert len({r.item_id for r in new}) == len(new) == len(files) - 2
    assert all(vault.get_item(r.item_id).case == "Hacked account" for r in new)
    log = vault.custody_log()
    assert [e.type for e in log].count("case.created") == 1
    created = [e for e in log if e.type == "item.created"]
    assert sorted(e.item_id or "" for e in created[2:]) == sorted(r.item_id for r in new)
    assert all("clock_reported" not in e.details for e in log)  # stamps in order, big file too
    assert [e.time for e in log] == sorted(e.time for e in log)
    assert vault.check().ok
    assert _threads() == set()


def test_events_are_exactly_what_make_event_makes(vault: Vault, tmp_path: Path) -> None:
    """Each stored event is re-made from its own fields with make_event and compared byte for
    byte: signed ahead or not, they are the events the one-item path writes."""
    vault.add_files([write(tmp_path, f"s{n}.png", _data(700, n)) for n in range(20)])
    session = vault.session
    for event in custody.all_events(session.conn)[1:]:
        body = event.parsed()
        again = make_event(
            session.signer,
            seq=body["seq"],
            event_id=body["id"],
            event_type=body["type"],
            time=body["time"],
            vault_id=body["vault_id"],
            item=body["item"],
            reason=body["reason"],
            details=body["details"],
            prev=body["prev"],
        )
        assert again == event


def test_a_forecast_at_the_wrong_place_is_signed_again(vault: Vault) -> None:
    """The writer takes a forecast only at its own head; anything else is re-signed there."""
    session = vault.session
    conn = session.conn
    conn.execute("BEGIN IMMEDIATE")
    appender = Appender(conn, session.signer, session.vault_id)
    forecaster = appender.forecaster()
    stop = threading.Event()
    item = {"id": "0" * 8 + "-0000-4000-8000-" + "0" * 12, "sha256": "ab" * 32, "kind": "file"}
    sealed = seal_ahead({"source": "file"})
    time = "2030-01-01T00:00:00.000000Z"
    first = appender.template(custody.ITEM_CREATED, time, item, sealed)
    second = appender.template(custody.ITEM_CREATED, time, item, sealed)
    assert first is not None and second is not None
    ahead_first = forecaster.sign(first, stop)
    ahead_second = forecaster.sign(second, stop)  # expects the first to be taken
    assert ahead_first is not None and ahead_second is not None

    # The first is skipped (a duplicate, say): the second no longer fits and is signed again.
    assert appender.sign(custody.ITEM_CREATED, time, item, sealed, second, ahead_second) is False
    forecaster.stale()
    forecaster.settle(*appender.head)
    third = appender.template(custody.ITEM_CREATED, time, item, sealed)
    assert third is not None
    ahead_third = forecaster.sign(third, stop)
    assert ahead_third is not None
    assert appender.sign(custody.ITEM_CREATED, time, item, sealed, third, ahead_third) is True
    appender.flush()
    conn.execute("COMMIT")

    events = custody.all_events(conn)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[2].signature == ahead_third.event.signature
    assert events[1].signature != ahead_second.event.signature
    assert check_chain(events, vault.public_key, vault_id=vault.vault_id) == []


def test_results_are_heard_only_once_committed(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a commit after every file, each result reaches ``on_result`` when another
    connection can already read the item: nothing is reported that a crash could still lose."""
    monkeypatch.setattr(filebatch, "GROUP_COMMIT_SECONDS", 0.0)
    seen: list[tuple[str, int]] = []

    def heard(result: AddResult) -> None:
        with raw_db(vault.folder) as conn:
            row = conn.execute("SELECT count(*) FROM items WHERE id = ?", (result.item_id,))
            seen.append((result.item_id, int(row.fetchone()[0])))

    files = [write(tmp_path, f"s{n}.png", _data(900, n)) for n in range(6)]
    results = vault.add_files(files, on_result=heard)

    assert seen == [(r.item_id, 1) for r in results]


def test_a_cancel_mid_call_keeps_what_was_committed(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filebatch, "GROUP_COMMIT_SECONDS", 0.0)
    cancel = threading.Event()
    heard: list[AddResult] = []

    def on_result(result: AddResult) -> None:
        heard.append(result)
        if len(heard) == 3:
            cancel.set()

    files = [write(tmp_path, f"s{n}.png", _data(800, n)) for n in range(30)]
    fds = _open_fds()
    with pytest.raises(Cancelled):
        vault.add_files(files, cancel=cancel, on_result=on_result)

    kept = vault.list_items()
    assert sorted(i.id for i in kept) == sorted(r.item_id for r in heard)
    assert len(kept) == 3
    assert vault.check().ok
    assert _threads() == set()
    assert _open_fds() == fds  # the early-writeback descriptor is closed again
    again = vault.add_files(files)  # the vault is usable, the three are found again
    assert [r.duplicate for r in again] == [True] * 3 + [False] * 27


def test_a_missing_file_stops_the_call_in_its_turn(vault: Vault, tmp_path: Path) -> None:
    files = [write(tmp_path, f"s{n}.png", _data(800, n)) for n in range(5)]
    files.insert(3, tmp_path / "not-there.png")
    with pytest.raises(InvalidInput):
        vault.add_files(files)
    # One group (the call took well under a quarter second): none of it is kept.
    assert vault.list_items() == []
    assert [e.type for e in vault.custody_log()] == ["vault.created"]
    assert vault.check().ok
    assert _threads() == set()


@pytest.mark.skipif(not Path("/proc/self/cmdline").is_file(), reason="needs Linux /proc")
def test_a_file_larger_than_its_size_says_is_streamed(vault: Vault) -> None:
    """/proc files say size 0 and hold bytes: read at its stated size plus one, it is seen to
    have grown and goes through the streaming path, whole."""
    path = Path("/proc/self/cmdline")
    expected = path.read_bytes()
    assert path.stat().st_size == 0 and expected
    (result,) = vault.add_files([path])
    assert not result.duplicate and result.size == len(expected)
    assert _read(vault, result.item_id) == expected
    assert vault.check().ok


def test_insert_rows_writes_every_row_in_few_statements() -> None:
    conn = sqlcipher3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t (a INTEGER, b TEXT, c BLOB)")
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    rows = [(n, str(n), bytes([n % 256])) for n in range(1234)]
    db.insert_rows(conn, "INSERT INTO t (a, b, c)", rows)
    db.insert_rows(conn, "INSERT INTO t (a, b, c)", [])
    assert conn.execute("SELECT a, b, c FROM t ORDER BY a").fetchall() == rows
    assert len([s for s in statements if s.startswith("INSERT")]) == 3  # 500 + 500 + 234 rows


def test_a_small_file_is_read_at_its_own_size(vault: Vault, tmp_path: Path) -> None:
    """Reading a screenshot asked for a whole chunk (1 MiB), which Python allocated (and the
    kernel zeroed) for every file: a third of a millisecond each. Now the read asks for the
    file's size plus one byte, so adding small files never holds a chunk-sized buffer."""
    files = [write(tmp_path, f"s{n}.png", _data(4096, n)) for n in range(8)]
    vault.add_files(files[:1])  # anything imported or cached on first use, before measuring
    tracemalloc.start()
    try:
        vault.add_files(files[1:])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Half a chunk: the old read peaked at 1.08 MB; zlib's deflate state while a chunk is tried
    # for compression (chunkcodec, migration 10) takes about 0.3 MB for a moment.
    assert peak < CHUNK_SIZE // 2
