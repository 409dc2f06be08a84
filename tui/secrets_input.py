"""Getting passphrases, keyfiles, recovery keys and shares from files or the terminal, never echoed.

A file's first line is the secret (one trailing newline removed); ``-`` means standard input. Without
a file we prompt on the terminal itself (``/dev/tty``), with no echo. With neither, we stop with a
clear sentence instead of waiting on input that will never come.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from vault import N_, InvalidInput, _

# What each secret (or text) read here is called in a sentence: the name stays English in the code
# (it also names the file options) and is said in the current language only when shown.
PURPOSES = {
    "passphrase": N_("passphrase"),
    "new passphrase": N_("new passphrase"),
    "bundle passphrase": N_("bundle passphrase"),
    "recovery key": N_("recovery key"),
    "new recovery key": N_("new recovery key"),
    "recovery shares": N_("recovery shares"),
    "message text": N_("message text"),
    "note text": N_("note text"),
}


def named(purpose: str) -> str:
    """``purpose`` as a person reads it, in the current language."""
    known = PURPOSES.get(purpose)
    return _(known) if known is not None else purpose


MAX_SECRET_FILE_BYTES = 64 * 1024
MAX_KEYFILE_BYTES = 16 * 1024 * 1024


class StdinBudget:
    """Standard input can be read once: remembers who used it so a second use is a clear error."""

    def __init__(self, reserved_for: str | None = None) -> None:
        self.used_for: str | None = reserved_for
        self._reserved = reserved_for is not None

    def take(self, purpose: str) -> None:
        if self._reserved and purpose == self.used_for:
            self._reserved = False
            return
        if self.used_for is not None:
            # TRANSLATORS: {used} and {purpose} are names such as "passphrase" or "message text".
            raise InvalidInput(
                _(
                    "Standard input is already used for the {used}; give the {purpose} in a file "
                    "instead."
                ).format(used=named(self.used_for), purpose=named(purpose))
            )
        self.used_for = purpose


def read_first_line(source: str, purpose: str, stdin: StdinBudget) -> str:
    text = read_secret_text(source, purpose, stdin)
    line = text.split("\n", 1)[0].removesuffix("\r")
    if not line:
        raise InvalidInput(
            _("The {purpose} file is empty; its first line should hold the {purpose}.").format(
                purpose=named(purpose)
            )
        )
    return line


def read_secret_text(source: str, purpose: str, stdin: StdinBudget) -> str:
    """The whole of a small secret file (a share page holds its words among instructions)."""
    if source == "-":
        stdin.take(purpose)
        data = read_stdin(MAX_SECRET_FILE_BYTES + 1)
    else:
        try:
            with open(source, "rb") as f:
                data = f.read(MAX_SECRET_FILE_BYTES + 1)
        except OSError:
            raise InvalidInput(
                _("The {purpose} file {source} could not be read.").format(
                    purpose=named(purpose), source=source
                )
            ) from None
    if len(data) > MAX_SECRET_FILE_BYTES:
        raise InvalidInput(
            _("The {purpose} file is too large to be a {purpose}.").format(purpose=named(purpose))
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            _("The {purpose} file is not UTF-8 text.").format(purpose=named(purpose))
        ) from None
    return text


def read_stdin(limit: int) -> bytes:
    try:
        return sys.stdin.buffer.read(limit)
    except (OSError, AttributeError, ValueError):
        raise InvalidInput(_("Standard input could not be read.")) from None


def read_keyfile(path: str) -> bytes:
    try:
        p = Path(path)
        if p.stat().st_size > MAX_KEYFILE_BYTES:
            raise InvalidInput(_("The keyfile is larger than 16 MiB; choose a smaller file."))
        return p.read_bytes()
    except OSError:
        raise InvalidInput(_("The keyfile {path} could not be read.").format(path=path)) from None


def terminal_available() -> bool:
    if sys.platform == "win32":  # pragma: no cover
        return sys.stdin.isatty()
    try:
        with open("/dev/tty", "rb"):
            return True
    except OSError:
        return False


def prompt_secret(prompt: str, what: str, option: str | None = None) -> str:
    if not terminal_available():
        option = option or f"--{what.replace(' ', '-')}-file"
        raise InvalidInput(
            _(
                "No {what} was given and there is no terminal to ask for it. Use {option} FILE "
                "(or - for standard input)."
            ).format(what=named(what), option=option)
        )
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise InvalidInput(_("No {what} was typed.").format(what=named(what))) from None
