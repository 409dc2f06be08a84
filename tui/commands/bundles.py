"""`evault export`, `evault verify` and `evault recipient new`: bundles for lawyers.

``verify`` and ``recipient new`` need no vault: they are what a lawyer runs.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui import render
from tui.commands import Command, json_option, verify_output
from tui.context import Context
from tui.paragraphs import lines_for_terminal
from tui.progress import progress_line
from vault import (
    EXIT_OK,
    EXIT_SIGNER_NOT_CONFIRMED,
    EXIT_VERIFY_FAILED,
    LANGUAGES,
    InvalidInput,
    _,
    check_passphrase,
    ngettext,
    passphrase_warning,
)

if TYPE_CHECKING:
    from vault import VerifyResult


def _recipients(values: list[str]) -> list[str]:
    """``--to`` takes an ``age1…`` key, or a file of them (one per line, # comments)."""
    found: list[str] = []
    for value in values:
        if value.startswith("age1"):
            found.append(value)
            continue
        path = Path(value)
        if not path.is_file():
            raise InvalidInput(
                _(
                    "'{value}' is neither a lawyer's key (an age key, age1…) nor a file of them."
                ).format(value=value[:40])
            )
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        keys = [ln.strip() for ln in lines if ln.strip().startswith("age1")]
        if not keys:
            raise InvalidInput(
                _(
                    "{name} contains no lawyer's key (an age key: a line starting with age1)."
                ).format(name=path)
            )
        found.extend(keys)
    return found


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    recipients = _recipients(args.to or [])
    if args.out:
        out = ctx.output_path(args.out)
    elif ctx.portable is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        suffix = ".zip.age" if (args.to or args.encrypt_passphrase) else ".zip"
        out = ctx.portable.exports / f"evidence-bundle-{stamp}{suffix}"
    else:
        raise InvalidInput(
            _("Say where to write the bundle with --out FILE (e.g. --out bundle.zip).")
        )
    languages = _report_languages(args.report_lang)
    with ctx.open_vault() as vault:
        passphrase = None
        if args.encrypt_passphrase:
            passphrase = ctx.new_passphrase(args.bundle_passphrase_file, _("bundle passphrase"))
            check_passphrase(passphrase)  # before the export runs, not after
            warning = passphrase_warning(passphrase)
            if warning is not None:
                ctx.advise(warning)
        with progress_line(ctx, _("Writing the bundle")) as line:
            result = vault.export_bundle(
                out,
                item_ids=args.ids,
                case=args.case,
                everything=args.all,
                note=args.note,
                recipients=recipients,
                passphrase=passphrase,
                include_sensitive_text=args.include_sensitive_text,
                languages=languages,
                progress=line,
            )
    ctx.advise_about_output(result.path, result.key_path)
    if args.json:
        render.emit_json(result.to_json(), ctx.out)
        return EXIT_OK
    lines = [
        ngettext(
            "Bundle written: {path} ({n} item, {size})",
            "Bundle written: {path} ({n} items, {size})",
            result.items,
        ).format(path=result.path, n=result.items, size=render.human_size(result.size)),
        _("File code of the bundle (SHA-256, recorded in your custody log):"),
        f"    {result.sha256}",
    ]
    if result.key_path is not None:
        lines.append(
            _(
                "Key file (send it too, separately if you can): {path}\n"
                "Tell the lawyer the bundle passphrase over the phone or in person, never in the "
                "same message as the files."
            ).format(path=result.key_path)
        )
    elif result.encryption == "recipients":
        lines.append(
            _("Encrypted: only the people whose keys you named (their age keys) can open it.")
        )
    else:
        lines.append(
            _(
                "This bundle is NOT encrypted: anyone who gets the file can see the evidence.\n"
                "Use --to or --encrypt-passphrase to send it over the internet."
            )
        )
    lines += [
        "",
        _(
            "Read your vault's fingerprint to your lawyer over the phone or in person, so\n"
            "they can check that the bundle really comes from your vault:"
        ),
        f"    {result.fingerprint}",
        _("(for OpenSSH users: {fingerprint})").format(fingerprint=result.ssh_fingerprint),
    ]
    ctx.out.write("\n".join(lines) + "\n")
    return EXIT_OK


def _report_languages(value: str | None) -> list[str] | None:
    """``--report-lang az`` or ``az,en``: the languages of the bundle's documents (None: the
    language evault speaks now). Checked again, with the same message, by the export itself."""
    if value is None:
        return None
    asked = [part.strip() for part in value.split(",") if part.strip()]
    if not asked:
        raise InvalidInput(
            _("Name the report's language after --report-lang: {choices}.").format(
                choices=", ".join(sorted(LANGUAGES))
            )
        )
    return asked


def cmd_verify(args: argparse.Namespace, ctx: Context) -> int:
    from vault import verify_bundle  # noqa: PLC0415 - loaded only when used

    if args.no_decrypted_copy and args.decrypted_out:
        raise InvalidInput(
            _("Choose one: --decrypted-out PATH (keep a copy there) or --no-decrypted-copy.")
        )

    passphrase_source = ctx.args.passphrase_file

    def ask() -> str:
        return ctx.secret(
            passphrase_source,
            _("bundle passphrase"),
            prompt=_("Passphrase of the bundle's key file (the one the defender told you): "),
            option="--passphrase-file",
        )

    with progress_line(ctx, _("Checking the bundle")) as line:
        checked = verify_bundle(
            _bundle_path(args.file, ctx),
            key=args.key,
            identities=[Path(p) for p in args.identity or []],
            ask_passphrase=ask,
            decrypted_out=Path(args.decrypted_out) if args.decrypted_out else None,
            keep_decrypted=not args.no_decrypted_copy,
            progress=line,
        )
    if checked.decrypted is not None:
        ctx.advise(
            _("Decrypted to {path} (kept for you to open the evidence).").format(
                path=checked.decrypted
            )
        )
        ctx.advise_about_output(checked.decrypted)
    result = checked.result
    if not args.json:
        verify_output.print_checks(result, ctx)
        if verify_output.unconfirmed(result) and ctx.interactive():
            verify_output.ask_for_the_digits(result, ctx)
        verify_output.print_verdict(result, ctx, Path(args.file).name)
    if args.certificate:
        _write_certificate(Path(args.certificate), result, ctx)
    if args.json:
        render.emit_json(result.to_json(), ctx.out)
    if result.ok:
        return EXIT_OK
    return EXIT_SIGNER_NOT_CONFIRMED if verify_output.unconfirmed(result) else EXIT_VERIFY_FAILED


def _bundle_path(name: str, ctx: Context) -> Path:
    """The bundle to check; in portable mode a relative name that is not here is looked for in
    the stick's exports folder, where 'evault export --out NAME' put it."""
    path = Path(name).expanduser()
    if not path.exists() and not path.is_absolute() and ctx.portable is not None:
        on_stick = ctx.portable.exports / path
        if on_stick.exists():
            return on_stick
    return path


def _write_certificate(path: Path, result: VerifyResult, ctx: Context) -> None:
    data: dict[str, Any] = result.to_json()
    from vault import certificate_html, write_output_file  # noqa: PLC0415 - only when used

    try:
        write_output_file(path, certificate_html(data))
    except FileExistsError:
        raise InvalidInput(
            _("{name} already exists. Choose another name for the certificate.").format(name=path)
        ) from None
    except OSError:
        raise InvalidInput(
            _("The certificate could not be written to {name}.").format(name=path)
        ) from None
    ctx.advise_about_output(path)


def cmd_recipient_new(args: argparse.Namespace, ctx: Context) -> int:
    out = Path(args.out)
    from vault import new_recipient_file  # noqa: PLC0415 - loaded only when used

    public = new_recipient_file(out)
    ctx.advise_about_output(out)
    if args.json:
        render.emit_json({"identity_file": str(out), "recipient": public}, ctx.out)
        return EXIT_OK
    ctx.out.write(
        lines_for_terminal(
            ctx.out,
            _(
                "Your age key was saved in {name}. Keep it private and back it up: without it you "
                "cannot\nopen bundles encrypted to you."
            ).format(name=out)
            + "\n\n"
            + _("Give this public key to the defender (it is safe to share):")
            + f"\n\n    {public}\n",
        )
    )
    return EXIT_OK


def register(command: Command) -> None:
    p = command(
        "export", cmd_export, _("make a signed evidence bundle (ZIP) for a lawyer"), json=True
    )
    p.add_argument("ids", nargs="*", metavar="ID", help=_("items to export"))
    p.add_argument("--case", help=_("export every item of this case"))
    p.add_argument("--all", action="store_true", help=_("export every item in the vault"))
    p.add_argument(
        "--out",
        metavar="FILE",
        help=_(
            "the bundle file to write (required, except in portable mode, where it defaults to "
            "a dated file in the stick's exports folder; a relative name also lands there)"
        ),
    )
    p.add_argument("--note", help=_("a note for the lawyer (recorded in the custody log)"))
    p.add_argument(
        "--to",
        action="append",
        metavar="AGE_RECIPIENT",
        help=_("encrypt to this age key (age1…) or file of keys; repeat for several"),
    )
    p.add_argument(
        "--encrypt-passphrase",
        action="store_true",
        help=_("encrypt with a passphrase you tell the lawyer (asked twice)"),
    )
    p.add_argument(
        "--bundle-passphrase-file",
        metavar="FILE",
        help=_("with --encrypt-passphrase: read the bundle passphrase from FILE"),
    )
    p.add_argument(
        "--include-sensitive-text",
        action="store_true",
        help=_(
            "print the texts of messages and notes marked sensitive in the bundle's report too "
            "(by default the report withholds them)"
        ),
    )
    p.add_argument(
        "--report-lang",
        metavar="LANG[,LANG]",
        help=_(
            "the language of the bundle's report.html and VERIFY.txt: az, ru or en; two or three "
            "separated by commas (az,en) for one report per language (default: the language "
            "evault speaks now)"
        ),
    )

    p = command(
        "verify",
        cmd_verify,
        _("check a bundle: signatures, every hash, the custody log"),
        json=True,
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--key",
        metavar="FINGERPRINT|PUBKEY",
        help=_("the fingerprint (or public key) the defender gave you"),
    )
    p.add_argument(
        "--identity",
        action="append",
        metavar="AGE_IDENTITY_FILE",
        help=_("your age key file, for encrypted bundles (or the bundle's .key.age file)"),
    )
    p.add_argument(
        "--decrypted-out",
        metavar="PATH",
        help=_("where to write the decrypted ZIP (default: beside the encrypted file)"),
    )
    p.add_argument(
        "--no-decrypted-copy",
        action="store_true",
        help=_(
            "check an encrypted bundle without writing the decrypted ZIP anywhere (decrypt "
            "it again when you need to open the evidence)"
        ),
    )
    p.add_argument(
        "--certificate", metavar="OUT.html", help=_("write a printable verification certificate")
    )

    recipient = command("recipient", _recipient_help, _("age keys for lawyers: 'recipient new'"))
    rsub = recipient.add_subparsers(dest="recipient_command", metavar="ACTION")
    p = rsub.add_parser(
        "new",
        help=_("make a new age key for receiving encrypted bundles"),
        parents=[json_option()],
    )
    p.set_defaults(handler=cmd_recipient_new)
    p.add_argument(
        "--out", required=True, metavar="KEYFILE", help=_("file to save the private key in")
    )


def _recipient_help(args: argparse.Namespace, ctx: Context) -> int:
    ctx.out.write(_("Use: evault recipient new --out KEYFILE") + "\n")
    return EXIT_OK
