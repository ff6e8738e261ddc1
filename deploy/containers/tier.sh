#!/usr/bin/env bash
# Runs the container tier (container-tests) on this machine from nothing: installs Debian's Docker and
# debootstrap when missing, starts a private daemon (deploy/containers/engine.sh), packages the
# deployables, builds every image (deploy/containers/build-images.sh), then runs the tier's ITs
# against the images with Testcontainers. On exit, whatever happened, it removes every container
# it started and stops the daemon it started (a daemon that already ran keeps running, without
# this run's containers). deploy/test.sh runs it after the in-JVM suite.
#
#   deploy/containers/tier.sh                    the whole tier
#   deploy/containers/tier.sh -Dit.test=MissingSettingIT    extra arguments go to Maven
#
# CONTAINERS_SKIP_PACKAGE=1 uses the jars already built (deploy/test.sh, right after its mvn verify).
# BASE_IMAGE, IMAGE_PREFIX, DEBIAN_MIRROR: see build-images.sh; CONTAINERS_ENGINE_DIR: see engine.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA_HOME="$(deploy/bin/find-jdk.sh)"
export JAVA_HOME

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
started=$SECONDS
phase_started=$SECONDS
timings=()
phase_done() { timings+=("$1 $((SECONDS - phase_started)) s"); phase_started=$SECONDS; }

eval "$(deploy/containers/engine.sh env)"
export DOCKER_HOST
daemon_was_running=false
if command -v docker >/dev/null 2>&1 && docker version >/dev/null 2>&1; then
  daemon_was_running=true
fi

cleanup() {
  local status=$?
  if $daemon_was_running; then
    # Someone else's session of this daemon: only this run's containers go (Testcontainers labels them).
    local ids
    ids=$(docker ps -aq --filter label=org.testcontainers=true 2>/dev/null || true)
    # shellcheck disable=SC2086
    [ -z "$ids" ] || docker rm -f -v $ids >/dev/null 2>&1 || true
  else
    deploy/containers/engine.sh stop || true
  fi
  say "container tier: ${timings[*]:-} (total $((SECONDS - started)) s)"
  exit $status
}
trap cleanup EXIT

deploy/containers/engine.sh start >/dev/null
# Testcontainers on this engine: no Ryuk (its image cannot be pulled; this script cleans up), the
# host's name as seen from the test JVM, no start-up checks (they pull an image).
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost TESTCONTAINERS_CHECKS_DISABLE=true
phase_done "engine"

if [ "${CONTAINERS_SKIP_PACKAGE:-0}" != 1 ]; then
  say "packaging the deployables (mvn package, tests skipped)"
  mvn -B -ntp -q package -DskipTests -pl command-handler,stage-poller,state-projector,hostkey-simulator,deploy -am
  phase_done "package"
fi

deploy/containers/build-images.sh
phase_done "images"

rm -rf container-tests/target/failsafe-reports
say "the container tier's tests (container-tests, -Dcontainers)"
mvn -B -ntp -pl container-tests -am verify -Dcontainers -DskipITs -Dtest=NoUnitTests -Dsurefire.failIfNoSpecifiedTests=false "$@"
phase_done "tests"
