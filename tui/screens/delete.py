"""Deleting an item from the app: a reason, and (if the defender asks) deletion for good.

Deleting removes the content and description and keeps a signed record in the custody log.
"Delete for good" (the command line's ``rm --purge``) also drops what the custody log said about
the item and re-encrypts the vault under a new key, so nothing of it can be read back with the
passphrase; it cannot be undone, and the dialog says so before anything happens. Nothing is
deleted until the defender presses the button; the safe answer (Cancel) has the focus.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from tui.screens.base import Form, VaultAccess
from tui.widgets.safe import SafeLabel, SafeStatic
from tui.widgets.tickbox import TickBox
from vault import N_, _

if TYPE_CHECKING:
    from vault import Item

DELETE_NOTE = N_(
    "The content and description go. A signed record that an item with this file code "
    "(SHA-256) was deleted, and why, stays in the custody log."
)
PURGE_WARNING = N_(
    "For good: its title, sender, tags and text leave the custody log too, and the vault is "
    "re-encrypted, so nothing of it can be read back, even with your passphrase. This cannot be "
    "undone. Bundles already given are not changed."
)


class DeleteScreen(VaultAccess, ModalScreen[bool]):
    """Ask why, offer deletion for good with its warning, and delete (True once deleted)."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    AUTO_FOCUS = "#delete-reason"

    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        with Form(classes="dialog wide"):
            yield SafeLabel(_("Delete this item"), classes="dialog-title")
            yield SafeStatic(_(DELETE_NOTE), markup=False)
            yield SafeLabel(_("Why you are deleting it (kept in the log)"))
            yield Input("", id="delete-reason")
            yield TickBox(_("Delete for good (purge)"), False, id="delete-purge")
            # The buttons before the warning, so they stay on an 80x24 screen; the warning
            # still shows right below them.
            with Horizontal(classes="buttons"):
                yield Button(_("Cancel"), id="cancel", variant="primary")
                yield Button(_("Delete"), id="delete", variant="error")
            yield SafeStatic("", id="status", markup=False)
            yield SafeStatic(_(PURGE_WARNING), id="purge-warning", markup=False)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.value:  # on a small screen the warning is below the buttons: bring it into view
            self.query_one("#purge-warning").scroll_visible(animate=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(False)
        else:
            self._delete()

    def action_cancel(self) -> None:
        self.dismiss(False)

    def _delete(self) -> None:
        reason = self.query_one("#delete-reason", Input).value.strip()
        status = self.query_one("#status", Static)
        if not reason:
            status.update(_("Say why the item is deleted; it is kept in the custody log."))
            self.call_after_refresh(status.scroll_visible, animate=False)
            self.query_one("#delete-reason", Input).focus()
            return
        purge = self.query_one("#delete-purge", Checkbox).value
        item_id = self.item.id
        self.query_one("#delete", Button).disabled = True  # one deletion, recorded once
        if purge:
            status.update(_("Deleting for good and re-encrypting the vault…"))

        def failed(sentence: str) -> None:
            self.query_one("#delete", Button).disabled = False
            status.update(sentence)
            self.call_after_refresh(status.scroll_visible, animate=False)

        def deleted(_item: Item) -> None:
            self.dismiss(True)

        self.ask(
            lambda vault: vault.delete_item(item_id, reason=reason, purge=purge), deleted, failed
        )
