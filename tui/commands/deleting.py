"""`evault rm`: delete an item's content (or, with ``--purge``, everything about it), after one
deliberate question at a terminal."""

from __future__ import annotations

import argparse

from tui import render
from tui.commands import Command
from tui.context import PROG, Context
from tui.paragraphs import fill, for_terminal
from vault import EXIT_OK, N_, Cancelled, InvalidInput, Item, _, ngettext

NOT_DELETED = N_("Not deleted: nothing was changed.")


def _yes_word() -> str:
    """The word typed to confirm a deletion ("yes" is accepted in every language too)."""
    # TRANSLATORS: the word typed to confirm a deletion at the terminal: one short lowercase word.
    return _("yes")


def cmd_rm(args: argparse.Namespace, ctx: Context) -> int:
    if not args.yes and not ctx.interactive():  # said before the passphrase is asked for
        raise InvalidInput(
            _(
                "'{prog} rm' deletes evidence, so it asks first; where nobody can answer (a "
                "script, or input from a file) add --yes. Not deleted: nothing was changed."
            ).format(prog=PROG)
        )
    with ctx.open_vault() as vault:
        if not args.yes:
            _confirm_delete(ctx, vault.get_item(args.id, include_deleted=True), purge=args.purge)
        item = vault.delete_item(args.id, reason=args.reason, purge=args.purge)
        older = vault.records_in_clear(item.id) if args.purge else 0
    if args.purge:
        gone = _(
            "Deleted {id} for good: its content and everything said about it are gone, and "
            "the vault was re-encrypted under a new key, so nothing of it can be read back, "
            "even with your passphrase. A signed record that an item with its file code "
            "(SHA-256) was deleted, and why, stays in the custody log."
        ).format(id=item.id)
        ctx.out.write(for_terminal(ctx.out, gone, hang="") + "\n")
        if older:
            note = ngettext(
                "Note: {n} older custody record of this item was signed before evault kept "
                "such details apart, and still hold what they said about it (a title, a "
                "sender, tags); they cannot be changed without breaking the signed log.",
                "Note: {n} older custody records of this item were signed before evault kept "
                "such details apart, and still hold what they said about it (a title, a "
                "sender, tags); they cannot be changed without breaking the signed log.",
                older,
            ).format(n=older)
            ctx.out.write(for_terminal(ctx.out, note, hang="") + "\n")
        return EXIT_OK
    deleted = _(
        "Deleted the content of {id}. A signed record of the deletion (with its fingerprint, "
        "SHA-256, and your reason) stays in the custody log."
    ).format(id=item.id)
    ctx.out.write(for_terminal(ctx.out, deleted, hang="") + "\n")
    return EXIT_OK


def _confirm_delete(ctx: Context, item: Item, *, purge: bool) -> None:
    """One deliberate question at the terminal; anything but yes stops with nothing changed.
    The item is named by its id, kind and when it was added, never by its title (it may be a
    sensitive item's words, and someone may be looking over the defender's shoulder)."""
    names = {
        "id": item.id[:8],
        "kind": render.kind_word(item.kind),
        "added": render.local_time(item.captured_at),
    }
    if purge:
        warning = _(
            "This deletes item {id} ({kind}, added {added}) FOR GOOD: its content and everything "
            "said about it, then re-encrypts the vault. It cannot be undone."
        ).format(**names)
    else:
        warning = _(
            "This deletes the content of item {id} ({kind}, added {added}). A signed record of "
            "the deletion stays in the custody log."
        ).format(**names)
    ctx.out.write(fill(warning) + "\n")  # asked at a terminal only
    # TRANSLATORS: {yes} is the word to type ("yes" in English): keep the placeholder.
    typed = ctx.ask(
        _("Type {yes} to delete it, or anything else to stop: ").format(yes=_yes_word())
    )
    if typed is None or typed.strip().lower() not in {"yes", _yes_word().lower()}:
        raise Cancelled(_(NOT_DELETED))


def register(command: Command) -> None:
    p = command(
        "rm", cmd_rm, _("delete an item's content, keeping a signed record of the deletion")
    )
    p.add_argument("id")
    p.add_argument("--reason", required=True, help=_("why (recorded in the custody log)"))
    p.add_argument(
        "--purge",
        action="store_true",
        help=_(
            "delete for good: also drop its title, sender, tags and text from the custody log "
            "and re-encrypt the vault under a new key"
        ),
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help=_("do not ask first (needed where there is no terminal to answer, e.g. in scripts)"),
    )
