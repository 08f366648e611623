#!/usr/bin/env bash
# The arm64 build, tried here under qemu-user: `kioskctl --version`, a printed test page and a card
# read against the simulators (this machine's devsim on pseudo-terminals, the same bytes a real
# printer and SAM reader speak), a headless screenshot of the home page (the developer build: the
# board's build has no testing backend), and each binary's size and start time under emulation.
#   scripts/arm64-smoke.sh      (builds the arm64 package first if it is not there; root on Debian)
set -euo pipefail
cd "$(dirname "$0")/.."
target=aarch64-unknown-linux-gnu
board=target/$target/board
[ -x "$board/kioskctl" ] || scripts/package.sh --target "$target"
if ! command -v qemu-aarch64-static >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static >/dev/null
fi
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export PKG_CONFIG_ALLOW_CROSS=1 PKG_CONFIG_PATH=/usr/lib/aarch64-linux-gnu/pkgconfig PKG_CONFIG_SYSROOT_DIR=/
arm() { qemu-aarch64-static -L /usr/aarch64-linux-gnu "$@"; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
# The board's binaries set aside, then the developer build of the kiosk program (for the
# screenshot only) in the same folder: only what its features change is built again.
mkdir "$work/board" "$work/developer"
cp "$board/kioskctl" "$board/citizen-window" "$work/board/"
cargo build --quiet --profile board --target "$target" --features developer --bin citizen-window
cp "$board/citizen-window" "$work/developer/"
board=$work/board
cargo build --quiet -p citizen-window-hardware --bin devsim
target/debug/devsim printer --link "$work/printer" --out "$work/receipts" >/dev/null 2>&1 &
target/debug/devsim sam --link "$work/reader" --place zhang-wei >/dev/null 2>&1 &
for _ in $(seq 50); do [ -e "$work/printer" ] && [ -e "$work/reader" ] && break; sleep 0.1; done

echo "arm64: $(arm "$board/kioskctl" --version)"
arm "$board/kioskctl" printer test --port "$work/printer"
ls "$work/receipts" | grep -q . || { echo "arm64: no receipt came out of the simulated printer" >&2; exit 1; }
arm "$board/kioskctl" reader read --port "$work/reader" --protocol sam --timeout 30 | head -3
arm "$work/developer/citizen-window" screenshot --page home --out "$work/home.png" >/dev/null
cp "$work/home.png" target/arm64-home.png
echo "arm64: home page rendered under emulation: target/arm64-home.png"

printf 'state_dir = "%s"\ncontent_dir = "%s"\n[control]\nsocket = "%s"\ngroup = ""\n' \
  "$work/state" "$PWD/content/example" "$work/control.sock" > "$work/kiosk.toml"
mkdir -p "$work/state"
started=$(date +%s%N)
for _ in 1 2 3 4 5; do arm "$board/kioskctl" --config "$work/kiosk.toml" status >/dev/null; done
status_ms=$(( ($(date +%s%N) - started) / 5000000 ))
started=$(date +%s%N)
for _ in 1 2 3 4 5; do arm "$board/citizen-window" --version >/dev/null; done
start_ms=$(( ($(date +%s%N) - started) / 5000000 ))
echo "arm64 sizes: citizen-window $(stat -c %s "$board/citizen-window") bytes, kioskctl $(stat -c %s "$board/kioskctl") bytes"
echo "arm64 under qemu-user: citizen-window --version ${start_ms} ms, kioskctl status (stopped kiosk) ${status_ms} ms (mean of 5)"
