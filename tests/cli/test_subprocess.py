"""`evault` as a real process: production KDF, no terminal, clean stderr, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crypto import constants as c
from tests.conftest import PASSPHRASE

# Slow: real processes, terminals or the whole app; left out of the fast loop (-m 'not slow').
pytestmark = pytest.mark.slow


def evault(
    *args: str, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``python -m tui`` with no controlling terminal (new session) and no bytecode writes."""
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    full_env.pop("EVAULT_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        input=stdin,
        capture_output=True,
        env=full_env,
        timeout=120,
        start_new_session=True,  # detaches from any terminal: /dev/tty cannot be opened
        check=False,
    )


@pytest.fixture(scope="module")
def real_vault(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One vault created by the real program with real (calibrated) Argon2id parameters."""
    base = tmp_path_factory.mktemp("real")
    pw = base / "pw.txt"
    pw.write_text(PASSPHRASE + "\n", encoding="utf-8")
    folder = base / "Evidence.evault"
    proc = evault("--vault", str(folder), "--passphrase-file", str(pw), "init", "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    return folder, pw


def test_init_uses_calibrated_production_parameters(real_vault: tuple[Path, Path]) -> None:
    folder, _ = real_vault
    keys = json.loads((folder / "vault.keys").read_text(encoding="utf-8"))
    (slot,) = [s for s in keys["slots"] if s["kind"] == "passphrase"]
    kdf = slot["kdf"]
    assert kdf["name"] == "argon2id"
    assert kdf["memory_kib"] >= c.PROD_MIN_MEMORY_KIB  # this machine has plenty of memory
    assert kdf["parallelism"] == c.PROD_PARALLELISM
    assert 1 <= kdf["iterations"] <= c.MAX_ITERATIONS


def test_full_session_through_the_real_program(
    real_vault: tuple[Path, Path], tmp_path: Path
) -> None:
    folder, pw = real_vault
    base = ["--vault", str(folder), "--passphrase-file", str(pw)]
    f = tmp_path / "voice-note.ogg"
    f.write_bytes(b"OggS" + os.urandom(5000))
    proc = evault(*base, "add", str(f), "--json")
    assert proc.returncode == 0, proc.stderr.decode()
    item_id = json.loads(proc.stdout)[0]["item_id"]
    proc = evault(*base, "show", item_id, "--json")
    assert json.loads(proc.stdout)["media_type"] == "audio/ogg"
    proc = evault(*base, "check")
    assert proc.returncode == 0
    assert proc.stderr == b""


def test_wrong_passphrase_is_one_calm_line(real_vault: tuple[Path, Path], tmp_path: Path) -> None:
    folder, _ = real_vault
    proc = evault(
        "--vault", str(folder), "--passphrase-file", "-", "list", stdin=b"wrong passphrase\n"
    )
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.count("\n") == 1
    assert "does not open this vault" in err
    assert "Traceback" not in err and "hmac" not in err.lower()
    assert proc.stdout == b""


def test_no_terminal_and_no_file_is_a_clear_error(real_vault: tuple[Path, Path]) -> None:
    folder, _ = real_vault
    proc = evault("--vault", str(folder), "list")
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "no terminal" in err and "--passphrase-file" in err
    assert "Traceback" not in err


def test_damaged_database_is_a_calm_error(real_vault: tuple[Path, Path], tmp_path: Path) -> None:
    import shutil

    folder, pw = real_vault
    copy = tmp_path / "copy.evault"
    shutil.copytree(folder, copy)
    data = bytearray((copy / "vault.db").read_bytes())
    for i in range(0, 32):  # ruin the salt and the first page's IV
        data[i] ^= 0xFF
    (copy / "vault.db").write_bytes(bytes(data))
    proc = evault("--vault", str(copy), "--passphrase-file", str(pw), "list")
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "damaged" in err
    assert "Traceback" not in err and "hmac" not in err.lower()


def test_env_var_selects_vault(real_vault: tuple[Path, Path]) -> None:
    folder, pw = real_vault
    proc = evault(
        "--passphrase-file", str(pw), "identity", "--json", env={"EVAULT_VAULT": str(folder)}
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert len(json.loads(proc.stdout)["fingerprint"]) == 35


def test_no_command_and_no_terminal_says_how_to_open_the_app() -> None:
    """The README's run command on a machine with no terminal attached: one line, no app."""
    proc = evault()
    assert proc.returncode == 0 and proc.stderr == b""
    assert proc.stdout.count(b"\n") == 1 and b"evault demo" in proc.stdout


def test_help_lists_every_command() -> None:
    proc = evault("--help")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    for command in (
        "init",
        "add",
        "add-message",
        "add-note",
        "list",
        "show",
        "get",
        "search",
        "log",
        "rm",
        "edit",
        "check",
        "passwd",
        "recovery-key",
        "identity",
    ):
        assert f"    {command} " in out or f"    {command}\n" in out, command
