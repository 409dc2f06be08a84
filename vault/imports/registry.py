"""Every importer, in one table: the pipeline, the command line, the terminal app and the portable
build all read it, so adding an importer is one row here plus its parser module in ``parsers/``.

A parser module provides (see ``parsers/records.py`` for what it yields):

- ``VERSION``: a string, raised whenever what the parser reads or yields changes (it is recorded in
  each import's custody event);
- ``detect(source) -> bool``: whether an ``ExportSource`` looks like this kind of export (cheap:
  names and the first bytes only);
- ``parse(source, *, timezone=None, **options)``: chats, messages and problems, streamed. The
  ``options`` are the fields of :class:`~vault.imports.options.ImportOptions` named in the row's
  ``options``, and only those.

Light on purpose: no parser is imported here. Each row names its module, imported only when an
import of that kind runs, because each pulls in libraries of its own.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from vault.errors import InvalidInput
from vault.i18n import N_, _

if TYPE_CHECKING:
    from vault.imports.parsers.records import ImportedChat, ImportedMessage, ImportProblem
    from vault.imports.parsers.source import ExportSource

# Options an importer may take beyond the ones every import has (time zone, case, tags, media).
DATE_ORDER = "date_order"
PROFILE_URLS = "profile_urls"


class Parser(Protocol):
    """What a parser module provides (see the module docstring)."""

    VERSION: str

    def detect(self, source: ExportSource) -> bool: ...

    def parse(
        self, source: ExportSource, *, timezone: str | None = None, **options: Any
    ) -> Iterator[ImportedChat | ImportedMessage | ImportProblem]: ...


@dataclass(frozen=True)
class Importer:
    """One kind of export the vault can import."""

    name: str  # the command-line word: evault import NAME
    label: str  # the app's menu entry (marked for translation: show it with _(label))
    platform: str  # how people name it: "a Telegram export"
    platform_value: str  # the items' platform field, e.g. for the export file itself
    module: str  # the parser module
    options: tuple[str, ...] = ()  # extra ImportOptions fields this importer understands

    @property
    def article(self) -> str:
        """ "a" or "an" before the platform ("an e-mail export", "a Telegram export")."""
        return "an" if self.platform[:1].lower() in "aeiou" else "a"

    def parser(self) -> Parser:
        """The parser module, imported now (the first import of this kind loads it)."""
        return cast(Parser, importlib.import_module(self.module))


IMPORTERS: tuple[Importer, ...] = (
    Importer(
        name="telegram",
        label=N_("Telegram (JSON export)"),
        platform="Telegram",
        platform_value="telegram",
        module="vault.imports.parsers.telegram",
    ),
    Importer(
        name="meta",
        label=N_("Facebook / Messenger / Instagram"),
        platform="Facebook/Messenger/Instagram",
        platform_value="facebook",
        module="vault.imports.parsers.meta",
        options=(PROFILE_URLS,),
    ),
    Importer(
        name="whatsapp",
        label=N_("WhatsApp (.txt or .zip)"),
        platform="WhatsApp",
        platform_value="whatsapp",
        module="vault.imports.parsers.whatsapp",
        options=(DATE_ORDER,),
    ),
    Importer(
        name="email",
        label=N_("E-mail (.eml or .mbox)"),
        platform="e-mail",
        platform_value="email",
        module="vault.imports.parsers.email",
    ),
)


def importer(name: str) -> Importer:
    """The importer called ``name``, or a calm error naming the ones there are."""
    for row in IMPORTERS:
        if row.name == name:
            return row
    names = ", ".join(row.name for row in IMPORTERS)
    raise InvalidInput(
        _("There is no importer called '{name}'. Use one of: {names}.").format(
            name=name[:20], names=names
        )
    )


def supporting(option: str) -> tuple[Importer, ...]:
    """The importers that understand ``option`` (e.g. :data:`DATE_ORDER`)."""
    return tuple(row for row in IMPORTERS if option in row.options)
