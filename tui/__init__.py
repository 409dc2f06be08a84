"""The front ends of evidence-vault: the ``evault`` command line and the Textual terminal app.

Thin by rule: no SQL and no cryptography here; every operation is one call on the public ``vault``
API (``from vault import …``, the names in ``vault.__all__``). ``launch`` is the program's entry
point, ``cli`` and ``commands/`` the command line, ``app`` with ``screens/`` and ``widgets/`` the
terminal app, ``render`` the words both show.
"""

# This marker tells the start-up check (tui/launch.py) that the ``tui`` package found is this
# project's, and not another package of the same name installed over it.
EVIDENCE_VAULT_PACKAGE = "tui"
