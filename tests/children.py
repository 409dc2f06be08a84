"""Child Python processes for the kill tests: real processes, killed with real signals.

One place for how they start, so every kill test runs the code under test the same way: from this
checkout (``PYTHONPATH``), writing no ``__pycache__`` beside anything, with its output captured.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python_child(code: str, *, stdin: bool = False) -> subprocess.Popen[bytes]:
    """Start ``python -c code`` (dedented) with this checkout importable; stdout/stderr piped
    (and standard input, with ``stdin``: a child can wait there for the test's signal)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdin=subprocess.PIPE if stdin else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
