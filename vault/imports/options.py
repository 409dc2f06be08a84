"""What an import is asked to do: the defender's choices, and the rules they must follow.

The rules live here, once: :meth:`ImportOptions.validate` is what the command line and the terminal
app call before anything is read (and the pipeline calls it again), so the two front ends can never
disagree about which choice fits which kind of export.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vault.errors import InvalidInput
from vault.evidence.models import check_case_name, check_tags
from vault.i18n import N_, _
from vault.imports import registry

DATE_ORDERS = ("dmy", "mdy", "ymd")  # day, month or year first, when the file cannot tell
NOTHING_IMPORTED = N_("Nothing was imported.")

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

    def validate(self, importer: str) -> None:
        """Refuse, before anything is read, a choice that cannot apply to this kind of export."""
        row = registry.importer(importer)
        if self.date_order is not None:
            if self.date_order not in DATE_ORDERS:
                raise InvalidInput(
                    _("The date order must be one of {orders}. Nothing was imported.").format(
                        orders=", ".join(DATE_ORDERS)
                    )
                )
            if registry.DATE_ORDER not in row.options:
                raise InvalidInput(
                    _(
                        "The date order is only for {kinds} exports; leave it out for this one. "
                        "Nothing was imported."
                    ).format(kinds=_kinds(registry.DATE_ORDER))
                )
        if self.profile_urls:
            if registry.PROFILE_URLS not in row.options:
                raise InvalidInput(
                    _(
                        "Profile links are only for {kinds} exports; leave them out for this one. "
                        "Nothing was imported."
                    ).format(kinds=_kinds(registry.PROFILE_URLS))
                )
            for name, url in self.profile_urls.items():
                if not name.strip() or not url.strip():
                    raise InvalidInput(
                        _(
                            "Each profile link needs a sender's name and a link. Nothing was imported."
                        )
                    )
        if self.timezone is not None:
            from vault.imports.parsers.timeutil import zone  # noqa: PLC0415

            zone(self.timezone)  # a misspelt zone is refused before anything is read
        check_tags(self.tags)
        if self.case is not None:
            check_case_name(self.case)

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


def _kinds(option: str) -> str:
    return " and ".join(row.platform for row in registry.supporting(option))


def split_profile_link(text: str) -> tuple[str, str] | None:
    """'Name=URL' as (name, URL), split at the first '=' because profile URLs often hold one;
    None when the text is not of that form (each front end says so in its own words)."""
    name, sep, url = text.partition("=")
    if not sep or not name.strip() or not url.strip():
        return None
    return name.strip(), url.strip()


def parse_profile_links(text: str) -> dict[str, str]:
    """'Name = https://…' lines into a mapping; a line that is not of that form is named."""
    links: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        pair = split_profile_link(line)
        if pair is None:
            raise InvalidInput(
                _(
                    "Profile link line {number} is not in the form Name = https://… ; nothing was "
                    "imported."
                ).format(number=number)
            )
        links[pair[0]] = pair[1]
    return links
