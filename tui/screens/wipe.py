"""The emergency wipe in the app: one deliberate confirmation, then a calm screen saying it is done.

F8 on the unlock screen (shown in the footer) and on the evidence list (listed by F1) opens :class:`WipeDialog`, where the defender
must type WIPE: a key pressed by accident, or in panic instead of the lock key, destroys nothing.
Once confirmed, the app drops its open vault without waiting for it (as the lock key does) and
shows :class:`WipedScreen`, whose worker wipes at once (``vault.wipe_vault``) and then says what
was done, what was left in the folder, and what flash media may keep.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Footer, Input, Static

from tui import wipe_words
from tui.language import TranslatedKeys
from tui.widgets.safe import SafeLabel, SafeStatic
from tui.wipe_words import is_wipe_word
from vault import N_, EvaultError, _

if TYPE_CHECKING:
    from vault import WipeResult

WIPE_KEY = "f8"
# The word itself (wipe_words.WIPE_WORD) is the same in every language: the guides tell it as is.
TYPE_WORD = N_("Type {word} and press Enter to destroy the vault, or Escape to go back.")


def type_word() -> str:
    """What to type to confirm, in the current language."""
    return _(TYPE_WORD).format(word=wipe_words.WIPE_WORD)


def wipe_binding(*, show: bool = True) -> Binding:
    """The one key that opens the wipe's confirmation, on every screen that offers it. Where the
    footer is full (the evidence list) it is listed by F1 only: the lock key must stay in view."""
    return Binding(WIPE_KEY, "app.ask_wipe", N_("Wipe vault"), show=show)


class WipeDialog(TranslatedKeys, ModalScreen[bool]):
    """Asks for the word WIPE. Escape, or anything else typed, keeps the vault."""

    BINDINGS = [Binding("escape", "back", N_("Back"))]
    # Its layout is in evault.tcss (app CSS, which the shared .dialog rules there would override
    # here): at 80x24 the whole dialog fits, buttons included, in every language.
    DEFAULT_CSS = "WipeDialog #status { margin-top: 1; }"
    AUTO_FOCUS = "#word"

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield SafeLabel(_("Wipe this vault?"), classes="dialog-title")
            with VerticalScroll(id="wipe-warning"):
                yield SafeStatic(
                    _(wipe_words.WIPE_WARNING).format(folder=self.folder),
                    id="dialog-message",
                    markup=False,
                )
            yield SafeStatic(type_word(), id="status", markup=False)
            yield Input(id="word", placeholder=wipe_words.WIPE_WORD)
            with Horizontal(classes="buttons"):
                yield Button(_("Keep the vault"), id="keep", variant="primary")
                yield Button(_("Wipe"), id="wipe", variant="error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._decide()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "wipe":
            self._decide()
        else:
            self.dismiss(False)

    def _decide(self) -> None:
        if is_wipe_word(self.query_one("#word", Input).value):
            self.dismiss(True)
            return
        self.query_one("#word", Input).value = ""
        self.query_one("#status", Static).update(
            _("Nothing was wiped.") + " " + type_word()  # a slip of the keyboard changes nothing
        )

    def action_back(self) -> None:
        self.dismiss(False)


class WipeFinished(Message):
    """The wipe worker's answer: what was done, or one calm sentence of what went wrong."""

    def __init__(self, result: WipeResult | None, error: str | None) -> None:
        super().__init__()
        self.result = result
        self.error = error


class WipedScreen(TranslatedKeys, Screen[None]):
    """Wipes at once when shown, then says it is done. Nothing here can reopen anything."""

    def __init__(self, folder: Path, *, app_had_it_open: bool) -> None:
        super().__init__()
        self.folder = folder
        self.app_had_it_open = app_had_it_open
        self.result: WipeResult | None = None
        self.done = False

    def compose(self) -> ComposeResult:
        # A scrolling text, not a form: its one focus stop lets the arrow keys read it all.
        with VerticalScroll(classes="form"):
            yield SafeLabel(_("Wiping the vault…"), id="wiped-title", classes="screen-title")
            yield SafeStatic("", id="wiped-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._wipe()

    @work(thread=True, exclusive=True, group="wipe")
    def _wipe(self) -> None:
        from vault import wipe_vault  # noqa: PLC0415 - loaded only when a wipe is confirmed

        try:
            self.post_message(WipeFinished(wipe_vault(self.folder), None))
        except EvaultError as exc:
            self.post_message(WipeFinished(None, exc.message))

    def on_wipe_finished(self, message: WipeFinished) -> None:
        self.done = True
        self.result = message.result
        title = self.query_one("#wiped-title", Static)
        text = self.query_one("#wiped-text", Static)
        if message.result is None:
            title.update(_("The vault could not be wiped completely"))
            text.update(message.error or "")
            return
        # The app's own vault was still letting go of its lock: that is not another window.
        elsewhere = message.result.was_open and not self.app_had_it_open
        title.update(_("The vault is wiped"))
        paragraphs = wipe_words.wipe_summary(message.result, open_elsewhere=elsewhere)
        text.update("\n\n".join([*paragraphs, _("You can close evault now (Ctrl+Q).")]))
