#!/usr/bin/env bash
# Makes sure Debian packages are installed, installing the missing ones with apt-get (through sudo
# when not root); says exactly what to do where it cannot.
#
#   deploy/bin/ensure-debian-packages.sh "WHO NEEDS THEM" "WHAT TO DO INSTEAD" PACKAGE...
#
# e.g. ensure-debian-packages.sh "the browser tests" "or run deploy/test.sh -DskipITs" chromium chromium-driver
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: $0 PURPOSE ALTERNATIVE PACKAGE..." >&2; exit 2; }
purpose=$1 alternative=$2
shift 2

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for package in "$@"; do installed "$package" || missing+=("$package"); done
else
  missing=("$@")
fi
[ ${#missing[@]} -eq 0 ] && exit 0

manual="install Debian's $* (apt-get install -y $*), $alternative"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "$purpose: Debian's ${missing[*]} missing and this machine has no apt-get: $manual" >&2
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "$purpose: Debian's ${missing[*]} missing; not root and no sudo: $manual" >&2
    exit 1
  fi
  SUDO=(sudo)
fi

echo "Installing Debian's ${missing[*]} for $purpose (once)"
"${SUDO[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

for package in "${missing[@]}"; do
  installed "$package" || { echo "apt-get finished but $package is still not installed: $manual" >&2; exit 1; }
done
