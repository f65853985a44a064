#!/usr/bin/env bash
# Builds the browser client (web/) into app/static/dist/ with esbuild.
# Installs the locked npm packages first, unless node_modules already matches the lock file.
# Usage: scripts/build_web.sh [--quiet]
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "build_web.sh: node and npm are needed (Debian: apt-get install -y nodejs npm)" >&2
  exit 1
fi
# npm keeps a copy of what it installed in node_modules/.package-lock.json: when it is newer
# than package-lock.json, the installed tree is what the lock asks for.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
   || [ package.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node build.mjs "$@"
