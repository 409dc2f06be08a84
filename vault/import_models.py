"""What an import is asked to do and what it reports: plain data, shared by the pipeline and the
front ends (``vault.importing`` does the work)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
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


@dataclass
class ChatSummary:
    key: str
    title: str
    platform: str
    messages: int = 0
    new: int = 0
    missing: int = 0


@dataclass
class ImportSummary:
    """What an import found and did; shown to the defender and stored with the import."""

    importer: str
    importer_version: str
    source_name: str
    source_kind: str
    source_sha256: str
    import_id: str = ""
    source_item_id: str = ""
    already_imported: bool = False
    chats: list[ChatSummary] = field(default_factory=list)
    messages: int = 0
    messages_new: int = 0
    messages_already: int = 0
    messages_changed: int = 0
    service_messages: int = 0
    media_stored: int = 0
    media_missing: int = 0
    export_files: int = 0
    senders: int = 0
    first_time: str | None = None
    last_time: str | None = None
    times_declared_zone: int = 0
    times_unknown: int = 0
    transformations: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    missing: list[dict[str, str]] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def split_profile_link(text: str) -> tuple[str, str] | None:
    """'Name=URL' as (name, URL), split at the first '=' because profile URLs often hold one;
    None when the text is not of that form (each front end says so in its own words)."""
    name, sep, url = text.partition("=")
    if not sep or not name.strip() or not url.strip():
        return None
    return name.strip(), url.strip()
