"""What an import found and did: shown to the defender and stored with the import (in English)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from vault.custody.models import english

JOINED_LINES_SHOWN = 5


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
    # Lines of a chat file with no date of their own, kept as part of the message before them
    # (a multi-line message, or a line whose date could not be read): counted, never silent.
    lines_joined: int = 0
    lines_joined_at: list[int] = field(default_factory=list)  # the first few, as line numbers

    def to_json(self) -> dict[str, Any]:
        """In English, what is stored with the import and what ``--json`` prints: a problem line
        is shown to the defender in her language, but kept and printed for scripts in English."""
        data = asdict(self)
        data["problems"] = [english(p) for p in self.problems]
        data["skipped_files"] = [english(p) for p in self.skipped_files]
        return data

    def note_joined(self, details: dict[str, Any]) -> None:
        """Count the lines a parser joined to a message (its ``joined_lines`` detail, after the
        message's first ``line``) and keep the first few line numbers."""
        count, line = details.get("joined_lines"), details.get("line")
        if not isinstance(count, int) or isinstance(count, bool) or count <= 0:
            return
        self.lines_joined += count
        if isinstance(line, int) and len(self.lines_joined_at) < JOINED_LINES_SHOWN:
            room = JOINED_LINES_SHOWN - len(self.lines_joined_at)
            self.lines_joined_at.extend(range(line + 1, line + 1 + min(count, room)))
