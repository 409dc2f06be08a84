"""Pure cryptography and file formats for evidence-vault.

Functions here take and return bytes and plain data; they never touch a vault, a database or a user
interface. Formats are specified in ``docs/format.md``; constants live in :mod:`crypto.constants`.
"""
