"""What every screen needs from the app: the app itself, the open vault (or a calm error), and
the one way to ask the vault something without waiting for it (:meth:`VaultAccess.ask`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.visual import VisualType
from textual.widgets import Button, Static

from tui.language import TranslatedKeys
from tui.widgets.safe import SafeStatic
from vault import N_, EvaultError, VaultLocked, _

if TYPE_CHECKING:
    from tui.app import EvaultApp
    from vault import Vault


T = TypeVar("T")


class Form(VerticalScroll, can_focus=False):
    """A screen's scrolling form. Never a focus stop of its own: Textual's scrolling container
    takes the focus by default, invisibly, and the first thing typed after Tab was lost (a case
    name, a lawyer's key). Moving between its fields scrolls it all the same."""


class StatusLine(SafeStatic):
    """The answer to what the defender just did, always on screen: it sits below the form (above
    the key list), never at the end of a form that runs past the bottom of an 80x24 terminal,
    where nothing seemed to happen and a frightened person pressed again. Hidden while empty.
    A long answer (an import's report) may take most of the screen: by then the form is done."""

    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        max-height: 100%;  /* an import's report is long: the form above is done by then */
        overflow-y: auto;
        padding: 0 2;
        border-top: solid $accent;
        text-style: bold;
    }
    """

    def __init__(self, status_id: str = "status") -> None:
        super().__init__("", id=status_id, markup=False)
        self.display = False

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(content, layout=layout)
        self.display = bool(str(content).strip())


class Answered(Message):
    """A vault call made by :meth:`VaultAccess.ask` is over: run its continuation here."""

    def __init__(self, then: Callable[[], None]) -> None:
        super().__init__()
        self.then = then


class VaultAccess(TranslatedKeys, DOMNode):
    """Mixed into screens: ``self.evault`` is the app, ``self.vault`` the unlocked vault."""

    # The field that has the focus when the screen opens. Used instead of Textual's AUTO_FOCUS,
    # which scrolls the field into view and so pushed a form's title and first label off the top
    # of an 80x24 terminal: the first field is in view already, under them.
    FIRST = ""

    def on_mount(self) -> None:
        """The first field focused at once (no key typed early goes elsewhere), without
        scrolling. (Textual calls this as well as a screen's own ``on_mount``.)"""
        self.focus_first()

    def focus_first(self) -> None:
        if self.FIRST:
            self.screen.set_focus(self.query_one(self.FIRST), scroll_visible=False)

    def ask(
        self,
        call: Callable[[Vault], T],
        then: Callable[[T], None],
        failed: Callable[[str], None],
    ) -> None:
        """Run ``call(vault)`` in a worker, then ``then(result)`` (or ``failed(sentence)``) back on
        the interface's thread. The vault may be busy with another screen's task; the interface
        never waits for it (no key press, the panic key included, ever does)."""

        def work() -> None:
            try:
                vault = self.evault.vault
                if vault is None:
                    raise VaultLocked()
                result = call(vault)
            except EvaultError as exc:
                message = exc.message
                self.post_message(Answered(lambda: failed(message)))
                return
            self.post_message(Answered(lambda: then(result)))

        self.run_worker(work, thread=True, group="vault")

    def on_answered(self, message: Answered) -> None:
        if self.covered:
            return  # locked meanwhile: the answer must not open or close a screen over the lock
        message.then()

    @property
    def covered(self) -> bool:
        """True once locking took this screen away (it is being removed in the background): a
        late answer from a worker must then change nothing on the screen stack."""
        return self.screen not in self.app.screen_stack

    @property
    def evault(self) -> EvaultApp:
        return self.app  # type: ignore[return-value]

    @property
    def vault(self) -> Vault:
        vault = self.evault.vault
        if vault is None:
            raise VaultLocked()
        return vault


class StoppableTask(VaultAccess, Screen[None]):
    """A screen that runs one long task (adding files, importing) in a worker.

    Its first button starts the task, "back" leaves; Escape stops a running task (at the next
    chunk or message, keeping nothing half-done) or, when idle, leaves. File pickers on it start in
    the app's files folder (the stick in portable mode).
    """

    BINDINGS = [Binding("escape", "cancel", N_("Back / stop"))]
    STOPPING = N_("Stopping…")

    def __init__(self, start: Path | None = None) -> None:
        super().__init__()
        self.start = start or self.evault.files_folder
        self.cancel_event = threading.Event()
        self.running = False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back":
            self.action_cancel()
        elif not self.running:
            self._start()

    def begin(self) -> None:
        """The task starts: Escape (and locking the app) now stops it."""
        self.running = True
        self.cancel_event.clear()
        self.evault.task_started(self.cancel_event)

    def end(self) -> None:
        """The worker reported back: the task is over, whatever happened."""
        self.running = False
        self.evault.task_ended(self.cancel_event)

    def on_unmount(self) -> None:
        self.evault.task_ended(self.cancel_event)

    def action_cancel(self) -> None:
        if self.running:
            self.cancel_event.set()
            self.status(_(self.STOPPING))
        else:
            self.dismiss(None)

    def _start(self) -> None:
        raise NotImplementedError

    def status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)
