"""Plain data about the custody log and integrity checks: what ``log`` and ``check`` return."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class CustodyRecord:
    """One custody event, parsed, with whether it verified."""

    seq: int
    id: str
    type: str
    time: str
    item_id: str | None
    item_sha256: str | None
    reason: str | None
    details: dict[str, Any]
    hash: str
    prev: str | None
    signature: str  # base64

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckReport:
    """What ``check`` found. ``problems`` empty means everything holds."""

    items_checked: int = 0
    bytes_checked: int = 0
    events_checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data
