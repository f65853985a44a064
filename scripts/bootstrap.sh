#!/usr/bin/env bash
# Installs pipenv if missing and syncs the locked packages into ./.venv, then builds the
# browser client (web/ → app/static/dist/) with Node.js, installed from Debian when missing.
# Usage: scripts/bootstrap.sh [--dev]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -m pipenv --version >/dev/null 2>&1; then
  python3 -m pip install --quiet pipenv
fi
export PIPENV_VENV_IN_PROJECT=1 PIPENV_NOSPIN=1 PIPENV_YES=1
python3 -m pipenv sync "$@" >/dev/null

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing Node.js and npm (apt-get) to build the web client…" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q nodejs npm >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q nodejs npm >/dev/null; } \
      || echo "bootstrap: could not install nodejs and npm; the web client at / will not be built" >&2
  else
    echo "bootstrap: Node.js and npm are missing, so the web client at / cannot be built." >&2
    echo "bootstrap: install them (e.g. 'sudo apt-get install nodejs npm') and run this again;" >&2
    echo "bootstrap: the REST API and Socket.IO work without them." >&2
  fi
fi
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  scripts/build_web.sh --quiet
fi
