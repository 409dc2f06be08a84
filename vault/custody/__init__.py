"""The chain of custody: the signed, hash-linked log of everything that happened to the evidence
(``log``), and the integrity check that proves nothing was altered (``check``)."""
