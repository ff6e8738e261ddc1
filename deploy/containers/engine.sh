#!/usr/bin/env bash
# A private container engine for the container tier: Debian's Docker (20.10) started on its own
# socket, data root and exec root, with no bridge, no firewall changes and no IP forwarding, so it
# can run beside anything else on the machine. Containers then use host networking only.
#
#   deploy/containers/engine.sh start   install docker.io and debootstrap when missing (apt-get, sudo
#                                       when not root), start the daemon unless it runs, print DOCKER_HOST
#   deploy/containers/engine.sh stop    remove every container of this daemon, stop it, unmount its
#                                       network namespace; its images stay in the data root
#   deploy/containers/engine.sh purge   stop, then delete the data root (images included)
#   deploy/containers/engine.sh env     print the export line of DOCKER_HOST for this daemon
#
# CONTAINERS_ENGINE_DIR (default /tmp/reinstall-containers-<hash of this checkout's path>) holds the
# socket, pid file, log, data root and exec root: one daemon per checkout, never the host's.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="${CONTAINERS_ENGINE_DIR:-/tmp/reinstall-containers-$(printf '%s' "$ROOT" | md5sum | cut -c1-8)}"
SOCKET="$DIR/docker.sock"
PIDFILE="$DIR/dockerd.pid"
DATA_ROOT="$DIR/data"
EXEC_ROOT="$DIR/exec"
LOG="$DIR/dockerd.log"
export DOCKER_HOST="unix://$SOCKET"

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "the container engine needs root (dockerd), and there is no sudo"
  SUDO=(sudo)
fi

# The Docker client: Debian's (installed with the engine), else any on the PATH.
docker_cli() { if [ -x /usr/bin/docker ]; then echo /usr/bin/docker; else command -v docker; fi; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
  [ ${#missing[@]} -eq 0 ] && return
  command -v apt-get >/dev/null 2>&1 || die "install ${missing[*]} (this machine has no apt-get)"
  # The package would start a default daemon that programs the host's firewall: a policy-rc.d that
  # refuses every service start prevents it (only created when none exists, and then removed).
  local policy_made=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${SUDO[@]}" chmod 755 /usr/sbin/policy-rc.d
    policy_made=true
  fi
  say "installing ${missing[*]} (once)"
  "${SUDO[@]}" apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  if $policy_made; then "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d; fi
}

running() { [ -f "$PIDFILE" ] && "${SUDO[@]}" kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  install_packages
  if running && "$(docker_cli)" version >/dev/null 2>&1; then
    echo "export DOCKER_HOST=$DOCKER_HOST"
    return
  fi
  "${SUDO[@]}" mkdir -p "$DIR" "$DATA_ROOT" "$EXEC_ROOT"
  say "starting a private Docker daemon ($DIR)"
  # No bridge and no firewall, forwarding or masquerading: containers run with --network host and
  # listen on 127.0.0.1 only.
  "${SUDO[@]}" bash -c "nohup dockerd --iptables=false --ip6tables=false --bridge=none --ip-forward=false --ip-masq=false \
      --data-root '$DATA_ROOT' --exec-root '$EXEC_ROOT' --pidfile '$PIDFILE' -H 'unix://$SOCKET' \
      > '$LOG' 2>&1 &"
  local deadline=$((SECONDS + 60))
  until "$(docker_cli)" version >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$LOG" >&2; die "the Docker daemon did not answer within 60 s (log: $LOG)"; }
    sleep 0.5
  done
  # Let a non-root user of sudo reach the socket too.
  [ ${#SUDO[@]} -eq 0 ] || "${SUDO[@]}" chown "$(id -u)" "$SOCKET"
  echo "export DOCKER_HOST=$DOCKER_HOST"
}

stop() {
  if running; then
    local ids
    ids=$("$(docker_cli)" ps -aq 2>/dev/null || true)
    if [ -n "$ids" ]; then
      say "removing the containers of the private daemon"
      # shellcheck disable=SC2086
      "$(docker_cli)" rm -f -v $ids >/dev/null 2>&1 || true
    fi
    local pid
    pid=$(cat "$PIDFILE")
    "${SUDO[@]}" kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do "${SUDO[@]}" kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    "${SUDO[@]}" kill -0 "$pid" 2>/dev/null && "${SUDO[@]}" kill -9 "$pid" 2>/dev/null || true
    say "stopped the private Docker daemon"
  fi
  # The daemon leaves its network namespace mounted; nothing else unmounts it.
  if mountpoint -q "$EXEC_ROOT/netns/default" 2>/dev/null; then
    "${SUDO[@]}" umount "$EXEC_ROOT/netns/default" || true
  fi
  "${SUDO[@]}" rm -f "$PIDFILE" "$SOCKET"
}

purge() {
  stop
  # Overlay mounts of stopped containers are gone with the daemon; anything left mounted under the
  # data root would make rm fail loudly rather than delete through it.
  if [ -d "$DIR" ]; then
    "${SUDO[@]}" rm -rf "$DIR"
    say "deleted $DIR"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  purge) purge ;;
  env) echo "export DOCKER_HOST=$DOCKER_HOST" ;;
  *) echo "usage: $0 {start|stop|purge|env}" >&2; exit 2 ;;
esac
