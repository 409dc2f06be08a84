"""Cases: see them, create one, rename one (renaming is recorded in the custody log)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static

from tui.screens.base import VaultAccess
from vault import EvaultError


class CasesScreen(VaultAccess, Screen[None]):
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Label("Cases", classes="screen-title")
            yield Static("", id="case-list", markup=False)
            yield Label("New case", classes="section")
            yield Input(id="new-name", placeholder="e.g. Facebook account hacked, 9 March")
            yield Button("Create case", id="create")
            yield Label("Rename a case", classes="section")
            yield Select([], prompt="Choose a case", id="rename-which")
            yield Input(id="rename-to", placeholder="new name")
            with Horizontal(classes="buttons"):
                yield Button("Rename", id="rename")
                yield Button("Back", id="back")
            yield Static("", id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_cases()

    def refresh_cases(self) -> None:
        names = [c.name for c in self.vault.list_cases()]
        self.query_one("#case-list", Static).update(
            "\n".join(f"• {n}" for n in names) or "No cases yet."
        )
        self.query_one("#rename-which", Select).set_options([(n, n) for n in names])

    def action_back(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        try:
            if event.button.id == "back":
                self.dismiss(None)
                return
            if event.button.id == "create":
                case = self.vault.create_case(self.query_one("#new-name", Input).value)
                self.query_one("#new-name", Input).value = ""
                self._status(f"Case '{case.name}' created.")
            elif event.button.id == "rename":
                which = self.query_one("#rename-which", Select).value
                if not isinstance(which, str):
                    self._status("Choose the case to rename first.")
                    return
                case = self.vault.rename_case(which, self.query_one("#rename-to", Input).value)
                self.query_one("#rename-to", Input).value = ""
                self._status(f"Renamed to '{case.name}'. The change is in the custody log.")
        except EvaultError as exc:
            self._status(exc.message)
            return
        self.refresh_cases()

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)
