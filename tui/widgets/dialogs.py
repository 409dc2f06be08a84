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


class MessageDialog(TranslatedKeys, ModalScreen[None]):
    """Shows a message; Enter or Escape closes it."""

    BINDINGS = [Binding("escape", "close", "Close"), Binding("enter", "close", "Close")]

    def __init__(self, message: str, *, title: str = "Note") -> None:
        super().__init__()
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield SafeLabel(self.title_text, classes="dialog-title")
            yield SafeStatic(self.message, id="dialog-message", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("OK", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmDialog(TranslatedKeys, ModalScreen[bool]):
    """Asks a yes/no question. The safe answer (No) has the focus."""

    BINDINGS = [Binding("escape", "no", "No")]

    def __init__(self, question: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes
        self.no_label = no

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
