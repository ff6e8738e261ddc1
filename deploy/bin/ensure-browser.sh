#!/usr/bin/env bash
# Makes sure Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver) are
# installed: DashboardBrowserIT drives the dashboard in them. Installs them with apt-get when
# missing (through sudo when not root); says exactly what to do where it cannot.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ]; then
  exit 0
fi

manual="install Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver), or run deploy/test.sh -DskipITs"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The browser tests need $CHROMIUM and $CHROMEDRIVER and this machine has no apt-get: $manual" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "The browser tests need $CHROMIUM and $CHROMEDRIVER; not root and no sudo: $manual" >&2
    exit 1
  fi
  SUDO=(sudo)
fi

echo "Installing Debian's chromium and chromium-driver for the browser tests (once)"
"${SUDO[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends chromium chromium-driver

if [ ! -x "$CHROMIUM" ] || [ ! -x "$CHROMEDRIVER" ]; then
  echo "apt-get finished but $CHROMIUM or $CHROMEDRIVER is still missing: $manual" >&2
  exit 1
fi
