"""A process killed mid-write and a full disk: the vault survives, nothing half-added remains."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.children import python_child as _child
from tests.conftest import PASSPHRASE, fast_kdf
from tui.cli import main
from vault import Vault
from vault.errors import StorageError, StorageFull


@pytest.mark.slow
def test_killed_in_the_middle_of_an_add_leaves_no_half_item(tmp_path: Path) -> None:
    folder = tmp_path / "v.evault"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    small = tmp_path / "before.txt"
    small.write_bytes(b"evidence added before the crash")
    kept = vault.add_file(small)
    vault.close()

    big = tmp_path / "video.mp4"
    with big.open("wb") as f:
        for _ in range(48):
            f.write(os.urandom(1024 * 1024))
    child = _child(
        f"""
        import sys, time
        from pathlib import Path
        from vault import Vault
        vault = Vault.open(Path({str(folder)!r}), passphrase={PASSPHRASE!r})
        def progress(done, total):
            if done >= 16 * 1024 * 1024:
                print("ready", flush=True)
                time.sleep(60)
        vault.add_file(Path({str(big)!r}), progress=progress)
        """
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line.strip() == b"ready", child.stderr.read() if child.stderr else b""
    # The transaction is half written: a journal exists beside vault.db.
    assert (folder / "vault.db-journal").exists()
    child.send_signal(signal.SIGKILL)  # like a pulled USB stick: no cleanup runs
    child.wait()
    # A copy of the vault exactly as the crash left it, for the command line's turn below.
    copy = tmp_path / "copy.evault"
    shutil.copytree(folder, copy)

    with Vault.open(folder, passphrase=PASSPHRASE) as reopened:
        assert reopened.interrupted_write  # the front ends tell the defender what happened
        items = reopened.list_items(include_deleted=True)
        assert [i.id for i in items] == [kept.item_id]
        report = reopened.check()
        assert report.ok, report.problems
        assert [e.type for e in reopened.custody_log()] == ["vault.created", "item.created"]
        # And the big file can now be added whole.
        assert not reopened.add_file(big).duplicate
    assert not (folder / "vault.db-journal").exists()
    with Vault.open(folder, passphrase=PASSPHRASE) as again:
        assert not again.interrupted_write  # said once, for the session that was cut off

    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n", "utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["--vault", str(copy), "--passphrase-file", str(secret), "list", "--json"],
        stdout=out,
        stderr=err,
    )
    assert code == 0
    assert "ended in the middle of saving" in err.getvalue()
    assert [i["id"] for i in json.loads(out.getvalue())] == [kept.item_id]


@contextlib.contextmanager
def _small_disk(tmp_path: Path, size_mib: int) -> Iterator[Path | None]:
    """A real tiny filesystem (tmpfs) when we may mount one; else None (use a file-size limit)."""
    mount_point = tmp_path / f"disk-{uuid.uuid4().hex[:8]}"
    mount_point.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_mib}m", "tmpfs", str(mount_point)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    try:
        yield mount_point if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", str(mount_point)], check=False)


def test_full_disk_is_a_calm_error_and_loses_nothing(tmp_path: Path) -> None:
    big = tmp_path / "recording.m4a"
    big.write_bytes(os.urandom(12 * 1024 * 1024))
    small = tmp_path / "note.txt"
    small.write_bytes(b"kept safe")
    with _small_disk(tmp_path, 6) as disk:
        if disk is not None:
            folder = disk / "v.evault"
            vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
            kept = vault.add_file(small)
            before = (folder / "vault.db").read_bytes()
            with pytest.raises(StorageFull) as info:
                vault.add_file(big)
            assert "disk is full" in str(info.value)
            assert "Traceback" not in str(info.value)
            assert [i.id for i in vault.list_items()] == [kept.item_id]
            assert vault.check().ok
            vault.close()
            assert (folder / "vault.db").stat().st_size <= max(len(before), 6 * 1024 * 1024)
            with Vault.open(folder, passphrase=PASSPHRASE) as again:
                assert again.check().ok
                assert [i.id for i in again.list_items()] == [kept.item_id]
            return
        # Not allowed to mount: a file-size limit makes the same writes fail (EFBIG).
        folder = tmp_path / "v.evault"
        vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
        kept = vault.add_file(small)
        vault.close()
        size = (folder / "vault.db").stat().st_size
        child = _child(
            f"""
            import resource, signal
            from pathlib import Path
            from vault import Vault
            from vault.errors import StorageError
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, ({size} + 2**20, {size} + 2**20))
            vault = Vault.open(Path({str(folder)!r}), passphrase={PASSPHRASE!r})
            try:
                vault.add_file(Path({str(big)!r}))
            except StorageError as exc:
                print("calm:", exc)
            """
        )
        out, err = child.communicate(timeout=60)
        assert out.startswith(b"calm:"), err
        assert issubclass(StorageFull, StorageError)
        with Vault.open(folder, passphrase=PASSPHRASE) as again:
            assert again.check().ok
            assert [i.id for i in again.list_items()] == [kept.item_id]
