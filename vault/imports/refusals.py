"""The sentences an import refuses with before or around reading an export, in the reader's
language: a file that is not this kind of export, and an export holding something its parser does
not understand (``vault.imports.pipeline`` uses both; kept apart so the pipeline stays small).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3

from vault.errors import EvaultError, InvalidInput
from vault.i18n import _
from vault.imports import registry


def not_an_export(name: str, row: registry.Importer) -> str:
    """The refusal of a file that is not this kind of export (English keeps its "a"/"an")."""
    if row.article == "an":
        message = _(
            "{name} does not look like an {platform} export. Check that you chose the right "
            "file or folder and the right kind of import."
        )
    else:
        message = _(
            "{name} does not look like a {platform} export. Check that you chose the right "
            "file or folder and the right kind of import."
        )
    return message.format(name=name, platform=row.platform)


@contextlib.contextmanager
def calm(path: Path, row: registry.Importer) -> Iterator[None]:
    """Any error that is not already one calm sentence (a parser meeting data it does not
    understand) becomes one: the import stops, nothing is kept, and the user is told so."""
    try:
        yield
    except (EvaultError, KeyboardInterrupt, MemoryError, OSError, sqlcipher3.Error):
        raise
    except Exception:
        raise InvalidInput(
            _(
                "{name} holds something the {platform} importer does not understand, so it was "
                "refused and nothing was imported. Export it again from the app; if this happens "
                "again, please report it (without the export)."
            ).format(name=path.name, platform=row.platform)
        ) from None
