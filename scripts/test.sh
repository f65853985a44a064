#!/usr/bin/env bash
# Runs the whole test suite (SQLite and PostgreSQL app databases, the SQLite and
# PostgreSQL sandboxes, a Tansu Kafka broker started by the tests, Redis).
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --dev
export PIPENV_VENV_IN_PROJECT=1
exec python3 -m pipenv run python -m pytest "$@"
