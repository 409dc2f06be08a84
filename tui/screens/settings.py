"""Settings: change the passphrase, issue a new recovery key, show the identity, auto-lock time,
and back up now (a checked copy of the vault into another folder, made by a worker)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, RadioSet, Static

from tui.language import TranslatedKeys
from tui.screens.base import Form, StatusLine, VaultAccess
from tui.widgets.dialogs import ConfirmDialog
from tui.widgets.safe import SafeLabel, SafeStatic
from tui.widgets.tickbox import ChoiceButton
from vault import (
    LANGUAGE_NAMES,
    LANGUAGES,
    N_,
    BackupResult,
    EvaultError,
    _,
    check_auto_lock_minutes,
    language,
    ngettext,
    passphrase_advice,
)

if TYPE_CHECKING:
    from tui.app import EvaultApp


class StatusText(Message):
    """A worker's answer for the status line (``done``: it worked, the form is cleared)."""

    def __init__(self, text: str, *, done: bool = False) -> None:
        super().__init__()
        self.text = text
        self.done = done


# The language section's heading, in all three languages on purpose: whoever cannot read the
# language shown now still finds her own.
LANGUAGE_HEADING = "Language · Dil · Язык"

RECOVERY_NOT_CONFIRMED = N_(
    "The new recovery key was not confirmed, so your old recovery key still opens this vault (and "
    "so does the new one). Press New recovery key again to make another, or confirm this one "
    "with: evault recovery-key --confirm"
)


class NewRecoveryKeyDialog(TranslatedKeys, ModalScreen[str | None]):
    """Shows a new recovery key once and asks for its last group before it replaces the old one.

    Until then the new key is only *pending* (the old one keeps working): a session cut off here
    never leaves a recovery key nobody saw as the only one. Later (or Escape) keeps it pending.
    """

    BINDINGS = [Binding("escape", "later", N_("Later"))]

    def __init__(self, recovery: str) -> None:
        super().__init__()
        self.recovery = recovery

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield SafeLabel(_("New recovery key"), classes="dialog-title")
            yield SafeStatic(
                _(
                    "Write it on paper now; it is shown only once. Your old recovery key keeps "
                    "working until you confirm this one."
                )
                + f"\n\n    {self.recovery}",
                id="dialog-message",
                markup=False,
            )
            yield SafeLabel(_("To confirm, type the last group (the last 4 characters):"))
            yield Input(id="last-group", max_length=4)
            yield StatusLine("dialog-status")
            with Horizontal(classes="buttons"):
                yield Button(_("Later"), id="later")
                yield Button(_("Confirm"), id="confirm", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#last-group", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._confirm()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "confirm":
            self._confirm()
        else:
            self.action_later()

    def _confirm(self) -> None:
        typed = self.query_one("#last-group", Input).value.strip().upper()
        if typed != self.recovery.split("-")[-1]:
            self.query_one("#dialog-status", Static).update(
                _("That is not the last group. Look at the key again and check your paper.")
            )
            return
        self.dismiss(typed)

    def action_later(self) -> None:
        self.dismiss(None)


class SettingsScreen(VaultAccess, Screen[None]):
    BINDINGS = [Binding("escape", "back", N_("Back"))]
    AUTO_FOCUS = ""
    FIRST = "#new1"  # without scrolling the fingerprint off the top (VaultAccess.FIRST)

    def __init__(self, *, language_changed: bool = False) -> None:
        super().__init__()
        # Drawn again after a language change (EvaultApp.change_language): say so, in it.
        self.language_changed = language_changed

    def on_mount(self) -> None:
        if self.language_changed:
            self._status(
                _("The app now speaks {language}. The vault remembers this choice.").format(
                    language=LANGUAGE_NAMES[language()]
                )
            )

    def compose(self) -> ComposeResult:
        vault = self.evault.vault
        identity = vault.identity() if vault is not None else {}
        with Form(classes="form"):
            yield SafeLabel(_("Settings"), classes="screen-title")
            yield SafeLabel(
                _("Your vault's fingerprint: 30 digits to read to your lawyer"), classes="section"
            )
            yield SafeStatic(
                identity.get("fingerprint", ""), id="fingerprint", classes="recovery", markup=False
            )
            yield SafeStatic(
                _(
                    "For a lawyer's expert, the vault's signing key (Ed25519):\n"
                    "Public key: {public_key}\n"
                    "For minisign: {minisign}\n"
                    "For OpenSSH: {openssh}"
                ).format(
                    public_key=identity.get("public_key", ""),
                    minisign=identity.get("minisign_public_key", ""),
                    openssh=identity.get("ssh_fingerprint", ""),
                ),
                markup=False,
            )
            yield SafeLabel(_("Change passphrase"), classes="section")
            yield Input(password=True, id="new1", placeholder=_("new passphrase"))
            yield SafeStatic("", id="strength", markup=False)
            yield Input(password=True, id="new2", placeholder=_("the new passphrase again"))
            with Horizontal(classes="buttons"):
                yield Button(_("Change passphrase"), id="passwd")
                yield Button(_("New recovery key"), id="recovery")
            yield SafeLabel(_("Lock automatically after (minutes without use)"), classes="section")
            yield Input(
                str(int(self.evault.auto_lock_seconds // 60)), id="autolock", type="integer"
            )
            yield Button(_("Save auto-lock time"), id="save-autolock")
            yield SafeLabel(
                _("Back up now — a checked copy on another stick or disk"), classes="section"
            )
            yield Input(
                id="backup-to",
                placeholder=_("folder for the copy, e.g. /media/SECOND-STICK/Copy.evault"),
            )
            yield Button(_("Back up now"), id="backup")
            # Also the p key on the evidence list (not in its footer, which is full at 80 columns).
            yield SafeLabel(_("Proof of time"), classes="section")
            yield Button(_("Get proof of time"), id="proof-of-time")
            yield SafeLabel(LANGUAGE_HEADING, classes="section")
            with RadioSet(id="language"):
                for lang in LANGUAGES:
                    yield ChoiceButton(
                        LANGUAGE_NAMES[lang], id=f"language-{lang}", value=lang == language()
                    )
        yield StatusLine()
        yield Footer()

    def action_back(self) -> None:
        self.dismiss(None)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        """A language chosen: remembered in the vault, then everything is shown in it."""
        lang = (event.pressed.id or "").removeprefix("language-")
        if lang not in LANGUAGES or lang == language():
            return
        app = self.evault
        self.ask(
            lambda vault: vault.set_language(lang),
            lambda _none: app.change_language(lang),
            self._status,
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "new1":
            self.query_one("#strength", Static).update(passphrase_advice(event.value))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "passwd":
            first = self.query_one("#new1", Input).value
            second = self.query_one("#new2", Input)
            if first != second.value:
                self._status(_("The two passphrases are different. Type the second one again."))
                second.value = ""
                second.focus()
                return
            self._status(_("Changing the passphrase…"))
            cancel = threading.Event()  # locking (the panic key) sets it: nothing is changed
            self.evault.task_started(cancel)
            self._change(self.evault, first, cancel)
        elif event.button.id == "recovery":
            self.app.push_screen(
                ConfirmDialog(
                    _(
                        "Issue a new recovery key? The old one stops working for this vault once "
                        "you have confirmed the new one."
                    ),
                    yes=_("New key"),
                    no=_("Keep the old one"),
                ),
                self._new_recovery,
            )
        elif event.button.id == "backup":
            self._back_up()
        elif event.button.id == "proof-of-time":
            from tui.screens.proof import ProofOfTimeScreen  # noqa: PLC0415

            self.app.push_screen(ProofOfTimeScreen())
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

    def _back_up(self) -> None:
        """Copy the vault in a worker: the screen (and the panic key) never wait for it."""
        typed = self.query_one("#backup-to", Input).value.strip()
        if not typed:
            self._status(
                _("Type the folder for the copy first (new or empty, or an earlier backup).")
            )
            return
        folder = Path(typed).expanduser()
        if not folder.is_absolute():
            folder = self.evault.files_folder / folder  # the stick, in portable mode
        self._status(_("Backing up and checking the copy…"))
        cancel = threading.Event()  # locking (the panic key) sets it: the copy stops at once
        self.evault.task_started(cancel)

        def failed(sentence: str) -> None:
            self.evault.task_ended(cancel)
            self._status(sentence)

        def done(result: BackupResult) -> None:
            self.evault.task_ended(cancel)
            self._backed_up(result)

        self.ask(lambda vault: vault.backup(folder, cancel=cancel), done, failed)

    def _backed_up(self, result: BackupResult) -> None:
        if not result.ok:
            self._status(
                _(
                    "The new copy did not pass the check, so it was not put in place (an earlier "
                    "backup there is unchanged). Try another stick: {problems}"
                ).format(problems=" ".join(result.problems))
            )
            return
        n = result.items_checked
        if result.updated:
            done = ngettext(
                "Backup brought up to date and checked ({n} item): {folder}.",
                "Backup brought up to date and checked ({n} items): {folder}.",
                n,
            )
        else:
            done = ngettext(
                "Backup written and checked ({n} item): {folder}.",
                "Backup written and checked ({n} items): {folder}.",
                n,
            )
        self._status(
            done.format(n=n, folder=result.folder)
            + " "
            + _("It opens with the same passphrase and recovery key; keep it as safe as the vault.")
            + "".join(" " + note for note in result.notes)
        )

    def _auto_lock_saved(self, minutes: int) -> None:
        self.evault.auto_lock_seconds = minutes * 60
        self._status(
            ngettext(
                "The vault now locks after {n} minute without use (remembered inside this vault).",
                "The vault now locks after {n} minutes without use (remembered inside this vault).",
                minutes,
            ).format(n=minutes)
        )

    @work(thread=True, exclusive=True, group="passwd")
    def _change(self, app: EvaultApp, passphrase: str, cancel: threading.Event) -> None:
        vault = app.vault  # the app, taken on its own thread: this screen may be gone by the end
        try:
            if vault is None:
                return
            vault.change_passphrase(passphrase, kdf=app.kdf, cancel=cancel)
        except EvaultError as exc:
            self.post_message(StatusText(exc.message))
            return
        finally:
            app.task_ended(cancel)
        self.post_message(
            StatusText(_("Passphrase changed. The old one no longer opens this vault."), done=True)
        )

    def on_status_text(self, message: StatusText) -> None:
        if message.done:  # the new passphrase is in use: it does not stay in the fields
            self.query_one("#new1", Input).value = ""
            self.query_one("#new2", Input).value = ""
        self._status(message.text)

    def _new_recovery(self, yes: bool | None) -> None:
        if yes:
            self.ask(lambda vault: vault.new_recovery_key(), self._show_recovery, self._status)

    def _show_recovery(self, recovery: str) -> None:
        self.app.push_screen(NewRecoveryKeyDialog(recovery), self._confirm_recovery)

    def _confirm_recovery(self, last_group: str | None) -> None:
        """The defender typed the new key's last group: the new key replaces the old one."""
        if last_group is None:
            self._status(_(RECOVERY_NOT_CONFIRMED))
            return
        self.ask(
            lambda vault: vault.confirm_recovery_key(last_group),
            lambda _none: self._status(
                _("New recovery key confirmed. The old one no longer opens this vault.")
            ),
            self._status,
        )

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)
