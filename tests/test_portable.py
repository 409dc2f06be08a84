"""Portable mode: where things go, how the folder is found, and the calm checks at start.

The whole-session proof that nothing is written outside the folder (under strace) is in
tests/test_no_trace.py; these tests cover the parts one at a time, in fresh processes where the
environment matters.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSPHRASE
from vault.errors import InvalidInput, StorageError
from vault.host import portable

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _restore_process_state() -> Iterator[None]:
    """``activate`` redirects this process's environment; undo it for the tests that follow."""
    import tempfile

    saved = dict(os.environ)
    tempdir, bytecode = tempfile.tempdir, sys.dont_write_bytecode
    yield
    os.environ.clear()
    os.environ.update(saved)
    tempfile.tempdir, sys.dont_write_bytecode = tempdir, bytecode


def _run(
    args: list[str], env: dict[str, str], cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-B", "-m", "tui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
        timeout=120,
    )


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVAULT", "XDG_"))}
    env["HOME"] = str(home)
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_find_root_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    program = tmp_path / "stick" / "program"
    program.mkdir(parents=True)
    monkeypatch.setattr(portable, "program_folder", lambda: program)
    assert portable.find_root(None, {}) is None
    (tmp_path / "stick" / portable.MARKER).write_text("portable", "utf-8")
    assert portable.find_root(None, {}) == tmp_path / "stick"  # marker one folder above
    (program / portable.MARKER).write_text("portable", "utf-8")
    assert portable.find_root(None, {}) == program  # beside the program wins
    assert portable.find_root(None, {portable.PORTABLE_ENV: "/x"}) == Path("/x")
    assert portable.find_root("/y", {portable.PORTABLE_ENV: "/x"}) == Path("/y")


@pytest.mark.slow
def test_whole_cli_session_stays_inside_the_folder(tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "elsewhere"  # the host's current folder
    work.mkdir()
    evidence = tmp_path / "evidence.txt"
    evidence.write_text("Səni izləyirik", "utf-8")
    secret = stick / "pass.txt"
    secret.write_text(PASSPHRASE + "\n", "utf-8")
    env = _clean_env(home)
    base = ["--portable", str(stick), "--passphrase-file", str(secret)]

    created = _run([*base, "init", "--json"], env, work)
    assert created.returncode == 0, created.stderr
    assert (stick / "vaults" / "Evidence.evault" / "vault.db").is_file()
    added = _run([*base, "add", str(evidence), "--json"], env, work)
    assert added.returncode == 0, added.stderr
    exported = _run([*base, "export", "--out", "bundle.zip", "--all"], env, work)
    assert exported.returncode == 0, exported.stderr
    assert (stick / "exports" / "bundle.zip").is_file()  # a relative name lands on the stick
    # The name export was given finds the bundle it wrote on the stick; the digits are the vault's.
    fingerprint = json.loads(created.stdout)["fingerprint"]
    verified = _run([*base, "verify", "bundle.zip", "--key", fingerprint], env, work)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "\nVERIFIED: all" in verified.stdout
    # A vault named with a relative --vault is also kept on the stick.
    other = _run([*base, "--vault", "Workshop.evault", "init", "--json"], env, work)
    assert other.returncode == 0, other.stderr
    assert (stick / "vaults" / "Workshop.evault" / "vault.keys").is_file()

    assert list(home.iterdir()) == []  # the host's home was not touched
    assert list(work.iterdir()) == []  # nor the folder evault was started from
    assert not list(stick.rglob("__pycache__"))


def test_library_home_and_temp_point_into_the_stick(tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    code = (
        "import json, os, tempfile, pathlib, sys\n"
        "from vault.host import portable\n"
        f"p = portable.activate(pathlib.Path({str(stick)!r}))\n"
        "print(json.dumps({'home': str(pathlib.Path.home()), 'tmp': tempfile.gettempdir(),"
        " 'xdg': os.environ['XDG_CACHE_HOME'], 'vault': os.environ['EVAULT_VAULT'],"
        " 'bytecode': sys.dont_write_bytecode}))\n"
    )
    env = _clean_env(tmp_path / "home")
    proc = subprocess.run(
        [sys.executable, "-B", "-c", code], capture_output=True, text=True, env=env, check=True
    )
    seen = json.loads(proc.stdout)
    resolved = stick.resolve()
    for key in ("home", "tmp", "xdg", "vault"):
        assert Path(seen[key]).is_relative_to(resolved), (key, seen[key])
    assert seen["bytecode"] is True


@contextlib.contextmanager
def _tmpfs(tmp_path: Path, options: str) -> Iterator[Path | None]:
    """A real small or read-only filesystem when we may mount one (CI runs as root)."""
    point = tmp_path / f"mnt-{uuid.uuid4().hex[:8]}"
    point.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    try:
        yield point if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", str(point)], check=False)


def test_read_only_stick_is_one_calm_sentence(tmp_path: Path) -> None:
    with _tmpfs(tmp_path, "ro,size=4m") as point:
        if point is None:
            stick = tmp_path / "ro"
            stick.mkdir()
            stick.chmod(0o500)
            if os.access(stick, os.W_OK):
                pytest.skip("cannot make a read-only folder here (not root, and chmod is ignored)")
        else:
            stick = point
        with pytest.raises(StorageError, match="cannot be written to"):
            portable.activate(stick)


def test_nearly_full_stick_warns(tmp_path: Path) -> None:
    with _tmpfs(tmp_path, "size=20m") as point:
        if point is None:
            pytest.skip("needs root to mount a small filesystem")
        found = portable.activate(point)
        assert any("nearly full" in w for w in found.warnings)
    roomy = portable.activate(_roomy(tmp_path))
    assert roomy.warnings == [] or "nearly full" not in " ".join(roomy.warnings)


def _roomy(tmp_path: Path) -> Path:
    folder = tmp_path / "roomy"
    folder.mkdir()
    return folder


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        portable.activate(tmp_path / "no-such-stick")


def test_cli_says_when_the_stick_is_read_only(tmp_path: Path) -> None:
    with _tmpfs(tmp_path, "ro,size=4m") as point:
        if point is None:
            pytest.skip("needs root to mount a read-only filesystem")
        proc = _run(["--portable", str(point), "list"], _clean_env(tmp_path), tmp_path)
        assert proc.returncode == 2
        assert "cannot be written to" in proc.stderr and "Traceback" not in proc.stderr


def test_the_stick_tidies_its_exports_folder_when_portable_mode_starts(tmp_path: Path) -> None:
    """A bundle or copy cut short on the stick by a killed run (a hidden partial file, maybe
    plaintext) is removed the next time evault starts from the stick."""
    stick = _roomy(tmp_path)
    exports = stick / portable.EXPORTS
    exports.mkdir()
    stale = exports / ".evidence-bundle-20260101-101010.zip.evault-partial"
    stale.write_bytes(b"PK\x03\x04 cut short")
    kept = exports / "evidence-bundle-20260101-090000.zip"
    kept.write_bytes(b"PK\x03\x04 a finished bundle")
    portable.activate(stick)
    assert not stale.exists()
    assert kept.exists()
