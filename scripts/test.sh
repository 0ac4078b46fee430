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
tiers=(dist/test/unit dist/test/kernel dist/test/engine)
for t in "${tiers[@]}"; do echo "tier ${t##*/}: $(find "$t" -name '*.test.js' | wc -l) test files"; done
# One file at a time: kernel and engine tests compare whole-host snapshots before and after.
exec node --test --test-concurrency=1 "${tiers[@]}"
