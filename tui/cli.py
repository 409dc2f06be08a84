"""The ``evault`` command line: options, the command table, and the one error handler.

Each command opens the vault and calls one ``vault`` method (``tui/commands/``). Exit codes (a
contract scripts rely on, defined in ``vault.errors``): 0 success; 1 something does not verify
(``check`` found a problem); 2 usage or user error (wrong passphrase, bad input, damaged files); 3
an internal error (a bug: please report it); 4 ``verify``: the files are intact but the signer was
not confirmed; 130 interrupted (nothing half-done is kept).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from tui.commands import Handler, Parser, UsageProblem, json_option
from tui.commands.ui import UI_HELP, cmd_ui
from tui.context import PROG, Context
from tui.paragraphs import for_terminal
from tui.terminal_text import terminal_text
from vault import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USER_ERROR,
    LANGUAGE_VARIABLE,
    LANGUAGES,
    N_,
    VERSION,
    EvaultError,
    _,
    activate_portable,
    choose_language,
    default_vault_path,
    find_portable_root,
    normalise_language,
    set_language,
)

# One line that fits 80 columns: how to open the app, and how to try it on invented evidence.
NO_TERMINAL = N_("To open evault, type evault in a terminal window; to try it: evault demo ~/demo")

EPILOG = N_(
    "Exit codes: 0 success, 1 something does not verify, 2 usage or user error "
    "(wrong passphrase, bad input), 3 internal error, 4 (verify) files intact but the signer "
    "not confirmed, 130 interrupted."
)


def build_parser(*, app_only: bool = False) -> argparse.ArgumentParser:
    """The whole command line; with ``app_only``, the same options but only the ``ui`` command.

    The app's parser loads none of the other command modules: they, and the words and vault code
    they import, would only slow the app's first frame (``parse_words``).
    """
    parser = Parser(
        prog=PROG,
        description=_("Offline, encrypted evidence vault with a signed chain of custody."),
        epilog=_(EPILOG),
    )
    parser.add_argument(
        "--version", action="store_true", help=_("show the program's version and exit")
    )
    parser.add_argument(
        "--vault",
        metavar="PATH",
        help=_("vault folder (default: $EVAULT_VAULT, else {path})").format(
            path=default_vault_path({}, None)
        ),
    )
    parser.add_argument(
        "--passphrase-file",
        metavar="FILE",
        help=_("read the passphrase from the first line of FILE (- for standard input)"),
    )
    parser.add_argument(
        "--recovery-key-file",
        metavar="FILE",
        help=_("unlock with the recovery key on the first line of FILE (- for standard input)"),
    )
    parser.add_argument(
        "--recovery-shares-file",
        metavar="FILE",
        action="append",
        help=_(
            "unlock with recovery shares: a share page (or the share's words) in FILE; repeat "
            "once per share (- for standard input: several pages, or one share per paragraph)"
        ),
    )
    parser.add_argument(
        "--keyfile", metavar="FILE", help=_("keyfile that, with the passphrase, opens the vault")
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=_(
            "language of the app, messages and documents: az, ru or en (default: $EVAULT_LANG, "
            "else the system's language, else en)"
        ),
    )
    parser.add_argument(
        "--portable",
        metavar="DIR",
        help=_(
            "portable mode: keep everything in DIR (a USB stick) and write nothing on this "
            "computer (automatic when evault-portable.txt is beside the program)"
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    json_parent = json_option()

    def command(
        name: str, handler: Handler, help_text: str, *, json: bool = False
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            parents=[json_parent] if json else [],
        )
        p.set_defaults(handler=handler)
        return p

    if app_only:
        command("ui", cmd_ui, _(UI_HELP))
        return parser
    from tui.commands import (  # noqa: PLC0415 - not for the app (see the docstring)
        backups,
        bundles,
        evidence,
        imports,
        recovery,
        timestamps,
        vaults,
        wipe,
    )

    for group in (vaults, recovery, evidence, bundles, imports, backups, timestamps, wipe):
        group.register(command)
    return parser


def parse_words(words: Sequence[str]) -> argparse.Namespace:
    """The command line's words, parsed as the whole parser parses them.

    Words that open the app (only options, then ``ui`` or nothing) are parsed by a parser that
    knows only the ``ui`` command: the same options and the same result, without importing every
    other command first. Anything else that parser refuses (another command, a typing mistake) is
    parsed again by the whole parser, which says what is wrong, or runs that other command; help
    (``-h``, ``--help`` and its abbreviations) always comes from the whole parser.
    """
    if not any(word.startswith(("-h", "--h")) for word in words):
        try:
            return build_parser(app_only=True).parse_args(words)
        except (UsageProblem, SystemExit):
            pass
    return build_parser().parse_args(words)


def _start_portable(args: argparse.Namespace, ctx: Context) -> None:
    """Activate portable mode (before any vault is touched) when asked or when on a stick."""
    root = find_portable_root(args.portable)
    if root is None:
        return
    ctx.portable = activate_portable(root)
    for warning in ctx.portable.warnings:
        ctx.err.write(f"{PROG}: {warning}\n")


def asked_language(argv: Sequence[str]) -> str | None:
    """The ``--lang`` given on the command line, read before the parser is built: the parser's
    own help is written in that language."""
    for index, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--lang="):
            return word.partition("=")[2]
    return None


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run one command; never lets a traceback reach the user."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    for stream in (out, err):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")
    words = list(sys.argv[1:] if argv is None else argv)
    asked = asked_language(words)
    set_language(choose_language(asked, os.environ))
    try:
        args = parse_words(words)
    except UsageProblem as exc:  # one calm sentence instead of argparse's usage block
        err.write(f"{PROG}: {terminal_text(exc.sentence)}\n")
        return EXIT_USER_ERROR
    except SystemExit as exc:  # argparse: --help (0)
        return int(exc.code or 0)
    if args.version:
        out.write(f"{PROG} (evidence-vault) {VERSION}\n")
        return EXIT_OK
    if args.command is None:
        if not (sys.stdin.isatty() and getattr(out, "isatty", lambda: False)()):
            out.write(_(NO_TERMINAL) + "\n")  # no terminal to draw the app in: say where it opens
            return EXIT_OK
        args.command = "ui"
        args.handler = cmd_ui
    ways = {
        "--passphrase-file": args.passphrase_file,
        "--recovery-key-file": args.recovery_key_file,
        "--recovery-shares-file": args.recovery_shares_file,
    }
    given = [option for option, value in ways.items() if value]
    if len(given) > 1:
        err.write(
            f"{PROG}: "
            + _("use either {first} or {second}, not both.").format(
                first=given[0], second=given[-1]
            )
            + "\n"
        )
        return EXIT_USER_ERROR
    # A language the person chose for this run (--lang or EVAULT_LANG) is not changed by the
    # vault's own setting when the app unlocks it; the system's language is.
    args.language_fixed = any(
        normalise_language(value) for value in (asked, os.environ.get(LANGUAGE_VARIABLE))
    )
    ctx = Context(args, out, err)
    handler: Handler = args.handler
    try:
        _start_portable(args, ctx)
        return handler(args, ctx)
    except EvaultError as exc:
        # It may quote a name or a path: made inert first, then filled on a terminal.
        ctx.err.write(for_terminal(ctx.err, terminal_text(exc.message), first=f"{PROG}: ") + "\n")
        return exc.exit_code
    except KeyboardInterrupt:
        ctx.err.write(f"\n{PROG}: " + _("Stopped. Nothing half-done was kept.") + "\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())
        return EXIT_OK
    except Exception as exc:  # a bug: say so calmly, without details that could hold secrets
        if os.environ.get("EVAULT_DEBUG") == "1":
            raise
        sentence = _(
            "Something went wrong inside evault ({error}). Your vault was not changed by the "
            "failed step. Please report this (without any evidence)."
        ).format(error=type(exc).__name__)
        ctx.err.write(for_terminal(ctx.err, sentence, first=f"{PROG}: ") + "\n")
        return EXIT_INTERNAL
