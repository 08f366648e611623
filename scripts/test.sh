#!/usr/bin/env bash
# The tests: sets up, then runs every test in the workspace (unit, pseudo-terminal, end to end),
# and closes with one line adding up all the test binaries' results.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
CITIZEN_CENTRAL_TEST_POSTGRES=$(scripts/test-postgres.sh)
export CITIZEN_CENTRAL_TEST_POSTGRES
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace "$@" 2>&1 | tee "$log" || status=$?
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
     END { printf "Total: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
