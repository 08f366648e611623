#!/bin/sh
# The kiosk's Debian package: production binaries (no developer feature: no demo, no testing
# backend), manual pages and completions generated from the command definitions, cargo-deb.
#   scripts/package.sh                                      amd64, in target/debian/
#   scripts/package.sh --target aarch64-unknown-linux-gnu   arm64, cross-built
# As root on Debian it installs what it needs first. docs/INSTALL.md, "Building the package".
set -eu
cd "$(dirname "$0")/.."
target=""
if [ "${1:-}" = "--target" ]; then target="$2"; fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    packages="libinput-dev libudev-dev libxkbcommon-dev libfontconfig-dev libfreetype-dev libasound2-dev pkg-config"
    if [ -n "$target" ]; then
        dpkg --add-architecture arm64
        packages="gcc-aarch64-linux-gnu libc6-dev-arm64-cross libinput-dev:arm64 libudev-dev:arm64 libxkbcommon-dev:arm64 libfontconfig-dev:arm64 libfreetype-dev:arm64 libasound2-dev:arm64"
    fi
    missing=""
    for p in $packages; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
    if [ -n "$missing" ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    fi
fi
command -v cargo-deb >/dev/null || cargo install --locked cargo-deb@3.8.0

# Manual pages and completions, from the host's developer build of the same definitions.
cargo build --quiet --bin kioskctl --bin citizen-window
mkdir -p target/package
target/debug/kioskctl man > target/package/kioskctl.1
target/debug/citizen-window man > target/package/citizen-window.1
target/debug/kioskctl completions bash > target/package/kioskctl.bash
target/debug/kioskctl completions zsh > target/package/_kioskctl
target/debug/kioskctl completions fish > target/package/kioskctl.fish

if [ -n "$target" ]; then
    rustup target add "$target"
    export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
    export PKG_CONFIG_ALLOW_CROSS=1
    export PKG_CONFIG_PATH=/usr/lib/aarch64-linux-gnu/pkgconfig
    export PKG_CONFIG_SYSROOT_DIR=/
    cargo deb --profile board --target "$target"
else
    cargo deb --profile board
fi
