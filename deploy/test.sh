#!/usr/bin/env bash
# Runs the whole test suite: unit tests (surefire) and integration tests (failsafe) against a real
# in-JVM KRaft broker, Apicurio Registry as a child process, the Hostkey simulator over HTTP and,
# for the dashboard, Debian's headless Chromium; then, as a smoke test of the README's first
# command, the local stack's demo (deploy/stack.sh demo) on the jars just built and, on that stack
# before it is stopped, the integration examples in Python and Node.js (examples/run.sh).
# Sets up everything it needs on a fresh machine: a JDK >= 21 found on the machine, the browser
# installed when missing. -DskipITs (or -DskipTests) skips the integration tests, the browser and
# the demo; TEST_SKIP_STACK_DEMO=1 skips the demo and the examples, as does a local stack already
# running; TEST_SKIP_EXAMPLES=1 the examples alone.
# Extra arguments go to Maven.
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

if ! $integration || [ "${TEST_SKIP_STACK_DEMO:-0}" = 1 ]; then
  exit 0
fi
if deploy/stack.sh status 2>/dev/null | grep -q ' running '; then
  echo "Skipping the stack demo smoke test: a local stack is running (deploy/stack.sh down first to include it)"
  exit 0
fi
echo "Smoke test: the README's demo on the jars just built (deploy/stack.sh demo)"
trap 'deploy/stack.sh down >/dev/null 2>&1 || true' EXIT
STACK_SKIP_BUILD=1 deploy/stack.sh demo
if [ "${TEST_SKIP_EXAMPLES:-0}" = 1 ]; then
  echo "All tests and the demo smoke test passed; the integration examples were skipped (TEST_SKIP_EXAMPLES=1). (This stack is stopped now.)"
  exit 0
fi
echo "Integration examples on the same stack: a Python upstream and a Node.js billing consumer (examples/run.sh)"
examples/run.sh
echo "All tests, the demo smoke test and the integration examples passed. (Unlike 'deploy/stack.sh demo' on its own, this stack is stopped now: run the demo again to keep one.)"
