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

from vault.i18n import N_, _

# Short phrases that read well both about one item ("added to the vault") and in the vault's
# whole log, where each line also names its item. The English is marked here and translated where
# it is shown (event_words): the stored, signed event types are the keys and never change.
EVENT_WORDS: Final[dict[str, str]] = {
    "vault.created": N_("vault created"),
    "vault.rekeyed": N_("vault re-encrypted under a new key"),
    "vault.backed_up": N_("backup copy made"),
    "vault.restored": N_("put back from a backup copy"),
    "item.created": N_("added to the vault"),
    "item.metadata_changed": N_("details edited"),
    "item.viewed": N_("viewed"),
    "item.exported": N_("original saved to a file outside the vault"),
    "item.deleted": N_("deleted (this signed record stays)"),
    "case.created": N_("case created"),
    "case.renamed": N_("case renamed"),
    "bundle.export_started": N_("evidence bundle written for a lawyer (export started)"),
    "bundle.exported": N_("exported for a lawyer (evidence bundle)"),
    "import.completed": N_("chat or mailbox export imported"),
    "key.passphrase_changed": N_("passphrase changed"),
    "key.recovery_replaced": N_("recovery key replaced"),
    "key.keyfile_changed": N_("keyfile changed"),
    "key.shares_issued": N_("recovery shares given to trusted people"),
    "key.shares_replaced": N_("new recovery shares given out (the earlier set stopped working)"),
    "key.shares_revoked": N_("recovery shares withdrawn"),
    "key.file_upgraded": N_("key file (vault.keys) brought up to date"),
    "key.file_repaired": N_("key file (vault.keys), changed outside evault, repaired"),
}

# How an item was viewed, as the signed log records it (``details["how"]``, English for good), and
# the words shown for it; a way this table does not know is shown inside "viewed (...)" as it is.
HOW_WORDS: Final[dict[str, str]] = {
    "viewed": N_("viewed (viewed)"),
    "text shown": N_("viewed (text shown)"),
    "preview shown": N_("viewed (preview shown)"),
}


def event_words(event_type: str, details: Mapping[str, Any] | None = None) -> str:
    """The plain words for one event; a type this version does not know is shown as it is.

    A few details sharpen the words (never a title or a name: those may be sensitive): how an item
    was added or viewed, and whether a deletion was for good."""
    details = details or {}
    if event_type == "item.created" and details.get("source") == "import":
        return _("added to the vault (imported)")
    if event_type == "item.deleted" and details.get("purged") is True:
        return _("deleted for good (this signed record stays)")
    how = details.get("how") if event_type == "item.viewed" else None
    if isinstance(how, str) and how.startswith("details shown"):  # a sensitive item's title
        if how.endswith("command line"):
            return _("title and details shown (sensitive) on the command line")
        return _("title and details shown (sensitive)")
    if isinstance(how, str) and how in HOW_WORDS:
        return _(HOW_WORDS[how])
    if isinstance(how, str) and how:
        # TRANSLATORS: {how} is how the item was viewed, as recorded in the signed log (English).
        return _("viewed ({how})").format(how=how)
    words = EVENT_WORDS.get(event_type)
    return _(words) if words is not None else event_type
