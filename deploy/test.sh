#!/usr/bin/env bash
# Runs the whole test suite: unit tests (surefire) and integration tests (failsafe) against a real
# in-JVM KRaft broker, Apicurio Registry as a child process and the Hostkey simulator over HTTP.
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME="$(deploy/bin/find-jdk.sh)"
export JAVA_HOME
echo "Using JDK at $JAVA_HOME"
exec mvn -B -ntp verify "$@"
