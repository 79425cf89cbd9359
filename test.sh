#!/usr/bin/env bash
# Install everything the tests need (Debian packages and Python packages), then run the test suite.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-system-deps.sh
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
exec python3 -m pytest -q "$@"
