#!/usr/bin/env bash
# Runs the whole test suite: unit tests (surefire) and integration tests (failsafe) against a real
# in-JVM KRaft broker, Apicurio Registry as a child process, the Hostkey simulator over HTTP and,
# for the dashboard, Debian's headless Chromium. Sets up everything it needs on a fresh machine:
# a JDK >= 21 found on the machine, the browser installed when missing (skipped with -DskipITs).
# Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME="$(deploy/bin/find-jdk.sh)"
export JAVA_HOME
echo "Using JDK at $JAVA_HOME"
case " $* " in
  *" -DskipITs "*|*" -DskipITs=true "*|*" -DskipTests "*|*" -DskipTests=true "*) ;;
  *) deploy/bin/ensure-browser.sh ;;
esac
exec mvn -B -ntp verify "$@"
