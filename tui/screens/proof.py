"""Proof of time in the app (issue 17): write a request to carry to an online computer, later
load the authority's answer; the kept proofs and the waiting requests are listed.

The vault never goes online. Every vault call runs in a worker (:meth:`VaultAccess.ask`): the
screen, and the panic key, never wait for it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Static

from tui.proof_words import pending_line, request_instructions, token_kept, token_line
from tui.screens.base import Form, StatusLine, VaultAccess
from tui.widgets.safe import SafeLabel, SafeStatic
from vault import N_, _, output_advice

if TYPE_CHECKING:
    from vault import TimestampRequest, TimestampToken

WHAT_IT_IS = N_(
    "Every time in the chain of custody comes from this computer's clock. A time-stamping "
    "authority, a public service, can sign that your evidence existed by a given time. The vault "
    "never goes online: you carry a small file to a computer that is, and bring the answer back."
)


class ProofOfTimeScreen(VaultAccess, Screen[None]):
    BINDINGS = [Binding("escape", "back", N_("Back"))]
    AUTO_FOCUS = ""
    FIRST = "#request-out"

    def compose(self) -> ComposeResult:
        stem = self.evault.exports_folder / f"proof-{date.today():%Y%m%d}"
        with Form(classes="form"):
            yield SafeLabel(_("Proof of time"), classes="screen-title")
            yield SafeStatic(_(WHAT_IT_IS), id="what", markup=False)
            yield SafeLabel(_("Kept and waiting"), classes="section")
            yield SafeStatic(_("Reading…"), id="kept", markup=False)
            yield SafeLabel(_("1. Write a request"), classes="section")
            yield SafeLabel(_("Save the request as"))
            yield Input(str(stem.with_suffix(".tsq")), id="request-out")
            with Horizontal(classes="buttons"):
                yield Button(_("Write the request"), id="write", variant="primary")
            yield SafeLabel(_("2. Load the answer"), classes="section")
            yield SafeLabel(_("The answer file (.tsr)"))
            yield Input(str(stem.with_suffix(".tsr")), id="answer")
            yield SafeLabel(
                _(
                    "The authority's certificates (.pem), needed the first time an authority "
                    "is used; empty otherwise"
                )
            )
            yield Input(id="ca")
            with Horizontal(classes="buttons"):
                yield Button(_("Load the answer"), id="load", variant="primary")
                yield Button(_("Back"), id="back")
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self._refresh()

    def action_back(self) -> None:
        self.dismiss(None)

    def _refresh(self) -> None:
        self.ask(lambda vault: vault.timestamps(), self._show_kept, self._status)

    def _show_kept(self, found: dict[str, Any]) -> None:
        tokens: list[TimestampToken] = found["tokens"]
        pending: list[TimestampRequest] = found["pending"]
        lines = [token_line(t) for t in tokens] + [pending_line(r) for r in pending]
        self.query_one("#kept", Static).update(
            "\n".join(lines) or _("No proof of time yet: write a request below to start one.")
        )

    def _path(self, field: str) -> Path | None:
        typed = self.query_one(field, Input).value.strip()
        if not typed:
            return None
        path = Path(typed).expanduser()
        return path if path.is_absolute() else self.evault.exports_folder / path

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back":
            self.action_back()
        elif event.button.id == "write":
            self._write()
        elif event.button.id == "load":
            self._load()

    def _write(self) -> None:
        out = self._path("#request-out")
        if out is None:
            self._status(_("Type where to save the request first (a .tsq file on your stick)."))
            return
        self._status(_("Writing the request…"))

        def written(request: TimestampRequest) -> None:
            # The exact commands, in the status line: always on screen, below the form.
            advice = output_advice(out)
            text = request_instructions(out, request.head_seq, in_app=True)
            self._status(text + (f"\n{advice}" if advice else ""))
            self._refresh()

        self.ask(lambda vault: vault.timestamp_request(out), written, self._status)

    def _load(self) -> None:
        answer, ca = self._path("#answer"), self._path("#ca")
        if answer is None:
            self._status(_("Type the path of the answer file (.tsr) first."))
            return
        self._status(_("Checking the answer…"))

        def kept(token: TimestampToken) -> None:
            self._status(token_kept(token))
            self._refresh()

        self.ask(lambda vault: vault.timestamp_add(answer, ca=ca), kept, self._status)

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)
