#!/usr/bin/env bash
# Runs the whole test suite: unit tests (surefire) and integration tests (failsafe) against a real
# in-JVM KRaft broker, Apicurio Registry as a child process, the Hostkey simulator over HTTP, for
# the dashboard Debian's headless Chromium and, for the AsyncAPI document, its official parser on
# Node.js; then, as a smoke test of the README's first command, the local stack's demo
# (deploy/stack.sh demo) on the jars just built and, on that stack before it is stopped, the
# integration examples in Python and Node.js (examples/run.sh); then the container tier
# (deploy/containers/tier.sh: the images built and run as the Kubernetes manifests run them, with
# Testcontainers, on a private Docker daemon it starts and stops).
# Sets up everything it needs on a fresh machine: a JDK >= 21 found on the machine, the browser,
# Node.js, the examples' packages, Docker and debootstrap installed when missing.
# -DskipITs (or -DskipTests) skips the integration tests, the browser, the demo, the examples and
# the container tier; TEST_SKIP_STACK_DEMO=1 skips the demo and the examples, as does a local stack
# already running; TEST_SKIP_EXAMPLES=1 the examples alone; TEST_SKIP_CONTAINERS=1 the container
# tier alone (deploy/containers/tier.sh runs it alone). Extra arguments go to the in-JVM suite's Maven.
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
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    deploy/bin/ensure-debian-packages.sh "the AsyncAPI document's validation (AsyncApiDocumentIT)" \
      "or run deploy/test.sh -DskipITs" nodejs npm
  fi
fi
mvn -B -ntp verify "$@"

# The demo on the jars just built, then the examples on its stack; the stack is stopped after.
stack_demo() {
  if [ "${TEST_SKIP_STACK_DEMO:-0}" = 1 ]; then
    return
  fi
  if deploy/stack.sh status 2>/dev/null | grep -q ' running '; then
    echo "Skipping the stack demo smoke test and the examples: a local stack is running (deploy/stack.sh down first to include them)"
    return
  fi
  echo "Smoke test: the README's demo on the jars just built (deploy/stack.sh demo)"
  trap 'deploy/stack.sh down >/dev/null 2>&1 || true' EXIT
  STACK_SKIP_BUILD=1 deploy/stack.sh demo
  if [ "${TEST_SKIP_EXAMPLES:-0}" = 1 ]; then
    echo "Skipping the integration examples (TEST_SKIP_EXAMPLES=1)"
  else
    echo "Integration examples on the same stack: a Python upstream and a Node.js billing consumer (examples/run.sh)"
    examples/run.sh
  fi
  deploy/stack.sh down >/dev/null 2>&1 || true
  trap - EXIT
  echo "The demo smoke test and the examples passed. (Unlike 'deploy/stack.sh demo' on its own, this stack is stopped now: run the demo again to keep one.)"
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
