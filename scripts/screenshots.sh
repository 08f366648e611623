#!/usr/bin/env bash
# Regenerates the UI screenshots in docs/images/ (shown in README.md), headless, with the
# software renderer and the example content.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --bin citizen-window  # dev profile: dependencies are optimised (Cargo.toml)
shot() {
    local name=$1; shift
    target/debug/citizen-window screenshot "$@" --out "docs/images/ui-$name.png" >/dev/null
    echo "docs/images/ui-$name.png"
}
shot attract-zh --page attract
shot home-zh --page home
shot home-en --page home --lang en
shot home-zh-elderly --page home --elderly
shot notice-zh --page notice
shot directory-en-elderly --page directory --lang en --elderly
shot home-zh-landscape --page home --size 1920x1080
shot ticket-done-zh --page ticket_done
shot report-place-en --page report_place --lang en
shot place-card-zh-elderly --page place_card --elderly
shot vote-done-zh --page vote_done
shot payment-zh --page payment
shot bills-en-elderly-landscape --page bills --lang en --elderly --size 1920x1080
shot help-zh --page help
shot tickets-zh --page tickets
shot reprint-zh --page reprint
shot home-en-elderly-800 --page home --lang en --elderly --size 800x1280
