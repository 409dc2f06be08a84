"""The export's threads (issue 18, item 2): the originals are read on a reader thread, the ZIP's
bytes hashed and written, or age-encrypted, on a second one (vault.bundle.handoff); report.html
and custody.jsonl are streamed into their members. Behaviour only, never timing: the bytes are
the same, a failure on any thread is the same calm error, and nothing is left behind."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlcipher3

from crypto import transport
from crypto.canonical import canonical_json
from tests.bundle.support import Sample, listing, make_sample, member, read_members
from tests.children import python_child
from tests.conftest import PASSPHRASE
from vault.bundle import documents, layout
from vault.bundle.handoff import Handoff
from vault.bundle.verify import verify_zip
from vault.errors import StorageError
from vault.evidence import intake, packed


@pytest.fixture
def big_sample(tmp_path: Path) -> Iterator[Sample]:
    s = make_sample(tmp_path, big=True)
    yield s
    s.vault.close()


def _export_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("evault-")]


def _wait_for_no_export_threads() -> list[str]:
    """The export joins its threads before it returns or raises; allow a moment for the
    interpreter to drop them from its list."""
    for _ in range(50):
        if not _export_threads():
            return []
        time.sleep(0.01)
    return _export_threads()


# ---------------------------------------------------------------- the hand-off between threads


def test_handoff_passes_every_byte_in_order_whatever_the_sizes() -> None:
    """Small writes are gathered, big ones passed as they are, mutable ones copied: what the
    consumer reads, in pieces of any size, is exactly what was written."""
    rng = random.Random(18)  # noqa: S311 - reproducible test data
    written: list[bytes] = []
    received: list[bytes] = []

    def consume(source: Handoff) -> None:
        while True:
            part = source.read(rng.choice([1, 7, 4096, 65536, 300_000, -1]))
            if not part:
                return
            received.append(part)

    handoff = Handoff(consume, "evault-test-consume")
    for _ in range(400):
        data = rng.randbytes(rng.choice([0, 1, 30, 5000, 200_000, 1_048_576]))
        written.append(data)
        kind = rng.choice(["bytes", "bytearray", "memoryview"])
        if kind == "bytearray":
            mutable = bytearray(data)
            handoff.write(mutable)  # type: ignore[arg-type]
            mutable[:] = b"x" * len(mutable)  # changed after the write: must not matter
        elif kind == "memoryview":
            handoff.write(memoryview(data))  # type: ignore[arg-type]
        else:
            handoff.write(data)
    handoff.finish()
    assert b"".join(received) == b"".join(written)


def test_a_failure_of_the_consumer_is_raised_on_the_writing_thread() -> None:
    failure = OSError(28, "No space left on device")

    def consume(source: Handoff) -> None:
        source.read(10)
        raise failure

    handoff = Handoff(consume, "evault-test-consume")
    with pytest.raises(OSError) as caught:
        for _ in range(1000):  # far more than the queue holds: the writer must not hang
            handoff.write(b"z" * 1_048_576)
        handoff.finish()
    assert caught.value is failure
    handoff.abort()
    assert not _wait_for_no_export_threads()


def test_abort_stops_a_consumer_that_waits_for_more() -> None:
    finished = threading.Event()

    def consume(source: Handoff) -> None:
        while source.read():
            pass
        finished.set()  # never: it was stopped, not ended

    handoff = Handoff(consume, "evault-test-consume")
    handoff.write(b"a" * 1_048_576)
    handoff.abort()
    assert not finished.is_set()
    assert not _wait_for_no_export_threads()


# ---------------------------------------------------------------- streamed documents


def test_report_is_made_in_pieces_that_join_to_the_whole(
    big_sample: Sample, tmp_path: Path
) -> None:
    """report.html goes into its member piece by piece (one per item, one per timeline row),
    never as one string; the pieces joined are the report, byte for byte."""
    out = tmp_path / "b.zip"
    big_sample.vault.export_bundle(out, everything=True)
    manifest = json.loads(member(out, layout.MANIFEST))
    bodies = [json.loads(line)["body"] for line in member(out, layout.CUSTODY).splitlines()]
    pieces = list(documents.report_html_parts(manifest, bodies))
    whole = documents.report_html(manifest, bodies)
    assert b"".join(pieces) == whole
    assert len(pieces) >= len(manifest["items"]) + len(bodies)
    assert max(len(p) for p in pieces) < len(whole) // 2


def test_custody_lines_are_canonical_json_of_what_was_signed_and_disclosed(
    big_sample: Sample, tmp_path: Path
) -> None:
    """Each line is now written from the stored body instead of being serialised again: it must
    still be the canonical JSON of body, disclosure, hash and signature (docs/format.md §6.2)."""
    out = tmp_path / "b.zip"
    big_sample.vault.export_bundle(out, everything=True)
    lines = member(out, layout.CUSTODY).splitlines()
    assert any(b'"disclosed"' in line for line in lines)  # the sample seals details
    for line in lines:
        parsed = json.loads(line)
        assert canonical_json(parsed) == line
        assert set(parsed) <= {"body", "disclosed", "hash", "signature"}
    assert verify_zip(out).intact


# ---------------------------------------------------------------- failures on the threads


@pytest.mark.slow
@pytest.mark.parametrize("encrypted", [False, True])
def test_a_read_failing_on_the_reader_thread_is_the_calm_error_and_leaves_nothing(
    big_sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encrypted: bool
) -> None:
    """SQLCipher failing to read a chunk (a removed USB stick) on the reader thread: the same
    calm sentence as anywhere else, no file, no custody event, no thread left running."""
    real = intake.read_chunk
    calls = [0]

    def failing(
        conn: sqlcipher3.Connection, part: intake.Part, blocks: packed.BlockReader | None = None
    ) -> bytes:
        calls[0] += 1
        if calls[0] == 3:
            raise sqlcipher3.OperationalError("disk I/O error")
        return real(conn, part, blocks)

    monkeypatch.setattr(intake, "read_chunk", failing)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    events = len(big_sample.vault.custody_log())
    extra: dict[str, list[str]] = {}
    if encrypted:
        extra["recipients"] = [transport.new_identity()[1]]
    with pytest.raises(StorageError) as caught:
        big_sample.vault.export_bundle(out_dir / "b.zip", everything=True, **extra)  # type: ignore[arg-type]
    assert "Traceback" not in str(caught.value) and "disk I/O" not in str(caught.value)
    assert listing(out_dir) == set()
    assert len(big_sample.vault.custody_log()) == events
    assert not _wait_for_no_export_threads()
    monkeypatch.setattr(intake, "read_chunk", real)
    big_sample.vault.export_bundle(out_dir / "again.zip", everything=True, **extra)  # type: ignore[arg-type]
    assert listing(out_dir) == {"again.zip"}


@pytest.mark.slow
@pytest.mark.parametrize("encrypted", [False, True])
def test_a_full_disk_on_the_writing_thread_is_a_calm_error_and_leaves_nothing(
    tmp_path: Path, encrypted: bool
) -> None:
    """A real write failure (a file-size limit makes the bundle's writes fail with EFBIG, as a
    full disk would with ENOSPC) on the thread that writes or encrypts: one calm sentence, the
    partial file removed, no custody event, and the export does not hang."""
    sample = make_sample(tmp_path, big=True)
    folder = sample.folder
    events = len(sample.vault.custody_log())
    sample.vault.close()
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    child = python_child(
        f"""
        import json, resource, signal, threading
        from pathlib import Path
        from crypto import transport
        from vault import Vault
        from vault.errors import EvaultError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        vault = Vault.open(Path({str(folder)!r}), passphrase={PASSPHRASE!r})
        recipients = [transport.new_identity()[1]] if {encrypted!r} else []
        hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, hard))
        try:
            vault.export_bundle(Path({str(out_dir)!r}) / "b.zip", everything=True,
                                recipients=recipients)
            outcome = "exported"
        except EvaultError as exc:
            outcome = type(exc).__name__ + ": " + str(exc)
        resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
        left = [t.name for t in threading.enumerate() if t.name.startswith("evault-")]
        print(json.dumps({{"outcome": outcome, "events": len(vault.custody_log()),
                           "threads": left}}))
        vault.close()
        """
    )
    stdout, stderr = child.communicate(timeout=300)
    assert child.returncode == 0, stderr.decode()
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    assert result["outcome"].startswith(("StorageError", "StorageFull")), result
    assert "Traceback" not in result["outcome"] and "Errno" not in result["outcome"]
    assert result["events"] == events
    assert result["threads"] == []
    assert listing(out_dir) == set()


@pytest.mark.slow
def test_every_member_of_a_threaded_export_is_the_original(
    big_sample: Sample, tmp_path: Path
) -> None:
    """Several items of more than one chunk each, read ahead on the reader thread: each member is
    its original, in order, and the bundle verifies."""
    out = tmp_path / "b.zip"
    big_sample.vault.export_bundle(out, everything=True)
    members = dict(read_members(out))
    manifest = json.loads(members[layout.MANIFEST])
    for entry in manifest["items"]:
        assert members[entry["path"]] == big_sample.original(entry["id"])
    assert verify_zip(out).intact
