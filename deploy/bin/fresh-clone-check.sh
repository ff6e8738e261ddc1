#!/usr/bin/env bash
# Proves the README's quick start from a fresh clone: clones the committed HEAD of this checkout
# into a new directory and runs the README's test command there exactly as a newcomer would
# (deploy/test.sh, which installs what its tests need). With --demo it runs the demo command
# first (deploy/stack.sh demo, then down). With --empty-maven-cache it also starts from an empty
# Maven repository. Prints the elapsed time of each command and exits non-zero on the first failure.
set -euo pipefail
SRC="$(cd "$(dirname "$0")/../.." && pwd)"
demo=false empty_cache=false
for a in "$@"; do
  case "$a" in
    --demo) demo=true ;;
    --empty-maven-cache) empty_cache=true ;;
    *) echo "usage: $0 [--demo] [--empty-maven-cache]" >&2; exit 2 ;;
  esac
done
WORK="$(mktemp -d "${TMPDIR:-/tmp}/reinstall-fresh-clone-XXXXXX")"
git clone -q "$SRC" "$WORK/repo"
cd "$WORK/repo"
echo "fresh clone of $(git rev-parse --short HEAD) in $WORK/repo"
if $empty_cache; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} -Dmaven.repo.local=$WORK/m2"
fi
run() {
  local start=$SECONDS
  echo "== $*"
  "$@"
  echo "== $* passed in $((SECONDS - start)) s"
}
if $demo; then
  trap 'deploy/stack.sh down >/dev/null 2>&1 || true' EXIT
  run deploy/stack.sh demo
  deploy/stack.sh down
fi
run deploy/test.sh
