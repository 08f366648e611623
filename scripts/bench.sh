#!/usr/bin/env bash
# The benchmarks, with their peers: installs python-escpos, then runs the device-layer benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
python3 -c "import escpos" 2>/dev/null || python3 -m pip install --quiet python-escpos
exec cargo bench -p citizen-window-hardware --bench hardware_bench
