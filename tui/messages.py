"""Messages from worker threads to the app: "attributes down, messages up".

A worker never calls into the interface and never waits for it: it posts a message
(``post_message`` is safe from any thread and returns at once) and carries on or ends. So no key
press, the panic key included, ever waits for a worker, and a worker never waits for a key press.
Messages for one screen are defined beside that screen; these go to the app itself, which outlives
every screen.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual.message import Message
from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from vault import Vault


class VaultOpened(Message):
    """The unlock worker opened the vault (and read its auto-lock time, None if never chosen).
    ``origin`` is the screen that asked: if the lock key covered it meanwhile, the app closes the
    vault instead of showing it. ``language`` is the app's language stored in the vault (None:
    never chosen), applied at once unless the language was given for this run."""

    def __init__(
        self,
        vault: Vault,
        auto_lock_minutes: int | None,
        origin: MessagePump | None = None,
        language: str | None = None,
    ) -> None:
        super().__init__()
        self.vault = vault
        self.auto_lock_minutes = auto_lock_minutes
        self.origin = origin
        self.language = language


class VaultCreated(Message):
    """The create worker made a new vault; its recovery key is shown once, next."""

    def __init__(self, vault: Vault, recovery: str) -> None:
        super().__init__()
        self.vault = vault
        self.recovery = recovery


class ShowError(Message):
    """A worker met an error the defender should see in a dialog."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def deliver(target: MessagePump, message: Message, vault: Vault | None = None) -> None:
    """Post ``message`` to ``target`` (the app or a screen) from a worker thread. If it can no
    longer be delivered (the app is closing), close ``vault`` here, so no open vault is left
    behind by a worker whose answer nobody will read."""
    if not target.post_message(message) and vault is not None:
        vault.close()


class Progress(Message):
    """How far a screen's task got: bytes or messages ``done`` of ``total`` (None: unknown)."""

    def __init__(self, done: int, total: int | None, stage: str = "") -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.stage = stage


class ProgressPoster:
    """A progress callback for the vault that posts :class:`Progress` to a screen, at most every
    ``every`` seconds (and always the last step), so a fast task never floods the queue."""

    def __init__(self, target: MessagePump, *, every: float = 0.1, offset: int = 0) -> None:
        self.target = target
        self.every = every
        self.offset = offset  # added to ``done``: bytes of the files finished before this one
        self._last = float("-inf")

    def __call__(self, done: int, total: int | None, stage: str = "") -> None:
        now = time.monotonic()
        last_step = total is not None and done >= total
        if now - self._last < self.every and not last_step:
            return
        self._last = now
        self.target.post_message(Progress(self.offset + done, total, stage))

    def stage(self, stage: str, done: int, total: int | None) -> None:
        """The import pipeline's form of the callback: (stage, done, total)."""
        self(done, total, stage)
