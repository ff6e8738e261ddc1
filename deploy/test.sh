#!/usr/bin/env bash
# Runs the whole test suite: unit tests (surefire) and integration tests (failsafe) against a real
# in-JVM KRaft broker, Apicurio Registry as a child process, the Hostkey simulator over HTTP and,
# for the dashboard, Debian's headless Chromium; then, as a smoke test of the README's first
# command, the local stack's demo (deploy/stack.sh demo, then down) on the jars just built; then the
# container tier (deploy/containers/tier.sh: the images built and run as the Kubernetes manifests
# run them, with Testcontainers, on a private Docker daemon it starts and stops).
# Sets up everything it needs on a fresh machine: a JDK >= 21 found on the machine, the browser,
# Docker and debootstrap installed when missing. -DskipITs (or -DskipTests) skips the integration
# tests, the browser, the demo and the container tier; TEST_SKIP_STACK_DEMO=1 skips the demo alone,
# as does a local stack already running; TEST_SKIP_CONTAINERS=1 skips the container tier alone
# (deploy/containers/tier.sh runs it alone). Extra arguments go to the in-JVM suite's Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME="$(deploy/bin/find-jdk.sh)"
export JAVA_HOME
echo "Using JDK at $JAVA_HOME"
integration=true
case " $* " in
  *" -DskipITs "*|*" -DskipITs=true "*|*" -DskipTests "*|*" -DskipTests=true "*) integration=false ;;
esac
if $integration; then
  deploy/bin/ensure-browser.sh
fi
mvn -B -ntp verify "$@"

stack_demo() {
  if [ "${TEST_SKIP_STACK_DEMO:-0}" = 1 ]; then
    return
  fi
  if deploy/stack.sh status 2>/dev/null | grep -q ' running '; then
    echo "Skipping the stack demo smoke test: a local stack is running (deploy/stack.sh down first to include it)"
    return
  fi
  echo "Smoke test: the README's demo on the jars just built (deploy/stack.sh demo)"
  trap 'deploy/stack.sh down >/dev/null 2>&1 || true' EXIT
  STACK_SKIP_BUILD=1 deploy/stack.sh demo
  deploy/stack.sh down >/dev/null 2>&1 || true
  trap - EXIT
  echo "The demo smoke test passed. (Unlike 'deploy/stack.sh demo' on its own, this stack is stopped now: run the demo again to keep one.)"
}

if ! $integration; then
  exit 0
fi
stack_demo
if [ "${TEST_SKIP_CONTAINERS:-0}" = 1 ]; then
  echo "Skipping the container tier (TEST_SKIP_CONTAINERS=1)"
else
  echo "The container tier: images built and run as the manifests run them (deploy/containers/tier.sh)"
  CONTAINERS_SKIP_PACKAGE=1 deploy/containers/tier.sh
fi
echo "All tests passed."
