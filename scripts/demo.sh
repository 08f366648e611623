#!/usr/bin/env bash
# The main job: sets up, builds the kiosk and the central server, and runs the whole-system demo
# (in a window where there is a display; otherwise the scripted walk, headless).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Only the two programs the demo runs; `-p` names each package, since a plain `--bin` looks only in
# the root package. --devices-only needs only the kiosk.
packages=(-p citizen-window --bin citizen-window)
[[ " $* " == *" --devices-only "* ]] || packages+=(-p citizen-central --bin citizen-central)
cargo build --quiet "${packages[@]}"
exec target/debug/citizen-window demo "$@"
