#!/usr/bin/env bash
# The benchmarks, each with its peer or physical limit measured in the same run: installs
# python-escpos, starts the test PostgreSQL, then runs every benchmark. Figures go to
# docs/BENCHMARKS.md by hand, with the date.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
python3 -c "import escpos" 2>/dev/null || python3 -m pip install --quiet python-escpos
CITIZEN_CENTRAL_TEST_POSTGRES=$(scripts/test-postgres.sh)
export CITIZEN_CENTRAL_TEST_POSTGRES
cargo bench -p citizen-window-hardware --bench hardware_bench
cargo bench -p citizen-window --bench journal_bench
cargo bench -p citizen-window --bench sync_drain_bench
cargo bench -p citizen-window --bench resident_key_bench
cargo bench -p citizen-central --bench ingest_bench
cargo bench -p citizen-central --bench hostile_load_bench
cargo bench -p citizen-central --bench content_streams_bench
cargo bench -p citizen-central --bench console_bench
# Chromium is the UI benchmark's peer (the usual way kiosks are built).
command -v chromium >/dev/null || { [ "$(id -u)" -ne 0 ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; }
cargo bench -p citizen-window --bench ui_bench
cargo bench -p citizen-window --bench content_push_bench
cargo bench -p citizen-window --bench kioskctl_status_bench
cargo bench -p citizen-window --bench voice_bench
