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

from vault.version import VERSION

TOOL = "evidence-vault (evault verify)"
Progress = Callable[[int, int | None], None]


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class ItemResult:
    path: str
    title: str
    sha256: str
    size: int
    ok: bool = True
    problems: list[str] = field(default_factory=list)

    def fail(self, problem: str) -> None:
        self.ok = False
        self.problems.append(problem)


@dataclass
class VerifyResult:
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
    key_expected: str | None = None
    key_matched: bool | None = None
    checks: list[Check] = field(default_factory=list)
    items: list[ItemResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks) and all(i.ok for i in self.items)

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data
