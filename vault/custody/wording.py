"""What each custody event means, in the words a defender uses: one table for every front end.

The log itself keeps exact type names (``item.metadata_changed``), which a lawyer or a script can
rely on and ``evault log --json`` shows unchanged; a frightened person reading the history of their
evidence needs "details edited". The app's item page and ``evault log`` both read this table, so
they never say different things about the same event. (A bundle's report.html has its own, longer
sentences for a court: ``vault.bundle.documents.report``.)

``tests/cli/test_words_cli.py`` checks that every event type the vault writes has its words here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

# Short phrases that read well both about one item ("added to the vault") and in the vault's
# whole log, where each line also names its item.
EVENT_WORDS: Final[dict[str, str]] = {
    "vault.created": "vault created",
    "vault.rekeyed": "vault re-encrypted under a new key",
    "vault.backed_up": "backup copy made",
    "vault.restored": "put back from a backup copy",
    "item.created": "added to the vault",
    "item.metadata_changed": "details edited",
    "item.viewed": "viewed",
    "item.exported": "original saved to a file outside the vault",
    "item.deleted": "deleted (this signed record stays)",
    "case.created": "case created",
    "case.renamed": "case renamed",
    "bundle.export_started": "evidence bundle written for a lawyer (export started)",
    "bundle.exported": "exported for a lawyer (evidence bundle)",
    "import.completed": "chat or mailbox export imported",
    "key.passphrase_changed": "passphrase changed",
    "key.recovery_replaced": "recovery key replaced",
    "key.keyfile_changed": "keyfile changed",
    "key.shares_issued": "recovery shares given to trusted people",
    "key.shares_replaced": "new recovery shares given out (the earlier set stopped working)",
    "key.shares_revoked": "recovery shares withdrawn",
    "key.file_upgraded": "key file (vault.keys) brought up to date",
    "key.file_repaired": "key file (vault.keys), changed outside evault, repaired",
}


def event_words(event_type: str, details: Mapping[str, Any] | None = None) -> str:
    """The plain words for one event; a type this version does not know is shown as it is.

    A few details sharpen the words (never a title or a name: those may be sensitive): how an item
    was added or viewed, and whether a deletion was for good."""
    words = EVENT_WORDS.get(event_type, event_type)
    details = details or {}
    if event_type == "item.created" and details.get("source") == "import":
        return "added to the vault (imported)"
    if event_type == "item.deleted" and details.get("purged") is True:
        return "deleted for good (this signed record stays)"
    how = details.get("how") if event_type == "item.viewed" else None
    if isinstance(how, str) and how.startswith("details shown"):  # a sensitive item's title
        where = " on the command line" if how.endswith("command line") else ""
        return f"title and details shown (sensitive){where}"
    if isinstance(how, str) and how:
        return f"viewed ({how})"
    return words
