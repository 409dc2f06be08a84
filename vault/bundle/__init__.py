"""Evidence bundles for lawyers: export from a vault, and verification that needs no vault.

Format: docs/format.md §6. Modules: ``layout`` (names and caps), ``api`` (the facade's export),
``export`` (writing; ``writer`` holds the members, in order; encryption with age streams through
``crypto.transport``), ``recipients`` (lawyers' age keys), ``checking`` (what a lawyer runs:
decrypt if needed, then verify), ``decrypt``, ``verify`` (checking a ZIP; its checks are in
``zipcheck``, ``signatures``, ``members`` and ``custody_check``, its result types in
``verify_result``), ``documents`` (report.html, VERIFY.txt, certificate).
"""
