"""Getting passphrases, keyfiles, recovery keys and shares from files or the terminal, never echoed.

A file's first line is the secret (one trailing newline removed); ``-`` means standard input. Without
a file we prompt on the terminal itself (``/dev/tty``), with no echo. With neither, we stop with a
clear sentence instead of waiting on input that will never come.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Mapping
from pathlib import Path

from vault import N_, InvalidInput, _

# Each sentence whole, once per purpose (the thing asked for), so that every language can say it
# with its own grammar: a purpose is never a word put into another sentence. The purposes are the
# names the command line asks with (tui/context.py, tui/commands/*); one missing here is said in
# the English pattern, so a new purpose must be added to these tables.
EMPTY = {
    "passphrase": N_("The passphrase file is empty; its first line should hold the passphrase."),
    "new passphrase": N_(
        "The new passphrase file is empty; its first line should hold the new passphrase."
    ),
    "bundle passphrase": N_(
        "The bundle passphrase file is empty; its first line should hold the bundle passphrase."
    ),
    "recovery key": N_(
        "The recovery key file is empty; its first line should hold the recovery key."
    ),
    "new recovery key": N_(
        "The new recovery key file is empty; its first line should hold the new recovery key."
    ),
    "recovery shares": N_(
        "The recovery shares file is empty; its first line should hold the recovery shares."
    ),
}
UNREADABLE = {
    "passphrase": N_("The passphrase file {path} could not be read."),
    "new passphrase": N_("The new passphrase file {path} could not be read."),
    "bundle passphrase": N_("The bundle passphrase file {path} could not be read."),
    "recovery key": N_("The recovery key file {path} could not be read."),
    "new recovery key": N_("The new recovery key file {path} could not be read."),
    "recovery shares": N_("The recovery shares file {path} could not be read."),
}
TOO_LARGE = {
    "passphrase": N_("The passphrase file is too large to be a passphrase."),
    "new passphrase": N_("The new passphrase file is too large to be a new passphrase."),
    "bundle passphrase": N_("The bundle passphrase file is too large to be a bundle passphrase."),
    "recovery key": N_("The recovery key file is too large to be a recovery key."),
    "new recovery key": N_("The new recovery key file is too large to be a new recovery key."),
    "recovery shares": N_("The recovery shares file is too large to be a recovery shares."),
}
NOT_TEXT = {
    "passphrase": N_("The passphrase file is not UTF-8 text."),
    "new passphrase": N_("The new passphrase file is not UTF-8 text."),
    "bundle passphrase": N_("The bundle passphrase file is not UTF-8 text."),
    "recovery key": N_("The recovery key file is not UTF-8 text."),
    "new recovery key": N_("The new recovery key file is not UTF-8 text."),
    "recovery shares": N_("The recovery shares file is not UTF-8 text."),
}
# Standard input asked for twice: what has it (first clause), what to give in a file (second).
STDIN_USED = {
    "passphrase": N_("Standard input is already used for the passphrase;"),
    "new passphrase": N_("Standard input is already used for the new passphrase;"),
    "bundle passphrase": N_("Standard input is already used for the bundle passphrase;"),
    "recovery key": N_("Standard input is already used for the recovery key;"),
    "new recovery key": N_("Standard input is already used for the new recovery key;"),
    "recovery shares": N_("Standard input is already used for the recovery shares;"),
    "message text": N_("Standard input is already used for the message text;"),
    "note text": N_("Standard input is already used for the note text;"),
}
GIVE_IN_FILE = {
    "passphrase": N_("give the passphrase in a file instead."),
    "new passphrase": N_("give the new passphrase in a file instead."),
    "bundle passphrase": N_("give the bundle passphrase in a file instead."),
    "recovery key": N_("give the recovery key in a file instead."),
    "new recovery key": N_("give the new recovery key in a file instead."),
    "recovery shares": N_("give the recovery shares in a file instead."),
    "message text": N_("give the message text in a file instead."),
    "note text": N_("give the note text in a file instead."),
}
NO_TERMINAL = {
    "passphrase": N_(
        "No passphrase was given and there is no terminal to ask for it. "
        "Use {option} FILE (or - for standard input)."
    ),
    "new passphrase": N_(
        "No new passphrase was given and there is no terminal to ask for it. "
        "Use {option} FILE (or - for standard input)."
    ),
    "bundle passphrase": N_(
        "No bundle passphrase was given and there is no terminal to ask for it. "
        "Use {option} FILE (or - for standard input)."
    ),
    "recovery key": N_(
        "No recovery key was given and there is no terminal to ask for it. "
        "Use {option} FILE (or - for standard input)."
    ),
    "new recovery key": N_(
        "No new recovery key was given and there is no terminal to ask for it. "
        "Use {option} FILE (or - for standard input)."
    ),
}
NOT_TYPED = {
    "passphrase": N_("No passphrase was typed."),
    "new passphrase": N_("No new passphrase was typed."),
    "bundle passphrase": N_("No bundle passphrase was typed."),
    "recovery key": N_("No recovery key was typed."),
    "new recovery key": N_("No new recovery key was typed."),
}


def said(sentences: Mapping[str, str], purpose: str, english: str, **values: object) -> str:
    """The sentence for ``purpose`` in the current language, its placeholders filled. A purpose
    without its own sentence (a caller's mistake) is said in ``english``, whose ``{purpose}`` is
    the purpose's own name: an English sentence rather than none."""
    template = sentences.get(purpose)
    if template is None:
        return english.format(purpose=purpose, **values)
    return _(template).format(**values)


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
            used = said(
                STDIN_USED, self.used_for, "Standard input is already used for the {purpose};"
            )
            instead = said(GIVE_IN_FILE, purpose, "give the {purpose} in a file instead.")
            raise InvalidInput(f"{used} {instead}")
        self.used_for = purpose


def read_first_line(source: str, purpose: str, stdin: StdinBudget) -> str:
    text = read_secret_text(source, purpose, stdin)
    line = text.split("\n", 1)[0].removesuffix("\r")
    if not line:
        raise InvalidInput(
            said(
                EMPTY,
                purpose,
                "The {purpose} file is empty; its first line should hold the {purpose}.",
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
            sentence = said(
                UNREADABLE, purpose, "The {purpose} file {path} could not be read.", path=source
            )
            raise InvalidInput(sentence) from None
    if len(data) > MAX_SECRET_FILE_BYTES:
        raise InvalidInput(
            said(TOO_LARGE, purpose, "The {purpose} file is too large to be a {purpose}.")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            said(NOT_TEXT, purpose, "The {purpose} file is not UTF-8 text.")
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
            said(
                NO_TERMINAL,
                what,
                "No {purpose} was given and there is no terminal to ask for it. "
                "Use {option} FILE (or - for standard input).",
                option=option,
            )
        )
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise InvalidInput(said(NOT_TYPED, what, "No {purpose} was typed.")) from None
