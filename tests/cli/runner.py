"""Running ``evault`` in-process for tests: ``run_main`` and the ``Runner`` behind the ``run``
fixture (tests/conftest.py), shared by the command-line tests of every folder."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

from tests.conftest import PASSPHRASE
from tui.cli import main


def run_main(argv: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    """Call ``main(argv)`` in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        code = main(argv, stdout=out, stderr=err)
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


class Runner:
    """Runs ``evault --vault V --passphrase-file P ...`` in-process, capturing output."""

    def __init__(self, folder: Path, pwfile: Path) -> None:
        self.folder = folder
        self.pwfile = pwfile

    def __call__(
        self, *args: str, stdin: bytes | None = None, auth: bool = True
    ) -> tuple[int, str, str]:
        argv = ["--vault", str(self.folder)]
        if auth:
            argv += ["--passphrase-file", str(self.pwfile)]
        return run_main([*argv, *args], stdin)

    def json(self, *args: str, stdin: bytes | None = None) -> Any:
        code, out, err = self(*args, "--json", stdin=stdin)
        assert code == 0, err
        return json.loads(out)


def new_vault_runner(tmp_path: Path) -> Runner:
    """A vault made with ``evault init`` in ``tmp_path`` (fast key derivation must be patched)."""
    pw = tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE + "\n", encoding="utf-8")
    runner = Runner(tmp_path / "case.evault", pw)
    code, _, err = runner("init")
    assert code == 0, err
    return runner
