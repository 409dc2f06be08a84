"""Cases: see them, create one, rename one (renaming is recorded in the custody log).

Every vault call runs in a worker (``VaultAccess.ask``); the answer updates the screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Select, Static

from tui.screens.base import Form, StatusLine, VaultAccess
from tui.widgets.safe import SafeLabel, SafeStatic
from vault import N_, _

if TYPE_CHECKING:
    from vault import Case


class CasesScreen(VaultAccess, Screen[None]):
    BINDINGS = [Binding("escape", "back", N_("Back"))]
    AUTO_FOCUS = "#new-name"

    def compose(self) -> ComposeResult:
        with Form(classes="form"):
            yield SafeLabel(_("Cases"), classes="screen-title")
            yield SafeStatic("", id="case-list", markup=False)
            yield SafeLabel(_("New case"), classes="section")
            yield Input(id="new-name", placeholder=_("e.g. Facebook account hacked, 9 March"))
            yield Button(_("Create case"), id="create")
            yield SafeLabel(_("Rename a case"), classes="section")
            yield Select([], prompt=_("Choose a case"), id="rename-which")
            yield Input(id="rename-to", placeholder=_("new name"))
            with Horizontal(classes="buttons"):
                yield Button(_("Rename"), id="rename")
                yield Button(_("Back"), id="back")
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_cases()

    def refresh_cases(self) -> None:
        self.ask(lambda vault: vault.list_cases(), self._show_cases, self._status)

    def _show_cases(self, cases: list[Case]) -> None:
        names = [c.name for c in cases]
        self.query_one("#case-list", Static).update(
            "\n".join(f"• {n}" for n in names) or _("No cases yet.")
        )
        self.query_one("#rename-which", Select).set_options([(n, n) for n in names])

    def action_back(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back":
            self.dismiss(None)
        elif event.button.id == "create":
            name = self.query_one("#new-name", Input).value
            self.ask(lambda vault: vault.create_case(name), self._created, self._status)
        elif event.button.id == "rename":
            which = self.query_one("#rename-which", Select).value
            if not isinstance(which, str):
                self._status(_("Choose the case to rename first."))
                return
            new = self.query_one("#rename-to", Input).value
            self.ask(lambda vault: vault.rename_case(which, new), self._renamed, self._status)

    def _created(self, case: Case) -> None:
        self.query_one("#new-name", Input).value = ""
        self._status(_("Case '{name}' created.").format(name=case.name))
        self.refresh_cases()

    def _renamed(self, case: Case) -> None:
        self.query_one("#rename-to", Input).value = ""
        self._status(
            _("Renamed to '{name}'. The change is in the custody log.").format(name=case.name)
        )
        self.refresh_cases()

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)
