"""Loose ``.eml`` files: each file is one message, and all of them form the one chat ``email``.

Saved messages carry no grouping of their own, so a folder or ZIP of them is one chat. Each file
is read whole but capped: a lone ``.eml`` over ``MAX_MESSAGE_BYTES`` is ``InvalidInput``; in a
folder it is an ``ImportProblem`` and the other files are still read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from vault.custody.models import Finding
from vault.errors import InvalidInput
from vault.i18n import _, ngettext
from vault.imports.parsers.email import limits
from vault.imports.parsers.email.headers import message_id, read_head
from vault.imports.parsers.email.message import read_message
from vault.imports.parsers.email.sniff import peek
from vault.imports.parsers.records import ImportedChat, ImportedMessage, ImportProblem
from vault.imports.parsers.source import ExportSource

EML_CHAT = "email"  # the chat that loose .eml files go into


def parse_emls(
    source: ExportSource, names: list[str], timezone: str | None, *, single: bool
) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]:
    """Each file is one message; all of them form the chat ``email``."""
    counts: Counter[str] = Counter()
    for name in names:
        if source.members[name].size <= limits.MAX_MESSAGE_BYTES:
            head = peek(source, name, limits.HEAD_PEEK)
            found_id = message_id(read_head(head, 0, len(head), envelope=True).fields)
            if found_id:
                counts[found_id] += 1
    used: set[str] = set()
    chat_sent = False
    for name in names:
        if source.members[name].size > limits.MAX_MESSAGE_BYTES:
            if single:
                raise InvalidInput(
                    ngettext(
                        "{name} is larger than {n} MiB, more than any real e-mail; it was refused.",
                        "{name} is larger than {n} MiB, more than any real e-mail; it was refused.",
                        limits.MAX_MESSAGE_BYTES >> 20,
                    ).format(name=name, n=limits.MAX_MESSAGE_BYTES >> 20)
                )
            yield ImportProblem(
                name,
                Finding.ngettext(
                    "This file is larger than {n} MiB, more than any real e-mail; it was skipped.",
                    "This file is larger than {n} MiB, more than any real e-mail; it was skipped.",
                    limits.MAX_MESSAGE_BYTES >> 20,
                ),
            )
            continue
        raw = source.read(name, limits.MAX_MESSAGE_BYTES)
        result = read_message(
            raw,
            chat_key=EML_CHAT,
            where=name,
            counts=counts,
            used=used,
            timezone=timezone,
            extra={"source_member": name},
            mbox=False,
        )
        if single and isinstance(result, ImportProblem):
            raise InvalidInput(
                _(
                    "{name} does not look like an e-mail message. Save the mail again as .eml (or export "
                    "the mailbox as mbox) and try again."
                ).format(name=name)
            )
        if isinstance(result, ImportedMessage) and not chat_sent:
            yield ImportedChat(key=EML_CHAT, title=EML_CHAT, platform="email", kind="eml")
            chat_sent = True
        yield result
