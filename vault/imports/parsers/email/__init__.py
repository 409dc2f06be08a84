"""E-mail: single ``.eml`` messages and ``.mbox`` mailboxes (Thunderbird, Gmail Takeout, mutt).

An e-mail is evidence as bytes: its headers carry the route it took (``Received``), the sending
domain's signature (``DKIM-Signature``) and the receiving server's verdict (``Authentication-
Results``). So ``raw`` is the message exactly as in the file, every header is kept in order, and
nothing is verified here (DKIM needs DNS and the vault is offline): an expert can verify from
``raw`` later, and the vault must not have changed a byte of it.

This module is the parser's entry (``VERSION``, ``detect``, ``parse``). The choices that decide
what is stored are written down where they are made, so the lead and ``docs/format.md`` can state
them: ``mbox`` (cutting a mailbox: which bytes are a message's ``raw``), ``eml`` (loose files),
``message`` (one message's record and key), ``headers`` (header values and the Date), ``mime``
(text and attachments; ``html_text`` for HTML-only mail). ``sniff`` tells mail files apart and
``limits`` holds the caps.
"""

from __future__ import annotations

from collections.abc import Iterator

from vault.errors import InvalidInput
from vault.i18n import _
from vault.imports.parsers import timeutil
from vault.imports.parsers.email import limits
from vault.imports.parsers.email.eml import parse_emls
from vault.imports.parsers.email.limits import MAX_DEPTH  # a copy: lower caps in ``limits``
from vault.imports.parsers.email.mbox import parse_mbox
from vault.imports.parsers.email.sniff import is_eml, is_mbox, peek, skipped, sniff_eml, sniff_mbox
from vault.imports.parsers.records import ImportedChat, ImportedMessage, ImportProblem
from vault.imports.parsers.source import ExportSource

__all__ = ["IMPORTER", "MAX_DEPTH", "VERSION", "detect", "parse"]

IMPORTER = "email"
VERSION = "2"


def detect(source: ExportSource) -> bool:
    """An mbox, a folder/ZIP that is mostly ``.eml`` files, or a lone file that looks like mail.

    "Mostly": a chat export (Telegram ``files/``) may hold one forwarded ``.eml`` among its media;
    that is the other importer's export, not ours.
    """
    names = [n for n in source.names() if not skipped(n)]
    if any(is_mbox(n) for n in names):
        return True
    emls = sum(1 for n in names if is_eml(n))
    if emls:
        return 2 * emls >= len(names)
    if source.kind != "file" or not names:
        return False
    head = peek(source, names[0], 64 << 10)
    return sniff_mbox(head) or sniff_eml(head)


def parse(
    source: ExportSource, *, timezone: str | None = None, **options: object
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    """Loose ``.eml`` files first (one chat, ``email``), then each mbox as its own chat."""
    if timezone is not None:
        timeutil.zone(timezone)  # a mistyped zone fails before anything is read
    if source.kind == "file":
        name = source.names()[0]
        if is_mbox(name) or (not is_eml(name) and sniff_mbox(peek(source, name, limits.HEAD_PEEK))):
            yield from parse_mbox(source, name, timezone, single=True)
        else:
            yield from parse_emls(source, [name], timezone, single=True)
        return
    emls = [n for n in source.names() if is_eml(n)]
    mboxes = [n for n in source.names() if is_mbox(n)]
    if not emls and not mboxes:
        raise InvalidInput(
            _(
                "{name} holds no .eml or .mbox files. Save the messages as .eml files or export the "
                "mailbox as mbox, then try again."
            ).format(name=source.path.name)
        )
    if emls:
        yield from parse_emls(source, emls, timezone, single=False)
    for name in mboxes:
        yield from parse_mbox(source, name, timezone, single=False)
