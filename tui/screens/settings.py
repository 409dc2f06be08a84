"""Settings: change the passphrase, issue a new recovery key, show the identity, auto-lock time."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Static

from tui.screens.base import VaultAccess
from tui.widgets.dialogs import ConfirmDialog, MessageDialog
from tui.widgets.safe import SafeLabel, SafeStatic
from vault import EvaultError, check_auto_lock_minutes, passphrase_advice


class StatusText(Message):
    """A worker's answer for the status line."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class SettingsScreen(VaultAccess, Screen[None]):
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        vault = self.evault.vault
        identity = vault.identity() if vault is not None else {}
        with VerticalScroll(classes="form"):
            yield SafeLabel("Settings", classes="screen-title")
            yield SafeLabel("Identity fingerprint — read it to your lawyer", classes="section")
            yield SafeStatic(
                identity.get("fingerprint", ""), id="fingerprint", classes="recovery", markup=False
            )
            yield SafeStatic(
                f"Public key: {identity.get('public_key', '')}\n"
                f"For minisign: {identity.get('minisign_public_key', '')}\n"
                f"For OpenSSH: {identity.get('ssh_fingerprint', '')}",
                markup=False,
            )
            yield SafeLabel("Change passphrase", classes="section")
            yield Input(password=True, id="new1", placeholder="new passphrase")
            yield SafeStatic("", id="strength", markup=False)
            yield Input(password=True, id="new2", placeholder="the new passphrase again")
            with Horizontal(classes="buttons"):
                yield Button("Change passphrase", id="passwd")
                yield Button("New recovery key", id="recovery")
            yield SafeLabel("Lock automatically after (minutes without use)", classes="section")
            yield Input(
                str(int(self.evault.auto_lock_seconds // 60)), id="autolock", type="integer"
            )
            yield Button("Save auto-lock time", id="save-autolock")
            yield SafeStatic("", id="status", markup=False)
        yield Footer()

    def action_back(self) -> None:
        self.dismiss(None)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "new1":
            self.query_one("#strength", Static).update(passphrase_advice(event.value))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "passwd":
            first = self.query_one("#new1", Input).value
            if first != self.query_one("#new2", Input).value:
                self._status("The two passphrases are different.")
                return
            self._status("Changing the passphrase…")
            self._change(first)
        elif event.button.id == "recovery":
            self.app.push_screen(
                ConfirmDialog(
                    "Issue a new recovery key? The old one stops working for this vault.",
                    yes="New key",
                    no="Keep the old one",
                ),
                self._new_recovery,
            )
        elif event.button.id == "save-autolock":
            value = self.query_one("#autolock", Input).value.strip()
            minutes = int(value) if value.isdigit() else 0
            try:
                check_auto_lock_minutes(minutes)
            except EvaultError as exc:
                self._status(exc.message)
                return
            self.ask(
                lambda vault: vault.set_auto_lock_minutes(minutes),
                lambda _none: self._auto_lock_saved(minutes),
                self._status,
            )

    def _auto_lock_saved(self, minutes: int) -> None:
        self.evault.auto_lock_seconds = minutes * 60
        self._status(
            f"The vault now locks after {minutes} minute{'s' if minutes != 1 else ''} "
            "without use (remembered inside this vault)."
        )

    @work(thread=True, exclusive=True, group="passwd")
    def _change(self, passphrase: str) -> None:
        vault = self.evault.vault
        if vault is None:
            return
        try:
            vault.change_passphrase(passphrase, kdf=self.evault.kdf)
        except EvaultError as exc:
            self.post_message(StatusText(exc.message))
            return
        self.post_message(StatusText("Passphrase changed. The old one no longer opens this vault."))

    def on_status_text(self, message: StatusText) -> None:
        self._status(message.text)

    def _new_recovery(self, yes: bool | None) -> None:
        if yes:
            self.ask(lambda vault: vault.new_recovery_key(), self._show_recovery, self._status)

    def _show_recovery(self, recovery: str) -> None:
        self.app.push_screen(
            MessageDialog(
                f"Your NEW recovery key — write it on paper now; it is shown only once:\n\n    {recovery}",
                title="New recovery key",
            )
        )

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)
