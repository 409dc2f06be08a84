"""`evault init`, `ui`, `check`, `identity`, `rekey`, `passwd`, `recovery-key` and `demo`: the vault itself."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from tui import log_words, render
from tui.commands import Command
from tui.commands.ui import UI_HELP, cmd_ui
from tui.context import PROG, Context
from tui.paragraphs import WIDTH, columns, for_terminal, is_terminal, lines_for_terminal
from tui.progress import progress_line
from tui.secrets_input import read_keyfile
from vault import (
    EXIT_OK,
    EXIT_VERIFY_FAILED,
    N_,
    InvalidInput,
    VaultExists,
    _,
    holds_vault,
    ngettext,
    passphrase_warning,
)

if TYPE_CHECKING:
    from vault import Vault


def cmd_init(args: argparse.Namespace, ctx: Context) -> int:
    if holds_vault(ctx.vault_path):  # said before a passphrase is typed twice for nothing
        raise VaultExists(
            _(
                "{folder} already holds a vault. Choose a new folder name for the new vault "
                "(with --vault); nothing was changed."
            ).format(folder=ctx.vault_path)
        )
    passphrase = ctx.new_passphrase(args.passphrase_file)
    warning = passphrase_warning(passphrase)
    if warning is not None:
        ctx.advise(warning)
    from vault import Vault  # noqa: PLC0415 - the heavy part loads only when needed

    vault, recovery = Vault.create(ctx.vault_path, passphrase, keyfile=ctx.keyfile())
    with vault:
        identity = vault.identity()
    if args.json:
        render.emit_json(
            {"vault": str(ctx.vault_path), "recovery_key": recovery, **identity}, ctx.out
        )
        return EXIT_OK
    ctx.out.write(
        lines_for_terminal(
            ctx.out,
            _(
                "Vault created: {folder}\n\n"
                "RECOVERY KEY — write it on paper now, check it, and keep the paper somewhere safe,\n"
                "away from this computer. It opens the vault if you forget your passphrase.\n"
                "It is shown only this once.\n\n"
                "    {recovery_key}\n\n"
                "Identity fingerprint (read it to your lawyer over the phone):\n"
                "    {fingerprint}\n"
            ).format(
                folder=ctx.vault_path, recovery_key=recovery, fingerprint=identity["fingerprint"]
            ),
        )
    )
    return EXIT_OK


def cmd_check(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault, progress_line(ctx, _("Checking every original")) as line:
        report = vault.check(progress=line)
    if args.json:
        render.emit_json(report.to_json(), ctx.out)
    else:
        log_words.check_text(report, ctx.out)
    return EXIT_OK if report.ok else EXIT_VERIFY_FAILED


def cmd_identity(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        identity = vault.identity()
        head = vault.custody_head()
    if args.json:
        render.emit_json({**identity, "custody_head": head}, ctx.out)
        return EXIT_OK
    out = ctx.out
    # Each paragraph is one sentence, filled to the terminal's 80 columns (one line in a pipe);
    # a key or hash is never cut: it moves under its label when the line would be too long.
    out.write(
        for_terminal(
            out,
            _(
                "Identity fingerprint — read these digits to your lawyer over a phone call or "
                "in person, so they can check that evidence really comes from this vault:"
            ),
            hang="",
        )
        + f"\n\n    {identity['fingerprint']}\n\n"
    )
    out.write(
        for_terminal(
            out,
            _(
                "(A lawyer who got digits from evault 0.1 may hold the older form of the same "
                "key's fingerprint, {fingerprint_v1}: evault verify accepts both.)"
            ).format(fingerprint_v1=identity["fingerprint_v1"]),
            hang="",
        )
        + "\n\n"
    )
    for label, value in (
        (_("Public key that checks your signatures (Ed25519):"), identity["public_key"]),
        (_("Same key for minisign (-P):"), identity["minisign_public_key"]),
        (_("Same key for OpenSSH (ssh-keygen -l):"), identity["ssh_fingerprint"]),
    ):
        out.write(_labelled(out, label, value) + "\n")
    events = ngettext(
        "Custody log: {n} event, newest",
        "Custody log: {n} events, newest",
        head["seq"],
    ).format(n=head["seq"])
    out.write(_labelled(out, events, head["hash"]) + "\n")
    return EXIT_OK


def _labelled(out: TextIO, label: str, value: str) -> str:
    """``label value`` on one line; on a terminal, the value on the next line, indented, when
    the two would not fit in 80 columns (a key is copied whole, so it is never cut)."""
    line = f"{label} {value}"
    if columns(line) <= WIDTH or not is_terminal(out):
        return line
    return f"{label}\n    {value}"


def cmd_rekey(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        vault.rekey()
    ctx.out.write(
        lines_for_terminal(
            ctx.out,
            _(
                "The vault was re-encrypted under a new key. Your passphrase and recovery key open it "
                "as before; what the disk kept of deleted evidence can no longer be read with them."
            )
            + "\n",
        )
    )
    return EXIT_OK


def cmd_passwd(args: argparse.Namespace, ctx: Context) -> int:
    with ctx.open_vault() as vault:
        new = ctx.new_passphrase(args.new_passphrase_file)
        if args.no_keyfile:
            new_keyfile = None
        elif args.new_keyfile:
            new_keyfile = read_keyfile(args.new_keyfile)
        else:
            new_keyfile = ctx.keyfile()
        vault.change_passphrase(new, keyfile=new_keyfile)
    ctx.out.write(
        _(
            "Passphrase changed. The old passphrase no longer opens this vault.\n"
            "Old copies of the vault folder (backups) still open with the old passphrase.\n"
        )
    )
    return EXIT_OK


RECOVERY_PENDING_NOTE = N_(
    "Not confirmed yet: until you confirm it, your OLD recovery key still opens this vault, and\n"
    "so does this new one. Once it is on paper, confirm it (you type the whole new key) with:\n"
    "    {prog} recovery-key --confirm\n"
    "or run '{prog} recovery-key' again for another new key.\n"
)


def cmd_recovery_key(args: argparse.Namespace, ctx: Context) -> int:
    if args.confirm or args.cancel:
        return _settle_recovery_key(args, ctx)
    with ctx.open_vault() as vault:
        recovery = vault.new_recovery_key()
        if args.json:
            render.emit_json({"recovery_key": recovery, "confirmed": False}, ctx.out)
            return EXIT_OK
        ctx.out.write(
            _(
                "NEW RECOVERY KEY — write it on paper now and keep it safe:\n\n    {recovery_key}\n\n"
            ).format(recovery_key=recovery)
        )
        if ctx.interactive() and _confirm_last_group(vault, recovery, ctx):
            ctx.out.write(
                _(
                    "Confirmed. The old recovery key no longer opens this vault (old backup copies\n"
                    "of the folder still open with the old one).\n"
                )
            )
            return EXIT_OK
    ctx.out.write(_(RECOVERY_PENDING_NOTE).format(prog=PROG))
    return EXIT_OK


def _confirm_last_group(vault: Vault, recovery: str, ctx: Context) -> bool:
    """Ask for the new key's last group (three tries): True once it is confirmed."""
    for _attempt in range(3):
        typed = ctx.ask(_("To confirm you wrote it down, type its last group (4 characters): "))
        if typed is None or not typed:
            return False
        try:
            vault.confirm_recovery_key(typed)
        except InvalidInput as exc:
            ctx.err.write(f"{PROG}: {exc.message}\n")
            continue
        return True
    return False


def _settle_recovery_key(args: argparse.Namespace, ctx: Context) -> int:
    """``--confirm`` (the whole new key, typed or from a file) or ``--cancel``."""
    with ctx.open_vault() as vault:
        if args.cancel:
            vault.cancel_recovery_key()
            ctx.out.write(
                _("The new recovery key was forgotten; your previous recovery key stays the one.")
                + "\n"
            )
            return EXIT_OK
        typed = ctx.secret(args.new_recovery_key_file, "new recovery key")
        vault.confirm_recovery_key(typed)
    ctx.out.write(
        lines_for_terminal(
            ctx.out,
            _(
                "Confirmed. The new recovery key is now the only one; the old one no longer opens this\n"
                "vault (old backup copies of the folder still open with the old one).\n"
            ),
        )
    )
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    from vault import create_demo  # noqa: PLC0415 - Pillow loads only for the demo

    demo = create_demo(ctx.vault_folder(args.path))
    if args.json:
        render.emit_json(
            {
                "vault": str(demo.path),
                "passphrase": demo.passphrase,
                "recovery_key": demo.recovery_key,
                "fingerprint": demo.fingerprint,
                "items": demo.items,
            },
            ctx.out,
        )
        return EXIT_OK
    ctx.out.write(
        _(
            "Demo vault created: {folder}\n"
            "This vault holds invented evidence for practice only.\n"
            "Never put real evidence in it: its passphrase is public.\n\n"
            "Passphrase:\n    {passphrase}\n\n"
            "Recovery key (shown only this once; in a workshop, practise writing it down):\n"
            "    {recovery_key}\n\n"
            "Open it with: {prog} --vault {folder}\n"
        ).format(
            folder=demo.path,
            passphrase=demo.passphrase,
            recovery_key=demo.recovery_key,
            prog=PROG,
        )
    )
    return EXIT_OK


def register(command: Command) -> None:
    command("init", cmd_init, _("create a new vault and show its recovery key once"), json=True)
    command("ui", cmd_ui, _(UI_HELP))
    command(
        "check", cmd_check, _("verify every original, the custody log and the database"), json=True
    )
    command(
        "identity",
        cmd_identity,
        _("show the vault's identity fingerprint and public key"),
        json=True,
    )
    command(
        "rekey",
        cmd_rekey,
        _("re-encrypt the vault under a new key (same passphrase and recovery key)"),
    )
    p = command("passwd", cmd_passwd, _("change the passphrase (only vault.keys is rewritten)"))
    p.add_argument(
        "--new-passphrase-file", metavar="FILE", help=_("new passphrase on the first line of FILE")
    )
    kf = p.add_mutually_exclusive_group()
    kf.add_argument("--new-keyfile", metavar="FILE", help=_("require this keyfile from now on"))
    kf.add_argument("--no-keyfile", action="store_true", help=_("stop requiring a keyfile"))
    p = command(
        "recovery-key",
        cmd_recovery_key,
        _("issue a new recovery key (the old one works until the new one is confirmed)"),
        json=True,
    )
    settle = p.add_mutually_exclusive_group()
    settle.add_argument(
        "--confirm",
        action="store_true",
        help=_("confirm the new recovery key (type it whole); the old one then stops working"),
    )
    settle.add_argument(
        "--cancel", action="store_true", help=_("forget an unconfirmed new recovery key")
    )
    p.add_argument(
        "--new-recovery-key-file",
        metavar="FILE",
        help=_(
            "with --confirm: the new recovery key on the first line of FILE ('-': standard input)"
        ),
    )
    p = command(
        "demo",
        cmd_demo,
        _("create a vault of invented evidence for workshops and practice"),
        json=True,
    )
    p.add_argument("path", metavar="PATH", help=_("new folder for the demo vault"))
