"""The evidence-vault domain: vault lifecycle, evidence items, custody log, integrity checks.

Every user-visible operation is a method of :class:`vault.vault.Vault`, so the terminal UI, the
command line and the tests all drive the same code.
"""

from vault.errors import EvaultError
from vault.vault import Vault

__all__ = ["EvaultError", "Vault"]
