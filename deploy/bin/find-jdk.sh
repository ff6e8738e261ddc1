#!/usr/bin/env bash
# Prints the home of a JDK >= 21: JAVA_HOME first, then the JVMs installed under /usr/lib/jvm.
# The project targets Java 21 while these machines default to JDK 17.
set -euo pipefail

major_of() {
  local v
  v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1)
  echo "${v%%.*}"
}

candidates=()
[ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
for d in /usr/lib/jvm/*; do [ -x "$d/bin/java" ] && candidates+=("$d"); done

best="" best_major=0
for c in "${candidates[@]}"; do
  [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
  m=$(major_of "$c" || echo 0)
  if [ "${m:-0}" -ge 21 ] && [ "$m" -gt "$best_major" ]; then best="$c"; best_major=$m; fi
  # JAVA_HOME wins when it is new enough.
  if [ "$c" = "${JAVA_HOME:-}" ] && [ "${m:-0}" -ge 21 ]; then best="$c"; break; fi
done

if [ -z "$best" ]; then
  echo "No JDK >= 21 found (looked at JAVA_HOME and /usr/lib/jvm/*). Install one, e.g. Temurin 21 or 25." >&2
  exit 1
fi
echo "$best"
