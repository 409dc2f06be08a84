"""The caps on what one mail file may cost, in one place.

A mailbox comes from outside and may be hostile or broken, so every size and count the e-mail
importer reads to is capped here. The modules read them as ``limits.NAME`` (not copies), so a test
that lowers a cap here lowers it everywhere.
"""

from __future__ import annotations

MAX_MESSAGE_BYTES = 256 << 20  # Gmail refuses mail over 25-50 MB; this leaves room for any real one
MAX_ATTACHMENT_BYTES = 256 << 20  # decoded size of one attachment
MAX_DEPTH = 32  # nested multiparts; deeper ones are not real mail
MAX_PARTS = 10_000  # MIME parts in one message

HEAD_PEEK = 1 << 20  # bytes read to find a Message-ID (first pass) or to sniff a file
