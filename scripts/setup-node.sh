#!/usr/bin/env bash
# npm dependencies (if missing or stale) and the compiled package in dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# From scratch: compiled leftovers of deleted sources (old tests) must never run.
rm -rf dist
npx tsc -p tsconfig.json
