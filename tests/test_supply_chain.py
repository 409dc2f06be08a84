"""The hash-pinned locks in requirements/ and the minimums in pyproject.toml (docs/supply-chain.md).

CI and the portable build install only from these locks with ``pip install --require-hashes``;
these tests keep the locks complete and consistent with ``pyproject.toml``, and keep every minimum
above the versions with published advisories in what evault uses.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ("run.lock", "dev.lock", "portable.lock")

ADVISORIES: dict[str, tuple[str, str]] = {
    # normalised name -> (first version without a known advisory in what we use, why)
    "pillow": ("12.3.0", "CVE-2026-25990, CVE-2026-40192, PYSEC-2026-2253..2257, -3451..3453"),
    "cryptography": ("50.0.0", "CVE-2026-69247, CVE-2026-39892"),
    "pynacl": ("1.6.2", "CVE-2025-69277 in the bundled libsodium"),
}


def _lockfile() -> ModuleType:
    name = "evault_packaging_lockfile"
    spec = importlib.util.spec_from_file_location(name, ROOT / "packaging" / "lockfile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


lockfile = _lockfile()


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def _requirements(group: str | None = None) -> list[Requirement]:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    raw = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return [Requirement(text) for text in raw]


def _minimum(requirement: Requirement) -> Version | None:
    floors = [Version(s.version) for s in requirement.specifier if s.operator in (">=", "==")]
    return max(floors) if floors else None


def _pins(name: str) -> list[Any]:
    return list(lockfile.read(ROOT / "requirements" / name))


@pytest.mark.parametrize("package", sorted(ADVISORIES))
def test_pyproject_minimums_are_above_every_known_advisory(package: str) -> None:
    fixed, why = ADVISORIES[package]
    matching = [r for r in _requirements() if lockfile.normalise(r.name) == package]
    assert matching, f"{package} is no longer a dependency: update ADVISORIES"
    floor = _minimum(matching[0])
    assert floor is not None and floor >= Version(fixed), (
        f"pyproject.toml lets {package} {floor} be installed; {fixed} fixes {why}"
    )


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_version_is_above_every_known_advisory(lock: str) -> None:
    for pin in _pins(lock):
        if pin.name in ADVISORIES:
            fixed, why = ADVISORIES[pin.name]
            assert Version(pin.version) >= Version(fixed), (
                f"{lock}: {pin.name} {pin.version} ({why})"
            )


@pytest.mark.parametrize("lock", LOCKS)
def test_every_lock_pins_an_exact_version_with_hashes(lock: str) -> None:
    pins = _pins(lock)
    assert len(pins) >= 20
    for pin in pins:
        assert pin.hashes, (
            f"{lock}: {pin.name} has no --hash line; pip --require-hashes would refuse it"
        )
        assert all(len(h) == 64 for h in pin.hashes)


@pytest.mark.parametrize(
    ("lock", "groups"),
    [
        ("run.lock", [None]),
        ("dev.lock", [None, "test", "build"]),
        ("portable.lock", [None, "build"]),
    ],
)
def test_every_dependency_is_locked_at_a_version_pyproject_allows(
    lock: str, groups: list[str | None]
) -> None:
    pins = _pins(lock)
    versions: dict[str, list[str]] = {}
    for pin in pins:
        versions.setdefault(pin.name, []).append(pin.version)
    names = set(versions)
    for requirement in (r for group in groups for r in _requirements(group)):
        name = lockfile.normalise(requirement.name)
        assert name in names, f"{lock} lacks {requirement}"
        for version in versions[name]:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{lock}: {name} {version} is outside pyproject.toml's {requirement}"
            )
    # ... and what builds evault itself, so that --no-build-isolation needs nothing unpinned.
    build_system = _pyproject()["build-system"]
    assert isinstance(build_system, dict)
    for text in build_system["requires"]:
        requirement = Requirement(text)
        name = lockfile.normalise(requirement.name)
        assert name in names, f"{lock} lacks the build requirement {requirement}"
        assert all(requirement.specifier.contains(v) for v in versions[name])


def test_the_three_locks_agree_on_every_version_they_share() -> None:
    seen: dict[tuple[str, str | None], tuple[str, str]] = {}
    for lock in LOCKS:
        for pin in _pins(lock):
            key = (pin.name, pin.marker)
            if key in seen:
                assert seen[key][0] == pin.version, (
                    f"{pin.name}: {seen[key][1]} has {seen[key][0]}, {lock} has {pin.version}"
                )
            else:
                seen[key] = (pin.version, lock)


def test_ci_the_readme_and_the_portable_build_install_only_from_the_locks() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert "--require-hashes -r requirements/dev.lock" in ci
    assert "pip install -e" not in ci  # an unlocked install would slip past the lock
    assert "--require-hashes -r requirements/run.lock" in readme[2]
    assert "--require-hashes -r requirements/dev.lock" in readme[4]
    guide = (ROOT / "docs" / "portable-build.md").read_text(encoding="utf-8")
    assert "pip install -e" not in guide
    assert guide.count("--require-hashes -r requirements") >= 3  # Linux, Windows, macOS


def test_the_reader_refuses_lines_it_does_not_understand() -> None:
    good = "pillow==13.0.0 ; sys_platform == 'win32' \\\n    --hash=sha256:" + "a" * 64 + "\n"
    (pin,) = lockfile.parse(good)
    assert (pin.name, pin.version, pin.marker, pin.hashes) == (
        "pillow",
        "13.0.0",
        "sys_platform == 'win32'",
        ("a" * 64,),
    )
    for bad in ("pillow>=13\n", "-e .\n", "--index-url https://example.org/simple\n"):
        with pytest.raises(ValueError, match="line 1"):
            lockfile.parse(bad)


def test_the_portable_build_names_every_difference_from_the_lock() -> None:
    wanted = {"pillow": "13.0.0", "pynacl": "1.6.2", "textual": "8.2.8"}
    installed = {"pillow": "12.0.0", "textual": "8.2.8", "extra": "1.0"}
    assert lockfile.mismatches(wanted, installed) == [
        "pillow is 12.0.0, the lock says 13.0.0",
        "pynacl 1.6.2 is not installed",
    ]
    assert lockfile.mismatches(wanted, dict(wanted)) == []


def test_markers_pick_the_pins_for_this_platform() -> None:
    pins = lockfile.parse(
        "colorama==0.4.6 ; sys_platform == 'never' \\\n    --hash=sha256:" + "b" * 64 + "\n"
        "numpy==2.4.6 ; python_full_version >= '3.11' \\\n    --hash=sha256:" + "c" * 64 + "\n"
    )
    assert lockfile.applicable(pins) == {"numpy": "2.4.6"}
