"""Evidence bundles for lawyers: export from a vault, and verification that needs no vault.

Format: docs/format.md §6. Modules: ``layout`` (names and caps), ``export`` (writing),
``verify`` (checking), ``documents`` (report.html, VERIFY.txt, certificate), ``transport`` (age).
"""
