"""What every screen needs from the app: the app itself, and the open vault (or a calm error)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.dom import DOMNode

from vault.errors import EvaultError

if TYPE_CHECKING:
    from tui.app import EvaultApp
    from vault import Vault

LOCKED = "The vault is locked. Unlock it again to continue."


class VaultAccess(DOMNode):
    """Mixed into screens: ``self.evault`` is the app, ``self.vault`` the unlocked vault."""

    @property
    def evault(self) -> EvaultApp:
        return self.app  # type: ignore[return-value]

    @property
    def vault(self) -> Vault:
        vault = self.evault.vault
        if vault is None:
            raise EvaultError(LOCKED)
        return vault
