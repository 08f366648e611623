#!/usr/bin/env bash
# The main job: sets up, builds, and runs the demo on simulated devices.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec cargo run --quiet --bin citizen-window -- demo "$@"
