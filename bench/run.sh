#!/usr/bin/env bash
# Runs the benchmark harness of issue 8 and writes bench/results/results.{md,json} and the summary
# block of docs/benchmarks.md.
#
#   bench/run.sh [--profile quick|full] [--only 1,3] [--runs N] [--set fig2.servers=500]... [--jfr] [--skip-build]
#
# quick (default): 3 short runs per figure with small sizes, a few minutes on 2 cores.
# full: the sizes of issue 8, 5 runs per figure, about two hours.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA_HOME=$("$ROOT/deploy/bin/find-jdk.sh")
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"

profile=quick build=1 args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) build=0 ;;
    --profile) profile="$2"; args+=("$1" "$2"); shift ;;
    *) args+=("$1") ;;
  esac
  shift
done

# Figure 7 races the orchestrator against a curl + jq shell script.
if ! command -v jq >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench: installing jq and curl (figure 7's shell script needs them)"
    apt-get install -y jq curl >/dev/null || { apt-get update >/dev/null && apt-get install -y jq curl >/dev/null; }
  else
    echo "bench: figure 7 needs jq and curl; install them (e.g. apt-get install -y jq curl)" >&2
  fi
fi

if [ "$build" = 1 ]; then
  echo "bench: building (mvn package -pl bench -am, tests skipped) with $JAVA_HOME"
  (cd "$ROOT" && { mvn -q -o package -DskipTests -pl bench -am || mvn -q package -DskipTests -pl bench -am; })
fi

# Figure 4 keeps the simulator's audit of a few hundred thousand calls in the harness JVM.
case "$profile" in
  full) heap=8g ;;
  *) heap=3g ;;
esac

# The project's own jars are copied first: other builds on this machine rewrite them under target/,
# and a jar replaced under a running JVM fails its next class load.
snapshot=$(mktemp -d "${TMPDIR:-/tmp}/reinstall-bench-cp-XXXXXX")
trap 'rm -rf "$snapshot"' EXIT
cp -r "$ROOT/bench/target/classes" "$snapshot/bench-classes"
classpath="$snapshot/bench-classes"
IFS=: read -r -a entries < "$ROOT/bench/target/classpath.txt" || true  # no newline at the end
for entry in "${entries[@]}"; do
  case "$entry" in
    "$ROOT"/*) cp "$entry" "$snapshot/"; entry="$snapshot/$(basename "$entry")" ;;
  esac
  classpath="$classpath:$entry"
done

# The services run from their shaded jars, copied now for the same reason.
mkdir -p "$snapshot/services"
for module in state-projector command-handler stage-poller; do
  jar="$ROOT/$module/target/$module-0.1.0-SNAPSHOT-all.jar"
  [ -f "$jar" ] || { echo "bench: $jar is missing (someone cleaned it?); run without --skip-build" >&2; exit 1; }
  cp "$jar" "$snapshot/services/"
done

export BENCH_LOG_DIR="$ROOT/bench/results/logs"
mkdir -p "$BENCH_LOG_DIR"
status=0
# JFR keeps 64 frames of a stack by default: too few for a Kafka Streams processor's (the inclusive
# share of the saga's own frames would be lost below them).
jfr_options=()
case " ${args[*]} " in *" --jfr "*) jfr_options=(-XX:FlightRecorderOptions:stackdepth=512) ;; esac
"$JAVA" "-Xmx$heap" -XX:+UseG1GC "${jfr_options[@]}" -cp "$classpath" \
  com.hostkey.reinstall.bench.BenchMain --root "$ROOT" --jars "$snapshot/services" "${args[@]}" || status=$?
exit $status
