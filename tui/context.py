"""What a command needs from the outside world: its arguments, streams, and how to get secrets."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from tui.paragraphs import for_terminal
from tui.secrets_input import (
    StdinBudget,
    prompt_secret,
    read_first_line,
    read_keyfile,
    read_secret_text,
)
from tui.terminal_text import SafeStream
from vault import (
    N_,
    InvalidInput,
    WrongPassphrase,
    _,
    check_passphrase,
    default_vault_path,
    ngettext,
)

if TYPE_CHECKING:
    from vault import Portable, Vault

PROG = "evault"
TRIES = 3  # a passphrase typed at the prompt: a slip of the finger must not end the command

INTERRUPTED_NOTICE = N_(
    "The last session ended in the middle of saving (was the stick pulled out, or the power "
    "cut?). The unfinished change was undone; everything saved before it is intact. Run "
    "'evault check' if you want to be sure."
)

# What a prompt for a secret says, by the secret's name (the name itself stays English: it is
# also how the file options and their messages name it).
PROMPTS = {
    "passphrase": N_("Passphrase: "),
    "new passphrase": N_("New passphrase: "),
    "new recovery key": N_("New recovery key: "),
    "bundle passphrase": N_("Bundle passphrase: "),
    "recovery key": N_("Recovery key: "),
}


def prompt_for(what: str) -> str:
    """The prompt for the secret named ``what``, in the current language."""
    known = PROMPTS.get(what)
    return _(known) if known is not None else f"{what.capitalize()}: "


class Context:
    """What a command needs from the outside world: streams and how to get secrets."""

    def __init__(self, args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> None:
        self.args = args
        # Everything a command prints goes through terminal_text (tui/terminal_text.py): no byte
        # of a title, name or file name can act on the terminal. ``raw_err`` is for the program's
        # own progress line, which needs its carriage return.
        self.out = cast(TextIO, SafeStream(stdout))
        self.err = cast(TextIO, SafeStream(stderr))
        self.raw_err = stderr
        # Claim standard input for the secret first, so a command that also wants it (add-message)
        # fails before anything is read.
        reserved = None
        if args.passphrase_file == "-":  # noqa: S105 - "-" means standard input
            reserved = "passphrase"
        elif args.recovery_key_file == "-":
            reserved = "recovery key"
        elif "-" in (args.recovery_shares_file or []):
            reserved = "recovery shares"
        self.stdin = StdinBudget(reserved)
        self.portable: Portable | None = None  # set when running from a portable folder

    @property
    def vault_path(self) -> Path:
        if self.args.vault:
            return self.vault_folder(self.args.vault)
        return default_vault_path()

    def vault_folder(self, value: str) -> Path:
        """A vault folder the user named: a relative name lands on the stick in portable mode."""
        path = Path(value).expanduser()
        if self.portable is not None and not path.is_absolute():
            return self.portable.vaults / path  # a name on the stick, not in the host's folder
        return path

    def output_path(self, value: str) -> Path:
        """Where to write an export: a relative name lands on the stick in portable mode."""
        path = Path(value).expanduser()
        if self.portable is not None and not path.is_absolute():
            return self.portable.exports / path
        return path

    def keyfile(self) -> bytes | None:
        return read_keyfile(self.args.keyfile) if self.args.keyfile else None

    def passphrase(self) -> str:
        if self.args.passphrase_file:
            return read_first_line(self.args.passphrase_file, "passphrase", self.stdin)
        return prompt_secret(prompt_for("passphrase"), "passphrase")

    def new_passphrase(self, source: str | None, what: str = "new passphrase") -> str:
        """A new passphrase, from a file or typed twice."""
        if source:
            return read_first_line(source, what, self.stdin)
        first = self._acceptable_passphrase(what)
        second = prompt_secret(_("Type it again: "), what)
        if first != second:
            raise InvalidInput(
                _("The two passphrases you typed are different. Nothing was changed.")
            )
        return first

    def _acceptable_passphrase(self, what: str) -> str:
        """The first entry of a new passphrase, checked against the vault's rule (its length) at
        once: nobody should type a passphrase twice only to hear that it was too short."""
        for attempt in range(1, TRIES + 1):
            typed = prompt_secret(prompt_for(what), what)
            try:
                check_passphrase(typed)
            except InvalidInput as exc:
                if attempt == TRIES:
                    raise
                self.err.write(f"{PROG}: {exc.message}\n")
                continue
            return typed
        raise AssertionError("unreachable")  # pragma: no cover

    def secret(
        self,
        source: str | None,
        what: str,
        *,
        prompt: str | None = None,
        option: str | None = None,
    ) -> str:
        """A secret from a file (first line) or typed once in the terminal, asked for by name."""
        if source:
            return read_first_line(source, what, self.stdin)
        return prompt_secret(prompt or prompt_for(what), what, option)

    @contextlib.contextmanager
    def open_vault(self, folder: Path | None = None) -> Iterator[Vault]:
        """Unlock the vault (or the one in ``folder``: a backup being restored)."""
        from vault import Vault  # noqa: PLC0415 - the heavy part loads only when needed

        where = folder or self.vault_path
        if self.args.recovery_shares_file:
            texts = [
                read_secret_text(source, "recovery shares", self.stdin)
                for source in self.args.recovery_shares_file
            ]
            vault = Vault.open(where, recovery_shares=texts)
        elif self.args.recovery_key_file:
            recovery = read_first_line(self.args.recovery_key_file, "recovery key", self.stdin)
            vault = Vault.open(where, recovery_key=recovery)
        elif self.args.passphrase_file:
            keyfile = self.keyfile()
            vault = Vault.open(where, passphrase=self.passphrase(), keyfile=keyfile)
        else:
            keyfile = self.keyfile()
            Vault.ensure_vault(where)  # say "no vault here" before asking
            vault = self._open_typed(where, keyfile)
        if vault.interrupted_write:
            self.err.write(f"{PROG}: {_(INTERRUPTED_NOTICE)}\n")
        for notice in vault.key_notices:  # vault.keys altered, a recovery key not confirmed
            self.err.write(f"{PROG}: {notice}\n")
        try:
            yield vault
        finally:
            vault.close()

    def _open_typed(self, where: Path, keyfile: bytes | None) -> Vault:
        """Unlock with a passphrase typed at the prompt; a wrong one may be typed again (three
        tries in all), as at any login. Only a plain wrong passphrase is asked again: a missing
        keyfile or a damaged vault is not something typing can fix."""
        from vault import Vault  # noqa: PLC0415 - the heavy part loads only when needed

        for attempt in range(1, TRIES + 1):
            try:
                return Vault.open(where, passphrase=self.passphrase(), keyfile=keyfile)
            except WrongPassphrase as exc:
                if type(exc) is not WrongPassphrase or attempt == TRIES:
                    raise
                left = TRIES - attempt
                if keyfile is None:
                    again = ngettext(
                        "That passphrase does not open this vault; try again ({n} try left).",
                        "That passphrase does not open this vault; try again ({n} tries left).",
                        left,
                    )
                else:
                    again = ngettext(
                        "That passphrase and keyfile do not open this vault; try again "
                        "({n} try left).",
                        "That passphrase and keyfile do not open this vault; try again "
                        "({n} tries left).",
                        left,
                    )
                self.err.write(f"{PROG}: {again.format(n=left)}\n")
        raise AssertionError("unreachable")  # pragma: no cover

    def interactive(self) -> bool:
        """A person at a terminal who can answer a question (standard input not used for data)."""
        return (
            self.stdin.used_for is None
            and sys.stdin is not None
            and sys.stdin.isatty()
            and self.out.isatty()
        )

    def ask(self, prompt: str) -> str | None:
        """One line typed at the terminal (None at end of input)."""
        self.out.write(prompt)
        self.out.flush()
        line = sys.stdin.readline()
        return line.strip() if line else None

    def advise(self, text: str) -> None:
        """A note beside the result, on stderr (filled to 79 columns on a terminal)."""
        self.err.write(for_terminal(self.err, text) + "\n")

    def advise_about_output(self, *paths: Path | None) -> None:
        """One calm line when other accounts on this computer can open, or see, a file just
        written outside the vault (a FAT stick, a shared folder); nothing when only we can."""
        from vault import output_advice  # noqa: PLC0415 - loaded only when a file was written

        for path in paths:
            advice = output_advice(path) if path is not None else None
            if advice is not None:
                self.advise(advice)
                return
