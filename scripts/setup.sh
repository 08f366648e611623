#!/usr/bin/env bash
# Installs what building, the demo and the tests need on a fresh Debian machine; safe to run again.
set -euo pipefail

need_apt=()
# A CJK font: the kiosk UI, receipt pictures, glyphs missing from a printer's font. The UI finds
# it through fontconfig, which Slint loads at run time.
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need_apt+=(fonts-noto-cjk)
ldconfig -p | grep -q 'libfontconfig.so.1 ' || need_apt+=(libfontconfig1)
command -v cc >/dev/null || need_apt+=(gcc)
# Voice guidance plays through ALSA: the library's headers to build, pkg-config to find them.
[ -f /usr/include/alsa/asoundlib.h ] || need_apt+=(libasound2-dev)
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
# Staff's own answers to a call for staff are spoken by Debian's speech synthesiser.
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
command -v python3 >/dev/null || need_apt+=(python3)
# The API contract test's schemathesis lives in a virtual environment of its own.
python3 -c "import ensurepip, venv" 2>/dev/null || need_apt+=(python3-venv)
# The test PostgreSQL serves TLS with a certificate made here.
command -v openssl >/dev/null || need_apt+=(openssl)
# kioskctl doctor's clock test runs it with its clock set two days ahead (libfaketime).
command -v faketime >/dev/null || need_apt+=(faketime)
# The console's browser tests drive Debian's Chromium over WebDriver.
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
# The central server's storage tests also run against PostgreSQL.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: please install ${need_apt[*]} (apt-get install ${need_apt[*]}) or run this as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "setup: cargo is missing: install Rust with rustup" >&2; exit 1; }

# schemathesis from PyPI, pinned, for tests/api_contract.rs (target/tools: outside the sources).
tools="$(cd "$(dirname "$0")/.." && pwd)/target/tools"
schemathesis_version=4.32.5
if ! "$tools/schemathesis/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  mkdir -p "$tools"
  rm -rf "$tools/schemathesis"
  python3 -m venv "$tools/schemathesis"
  "$tools/schemathesis/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi
