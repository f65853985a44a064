#!/usr/bin/env bash
# Runs the whole test suite (SQLite and PostgreSQL app databases, the SQLite and
# PostgreSQL sandboxes, a Tansu Kafka broker started by the tests, Redis, and the
# browser client in headless Chromium).
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --dev
# The browser tests drive Debian's Chromium (Playwright never downloads a browser here).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing Debian's chromium for the browser tests…" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q chromium >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; } \
      || echo "test.sh: could not install chromium; the browser tests will fail under CI" >&2
  else
    echo "test.sh: /usr/bin/chromium is missing (sudo apt-get install chromium); browser tests skip, or fail under CI" >&2
  fi
fi
export PIPENV_VENV_IN_PROJECT=1
exec python3 -m pipenv run python -m pytest "$@"
