#!/usr/bin/env bash
# CI's check of the kiosk's Debian package (scripts/package.sh builds it): its contents listed
# and checked (dpkg-deb -c), then installed on this machine (CI's throwaway one: run it only
# there, as root), its commands run, and the systemd units checked with systemd-analyze verify.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(ls -t target/debian/citizen-window_*.deb | head -1)
echo "check-package: $deb ($(du -h "$deb" | cut -f1))"

contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/citizen-window ./usr/bin/kioskctl ./etc/citizen-window/kiosk.toml \
    ./usr/lib/systemd/system/citizen-window.service \
    ./lib/udev/rules.d/70-citizen-window-serial.rules ./lib/udev/rules.d/71-citizen-window-input.rules \
    ./usr/share/man/man1/kioskctl.1.gz ./usr/share/man/man1/citizen-window.1.gz \
    ./usr/share/bash-completion/completions/kioskctl ./usr/share/zsh/vendor-completions/_kioskctl \
    ./usr/share/fish/vendor_completions.d/kioskctl.fish \
    ./usr/share/citizen-window/content/station.toml; do
  if ! grep -qF " $path" <<<"$contents"; then
    echo "check-package: $path is missing from the package" >&2
    exit 1
  fi
done
for doc in INSTALL.md CONFIG.md CONTENT.md; do
  grep -qF " ./usr/share/doc/citizen-window/$doc" <<<"$contents" || { echo "check-package: $doc is missing" >&2; exit 1; }
done
depends=$(dpkg-deb -f "$deb" Depends)
grep -q fonts-noto-cjk <<<"$depends" || { echo "check-package: the package must depend on fonts-noto-cjk: $depends" >&2; exit 1; }
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
grep -qx /etc/citizen-window/kiosk.toml <<<"$conffiles" || { echo "check-package: kiosk.toml is not a conffile" >&2; exit 1; }

# The production binary carries no demo and no testing backend.
extracted=$(mktemp -d)
dpkg-deb -x "$deb" "$extracted"
if "$extracted/usr/bin/citizen-window" demo --help >/dev/null 2>&1; then
  echo "check-package: the packaged citizen-window has the demo command" >&2
  exit 1
fi
if grep -qa "i_slint_backend_testing" "$extracted/usr/bin/citizen-window"; then
  echo "check-package: the packaged citizen-window carries Slint's testing backend" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq "./$deb" >/dev/null
kioskctl --help >/dev/null
kioskctl config validate /etc/citizen-window/kiosk.toml
getent group citizen-tech >/dev/null || { echo "check-package: the package did not make the group citizen-tech" >&2; exit 1; }
systemd-analyze verify --man=no /usr/lib/systemd/system/citizen-window.service
# The central server's unit, with the central server's binary of this build in place.
install -m 755 target/debug/citizen-central /usr/bin/citizen-central
getent passwd citizen-central >/dev/null || adduser --system --group --quiet citizen-central
systemd-analyze verify --man=no packaging/systemd/citizen-central.service
echo "check-package: contents, install, units: all good"
