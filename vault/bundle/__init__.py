"""Evidence bundles for lawyers: export from a vault, and verification that needs no vault.

Format: docs/format.md §6. Modules: ``layout`` (names and caps), ``export`` (writing; ``writer``
holds the members, in order), ``verify`` (checking; its checks are in ``zipcheck``, ``signatures``,
``members`` and ``custody_check``, its result types in ``verify_result``), ``documents``
(report.html, VERIFY.txt, certificate), ``transport`` (age).
"""
