"""Read the hash-pinned lock files in ``requirements/`` and compare them with what is installed.

The portable folder trainers carry from computer to computer ships every library in it. Building
it from whatever versions happened to resolve that day would make each build a different program;
``build_portable.py`` therefore refuses to build unless the venv holds exactly the versions in
``requirements/portable.lock`` (installed with ``pip install --require-hashes``, so every file was
checked against the hash recorded when the lock was made). ``tests/test_supply_chain.py`` uses the
same reader to check the locks against ``pyproject.toml``. See docs/supply-chain.md.

Only the subset of the requirements-file syntax that ``uv pip compile --generate-hashes`` writes is
understood: ``name==version [; marker] \\`` followed by ``--hash=sha256:...`` lines and comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
_HASH = re.compile(r"^--hash=sha256:([0-9a-f]{64})\s*\\?$")


@dataclass(frozen=True)
class Pin:
    """One locked package: exact version, the platforms it applies to, the hashes of its files."""

    name: str
    """Normalised (PEP 503): lower case, runs of ``-_.`` as one ``-``."""
    version: str
    marker: str | None
    """An environment marker such as ``sys_platform == 'win32'``; None means everywhere."""
    hashes: tuple[str, ...]


def normalise(name: str) -> str:
    """The PEP 503 form of a distribution name, so ``Pillow`` and ``pillow`` compare equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(text: str) -> list[Pin]:
    """The pins in a lock file's text; raises ValueError on a line this reader does not know."""
    pins: list[Pin] = []
    current: tuple[str, str, str | None] | None = None
    hashes: list[str] = []

    def close() -> None:
        if current is not None:
            pins.append(Pin(current[0], current[1], current[2], tuple(hashes)))

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pin = _PIN.match(line)
        if pin:
            close()
            current = (normalise(pin.group(1)), pin.group(2), pin.group(3))
            hashes = []
            continue
        digest = _HASH.match(line)
        if digest and current is not None:
            hashes.append(digest.group(1))
            continue
        raise ValueError(f"line {number}: not a pin or a sha256 hash: {line[:80]!r}")
    close()
    return pins


def read(path: Path) -> list[Pin]:
    return parse(path.read_text(encoding="utf-8"))


def applicable(pins: Iterable[Pin]) -> dict[str, str]:
    """name -> version for the pins whose marker holds on this interpreter and platform."""
    from packaging.markers import Marker  # noqa: PLC0415 - only where the build needs it

    chosen: dict[str, str] = {}
    for pin in pins:
        if pin.marker is None or Marker(pin.marker).evaluate():
            chosen[pin.name] = pin.version
    return chosen


def mismatches(wanted: Mapping[str, str], installed: Mapping[str, str]) -> list[str]:
    """One line per locked package that is missing or at another version, sorted by name."""
    problems: list[str] = []
    for name in sorted(wanted):
        have = installed.get(name)
        if have is None:
            problems.append(f"{name} {wanted[name]} is not installed")
        elif have != wanted[name]:
            problems.append(f"{name} is {have}, the lock says {wanted[name]}")
    return problems


def installed_versions() -> dict[str, str]:
    """Normalised name -> version of every distribution in the running interpreter's environment."""
    from importlib import metadata  # noqa: PLC0415 - keep the module cheap to import

    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(normalise(name), dist.version)
    return found
