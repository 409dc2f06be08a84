"""The start-up check against another package installed in place of ours (tui/launch.py).

PyPI's ``crypto`` installs into ``site-packages/crypto/`` and replaces our ``crypto/__init__.py``
(its own is empty). The slow test reproduces that for real: our wheel and PyPI's ``crypto`` 1.4.1
in a scratch virtual environment, then ``evault`` must stop with the one calm sentence, not run on
someone else's code and not print a traceback.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from tui import launch
from vault import EXIT_INTERNAL

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = "is installed in the same place as evidence-vault and has replaced part of it"


def test_our_packages_carry_the_marker() -> None:
    assert launch.foreign_packages() == []
    assert launch.EXIT_INTERNAL == EXIT_INTERNAL


@pytest.mark.parametrize("name", ["crypto", "vault", "tui"])
def test_a_package_without_the_marker_stops_the_program(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, name, types.ModuleType(name))  # someone else's package
    assert launch.main(["--version"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert f"package called '{name}'" in err and SENTENCE in err
    assert "pipx install evidence-vault" in err and "virtual environment" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_package_that_fails_to_import_is_named() -> None:
    def broken(name: str) -> types.ModuleType:
        raise ImportError(name)

    assert launch.foreign_packages(broken) == ["crypto", "vault", "tui"]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_pypi_crypto_installed_over_ours_is_refused_calmly(tmp_path: Path) -> None:
    # Build our wheel from a copy of the sources, so nothing is written into the checkout.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("vault", "tui", "crypto"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        tmp_path,
    )
    assert built.returncode == 0, built.stderr
    got = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-q",
            "-d",
            str(wheels),
            "crypto==1.4.1",
        ],
        tmp_path,
    )
    assert got.returncode == 0, f"PyPI's crypto could not be downloaded: {got.stderr}"
    (ours,) = wheels.glob("evidence_vault-*.whl")
    (theirs,) = wheels.glob("crypto-*.whl")
    scratch = tmp_path / "scratch"
    made = _run([sys.executable, "-m", "venv", str(scratch)], tmp_path)
    assert made.returncode == 0, made.stderr
    bin_dir = scratch / ("Scripts" if sys.platform == "win32" else "bin")
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "-q", "--no-deps"]
    # Ours first, then theirs: theirs overwrites crypto/__init__.py, as reproduced in the issue.
    for wheel in (ours, theirs):
        installed = _run([*pip, str(wheel)], tmp_path)
        assert installed.returncode == 0, installed.stderr
    site = next((scratch / "lib").glob("python3*/site-packages"))
    assert (site / "crypto" / "kdf.py").exists()  # our modules are still there...
    assert (site / "crypto" / "__init__.py").read_bytes() == b""  # ...under their __init__
    ran = _run([str(bin_dir / "evault"), "--version"], tmp_path)
    assert ran.returncode == EXIT_INTERNAL
    assert ran.stdout == ""
    assert f"called 'crypto' {SENTENCE}" in ran.stderr
    assert "Traceback" not in ran.stderr and ran.stderr.count("\n") == 1
