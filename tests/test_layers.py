"""Imports point one way: tui → vault → crypto. Checked on the source and in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "crypto": {"vault", "tui", "textual", "rich", "sqlcipher3"},
    "vault": {"tui", "textual", "rich", "argparse"},
    # The front ends are thin: no SQL and no cryptography, only the vault API.
    "tui": {"crypto", "sqlcipher3", "sqlite3", "cryptography", "nacl", "argon2", "pyrage"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_source_imports_point_one_way(package: str) -> None:
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = _imports(path) & FORBIDDEN[package]
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_headless_core_never_loads_the_ui() -> None:
    code = (
        "import sys, vault, vault.facade, vault.custody.check, crypto.custody, crypto.keyslots\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'rich', 'tui'})\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert proc.stdout.strip() == ""


def test_no_network_modules_in_the_program() -> None:
    """The vault never opens a network connection: no networking module is imported anywhere."""
    network = {"socket", "ssl", "http", "urllib", "requests", "httpx", "ftplib", "smtplib"}
    for package in ("crypto", "vault", "tui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            bad = _imports(path) & network
            assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_tui_uses_only_public_vault_names() -> None:
    """The front ends never reach into private parts of the domain (names starting with _)."""
    for path in sorted((ROOT / "tui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("vault"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.relative_to(ROOT)} imports private {private}"
                assert not any(p.startswith("_") for p in (node.module or "").split("."))
