"""The command line's progress line: long work (adding a big file, an import, an export, verify,
check, a backup) shows that it is alive, so a frightened person does not stop it or start it again.

One line on standard error, redrawn in place with a carriage return, and only when standard error
is a terminal: piped or redirected (a script, a log file) nothing at all is written, so output that
scripts read stays exactly as before. The line holds only the program's own words and sizes, never a
title or a file name (those could act on the terminal, and may be sensitive), and is wiped before
anything else is printed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

from tui.render import human_size
from vault import _

if TYPE_CHECKING:
    from tui.context import Context

EVERY = 0.2  # seconds between redraws: often enough to look alive, rarely enough to cost nothing
WIDTH = 78  # fits an 80-column terminal


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except (OSError, ValueError):
        return False


def _amount(what: str, done: int, total: int | None) -> str:
    """ "Copying the vault: 12.0 MiB of 400.0 MiB (3%)", or without a total "…: 12.0 MiB"."""
    if not total:
        # TRANSLATORS: a progress line: {what} is the work ("Copying the vault"), {done} a size.
        return _("{what}: {done}").format(what=what, done=human_size(done))
    # TRANSLATORS: a progress line, at most 78 characters: "Copying the vault: 12.0 MiB of
    # 400.0 MiB (3%)"; keep the %.
    return _("{what}: {done} of {total} ({percent}%)").format(
        what=what,
        done=human_size(done),
        total=human_size(total),
        percent=100 * min(done, total) // total,
    )


class ProgressLine:
    """Redraws "``what``: 12.0 MiB of 400.0 MiB (3%)" at most every ``EVERY`` seconds."""

    def __init__(
        self, err: TextIO, what: str, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.err = err
        self.what = what
        self.clock = clock
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int | None) -> None:
        """The vault's byte progress callback: ``done`` of ``total`` (None: not known)."""
        if not self._due(total is not None and done >= total):
            return
        self._draw(_amount(self.what, done, total))

    def stage(self, stage: str, done: int, total: int | None) -> None:
        """An import's callback: storing the export unchanged, then reading its messages."""
        if not self._due(total is not None and done >= total):
            return
        if stage == "storing":
            text = _amount(_("Storing the export unchanged"), done, total)
        else:
            text = _("Reading messages: {n}").format(n=done)
        self._draw(text)

    def _due(self, finished: bool) -> bool:
        now = self.clock()
        if self.shown and now - self.last < EVERY and not finished:
            return False
        self.last = now
        return True

    def _draw(self, text: str) -> None:
        self.err.write("\r" + text[:WIDTH].ljust(WIDTH))
        self.err.flush()
        self.shown = True

    def clear(self) -> None:
        """Wipe the line, so what is printed next starts on a clean line."""
        if self.shown:
            self.err.write("\r" + " " * WIDTH + "\r")
            self.err.flush()
            self.shown = False


@contextlib.contextmanager
def progress_line(ctx: Context, what: str) -> Iterator[ProgressLine | None]:
    """A progress line for the work inside the block when standard error is a terminal (else
    None: nothing is drawn); wiped when the block ends, whether the work finished or failed."""
    if not is_terminal(ctx.raw_err):
        yield None
        return
    line = ProgressLine(ctx.raw_err, what)
    try:
        yield line
    finally:
        line.clear()
