"""Small modal dialogs: a calm message, and a yes/no question.

Errors reach the defender here as the same one or two sentences the command line prints.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from tui.language import TranslatedKeys
from tui.widgets.safe import SafeLabel, SafeStatic
from vault import N_, _


class MessageDialog(TranslatedKeys, ModalScreen[None]):
    """Shows a message; Enter or Escape closes it."""

    BINDINGS = [Binding("escape", "close", N_("Close")), Binding("enter", "close", N_("Close"))]

    def __init__(self, message: str, *, title: str | None = None) -> None:
        super().__init__()
        self.title_text = title if title is not None else _("Note")
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield SafeLabel(self.title_text, classes="dialog-title")
            yield SafeStatic(self.message, id="dialog-message", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(_("OK"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmDialog(TranslatedKeys, ModalScreen[bool]):
    """Asks a yes/no question. The safe answer (No) has the focus."""

    BINDINGS = [Binding("escape", "no", N_("No"))]

    def __init__(self, question: str, *, yes: str | None = None, no: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes if yes is not None else _("Yes")
        self.no_label = no if no is not None else _("No")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield SafeStatic(self.question, id="dialog-message", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(self.no_label, id="no", variant="primary")
                yield Button(self.yes_label, id="yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_no(self) -> None:
        self.dismiss(False)
