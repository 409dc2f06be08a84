"""Imports point one way: tui → vault → crypto. Checked on the source and in a fresh interpreter."""

from __future__ import annotations

import ast
import re
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


def _vault_imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, names) of every import of ``vault`` or a module inside it."""
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "vault":
                found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "vault":
                    found.append((node.lineno, alias.name, []))
    return found


def test_tui_imports_only_the_public_vault_api() -> None:
    """The front ends see one surface: ``from vault import Name`` for names in vault.__all__,
    never a module inside ``vault`` (and never a string naming one, e.g. for importlib)."""
    import vault

    public = set(vault.__all__)
    for path in sorted((ROOT / "tui").rglob("*.py")):
        where = path.relative_to(ROOT)
        for line, module, names in _vault_imports(path):
            assert module == "vault" and names, f"{where}:{line} imports {module}"
            outside = sorted(set(names) - public)
            assert not outside, f"{where}:{line} imports {outside}, not in vault.__all__"
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"[\"']vault\.[a-z_]+\.", text), f"{where} names a vault module"


def test_the_public_api_resolves_and_stays_light() -> None:
    """Every public name can be imported, and importing ``vault`` alone loads no database,
    cryptography or image library (the app's first frame comes before them)."""
    code = (
        "import sys, vault\n"
        "heavy = {'sqlcipher3', 'crypto', 'cryptography', 'nacl', 'argon2', 'PIL', 'pyrage'}\n"
        "early = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "light = [vault.holds_vault, vault.passphrase_advice, vault.AUTO_LOCK_DEFAULT]\n"
        "early += sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "missing = [n for n in vault.__all__ if getattr(vault, n, None) is None]\n"
        "print(','.join(early) + '|' + ','.join(missing))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert proc.stdout.strip() == "|"


def test_public_names_are_declared_once() -> None:
    import vault

    assert len(vault.__all__) == len(set(vault.__all__))
    lazy = set(vault._LAZY)
    eager = {n for n in vault.__all__ if n not in lazy}
    assert lazy <= set(vault.__all__)
    assert all(n in vars(vault) for n in eager), "an eager public name is not defined"


def test_every_vault_folder_names_one_concept() -> None:
    """vault/ holds concept packages and a few top-level modules (time, errors, the facade)."""
    packages = sorted(p.name for p in (ROOT / "vault").iterdir() if (p / "__init__.py").exists())
    assert packages == [
        "bundle",
        "custody",
        "evidence",
        "host",
        "i18n",
        "imports",
        "media",
        "store",
        "timestamps",
    ]
    modules = sorted(p.name for p in (ROOT / "vault").glob("*.py"))
    assert modules == ["__init__.py", "clock.py", "errors.py", "facade.py", "version.py"]


def test_no_module_over_about_500_lines() -> None:
    """Small modules named for what they hold: a long one is a sign two concepts share it."""
    for package in ("vault", "tui", "crypto"):
        for path in sorted((ROOT / package).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            assert lines <= 500, f"{path.relative_to(ROOT)} has {lines} lines; split it"
