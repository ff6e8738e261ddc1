#!/usr/bin/env bash
# Builds every image of the project from the jars of the last `mvn package`:
#
#   reinstall/command-handler, reinstall/stage-poller, reinstall/state-projector,
#   reinstall/hostkey-simulator      tagged with the project version  (deploy/docker/Dockerfile)
#   reinstall/apicurio-registry      tagged with its Apicurio version (deploy/docker/Dockerfile.registry)
#   reinstall/kafka                  tagged with the project's Kafka version, the apache/kafka image's
#                                    contract (deploy/docker/Dockerfile.kafka)
#
#   deploy/containers/build-images.sh                 on the local Java base (see BASE_IMAGE)
#   BASE_IMAGE=eclipse-temurin:21-jre deploy/containers/build-images.sh    on a public JRE image
#   deploy/containers/build-images.sh base           only the local Java base image
#
# BASE_IMAGE: the Java 21 runtime every image starts FROM. Unset (or "local"), the script makes one
# without any image registry: Debian trixie by debootstrap from DEBIAN_MIRROR (default
# http://deb.debian.org/debian), imported as reinstall/debian:trixie, plus Debian's
# openjdk-21-jre-headless (deploy/docker/Dockerfile.jre) as reinstall/jre:21; built once, reused after.
# Where a registry is reachable, BASE_IMAGE=eclipse-temurin:21-jre (the Dockerfiles' own default).
# IMAGE_PREFIX (default "reinstall/") names the images.
#
# Needs a running engine (DOCKER_HOST, e.g. eval "$(deploy/containers/engine.sh start)") and the jars
# (mvn -B package -DskipTests). Every build runs with --network host: the engine has no bridge.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
pom_value() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml | head -1; }
VERSION="$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' pom.xml | head -1)"
KAFKA_VERSION="$(pom_value kafka.version)"
APICURIO_VERSION="$(pom_value apicurio.version)"
PREFIX="${IMAGE_PREFIX:-reinstall/}"
BASE="${BASE_IMAGE:-local}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
WORK="$ROOT/deploy/target/images"
SERVICES=(command-handler stage-poller state-projector hostkey-simulator)

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

[ -n "$VERSION" ] && [ -n "$KAFKA_VERSION" ] && [ -n "$APICURIO_VERSION" ] || die "cannot read the versions from pom.xml"
docker version >/dev/null 2>&1 || die "no container engine answers at ${DOCKER_HOST:-the default socket}: eval \"\$(deploy/containers/engine.sh start)\" first"

ONLY_BASE=false
case "${1:-}" in
  "") ;;
  base) ONLY_BASE=true ;;
  *) die "usage: $0 [base]   (base: only the Java base image)" ;;
esac
if ! $ONLY_BASE; then
  for module in "${SERVICES[@]}"; do
    [ -f "$module/target/$module-$VERSION-all.jar" ] || die "$module/target/$module-$VERSION-all.jar is missing: mvn -B package -DskipTests first"
  done
  [ -f deploy/target/apicurio-registry/quarkus-run.jar ] || die "deploy/target/apicurio-registry is missing: mvn -B package -DskipTests first"
  [ -n "$(ls deploy/target/kafka-libs/kafka_2.13-"$KAFKA_VERSION".jar 2>/dev/null)" ] || die "deploy/target/kafka-libs is missing: mvn -B package -DskipTests first"
fi

rm -rf "$WORK"
mkdir -p "$WORK/logs"

# One build, its output in a log shown only when it fails.
build() { # tag, dockerfile, context, build args...
  local tag=$1 dockerfile=$2 context=$3 log
  shift 3
  log="$WORK/logs/$(echo "$tag" | tr '/:' '__').log"
  local started=$SECONDS
  if ! docker build --network host -f "$dockerfile" -t "$tag" "$@" "$context" > "$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "building $tag failed (log: $log)"
  fi
  say "built $tag ($((SECONDS - started)) s)"
}

# A copy of a file or directory into a build context: a hard link where possible (same file system).
stage() { cp -al "$1" "$2" 2>/dev/null || cp -a "$1" "$2"; }

local_base() {
  local debian="${PREFIX}debian:trixie" jre="${PREFIX}jre:21"
  if docker image inspect "$jre" >/dev/null 2>&1; then
    say "base image $jre exists (docker rmi it to rebuild)" >&2
    echo "$jre"
    return
  fi
  if ! docker image inspect "$debian" >/dev/null 2>&1; then
    command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] \
      || die "debootstrap is missing (deploy/containers/engine.sh start installs it)"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    local rootfs
    rootfs="$(mktemp -d /tmp/reinstall-rootfs-XXXXXX)"
    say "debootstrap: Debian trixie (minbase) from $MIRROR" >&2
    local started=$SECONDS
    if ! "${sudo[@]}" "$(command -v debootstrap || echo /usr/sbin/debootstrap)" --variant=minbase trixie "$rootfs" "$MIRROR" \
        > "$WORK/logs/debootstrap.log" 2>&1; then
      tail -n 30 "$WORK/logs/debootstrap.log" >&2
      "${sudo[@]}" rm -rf "$rootfs"
      die "debootstrap failed (log: $WORK/logs/debootstrap.log)"
    fi
    "${sudo[@]}" tar -C "$rootfs" -c . | docker import - "$debian" >/dev/null
    "${sudo[@]}" rm -rf "$rootfs"
    say "imported $debian ($((SECONDS - started)) s)" >&2
  fi
  mkdir -p "$WORK/jre"
  build "$jre" deploy/docker/Dockerfile.jre "$WORK/jre" --build-arg "DEBIAN_IMAGE=$debian" >&2
  echo "$jre"
}

if [ "$BASE" = local ]; then
  BASE="$(local_base)"
fi
say "base image: $BASE"
$ONLY_BASE && exit 0

for module in "${SERVICES[@]}"; do
  mkdir -p "$WORK/$module"
  stage "$module/target/$module-$VERSION-all.jar" "$WORK/$module/service.jar"
  build "$PREFIX$module:$VERSION" deploy/docker/Dockerfile "$WORK/$module" \
    --build-arg "BASE_IMAGE=$BASE" --build-arg "MODULE=$module" --build-arg "VERSION=$VERSION"
done

mkdir -p "$WORK/apicurio-registry"
stage deploy/target/apicurio-registry "$WORK/apicurio-registry/registry"
build "${PREFIX}apicurio-registry:$APICURIO_VERSION" deploy/docker/Dockerfile.registry "$WORK/apicurio-registry" \
  --build-arg "BASE_IMAGE=$BASE" --build-arg "APICURIO_VERSION=$APICURIO_VERSION"

# The broker's jars: kafka_2.13 and what it needs (the deploy module's copy, log4j's SLF4J binding
# included), without the project's own.
mkdir -p "$WORK/kafka/libs"
for jar in deploy/target/kafka-libs/*.jar; do
  case "$(basename "$jar")" in
    deploy-*|service-runtime-*|schemas-*) continue ;;
  esac
  stage "$jar" "$WORK/kafka/libs/"
done
stage deploy/docker/kafka "$WORK/kafka/docker"
build "${PREFIX}kafka:$KAFKA_VERSION" deploy/docker/Dockerfile.kafka "$WORK/kafka" \
  --build-arg "BASE_IMAGE=$BASE" --build-arg "KAFKA_VERSION=$KAFKA_VERSION"

say "images:"
docker images --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' | grep -F "$PREFIX" | grep -v -e ':trixie' -e 'jre:21' || true
