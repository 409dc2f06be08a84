"""What an import found and did: shown to the defender and stored with the import."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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
