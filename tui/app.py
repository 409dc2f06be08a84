"""The evault terminal app: one factory used by the command line and the tests.

Safety first: the app auto-locks after a period without keys or clicks, a panic key (Ctrl+L or F12)
locks from any screen at once, F8 on the unlock screen and the evidence list wipes the vault after
the defender types WIPE (``tui.screens.wipe``), locking closes the vault (dropping its keys) and replaces every
screen, and the terminal title never names the vault or its contents. Blocking work (unlocking,
adding, importing, exporting, verifying) runs in worker threads that report back by posting
messages (``tui.messages``), so the interface never freezes and never waits for a worker: locking
stops the running tasks and closes the vault in the background the moment they let go of it, while
the unlock screen is already shown.
"""

from __future__ import annotations

import gc
import math
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from tui.messages import ShowError, VaultCreated, VaultOpened
from tui.screens.start import CreateScreen, RecoveryKeyScreen, UnlockScreen
from tui.screens.wipe import WipeDialog, WipedScreen
from vault import AUTO_LOCK_DEFAULT, N_, _, holds_vault, ngettext, set_language

if TYPE_CHECKING:
    from tui.widgets.dialogs import MessageDialog
    from vault import KdfChoice, Vault

DEFAULT_AUTO_LOCK_SECONDS = AUTO_LOCK_DEFAULT * 60
IDLE_CHECK_SECONDS = 1.0
# Before locking by itself the app says so, this long before (a quarter of a very short time).
LOCK_WARNING_SECONDS = 30.0
# Textual would write a log file or talk to devtools if asked to by these variables; a vault
# must leave no trace, so the app removes them before it starts.
TEXTUAL_TRACE_VARIABLES = ("TEXTUAL_LOG", "TEXTUAL", "TEXTUAL_DEVTOOLS_HOST", "TEXTUAL_SCREENSHOT")


class EvaultApp(App[None]):
    CSS_PATH = "evault.tcss"
    TITLE = "evault"
    SUB_TITLE = ""
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+l", "lock", N_("Lock"), priority=True),
        Binding("f12", "lock", N_("Lock now"), show=False, priority=True),
        Binding("ctrl+q", "quit", N_("Quit"), priority=True),
        Binding("f1", "toggle_keys", N_("All keys"), show=False),
        # Priority: the focus moves the moment Tab is read, so what is typed right after it (fast,
        # or by a password manager) goes to the next field, not the one before.
        Binding("tab", "focus_next", N_("Next field"), show=False, priority=True),
        Binding("shift+tab", "focus_previous", N_("Previous field"), show=False, priority=True),
    ]

    def __init__(
        self,
        vault_path: Path,
        *,
        auto_lock_seconds: float | None = None,
        kdf: KdfChoice | None = None,
        clock: Callable[[], float] = time.monotonic,
        files_folder: Path | None = None,
        exports_folder: Path | None = None,
        notices: list[str] | None = None,
        language_fixed: bool = False,
    ) -> None:
        super().__init__()
        # The language was given for this run (--lang, EVAULT_LANG): the vault's own setting
        # does not override it at unlock. Otherwise the vault's choice applies once it is open.
        self.language_fixed = language_fixed
        self.vault_path = vault_path
        # Where file pickers start and bundles go: the stick in portable mode, else the home folder.
        self.files_folder = files_folder or Path.home()
        self.exports_folder = exports_folder or Path.home()
        self.notices = list(notices or [])
        self.vault: Vault | None = None
        # An explicit time (tests, --auto-lock) wins; otherwise the vault's stored choice applies
        # once it is unlocked, and the default until then.
        self._auto_lock_fixed = auto_lock_seconds is not None
        self.auto_lock_seconds = (
            auto_lock_seconds if auto_lock_seconds is not None else DEFAULT_AUTO_LOCK_SECONDS
        )
        self.kdf = kdf
        self._clock = clock
        self._last_activity = clock()
        self._lock_warned = False  # the "locking in 30 seconds" notice is on screen
        # The cancel events of running tasks (adding, importing, exporting): locking sets them all.
        self._tasks: set[threading.Event] = set()

    # ------------------------------------------------------------------ lifecycle

    def on_mount(self) -> None:
        self.set_interval(IDLE_CHECK_SECONDS, self._check_idle)
        self.push_screen(self._start_screen())
        for notice in self.notices:
            self.push_screen(_message(notice, title=_("Before you start")))
        self.call_after_refresh(self._prewarm)

    @staticmethod
    def _prewarm() -> None:
        """Load the vault code while the defender types the passphrase, not after Enter."""
        threading.Thread(target=_load_vault_code, daemon=True).start()

    def _start_screen(self) -> UnlockScreen | CreateScreen:
        if holds_vault(self.vault_path):
            return UnlockScreen(self.vault_path)
        return CreateScreen(self.vault_path)

    def on_vault_opened(self, message: VaultOpened) -> None:
        if message.origin is not None and message.origin not in self.screen_stack:
            # The lock key was pressed while the passphrase was being checked: stay locked.
            threading.Thread(target=message.vault.close, name="evault-lock").start()
            return
        if message.language and not self.language_fixed:
            set_language(message.language)
        self.unlocked(message.vault, message.auto_lock_minutes)

    def on_vault_created(self, message: VaultCreated) -> None:
        # Held by the app from now on, so the panic key closes it even on the recovery-key screen.
        self.vault = message.vault
        self.switch_screen(RecoveryKeyScreen(message.vault, message.recovery))

    def on_show_error(self, message: ShowError) -> None:
        self.show_error(message.text)

    def unlocked(self, vault: Vault, auto_lock_minutes: int | None = None) -> None:
        """A vault is open (unlocked, or created and its recovery key written down): show the
        evidence. ``auto_lock_minutes`` is the time stored in the vault (None: never chosen)."""
        from tui.screens.evidence import EvidenceScreen  # noqa: PLC0415 - only after unlock

        self.vault = vault
        if not self._auto_lock_fixed:
            minutes = auto_lock_minutes or AUTO_LOCK_DEFAULT
            self.auto_lock_seconds = minutes * 60
        self.touch()
        # Everything loaded so far lives until the app ends: keep it out of the garbage collector's
        # full passes, which otherwise stall a key press now and then on a large vault.
        gc.freeze()
        self.switch_screen(EvidenceScreen())
        if vault.interrupted_write:
            from tui.context import INTERRUPTED_NOTICE  # noqa: PLC0415

            self.push_screen(
                _message(_(INTERRUPTED_NOTICE), title=_("The last session was cut off"))
            )
        if vault.key_notices:  # vault.keys altered, or a new recovery key never confirmed
            self.push_screen(_message("\n\n".join(vault.key_notices), title=_("Vault keys")))

    def on_unmount(self) -> None:
        vault = self._release_vault()
        if vault is not None:
            vault.close()  # at exit the close may wait: the process must not end mid-write

    def _release_vault(self) -> Vault | None:
        """Forget the vault and stop every running task; the caller closes the vault."""
        for cancel in list(self._tasks):
            cancel.set()
        self._tasks.clear()  # told to stop: a covered screen may never report back
        vault, self.vault = self.vault, None
        return vault

    def task_started(self, cancel: threading.Event) -> None:
        """A screen started a long task that stops when ``cancel`` is set (locking sets it)."""
        self._tasks.add(cancel)

    def task_ended(self, cancel: threading.Event) -> None:
        self._tasks.discard(cancel)

    # ------------------------------------------------------------------ safety

    def touch(self) -> None:
        self._last_activity = self._clock()
        if self._lock_warned:  # a key or click keeps the vault open: the warning goes
            self._lock_warned = False
            self.clear_notifications()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event, events.Key | events.MouseDown | events.MouseScrollDown | events.MouseScrollUp
        ):
            self.touch()
        if isinstance(event, events.Paste) and not event.is_forwarded:
            take_paste = getattr(self.screen, "take_paste", None)
            if take_paste is not None and take_paste(event.text):
                return  # taken at once: no key typed after the paste can overtake it
        await super().on_event(event)

    def _check_idle(self) -> None:
        if self.vault is None or isinstance(self.screen, RecoveryKeyScreen):
            return  # a new, empty vault waits while its recovery key is written on paper
        left = self.auto_lock_seconds - (self._clock() - self._last_activity)
        if left <= 0:
            self.action_lock()
        elif (
            left <= min(LOCK_WARNING_SECONDS, self.auto_lock_seconds / 4) and not self._lock_warned
        ):
            self._lock_warned = True
            seconds = math.ceil(left)
            self.notify(
                ngettext(
                    "The vault locks in {n} second, as nothing was pressed for a while. "
                    "Press any key to keep it open.",
                    "The vault locks in {n} seconds, as nothing was pressed for a while. "
                    "Press any key to keep it open.",
                    seconds,
                ).format(n=seconds),
                title=_("Locking soon"),
                severity="warning",
                timeout=left + IDLE_CHECK_SECONDS,
                markup=False,
            )

    def action_lock(self) -> None:
        """Drop the vault and replace every screen with the unlock screen, without waiting.

        Running tasks are told to stop; the vault is closed (its keys dropped, its lock released)
        in the background as soon as the task holding it lets go, at most one chunk or message
        later. The screens showing the evidence are gone at once either way.
        """
        vault = self._release_vault()
        if vault is not None:
            threading.Thread(target=vault.close, name="evault-lock").start()
        self._lock_warned = False
        self.clear_notifications()  # a notice may name what was just done with the evidence
        self._cover(self._start_screen())  # after a wipe there is nothing to unlock

    def action_ask_wipe(self) -> None:
        """F8 (unlock screen, evidence list): ask for the word WIPE; nothing happens without it."""
        if not isinstance(self.screen, WipeDialog | WipedScreen):
            self.push_screen(WipeDialog(self.vault_path), self._wipe_answered)

    def _wipe_answered(self, confirmed: bool | None) -> None:
        if confirmed:
            self._wipe_now()

    def _wipe_now(self) -> None:
        """Drop the open vault without waiting for it (as the lock key does), and wipe at once.

        The vault closes in the background while the wipe removes its files: on Linux and macOS
        an open file loses its name at once, and the keys are overwritten in place either way.
        """
        vault = self._release_vault()
        if vault is not None:
            threading.Thread(target=vault.close, name="evault-wipe").start()
        self._cover(WipedScreen(self.vault_path, app_had_it_open=vault is not None))

    def change_language(self, lang: str) -> None:
        """The defender chose another language in Settings: everything is shown in it from now on.

        Textual keeps what a screen drew, so the screens already open are replaced by fresh ones
        (the evidence list, and Settings over it, as they were opened), drawn in the new language.
        """
        from tui.screens.evidence import EvidenceScreen  # noqa: PLC0415 - only after unlock
        from tui.screens.settings import SettingsScreen  # noqa: PLC0415

        set_language(lang)
        self._cover(EvidenceScreen(), SettingsScreen(language_changed=True))
        self.refresh_bindings()

    def _cover(self, *screens: Screen[None]) -> None:
        """Show ``screens`` over everything at once, then remove the screens they cover.

        The new screen goes on top first, so no frame ever shows what was under the screen on
        top (removing them one by one would show each in turn), and the lock never waits for a
        covered screen to go: removing one waits for its widgets to finish what they were doing
        (half a second for a busy add screen), which happens in the background instead.
        """
        covered = self.screen_stack[1:]
        for screen in screens:
            self.push_screen(screen)
        stack = self._screen_stack  # Textual has no public call to drop a screen under the top
        for old in covered:
            if old in stack:
                stack.remove(old)
        self.run_worker(self._remove_covered(covered), group="lock-tidy")

    async def _remove_covered(self, covered: list[Screen[Any]]) -> None:
        for old in reversed(covered):
            await self._replace_screen(old)  # suspended and removed, with all it showed

    def action_toggle_keys(self) -> None:
        """F1 lists every key of the current screen, including the ones the footer leaves out:
        the screen's own keys first, in plain words (``tui.widgets.keys``)."""
        from tui.widgets.keys import KeysPanel  # noqa: PLC0415 - not needed for the first frame

        panels = self.screen.query(KeysPanel)
        if panels:
            panels.remove()
        else:
            self.screen.mount(KeysPanel())

    def show_error(self, message: str) -> None:
        self.push_screen(_message(message, title=_("Something went wrong")))


def _message(text: str, *, title: str) -> MessageDialog:
    """A dialog with one message; its module loads when a message is first shown, not before the
    unlock screen's first frame."""
    from tui.widgets.dialogs import MessageDialog  # noqa: PLC0415

    return MessageDialog(text, title=title)


def _load_vault_code() -> None:
    from vault import Vault  # noqa: F401, PLC0415 - imported for its side effect: loading


def make_app(
    vault_path: Path,
    *,
    auto_lock_seconds: float | None = None,
    kdf: KdfChoice | None = None,
    clock: Callable[[], float] = time.monotonic,
    files_folder: Path | None = None,
    exports_folder: Path | None = None,
    notices: list[str] | None = None,
    language_fixed: bool = False,
) -> EvaultApp:
    """The one way to build the app (command line and tests alike)."""
    for name in TEXTUAL_TRACE_VARIABLES:
        os.environ.pop(name, None)
    return EvaultApp(
        vault_path,
        auto_lock_seconds=auto_lock_seconds,
        kdf=kdf,
        clock=clock,
        files_folder=files_folder,
        exports_folder=exports_folder,
        notices=notices,
        language_fixed=language_fixed,
    )
