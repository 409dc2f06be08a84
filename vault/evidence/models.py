"""Plain data about evidence that the vault API takes and returns. No behaviour, no secrets."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from vault.errors import InvalidInput
from vault.i18n import ngettext

MAX_TAG = 100
MAX_CASE_NAME = 200


def parse_tags(text: str) -> tuple[str, ...]:
    """Tags typed as one line, separated by commas: "threat, telegram" -> ("threat", "telegram")."""
    return tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))


def check_tags(tags: tuple[str, ...] | list[str]) -> None:
    """Refuse an empty or over-long tag before anything is written."""
    for tag in tags:
        if not tag.strip() or len(tag) > MAX_TAG:
            raise InvalidInput(
                ngettext(
                    "A tag must be 1 to {n} character.",
                    "A tag must be 1 to {n} characters.",
                    MAX_TAG,
                ).format(n=MAX_TAG)
            )


def check_case_name(name: str) -> str:
    """The case name without surrounding spaces, or a calm error if it is empty or too long."""
    name = name.strip()
    if not name or len(name) > MAX_CASE_NAME:
        raise InvalidInput(
            ngettext(
                "A case name must be 1 to {n} character.",
                "A case name must be 1 to {n} characters.",
                MAX_CASE_NAME,
            ).format(n=MAX_CASE_NAME)
        )
    return name


@dataclass(frozen=True)
class Metadata:
    """What a defender says about a piece of evidence when adding it (all optional)."""

    title: str = ""
    description: str = ""
    platform: str = ""
    source_url: str = ""
    sender_handle: str = ""
    sender_id: str = ""
    occurred: str | None = None  # ISO 8601 as reported, or None / "unknown"
    occurred_tz: str | None = None  # IANA zone for a time given without offset
    case: str | None = None  # case name; created if it does not exist
    tags: tuple[str, ...] = ()
    sensitive: bool = False
    parent_id: str | None = None


@dataclass(frozen=True)
class MessageFields:
    """Extra fields of a typed threat message."""

    recipient: str = ""
    sent: str | None = None
    sent_tz: str | None = None
    thread: str = ""


@dataclass(frozen=True)
class Item:
    """One piece of evidence as stored (or its tombstone, when ``deleted_at`` is set)."""

    id: str
    kind: str
    title: str
    description: str
    media_type: str
    size: int
    sha256: str
    captured_at: str
    occurred_at: str | None
    occurred_tz: str
    occurred_utc: str | None
    platform: str
    source_url: str
    sender_handle: str
    sender_id: str
    original_filename: str
    sensitive: bool
    case: str | None
    parent_id: str | None
    tags: tuple[str, ...]
    created_at: str
    updated_at: str
    deleted_at: str | None = None
    deleted_reason: str | None = None
    message: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        # Written out (not dataclasses.asdict, which deep-copies): this runs for every item added.
        data = {name: getattr(self, name) for name in _ITEM_FIELDS}
        data["tags"] = list(self.tags)
        data["message"] = dict(self.message) if self.message is not None else None
        return data


_ITEM_FIELDS = tuple(f.name for f in fields(Item))  # looked up once, not per item


@dataclass(frozen=True)
class AddResult:
    """Outcome of adding one piece of evidence."""

    item_id: str
    sha256: str
    size: int
    duplicate: bool  # True: these bytes were already in the vault as ``item_id``; nothing added
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    description: str
    created: str
