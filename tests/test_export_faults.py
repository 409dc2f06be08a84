"""Faults around exports and the vault's media (issue 12, items 10a, 10b, 10d, 10e).

Real vaults, real child processes killed with SIGKILL at the named point (no cleanup runs, as when
a stick is pulled out or the power goes), a real read-only filesystem where this account may mount
one, and journals SQLite itself wrote.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
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
from vault.store import db, keystore, unlock

INTERRUPTED = "ended in the middle of saving"


def _kill_when_ready(child: subprocess.Popen[bytes]) -> None:
    """Wait for the child to reach the named point, then SIGKILL it there."""
    assert child.stdout is not None and child.stderr is not None
    line = child.stdout.readline()
    if line.strip() != b"ready":
        child.kill()
        child.wait()
        pytest.fail(f"the child never reached the point: {child.stderr.read()!r}")
    child.send_signal(signal.SIGKILL)
    child.wait()


def _vault_with_evidence(tmp_path: Path) -> tuple[Path, Path]:
    """A closed vault holding a few MiB of evidence (enough for an export to be stopped in)."""
    folder = tmp_path / "v.evault"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    video = tmp_path / "video.mp4"
    video.write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    vault.add_file(video)
    note = tmp_path / "threat.txt"
    note.write_bytes(b"a fictional threat message")
    vault.add_file(note)
    vault.close()
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    return folder, out


def _cli(args: list[str], tmp_path: Path) -> tuple[int, str, str]:
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n", "utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["--passphrase-file", str(secret), *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------ 10b: killed export, retry


@pytest.mark.slow
def test_the_first_retry_after_a_killed_export_to_the_same_name_works(tmp_path: Path) -> None:
    folder, out = _vault_with_evidence(tmp_path)
    target = out / "bundle.zip"
    child = _child(
        f"""
        import time
        from pathlib import Path
        from vault import Vault
        vault = Vault.open(Path({str(folder)!r}), passphrase={PASSPHRASE!r})
        def progress(done, total):
            if done > 1024 * 1024:
                print("ready", flush=True)
                time.sleep(60)
        vault.export_bundle(Path({str(target)!r}), everything=True, progress=progress)
        """
    )
    _kill_when_ready(child)  # in the middle of writing the (plaintext) ZIP
    assert sorted(os.listdir(out)) == [".bundle.zip.evault-partial"]

    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        result = vault.export_bundle(target, everything=True)  # the first retry, same name
        assert result.path == target
        report = vault.check()
        assert report.ok, report.problems
    assert sorted(os.listdir(out)) == ["bundle.zip"]  # the killed run's partial is gone
    code, _, err = _cli(["verify", str(target)], tmp_path)
    assert code in (0, 4), err  # intact (4: the signer's key was not confirmed)


# ------------------------------------------------------------------ 10d: rename, then the record


@pytest.mark.slow
def test_a_kill_right_after_the_bundle_got_its_name_leaves_it_recorded(tmp_path: Path) -> None:
    """Killed between the rename and the custody record of the export: the bundle on disk is
    known to the custody log (as started, with its SHA-256), and check says so calmly."""
    folder, out = _vault_with_evidence(tmp_path)
    target = out / "bundle.zip"
    child = _child(
        f"""
        import os, time
        from pathlib import Path
        from vault import Vault
        real_replace = os.replace
        def replace(src, dst, *args, **kwargs):
            real_replace(src, dst, *args, **kwargs)
            if str(dst) == {str(target)!r}:  # the bundle just got its name
                print("ready", flush=True)
                time.sleep(60)
        os.replace = replace
        vault = Vault.open(Path({str(folder)!r}), passphrase={PASSPHRASE!r})
        vault.export_bundle(Path({str(target)!r}), everything=True)
        """
    )
    _kill_when_ready(child)
    assert target.exists()
    digest = hashlib.sha256(target.read_bytes()).hexdigest()

    with Vault.open(folder, passphrase=PASSPHRASE) as vault:
        exports = [e for e in vault.custody_log() if e.type.startswith("bundle.")]
        assert [e.type for e in exports] == ["bundle.export_started"]
        (started,) = exports
        assert started.details["file_name"] == "bundle.zip"
        assert started.details["bundle_sha256"] == digest
        assert started.details["bundle_size"] == target.stat().st_size
        report = vault.check()
    assert report.ok, report.problems  # not a problem with the vault
    (note,) = report.notes
    assert "stopped before it finished" in note and "'bundle.zip'" in note and digest in note

    code, text, err = _cli(["--vault", str(folder), "check"], tmp_path)
    assert code == 0, err
    assert "PROBLEMS FOUND" not in text and "Traceback" not in text + err
    assert digest in text + err


# ------------------------------------------------------------------ 10a: read-only media


@contextlib.contextmanager
def _read_only_medium(tmp_path: Path) -> Iterator[tuple[Path, bool]]:
    """A real filesystem made read-only after the vault is written to it: a tmpfs remounted
    ``ro`` when this account may mount (root, as in CI), else (not root) a folder and files
    without write permission, which SQLite meets the same way. Yields the folder and whether it
    is a mount: the test writes the vault there, then makes it read-only with
    :func:`_make_read_only`."""
    point = tmp_path / f"medium-{uuid.uuid4().hex[:8]}"
    point.mkdir()
    mounted = False
    if os.geteuid() == 0:
        mounted = (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(point)],
                capture_output=True,
                check=False,
            ).returncode
            == 0
        )
        if not mounted:
            pytest.skip("needs to mount a filesystem (root without mount permission)")
    try:
        yield point, mounted
    finally:
        if mounted:
            subprocess.run(["umount", str(point)], check=False)
        else:
            for path in [point, *point.rglob("*")]:
                with contextlib.suppress(OSError):
                    path.chmod(0o700)


def _make_read_only(point: Path, mounted: bool) -> None:
    if mounted:
        subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)
        probe = point / "probe"
        with pytest.raises(OSError):
            probe.write_bytes(b"x")  # the medium really refuses writes, even to root
        return
    for path in sorted(point.rglob("*"), reverse=True):
        path.chmod(0o500 if path.is_dir() else 0o400)
    point.chmod(0o500)


def test_check_on_read_only_media_finds_a_healthy_vault_healthy(tmp_path: Path) -> None:
    with _read_only_medium(tmp_path) as (point, mounted):
        folder = point / "v.evault"
        vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
        evidence = tmp_path / "threat.txt"
        evidence.write_bytes(b"a fictional threat message")
        vault.add_file(evidence)
        vault.close()
        _make_read_only(point, mounted)

        with Vault.open(folder, passphrase=PASSPHRASE) as opened:
            report = opened.check()
        assert report.ok, report.problems
        assert any("read-only media" in n for n in report.notes)

        code, text, err = _cli(["--vault", str(folder), "check"], tmp_path)
        assert code == 0, text + err
        assert "PROBLEMS FOUND" not in text
        assert "Everything holds" in text and "read-only" in text
        assert "Traceback" not in text + err


def test_check_on_writable_media_has_no_read_only_note(vault: Vault) -> None:
    report = vault.check()
    assert report.ok, report.problems
    assert not any("read-only" in n for n in report.notes)


# ------------------------------------------------------------------ 10e: the interrupted notice


def _kill_mid_add(folder: Path, big: Path, *, hot: bool) -> None:
    """Kill a child adding ``big`` once its rollback journal is in the state asked for: ``hot``
    (SQLite wrote the journal's header, so changed pages may have reached vault.db) or not yet
    (the header still zeros: nothing reached vault.db, there is nothing to play back)."""
    journal = folder / "vault.db-journal"
    child = _child(
        f"""
        import time
        from pathlib import Path
        from vault import Vault
        journal = Path({str(journal)!r})
        vault = Vault.open(Path({str(folder)!r}), passphrase={PASSPHRASE!r})
        def progress(done, total):
            try:
                header = journal.read_bytes()[:8]
            except OSError:
                return
            if len(header) == 8 and (header != bytes(8)) == {hot!r}:
                print("ready", flush=True)
                time.sleep(60)
        vault.add_file(Path({str(big)!r}), progress=progress)
        """
    )
    _kill_when_ready(child)  # like a pulled stick: no cleanup runs


@pytest.mark.slow
def test_a_save_killed_before_it_reached_the_database_does_not_repeat_the_notice(
    tmp_path: Path,
) -> None:
    """Killed early in a save: the journal SQLite leaves is not hot (its header is zeros), so
    SQLite undoes nothing and leaves the file until the next write. No notice, at any open."""
    folder, _ = _vault_with_evidence(tmp_path)
    big = tmp_path / "recording.m4a"
    big.write_bytes(os.urandom(8 * 1024 * 1024))
    _kill_mid_add(folder, big, hot=False)
    journal = folder / "vault.db-journal"
    assert journal.stat().st_size > 0 and journal.read_bytes()[:8] == bytes(8)
    for _ in range(2):
        code, text, err = _cli(["--vault", str(folder), "list"], tmp_path)
        assert code == 0, err
        assert INTERRUPTED not in err
        assert "video.mp4" in text and "recording.m4a" not in text
        assert journal.exists()  # still there: opening wrote nothing
    with Vault.open(folder, passphrase=PASSPHRASE) as opened:
        assert not opened.interrupted_write
        assert opened.check().ok


@pytest.mark.slow
def test_the_interrupted_notice_is_shown_once_after_a_real_rollback(tmp_path: Path) -> None:
    """The notice still comes when SQLite really plays a hot journal back."""
    folder, _ = _vault_with_evidence(tmp_path)
    big = tmp_path / "recording.m4a"
    big.write_bytes(os.urandom(48 * 1024 * 1024))  # more than the page cache: pages spill
    _kill_mid_add(folder, big, hot=True)
    code, _, err = _cli(["--vault", str(folder), "list"], tmp_path)
    assert code == 0, err
    assert err.count(INTERRUPTED) == 1
    assert not (folder / "vault.db-journal").exists()  # played back and removed
    code, _, err = _cli(["--vault", str(folder), "list"], tmp_path)
    assert code == 0, err
    assert INTERRUPTED not in err  # said once


def test_a_journal_another_tool_left_does_not_repeat_the_notice(tmp_path: Path) -> None:
    """A journal in PERSIST mode (what another SQLCipher tool can leave): SQLite zeroed its
    header when the change was committed; nothing to play back, and it stays until a write."""
    folder = tmp_path / "v.evault"
    vault, _ = Vault.create(folder, PASSPHRASE, kdf=fast_kdf)
    vault.close()
    db_key, _, _ = unlock.unlock(keystore.load(folder), PASSPHRASE, None, None)
    conn = db.connect(folder / "vault.db", db_key)
    try:
        assert conn.execute("PRAGMA journal_mode = PERSIST").fetchone() == ("persist",)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO meta (key, value) VALUES ('other tool', 'was here')")
        conn.execute("DELETE FROM meta WHERE key = 'other tool'")
        conn.execute("COMMIT")
    finally:
        conn.close()
    journal = folder / "vault.db-journal"
    assert journal.stat().st_size > 0 and journal.read_bytes()[:8] == bytes(8)
    for _ in range(2):
        with Vault.open(folder, passphrase=PASSPHRASE) as opened:
            assert not opened.interrupted_write
        code, _, err = _cli(["--vault", str(folder), "list"], tmp_path)
        assert code == 0, err
        assert INTERRUPTED not in err
        assert journal.exists()
