#!/usr/bin/env bash
# Installs pipenv if missing and syncs the locked packages into ./.venv.
# Usage: scripts/bootstrap.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -m pipenv --version >/dev/null 2>&1; then
  python3 -m pip install --quiet pipenv
fi
export PIPENV_VENV_IN_PROJECT=1 PIPENV_NOSPIN=1 PIPENV_YES=1
python3 -m pipenv sync "$@" >/dev/null
