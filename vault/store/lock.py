"""An exclusive advisory lock so two evault processes never open one vault at once.

On Linux and macOS the lock is ``flock`` on the vault folder itself, so no file is created. On
Windows an empty ``vault.lock`` file is locked with ``msvcrt``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import TracebackType

from vault.errors import VaultBusy
from vault.i18n import N_, _

BUSY_MESSAGE = N_(
    "This vault is open in another evault window or command. Close it there, then try again."
)


class VaultLock:
    def __init__(self, folder: Path, *, wait_seconds: float = 3.0) -> None:
        self._folder = folder
        self._wait = wait_seconds
        self._fd: int | None = None

    def acquire(self) -> None:
        deadline = time.monotonic() + self._wait
        while True:
            if self._try_acquire():
                return
            if time.monotonic() >= deadline:
                raise VaultBusy(_(BUSY_MESSAGE))
            time.sleep(0.05)

    def _try_acquire(self) -> bool:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import msvcrt  # noqa: PLC0415 - Windows only

            fd = os.open(self._folder / "vault.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError:
                os.close(fd)
                return False
        else:
            import fcntl  # noqa: PLC0415 - POSIX only

            fd = os.open(self._folder, os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases flock / msvcrt locks
            self._fd = None

    def __enter__(self) -> VaultLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
