"""Pure cryptography and file formats for evidence-vault.

Functions here take and return bytes and plain data; they never touch a vault, a database or a user
interface. Formats are specified in ``docs/format.md``; constants live in :mod:`crypto.constants`.
"""

# This marker tells the start-up check (tui/launch.py) that the ``crypto`` package found is this
# project's: PyPI's ``crypto`` installs into the same folder and replaces this file.
EVIDENCE_VAULT_PACKAGE = "crypto"
