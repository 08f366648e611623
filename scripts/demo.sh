#!/usr/bin/env bash
# The main job: sets up, builds the kiosk and the central server, and runs the whole-system demo
# (in a window where there is a display; otherwise the scripted walk, headless).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --quiet --bin citizen-window --bin citizen-central
exec target/debug/citizen-window demo "$@"
