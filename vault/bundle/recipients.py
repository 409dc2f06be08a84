"""Age keys for lawyers: the private key file they keep, and the public key they give out."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from crypto import transport
from vault.clock import utc_now
from vault.errors import InvalidInput
from vault.host.outputs import write_new


def new_recipient_file(out: Path, *, now: datetime | None = None) -> str:
    """Write a new age identity to ``out`` (owner-only from its first byte, complete or absent,
    never overwriting); return its public key.

    The file has the same form ``age-keygen`` writes, so ``age -d -i`` accepts it.
    """
    secret, public = transport.new_identity()
    created = (now or utc_now()).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = f"# created: {created}\n# public key: {public}\n{secret}\n"
    try:
        write_new(out, text.encode("ascii"))
    except FileExistsError:
        raise InvalidInput(
            f"{out} already exists. Choose another name; nothing was changed."
        ) from None
    except OSError:
        raise InvalidInput(f"{out} could not be created. Check the folder.") from None
    return public
