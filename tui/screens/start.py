"""The first screens: unlock a vault (passphrase, recovery key or recovery shares), or create one
and write down its recovery key.

Unlocking and creating run Argon2id (about half a second, on purpose) in a worker thread, so the
screen stays responsive; the worker posts the opened vault to the app (``tui.messages``) or a
calm sentence to the screen. A wrong passphrase gets one sentence, nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Static

from tui.messages import VaultCreated, VaultOpened, deliver
from tui.screens.base import Form, StatusLine, VaultAccess
from tui.screens.wipe import wipe_binding
from tui.widgets.safe import SafeLabel, SafeStatic
from tui.widgets.tickbox import TickBox
from vault import N_, EvaultError, _, passphrase_advice

if TYPE_CHECKING:
    from tui.app import EvaultApp
    from vault import Vault

KEYFILE_UNREADABLE = N_("The keyfile could not be read. Check its path.")


class StartFailed(Message):
    """Unlocking or creating did not work: one sentence for the status line."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


SECRET_LABELS = {
    "passphrase": (N_("Passphrase"), N_("type your passphrase"), True),
    "recovery": (N_("Recovery key (9 groups of 4, as on your paper)"), "XXXX-XXXX-…", False),
    "shares": (
        N_("Recovery share {n}: its words in order (the first four letters of each are enough)"),
        N_("word word word …"),
        False,
    ),
}
SHARES_INTRO = N_(
    "Type the shares your trusted people hold, one after another: each is checked as you press "
    "Enter, and the vault opens once enough shares of the same set are given."
)


class UnlockScreen(VaultAccess, Screen[None]):
    """Passphrase (and keyfile), the recovery key, or recovery shares typed one after another."""

    AUTO_FOCUS = "#secret"  # focused as the screen is built: no key typed early goes elsewhere

    BINDINGS = [
        Binding("ctrl+r", "toggle_recovery", N_("Use recovery key")),
        Binding("ctrl+t", "toggle_shares", N_("Use shares")),
        wipe_binding(),
    ]

    def __init__(self, vault_path: Path) -> None:
        super().__init__()
        self.vault_path = vault_path
        self.mode = "passphrase"
        self.shares: dict[int, str] = {}  # share number -> its words, as typed
        self.share_set: int | None = None

    @property
    def recovery_mode(self) -> bool:
        return self.mode == "recovery"

    def compose(self) -> ComposeResult:
        with Form(classes="form"):
            yield SafeLabel(_("Unlock your evidence vault"), classes="screen-title")
            yield SafeLabel(_("Passphrase"), id="secret-label")
            yield Input(password=True, id="secret", placeholder=_("type your passphrase"))
            yield SafeLabel(_("Keyfile (only if you chose one)"), id="keyfile-label")
            yield Input(id="keyfile", placeholder=_("path to the keyfile, or leave empty"))
            with Horizontal(classes="buttons"):
                yield Button(_("Unlock"), id="unlock", variant="primary")
                yield Button(_("Use recovery key instead"), id="recovery")
                yield Button(_("Use shares instead"), id="shares")
        yield StatusLine()
        yield Footer()

    def action_toggle_recovery(self) -> None:
        self._set_mode("passphrase" if self.mode == "recovery" else "recovery")

    def action_toggle_shares(self) -> None:
        self._set_mode("passphrase" if self.mode == "shares" else "shares")

    def _set_mode(self, mode: str) -> None:
        self.mode = mode
        self.shares = {}
        self.share_set = None
        secret = self.query_one("#secret", Input)
        secret.value = ""
        self._label_secret()
        self.query_one("#recovery", Button).label = (
            _("Use passphrase instead") if mode == "recovery" else _("Use recovery key instead")
        )
        self.query_one("#shares", Button).label = (
            _("Use passphrase instead") if mode == "shares" else _("Use shares instead")
        )
        self.query_one("#keyfile", Input).display = mode == "passphrase"
        self.query_one("#keyfile-label", Label).display = mode == "passphrase"
        self._status(_(SHARES_INTRO) if mode == "shares" else "")
        secret.focus()

    def _label_secret(self) -> None:
        label, placeholder, password = SECRET_LABELS[self.mode]
        self.query_one("#secret-label", Label).update(_(label).format(n=len(self.shares) + 1))
        secret = self.query_one("#secret", Input)
        secret.placeholder = _(
            placeholder
        )  # the recovery key's "XXXX-XXXX-…" is not in a catalog: kept
        secret.password = password

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._unlock()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "secret" and event.value:
            self._status("")  # an old "does not open" message must not linger while retyping

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "recovery":
            self.action_toggle_recovery()
        elif event.button.id == "shares":
            self.action_toggle_shares()
        else:
            self._unlock()

    def _unlock(self) -> None:
        secret = self.query_one("#secret", Input).value
        keyfile_path = self.query_one("#keyfile", Input).value.strip()
        if not secret:
            self._status(_("Type your passphrase first.") if self.mode == "passphrase" else "")
            return
        if self.mode == "shares" and not self._take_share(secret):
            return
        self._status(_("Unlocking…"))
        self.query_one("#unlock", Button).disabled = True
        self._open(self.evault, secret, keyfile_path)

    def _take_share(self, text: str) -> bool:
        """Check one typed share and keep it; True once enough shares of one set are given."""
        from vault import read_recovery_share, shares_given_message  # noqa: PLC0415 - on use

        secret = self.query_one("#secret", Input)
        try:
            info = read_recovery_share(text)
        except EvaultError as exc:
            self._status(exc.message)  # a mistyped word: the share stays, to be corrected
            return False
        if self.share_set is not None and info.set_number != self.share_set:
            self._status(
                _(
                    "That share is of set {set}, the ones before of set {earlier}. Check the set "
                    "number on each page."
                ).format(set=info.set_number, earlier=self.share_set)
            )
            return False
        if info.number in self.shares:
            secret.value = ""
            self._status(
                _("Share {number} was already given.").format(number=info.number)
                + " "
                + shares_given_message(len(self.shares), info.needed)
            )
            return False
        self.share_set = info.set_number
        self.shares[info.number] = text
        secret.value = ""
        if len(self.shares) >= info.needed:
            return True
        self._label_secret()
        self._status(shares_given_message(len(self.shares), info.needed))
        return False

    @work(thread=True, exclusive=True, group="unlock")
    def _open(self, app: EvaultApp, secret: str, keyfile_path: str) -> None:
        """``app`` is taken on the interface's thread: once the lock key has covered this screen
        (Ctrl+L while the key is derived), the screen no longer reaches the app by itself."""
        from vault import Vault  # noqa: PLC0415 - loaded after the first frame

        try:
            keyfile = Path(keyfile_path).expanduser().read_bytes() if keyfile_path else None
            if self.mode == "shares":
                vault = Vault.open(self.vault_path, recovery_shares=list(self.shares.values()))
            elif self.mode == "recovery":
                vault = Vault.open(self.vault_path, recovery_key=secret)
            else:
                vault = Vault.open(self.vault_path, passphrase=secret, keyfile=keyfile)
        except OSError:
            self.post_message(StartFailed(_(KEYFILE_UNREADABLE)))
            return
        except EvaultError as exc:
            self.post_message(StartFailed(exc.message))
            return
        try:
            minutes = vault.auto_lock_minutes()
            lang = vault.language()
        except EvaultError:
            minutes, lang = None, None  # a preference is not worth refusing the vault over
        deliver(app, VaultOpened(vault, minutes, origin=self, language=lang), vault)

    def on_start_failed(self, message: StartFailed) -> None:
        self._status(message.text)
        self.query_one("#unlock", Button).disabled = False
        if self.mode == "shares":  # start again from the first share
            self.shares = {}
            self.share_set = None
            self._label_secret()
        secret = self.query_one("#secret", Input)
        secret.value = ""
        secret.focus()

    def _status(self, message: str) -> None:
        self.query_one("#status", Static).update(message)


class CreateScreen(VaultAccess, Screen[None]):
    """A new vault: passphrase twice with advice, optional keyfile."""

    AUTO_FOCUS = "#first"

    def __init__(self, vault_path: Path) -> None:
        super().__init__()
        self.vault_path = vault_path

    def compose(self) -> ComposeResult:
        with Form(classes="form"):
            yield SafeLabel(_("Create your evidence vault"), classes="screen-title")
            yield SafeStatic(
                _("It will be kept in: {folder}").format(folder=self.vault_path), markup=False
            )
            yield SafeLabel(_("Choose a passphrase (several unrelated words you can remember)"))
            yield Input(password=True, id="first", placeholder=_("passphrase"))
            yield SafeStatic("", id="strength", markup=False)
            yield SafeLabel(_("Type it again"))
            yield Input(password=True, id="second", placeholder=_("the same passphrase"))
            yield SafeLabel(_("Keyfile (optional: a file that must be present to unlock)"))
            yield Input(id="keyfile", placeholder=_("path to a keyfile, or leave empty"))
            with Horizontal(classes="buttons"):
                yield Button(_("Create vault"), id="create", variant="primary")
        yield StatusLine()
        yield Footer()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "first":
            self.query_one("#strength", Static).update(passphrase_advice(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "first":
            self.query_one("#second", Input).focus()
        else:
            self._create()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self._create()

    def _create(self) -> None:
        first = self.query_one("#first", Input).value
        second = self.query_one("#second", Input).value
        if first != second:
            self._status(_("The two passphrases are different. Type the second one again."))
            again = self.query_one("#second", Input)
            again.value = ""
            again.focus()
            return
        self._status(_("Creating the vault… (this takes a few seconds on purpose)"))
        self.query_one("#create", Button).disabled = True
        self._make(self.evault, first, self.query_one("#keyfile", Input).value.strip())

    @work(thread=True, exclusive=True, group="create")
    def _make(self, app: EvaultApp, passphrase: str, keyfile_path: str) -> None:
        from vault import Vault  # noqa: PLC0415 - loaded after the first frame

        try:
            keyfile = Path(keyfile_path).expanduser().read_bytes() if keyfile_path else None
            vault, recovery = Vault.create(
                self.vault_path, passphrase, keyfile=keyfile, kdf=app.kdf
            )
        except OSError:
            self.post_message(StartFailed(_(KEYFILE_UNREADABLE)))
            return
        except EvaultError as exc:
            self.post_message(StartFailed(exc.message))
            return
        deliver(app, VaultCreated(vault, recovery), vault)

    def on_start_failed(self, message: StartFailed) -> None:
        self._status(message.text)
        self.query_one("#create", Button).disabled = False

    def _status(self, message: str) -> None:
        self.query_one("#status", Static).update(message)


class RecoveryKeyScreen(VaultAccess, Screen[None]):
    """Shown once: the recovery key, and a check that it was written down."""

    AUTO_FOCUS = "#written"

    def __init__(self, vault: Vault, recovery: str) -> None:
        super().__init__()
        self.new_vault = vault
        self.recovery = recovery

    def compose(self) -> ComposeResult:
        with Form(classes="form"):
            yield SafeLabel(_("Your recovery key — write it on paper now"), classes="screen-title")
            yield SafeStatic(
                _(
                    "If you forget your passphrase, this key is the only way back in. It is shown "
                    "only this once. Write it on paper, check every group, and keep the paper "
                    "somewhere safe, away from this computer. Do not photograph it."
                ),
                markup=False,
            )
            yield SafeStatic(self.recovery, id="recovery-key", classes="recovery", markup=False)
            yield TickBox(_("I have written it down and checked it"), id="written")
            yield SafeLabel(_("To confirm, type the last group (the last 4 characters):"))
            yield Input(id="last-group", max_length=4)
            with Horizontal(classes="buttons"):
                yield Button(_("Continue"), id="continue", variant="primary")
        yield StatusLine()
        yield Footer()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._continue()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self._continue()

    def _continue(self) -> None:
        written = self.query_one("#written", Checkbox).value
        typed = self.query_one("#last-group", Input).value.strip().upper()
        if not written:
            self.query_one("#status", Static).update(
                _("Please write the key down first, then tick the box.")
            )
            return
        if typed != self.recovery.split("-")[-1]:
            self.query_one("#status", Static).update(
                _("That is not the last group. Look at the key again and check your paper.")
            )
            return
        self.evault.unlocked(self.new_vault)
