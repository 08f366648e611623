#!/usr/bin/env bash
# The tests: sets up, then runs every test in the workspace (unit, pseudo-terminal, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec cargo test --workspace "$@"
