"""Front ends for evidence-vault: the ``evault`` command line (and, later, the Textual app).

Thin by rule: no SQL and no cryptography here; every operation is one call on the ``vault`` API.
"""
