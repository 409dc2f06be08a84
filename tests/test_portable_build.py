"""The portable build's script, without running PyInstaller (CI builds and smoke-tests the real
folder: packaging/smoke_test_portable.py, run by .ci/run).

Checked here: the build is one-folder (never one-file, which unpacks into the host's temp
folder), the lazily imported modules are bundled, the folder's layout puts the marker where
``vault.host.portable.find_root`` looks for it, and a folder holding vaults is never replaced.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from vault.host import portable

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build() -> ModuleType:
    return _load("build_portable")


def test_the_build_is_one_folder_never_one_file(build: ModuleType, tmp_path: Path) -> None:
    args = build.pyinstaller_args(tmp_path / "work", tmp_path / "dist")
    assert "--onedir" in args and "--console" in args
    assert "--onefile" not in args and "-F" not in args
    assert args[0].endswith("evault_entry.py")
    assert args[args.index("--name") + 1] == "evault"
    assert args[args.index("--workpath") + 1] == str(tmp_path / "work" / "build")
    assert args[args.index("--specpath") + 1] == str(tmp_path / "work")


def test_lazily_imported_modules_and_data_are_bundled(build: ModuleType, tmp_path: Path) -> None:
    args = build.pyinstaller_args(tmp_path / "work", tmp_path / "dist")
    hidden = {args[i + 1] for i, a in enumerate(args) if a == "--hidden-import"}
    import vault
    from vault import IMPORTERS

    parsers = {row.module for row in IMPORTERS}  # one registry row each: nothing to add by hand
    assert parsers <= hidden and "vault.imports.parsers.email" in parsers
    assert set(vault.public_modules()) <= hidden
    for module in (
        "vault.media.imaging",
        "vault.media.similar",
        "sqlcipher3",
        "pyrage",
        "ijson.backends.python",
        "PIL.WebPImagePlugin",
        "scipy.fftpack",
    ):
        assert module in hidden, module
    data = [args[i + 1] for i, a in enumerate(args) if a == "--add-data"]
    assert any(d.endswith(f"evault.tcss{os.pathsep}tui") for d in data)
    assert args[args.index("--collect-all") + 1] == "textual"
    collected = {args[i + 1] for i, a in enumerate(args) if a == "--collect-data"}
    assert "shamir_mnemonic" in collected  # its SLIP-39 word list, a data file
    assert "vault.store.shares" in hidden  # which imports crypto.shares and shamir_mnemonic
    excluded = {args[i + 1] for i, a in enumerate(args) if a == "--exclude-module"}
    assert not excluded & hidden


def test_layout_puts_the_marker_where_find_root_looks(
    build: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / "pyinstaller-output"
    program.mkdir()
    (program / "evault").write_bytes(b"\x7fELF")
    out = tmp_path / "stick" / "evault-portable-linux-x86_64"
    build.assemble(out, program)

    assert sorted(p.name for p in out.iterdir()) == [
        "README-PORTABLE.txt",
        "evault-portable.txt",
        "exports",
        "program",
        "start-evault.cmd",
        "start-evault.command",
        "start-evault.sh",
        "vaults",
    ]
    assert build.MARKER == portable.MARKER
    assert not any((out / "vaults").iterdir()) and not any((out / "exports").iterdir())
    launcher = (out / "start-evault.sh").read_text(encoding="utf-8")
    assert 'exec "$(dirname "$0")/program/evault" "$@"' in launcher
    assert b'"%~dp0program\\evault.exe" %*\r\n' in (out / "start-evault.cmd").read_bytes()
    if os.name != "nt":
        assert os.access(out / "start-evault.sh", os.X_OK)
        assert os.access(out / "start-evault.command", os.X_OK)
    marker = (out / "evault-portable.txt").read_text(encoding="utf-8")
    assert "start-evault.cmd" in marker and "Do not delete" in marker

    # The frozen program is program/evault; the marker is one folder above it.
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(out / "program" / "evault"))
    assert portable.find_root(env={}) == out.resolve()


def test_a_folder_holding_a_vault_is_never_replaced(build: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "evault-portable-linux-x86_64"
    (out / "vaults" / "Evidence.evault").mkdir(parents=True)
    (out / build.MARKER).write_text("marker", encoding="utf-8")
    with pytest.raises(SystemExit, match="not empty"):
        build._check_out(out)
    assert (out / "vaults" / "Evidence.evault").is_dir()

    other = tmp_path / "someone-else"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(SystemExit, match="not an earlier portable build"):
        build._check_out(other)
    assert (other / "notes.txt").is_file()

    earlier = tmp_path / "earlier-build"
    (earlier / "vaults").mkdir(parents=True)
    (earlier / build.MARKER).write_text("marker", encoding="utf-8")
    build._check_out(earlier)
    assert not earlier.exists()


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_symbolic_links_become_copies(build: ModuleType, tmp_path: Path) -> None:
    program = tmp_path / "program"
    (program / "_internal" / "pillow.libs").mkdir(parents=True)
    (program / "_internal" / "pillow.libs" / "libjpeg.so").write_bytes(b"library")
    (program / "_internal" / "libjpeg.so").symlink_to(Path("pillow.libs") / "libjpeg.so")
    assert build.replace_symlinks(program) == 1
    copy = program / "_internal" / "libjpeg.so"
    assert not copy.is_symlink() and copy.read_bytes() == b"library"


def test_ci_builds_and_smoke_tests_the_folder() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "packaging/build_portable.py --out build/portable-ci" in ci
    assert "packaging/smoke_test_portable.py build/portable-ci" in ci
