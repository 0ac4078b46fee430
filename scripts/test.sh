#!/usr/bin/env bash
# The whole suite: unit, kernel and engine tiers, with its own set-up. `npm test` runs this.
# In CI (CI=true) a tier whose prerequisites are missing fails instead of being skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then bash scripts/setup-host.sh; fi
bash scripts/setup-node.sh
bash toolchain/ensure.sh
# shellcheck source=../toolchain/env.sh
. toolchain/env.sh
files=()
for tier in unit kernel engine; do
  mapfile -t tier_files < <(find "dist/test/$tier" -name '*.test.js' | sort)
  echo "tier $tier: ${#tier_files[@]} test files"
  files+=("${tier_files[@]}")
done
# One file at a time: kernel and engine tests compare whole-host snapshots before and after.
# Files, not directories: newer Node versions read arguments of --test as globs.
exec node --test --test-concurrency=1 "${files[@]}"
