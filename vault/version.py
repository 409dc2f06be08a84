"""The program's version, in one place.

Custody events (``vault.created``, ``import.completed``), bundle manifests, ``evault verify``'s
report and ``evault --version`` all read it from here, and ``pyproject.toml`` takes the package
version from :data:`VERSION` too, so they can never disagree.
"""

from __future__ import annotations

VERSION = "0.1.0"
PROGRAM = f"evidence-vault {VERSION}"
