"""The program's entry point: make sure the code about to run is evidence-vault's, then run it.

Our three top-level packages have generic names (``crypto``, ``vault``, ``tui``: the layout the
design card fixes). Another package of the same name can end up in their place: PyPI's ``crypto``
installs into the same ``site-packages/crypto/`` folder and silently replaces our
``crypto/__init__.py``, and pycryptodome's ``Crypto`` *is* that folder on a case-insensitive file
system (Windows, macOS). A security program must not run half on someone else's code, so each of
our packages carries a marker (``EVIDENCE_VAULT_PACKAGE``) and, before anything else is imported,
this module checks all three and otherwise stops with one calm sentence that names the conflict and
the fix.

Only the standard library is imported here: if ``vault`` itself is the damaged package, nothing of
it can be trusted, not even its exit codes.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

PACKAGES = ("crypto", "vault", "tui")
MARKER = "EVIDENCE_VAULT_PACKAGE"
EXIT_INTERNAL = 3  # the same as vault.errors.EXIT_INTERNAL (tests check they agree)


def foreign_packages(
    import_module: Callable[[str], ModuleType] = importlib.import_module,
) -> list[str]:
    """Those of our package names that are not this project's packages."""
    found = []
    for name in PACKAGES:
        try:
            module = import_module(name)
        except (Exception, SystemExit):  # a foreign __init__ may fail in any way at all
            found.append(name)
            continue
        if getattr(module, MARKER, None) != name:
            found.append(name)
    return found


def conflict_message(names: Sequence[str]) -> str:
    listed = " and ".join(f"'{name}'" for name in names)
    package = "package" if len(names) == 1 else "packages"
    return (
        f"evault: Another Python {package} called {listed} is installed in the same place as "
        "evidence-vault and has replaced part of it, so evault will not run. Install "
        "evidence-vault on its own, with 'pipx install evidence-vault' or in a virtual "
        "environment of its own (see the README)."
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Check the packages, then run the ``evault`` command line."""
    foreign = foreign_packages()
    if foreign:
        sys.stderr.write(conflict_message(foreign) + "\n")
        return EXIT_INTERNAL
    from tui.cli import main as run  # noqa: PLC0415 - only once the packages are known to be ours

    return run(argv)
