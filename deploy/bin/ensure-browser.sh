#!/usr/bin/env bash
# Makes sure Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver) are
# installed: DashboardBrowserIT drives the dashboard in them. Installs them with apt-get when
# missing (ensure-debian-packages.sh: through sudo when not root; says what to do where it cannot).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ]; then
  exit 0
fi
"$(dirname "$0")/ensure-debian-packages.sh" "the browser tests ($CHROMIUM, $CHROMEDRIVER)" \
  "or run deploy/test.sh -DskipITs" chromium chromium-driver
if [ ! -x "$CHROMIUM" ] || [ ! -x "$CHROMEDRIVER" ]; then
  echo "chromium and chromium-driver are installed but $CHROMIUM or $CHROMEDRIVER is missing" >&2
  exit 1
fi
