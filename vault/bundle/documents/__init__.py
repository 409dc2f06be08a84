"""The human-readable documents of a bundle: ``report.html``, ``VERIFY.txt`` and the certificate.

Pure functions from plain data (the parsed manifest, the custody event bodies, a verification
result) to bytes: no files, no clock, no network. Format: docs/format.md §6.

Rules for all three documents:

- HTML is self-contained UTF-8 with one inline ``<style>``: no scripts, no event-handler attributes,
  no links, images, frames or other resources, and a Content-Security-Policy ``<meta>`` that would
  block them anyway. Pictures and other files are never embedded; the documents are text *about*
  the files. The one piece of evidence content shown is the text of messages and notes in
  report.html (a text marked sensitive only if the exporter chose so), escaped like any value and
  isolated in ``<bdi>``. A source URL of evidence is shown as plain text, never as a link.
- Every value that came from a person or from a bundle (titles, descriptions, names, URLs) is
  HTML-escaped. Control characters and bidirectional overrides are shown as ``[U+202E]`` instead of
  being obeyed, so a title cannot hide or reorder what a reader sees.
- Verdicts are written in words (PASSED / FAILED), never only by colour; pages are black on white
  and print on A4 or Letter.
- VERIFY.txt is ASCII only, with LF line endings (``\\n``) and lines of at most 100 characters.
  Notepad shows LF files correctly since Windows 10 (1809); every other editor always has. Any
  non-ASCII character of a value is replaced by ``?`` so the file reads the same everywhere.
- Fingerprints printed here are what the bundle *claims*. Both documents tell the reader to compare
  them with the fingerprint the defender read out, and the ``evault verify --key`` command is shown
  with a placeholder, never pre-filled from the bundle: a forged bundle would print its own key.

One module per document, so each can be read on its own: ``report`` (report.html, with its items
in ``report_items``), ``verify_text`` (VERIFY.txt) and ``certificate`` (the verification
certificate); ``common`` holds what more than one of them needs (escaping, the HTML page and its
style, the commands both bundle documents show).
"""

from __future__ import annotations

from vault.bundle.documents.certificate import certificate_html
from vault.bundle.documents.report import report_html, report_html_parts
from vault.bundle.documents.report_items import TEXT_LIMIT
from vault.bundle.documents.verify_text import verify_txt

__all__ = ["TEXT_LIMIT", "certificate_html", "report_html", "report_html_parts", "verify_txt"]
