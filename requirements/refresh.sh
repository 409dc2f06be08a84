#!/usr/bin/env sh
# Re-resolve the three hash-pinned lock files from pyproject.toml (docs/supply-chain.md).
# Needs uv (https://docs.astral.sh/uv/, e.g. `pip install uv` in a separate venv) and the package
# index. Review `git diff requirements/` before committing: every changed version is new code that
# will run on defenders' computers.
set -eu
cd "$(dirname "$0")/.."
common="--universal --python-version 3.11 --generate-hashes --quiet"
# shellcheck disable=SC2086  # $common is a list of options
uv pip compile pyproject.toml --extra test --extra build requirements/build-tools.in $common \
    -o requirements/dev.lock "$@"
# The two smaller locks take their versions from dev.lock, so all three agree.
uv pip compile pyproject.toml requirements/build-tools.in -c requirements/dev.lock $common \
    -o requirements/run.lock
uv pip compile pyproject.toml --extra build requirements/build-tools.in -c requirements/dev.lock \
    $common -o requirements/portable.lock
