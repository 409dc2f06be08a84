"""What ``evault verify`` reports: one :class:`Check` per property of the bundle and one
:class:`ItemResult` per evidence item, gathered in a :class:`VerifyResult`.

A module of their own because every part of the verification fills them in (``zipcheck``,
``signatures``, ``members``, ``custody_check``) and ``vault.bundle.verify`` runs those parts: the
types sit below all of them, so no import goes in a circle. The certificate is made from
:meth:`VerifyResult.to_json`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from vault.bundle.said import shown
from vault.version import VERSION

TOOL = "evidence-vault (evault verify)"
Progress = Callable[[int, int | None], None]


@dataclass
class Check:
    """One property of the bundle. ``name`` and ``detail`` are English (``--json``); a person
    reads :meth:`shown_name` and :meth:`shown_detail`, in the current language."""

    name: str
    ok: bool
    detail: str

    def shown_name(self) -> str:
        return shown(self.name)

    def shown_detail(self) -> str:
        return shown(self.detail)


@dataclass
class ItemResult:
    path: str
    title: str
    sha256: str
    size: int
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    # Proof of time (docs/format.md §6.9): the earliest verified token covering the item's
    # arrival, ISO 8601 UTC, and the authority that signed it; None without one.
    existed_by: str | None = None
    existed_by_tsa: str | None = None

    def fail(self, problem: str) -> None:
        self.ok = False
        self.problems.append(problem)

    def shown_problems(self) -> list[str]:
        """The problems in the current language (``problems`` stays English, for ``--json``)."""
        return [shown(p) for p in self.problems]


VERIFIED = "verified"
SIGNER_NOT_CONFIRMED = "signer-not-confirmed"
NOT_VERIFIED = "not-verified"


@dataclass
class VerifyResult:
    """What the checks found. Three verdicts, never more hopeful than the facts:

    - ``verified``: every check and item holds AND the signer is the key the lawyer was given
      (``--key``, or the digits typed when asked);
    - ``signer-not-confirmed``: every check and item holds, but nobody compared the signer with the
      defender's fingerprint: a forger's own bundle, signed with the forger's own key, looks exactly
      like this, so it is not verified;
    - ``not-verified``: something does not hold (or the signer is another key).
    """

    bundle_name: str
    bundle_sha256: str
    checked_at: str
    tool: str = TOOL
    tool_version: str = VERSION
    bundle_id: str = ""
    created: str = ""
    case: str | None = None
    note: str | None = None
    signer_fingerprint: str = ""
    signer_ssh_fingerprint: str = ""
    signer_public_key: str = ""  # base64 of the raw Ed25519 key the bundle names
    key_expected: str | None = None
    key_matched: bool | None = None
    checks: list[Check] = field(default_factory=list)
    items: list[ItemResult] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        """Every check and every item holds (whoever signed)."""
        return all(c.ok for c in self.checks) and all(i.ok for i in self.items)

    @property
    def ok(self) -> bool:
        """Verified: intact, and signed by the key the lawyer was given."""
        return self.intact and self.key_matched is True

    @property
    def verdict(self) -> str:
        if self.ok:
            return VERIFIED
        if self.intact and self.key_matched is None:
            return SIGNER_NOT_CONFIRMED
        return NOT_VERIFIED

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        data["intact"] = self.intact
        data["verdict"] = self.verdict
        return data
