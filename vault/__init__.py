"""The evidence-vault domain: vault lifecycle, evidence items, custody log, integrity checks.

Every user-visible operation is a method of :class:`vault.facade.Vault`, so the terminal UI, the
command line and the tests all drive the same code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vault.errors import EvaultError

if TYPE_CHECKING:
    from vault.facade import Vault

__all__ = ["EvaultError", "Vault"]


def __getattr__(name: str) -> Any:
    # Loaded on first use: the terminal app draws its first screen before the database and
    # crypto libraries are imported (see docs/performance.md, start-up).
    if name == "Vault":
        from vault.facade import Vault  # noqa: PLC0415

        return Vault
    raise AttributeError(name)
