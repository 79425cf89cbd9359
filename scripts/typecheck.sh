#!/usr/bin/env bash
# Type-check the crossplan package with mypy (settings in pyproject.toml). The checkout is the package, so mypy
# reads it through a link named crossplan: the error paths are the checkout's own.
set -euo pipefail
cd "$(dirname "$0")/.."
link_dir="$(mktemp -d)"
trap 'rm -rf "$link_dir"' EXIT
ln -s "$PWD" "$link_dir/crossplan"
cd "$link_dir"
exec python3 -m mypy --config-file crossplan/pyproject.toml -p crossplan.graph -m crossplan.cli -m crossplan -m crossplan.__main__ "$@"
