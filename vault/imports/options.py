"""What an import is asked to do: the defender's choices, shared by the pipeline and the front ends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# (stage, done, total or None): "storing" counts bytes of the export, "reading" counts messages.
ImportProgress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class ImportOptions:
    """What the defender chose for this import (recorded in its custody event)."""

    timezone: str | None = None
    date_order: str | None = None  # WhatsApp: "dmy", "mdy" or "ymd" when the file cannot tell
    case: str | None = None
    tags: tuple[str, ...] = ()
    # Pictures and videos from a leak may be intimate: hidden (sensitive) by default.
    sensitive_media: bool = True
    profile_urls: dict[str, str] = field(default_factory=dict)  # Meta: sender name -> profile URL

    def settings(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "declared_timezone": self.timezone,
            "date_order": self.date_order,
            "case": self.case,
            "tags": list(self.tags),
            "sensitive_media": self.sensitive_media,
        }
        if self.profile_urls:
            data["profile_urls"] = dict(sorted(self.profile_urls.items()))
        return data


def split_profile_link(text: str) -> tuple[str, str] | None:
    """'Name=URL' as (name, URL), split at the first '=' because profile URLs often hold one;
    None when the text is not of that form (each front end says so in its own words)."""
    name, sep, url = text.partition("=")
    if not sep or not name.strip() or not url.strip():
        return None
    return name.strip(), url.strip()
