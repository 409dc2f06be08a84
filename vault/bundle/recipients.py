"""Age keys for lawyers: the private key file they keep, and the public key they give out."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from crypto import transport
from vault.clock import utc_now
from vault.errors import InvalidInput
from vault.host.outputs import write_new
from vault.i18n import _


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
            _("{name} already exists. Choose another name; nothing was changed.").format(name=out)
        ) from None
    except OSError:
        raise InvalidInput(
            _("{name} could not be created. Check the folder.").format(name=out)
        ) from None
    return public
