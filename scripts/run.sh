#!/usr/bin/env bash
# Runs SQL Arena on its embedded default (SQLite, in-process judge): http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export PIPENV_VENV_IN_PROJECT=1
exec python3 -m pipenv run python run.py
