#!/usr/bin/env bash
# Install everything the tests need into the active Python environment (make and activate a venv first:
# see the README), with the Debian packages the browser and server tests use, then run the whole suite.
# Extra arguments go to pytest, e.g. ./test.sh -m "not browser and not server" for the fast tier.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-system-deps.sh
python3 -m pip install --quiet --disable-pip-version-check '.[test]'
# The house rules first (lint, format and types, configured in pyproject.toml): a finding fails the run.
python3 -m ruff check --quiet .
python3 -m ruff format --check --quiet .
bash scripts/typecheck.sh
exec python3 -m pytest -q "$@"
