"""Export a bundle for the lawyer, and verify a bundle (for lawyers using the app).

Both run in worker threads with progress; the export finishes on a screen that says exactly what
to send and what to read to the lawyer over the phone.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Footer, Input, ProgressBar, RadioSet, Static

from tui.messages import Progress, ProgressPoster
from tui.screens.base import Form, StatusLine, VaultAccess
from tui.terminal_text import terminal_text
from tui.widgets.safe import SafeLabel, SafeStatic
from tui.widgets.tickbox import ChoiceButton, TickBox
from vault import (
    N_,
    EvaultError,
    VaultLocked,
    _,
    ngettext,
    output_advice,
    pgettext,
    verify_bundle,
)

if TYPE_CHECKING:
    from tui.app import EvaultApp
    from vault import ExportResult, VerifyResult


class ExportEnded(Message):
    """The export worker is done: the result, or the sentence saying why not."""

    def __init__(self, result: ExportResult | None, problem: str | None) -> None:
        super().__init__()
        self.result = result
        self.problem = problem


class VerifyEnded(Message):
    """The verify worker is done: the result, or the sentence saying why it could not check,
    and the decrypted ZIP it wrote (an encrypted bundle), if any."""

    def __init__(
        self, result: VerifyResult | None, problem: str | None, decrypted: Path | None = None
    ) -> None:
        super().__init__()
        self.result = result
        self.problem = problem
        self.decrypted = decrypted


class ExportScreen(VaultAccess, Screen[None]):
    BINDINGS = [Binding("escape", "back", N_("Back / stop"))]
    AUTO_FOCUS = ""
    FIRST = "#case"  # without scrolling "Case to export" off the top (VaultAccess.FIRST)

    def __init__(self) -> None:
        super().__init__()
        self.cancel_event = threading.Event()
        self.running = False

    def compose(self) -> ComposeResult:
        with Form(classes="form"):
            yield SafeLabel(_("Export evidence for your lawyer"), classes="screen-title")
            yield SafeLabel(_("Case to export (empty: everything in the vault)"))
            yield Input(id="case")
            yield SafeLabel(_("Protect the bundle with"))
            with RadioSet(id="protection"):
                yield ChoiceButton(
                    _("Your lawyer's own key (safest: only the lawyer can open it)"),
                    id="by-key",
                    value=True,
                )
                yield ChoiceButton(
                    _("A passphrase you tell the lawyer by phone"), id="by-passphrase"
                )
                yield ChoiceButton(
                    _("Nothing (only for a stick you hand over in person)"), id="by-nothing"
                )
            yield SafeLabel(
                _(
                    "The lawyer's key (a line starting with age1 that the lawyer gives you; "
                    "'age' is the encryption tool), or the bundle passphrase"
                )
            )
            yield Input(id="secret", password=False)
            yield SafeLabel(_("Save the bundle as"))
            yield Input(str(self.evault.exports_folder / "evidence-bundle.zip.age"), id="out")
            yield SafeLabel(_("Note for the lawyer (optional, kept in the custody log)"))
            yield Input(id="note")
            yield SafeLabel(
                _(
                    "The report in the bundle prints the texts of messages and notes, except "
                    "those marked sensitive."
                )
            )
            yield TickBox(_("Print sensitive texts in the report too"), id="sensitive-text")
            with Horizontal(classes="buttons"):
                yield Button(pgettext("button", "Export"), id="export", variant="primary")
                yield Button(_("Back"), id="back")
        yield ProgressBar(id="progress", show_eta=False)
        yield StatusLine()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False  # shown once an export runs

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        secret = self.query_one("#secret", Input)
        secret.password = event.pressed.id == "by-passphrase"
        out = self.query_one("#out", Input)
        if event.pressed.id == "by-nothing" and out.value.endswith(".age"):
            out.value = out.value.removesuffix(".age")
        elif event.pressed.id != "by-nothing" and not out.value.endswith(".age"):
            out.value += ".age"

    def action_back(self) -> None:
        if self.running:
            self.cancel_event.set()
        else:
            self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back":
            self.action_back()
        elif not self.running:
            self._start()

    def _start(self) -> None:
        pressed = self.query_one("#protection", RadioSet).pressed_button
        mode = pressed.id if pressed is not None else "by-key"
        secret = self.query_one("#secret", Input).value.strip()
        if mode != "by-nothing" and not secret:
            self._status(
                _(
                    "Type the lawyer's key (it starts with age1) or a passphrase, or choose "
                    "'Nothing'."
                )
            )
            return
        self.running = True
        self.cancel_event.clear()
        self.evault.task_started(self.cancel_event)
        self.query_one("#export", Button).disabled = True
        self.query_one("#progress", ProgressBar).display = True
        self._export(
            Path(self.query_one("#out", Input).value.strip()).expanduser(),
            self.query_one("#case", Input).value.strip() or None,
            self.query_one("#note", Input).value.strip() or None,
            [secret] if mode == "by-key" else [],
            secret if mode == "by-passphrase" else None,
            self.query_one("#sensitive-text", TickBox).value,
        )

    @work(thread=True, exclusive=True, group="export")
    def _export(
        self,
        out: Path,
        case: str | None,
        note: str | None,
        recipients: list[str],
        passphrase: str | None,
        include_sensitive_text: bool,
    ) -> None:
        vault = self.evault.vault
        try:
            if vault is None:
                raise VaultLocked()
            result = vault.export_bundle(
                out,
                case=case,
                everything=case is None,
                note=note,
                recipients=recipients,
                passphrase=passphrase,
                include_sensitive_text=include_sensitive_text,
                progress=ProgressPoster(self),
                cancel=self.cancel_event,
            )
        except EvaultError as exc:
            self.post_message(ExportEnded(None, exc.message))
            return
        self.post_message(ExportEnded(result, None))

    def on_progress(self, message: Progress) -> None:
        self.query_one("#progress", ProgressBar).update(total=message.total, progress=message.done)

    def on_export_ended(self, message: ExportEnded) -> None:
        self.running = False
        self.evault.task_ended(self.cancel_event)
        if self.covered:
            return  # locked meanwhile: the lock screen stays on top
        if message.result is not None:
            self.app.switch_screen(ExportDoneScreen(message.result))
            return
        self.query_one("#export", Button).disabled = False
        self._status(message.problem or "")

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)


class ExportDoneScreen(VaultAccess, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", N_("Done")),
        Binding("enter", "back", N_("Done"), show=False),
    ]
    AUTO_FOCUS = "#done-button"

    def __init__(self, result: ExportResult) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        r = self.result
        lines = [
            _("Bundle: {path}").format(path=r.path),
            ngettext(
                "{n} item. The bundle's file code (SHA-256), also in your custody log: {sha256}",
                "{n} items. The bundle's file code (SHA-256), also in your custody log: {sha256}",
                r.items,
            ).format(n=r.items, sha256=r.sha256),
        ]
        if r.key_path is not None:
            lines.append(
                _("Also send: {path}. Tell the passphrase by phone, never in writing.").format(
                    path=r.key_path
                )
            )
        elif r.encryption == "none":
            lines.append(_("WARNING: this bundle is not encrypted. Hand it over in person only."))
        advice = output_advice(r.path) or (output_advice(r.key_path) if r.key_path else None)
        if advice is not None:
            lines.append(advice)  # a FAT stick or a folder other accounts can read
        lines += [
            "",
            _("Read these digits to your lawyer over the phone or in person."),
            _("They check that the bundle really comes from your vault:"),
        ]
        with Form(classes="form"):
            yield SafeLabel(_("Bundle ready"), classes="screen-title")
            yield SafeStatic("\n".join(lines), id="done", markup=False)
            yield SafeStatic(r.fingerprint, id="fingerprint", classes="recovery", markup=False)
            yield Button(_("Done"), id="done-button", variant="primary")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)

    def action_back(self) -> None:
        self.dismiss(None)


class VerifyScreen(VaultAccess, Screen[None]):
    """Verify a bundle: the same checks as 'evault verify', shown item by item."""

    BINDINGS = [Binding("escape", "back", N_("Back"))]
    AUTO_FOCUS = "#bundle"

    def compose(self) -> ComposeResult:
        with Form(classes="form"):
            yield SafeLabel(_("Verify an evidence bundle"), classes="screen-title")
            yield SafeLabel(_("Bundle file"))
            yield Input(id="bundle")
            yield SafeLabel(_("Fingerprint the defender read to you (30 digits)"))
            yield Input(id="key")
            yield SafeLabel(
                _("For an encrypted bundle: your age key file, or the bundle's .key.age file")
            )
            yield Input(id="identity")
            yield SafeLabel(_("Passphrase of that .key.age file (if it has one)"))
            yield Input(id="passphrase", password=True)
            # Unticked: an encrypted bundle is checked where it lies and nothing is written (a
            # shared office computer keeps no plain copy of the evidence).
            yield Checkbox(
                _("Keep a decrypted copy beside it (to open the evidence)"),
                value=True,
                id="keep-copy",
            )
            with Horizontal(classes="buttons"):
                yield Button(_("Verify"), id="verify", variant="primary")
                yield Button(_("Back"), id="back")
            yield SafeStatic("", id="result", markup=False)
        yield StatusLine()
        yield Footer()

    def action_back(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back":
            self.dismiss(None)
            return
        self.query_one("#result", Static).update("")
        self._status(_("Checking the bundle…"))
        cancel = threading.Event()  # locking (the panic key) sets it: no decrypted copy is kept
        self.evault.task_started(cancel)
        self._verify(
            self.evault,
            cancel,
            Path(self.query_one("#bundle", Input).value.strip()).expanduser(),
            self.query_one("#key", Input).value.strip() or None,
            self.query_one("#identity", Input).value.strip(),
            self.query_one("#passphrase", Input).value,
            self.query_one("#keep-copy", Checkbox).value,
        )

    @work(thread=True, exclusive=True, group="verify")
    def _verify(
        self,
        app: EvaultApp,
        cancel: threading.Event,
        path: Path,
        key: str | None,
        identity: str,
        passphrase: str,
        keep_copy: bool,
    ) -> None:
        try:
            checked = verify_bundle(
                path,
                key=key,
                identities=[Path(identity).expanduser()] if identity else [],
                ask_passphrase=lambda: passphrase,
                keep_decrypted=keep_copy,
                cancel=cancel,
            )
        except EvaultError as exc:
            self.post_message(VerifyEnded(None, exc.message))
            return
        finally:
            app.task_ended(cancel)  # taken on the app's thread: this screen may be gone by now
        if cancel.is_set() and checked.decrypted is not None:
            checked.decrypted.unlink(missing_ok=True)  # the panic came as the check ended
            return
        self.post_message(VerifyEnded(checked.result, None, checked.decrypted))

    def on_verify_ended(self, message: VerifyEnded) -> None:
        if message.result is None:
            self._status(terminal_text(message.problem or ""))
            return
        result = message.result
        if result.ok:
            verdict = _(
                "VERIFIED: everything holds, and the signer is the vault whose digits you gave."
            )
        elif result.intact and result.key_matched is None:
            verdict = _(
                "FILES INTACT, SIGNER NOT CONFIRMED: type the 30 digits the defender gave you "
                "above and verify again. Until then this bundle is not verified: anyone can make "
                "one like it with their own key."
            )
        elif result.key_matched is False:
            verdict = _(
                "NOT VERIFIED: this bundle was NOT signed by the vault whose digits you gave."
            )
        else:
            verdict = _("NOT VERIFIED: see the FAILED lines.")
        lines = [
            verdict,
            _("The bundle says it was signed by the vault with fingerprint {fingerprint}").format(
                fingerprint=result.signer_fingerprint
            ),
            "",
        ]
        if message.decrypted is not None:
            lines.append(
                _("Decrypted to {path} (kept for you to open the evidence).").format(
                    path=terminal_text(str(message.decrypted))
                )
            )
            advice = output_advice(message.decrypted)
            if advice is not None:
                lines.append(terminal_text(advice))
            lines.append("")
        # TRANSLATORS: the mark before each check of a bundle, shown in a column: keep them short;
        # "FAILED" in capitals so it stands out (the verdict above names the FAILED lines).
        passed, failed = _("passed"), _("FAILED")
        lines += [
            f"{passed if c.ok else failed}  {terminal_text(c.shown_name())}: {terminal_text(c.shown_detail())}"
            for c in result.checks
        ]
        lines.append("")
        for item in result.items:
            mark = passed if item.ok else failed
            extra = "" if item.ok else ": " + "; ".join(item.shown_problems())
            lines.append(f"{mark}  {terminal_text(item.path)}  {terminal_text(item.title + extra)}")
        self.query_one("#result", Static).update("\n".join(lines))
        # The verdict stays in view below; the details follow the form, brought into view.
        self._status(_("{verdict} The details are above.").format(verdict=verdict))
        self.query_one("#result").scroll_visible(animate=False, top=True)

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)
