#!/usr/bin/env bash
# Reinstalls one Hostkey server the way the seed's documented procedure reads
# (/work/shared/docs/seed-reinstall-procedure.txt), with curl and jq: what a user would write
# instead of the orchestrator. Figure 7 of the benchmarks runs one process per server, in parallel:
#
#   xargs -P "$PARALLELISM" -L 1 bench/scripts/curl-reinstall.sh < servers.txt   # lines: SERVER_ID OS_ID HOSTNAME
#
# Environment: INVAPI (base URL, e.g. https://invapi.hostkey.com), API_KEY, PIN, ROOT_PASS,
# POLL_INTERVAL (seconds from one eq_callback check of a key to the next; the orchestrator's poller
# uses the same), JENKINS_TASK (post-install task id, optional), DISK_SCHEME (optional).
#
# The interval is kept from the start of one check to the start of the next, as `sleep 15` keeps it
# in real time, where curl and jq take a negligible part of 15 s. Figure 7 runs the simulator 30-60
# times faster, so the interval is a few hundred ms, and sleeping the whole interval after curl and
# jq had run (tens to hundreds of ms each on a busy 2-core machine) stretched it 2-4 times: the
# script then polled far less often than the orchestrator it is compared with. For the same reason a
# check runs one curl and one jq (not two echo | jq pipelines): on a busy machine the forks alone can
# take longer than the compressed interval.
# Prints one line per step; exits 0 when the server is reinstalled and cleaned up.
set -euo pipefail

SERVER_ID=$1 OS_ID=$2 HOSTNAME_FQDN=$3
: "${INVAPI:?}" "${API_KEY:?}" "${PIN:?}" "${ROOT_PASS:?}" "${POLL_INTERVAL:=15}"

say() { echo "server $SERVER_ID: $*" >&2; }

# POST a form to invapi; business errors come with HTTP 200, so the body decides.
call() {
  local module=$1; shift
  local args=()
  for field in "$@"; do args+=(--data-urlencode "$field"); done
  local body
  body=$(curl -sS --max-time 60 -X POST "$INVAPI/$module.php" "${args[@]}") || { say "$module: no answer"; return 1; }
  if echo "$body" | jq -e '(.code|type=="number" and . < 0) or .result == -1' >/dev/null 2>&1; then
    say "$module: $(echo "$body" | jq -r '.message // .error // "error"')"
    return 1
  fi
  echo "$body"
}

INTERVAL_US=$(awk -v s="$POLL_INTERVAL" 'BEGIN { printf "%d", s * 1000000 }')

# Polls an async action's callback key every POLL_INTERVAL until OK (the key is deleted then) or Error.
wait_callback() {
  local key=$1 what=$2 body result scope next rest
  while true; do
    next=$(( ${EPOCHREALTIME/[.,]/} + INTERVAL_US ))
    body=$(curl -sS --max-time 60 -X POST "$INVAPI/eq_callback.php" --data action=check --data-urlencode "key=$key") || body='{}'
    result='' scope=''
    { IFS= read -r result; IFS= read -r scope; } < <(jq -r '(.result // "" | tostring), (.scope // .debug // "" | tostring)' <<<"$body" 2>/dev/null || true) || true
    case "$result" in
      OK) say "$what: done"; return 0 ;;
      Error) say "$what: failed: $scope"; return 1 ;;
      Stage) say "$what: $scope" ;;
    esac
    rest=$(( next - ${EPOCHREALTIME/[.,]/} ))
    if [ "$rest" -gt 0 ]; then
      sleep "$(printf '%d.%06d' $((rest / 1000000)) $((rest % 1000000)))"
    fi
  done
}

# Stage 0: log in, create the master reinstall key.
TOKEN=$(call auth action=login "key=$API_KEY" ttl=3600 | jq -r '.result.token // .token')
KEY=$(call eq action=reinstall "token=$TOKEN" "id=$SERVER_ID" | jq -r '.reinstall_key // .callback')
say "reinstall key created"

# Stage 1: check the OS fits the server and the post-install task exists, then create the PXE config.
call os action=list "token=$TOKEN" "id=$SERVER_ID" | jq -e --argjson os "$OS_ID" '.os_list | map(.id) | index($os) != null' >/dev/null \
  || { say "OS $OS_ID is not offered"; exit 1; }
if [ -n "${JENKINS_TASK:-}" ]; then
  call jenkins action=get_tasks "token=$TOKEN" | jq -e --arg t "$JENKINS_TASK" '.tasks | map(.id) | index($t) != null' >/dev/null \
    || { say "task $JENKINS_TASK is not offered"; exit 1; }
fi

cleanup() {
  say "failed: booting from disk and clearing the PXE config"
  call eq action=boot_dev "token=$TOKEN" "id=$SERVER_ID" "pin=$PIN" media=disk >/dev/null || true
  call eq action=clear_pxe "token=$TOKEN" "id=$SERVER_ID" "hostname=$HOSTNAME_FQDN" >/dev/null || true
}
trap cleanup ERR

CB=$(call eq action=create_pxe "token=$TOKEN" "id=$SERVER_ID" "pin=$PIN" "os_id=$OS_ID" "root_pass=$ROOT_PASS" \
  "hostname=$HOSTNAME_FQDN" "reinstall_key=$KEY" ${DISK_SCHEME:+"disk_scheme=$DISK_SCHEME"} | jq -r .callback)
wait_callback "$CB" "create_pxe"

# Stage 2-3: boot from PXE, reboot.
CB=$(call eq action=boot_dev "token=$TOKEN" "id=$SERVER_ID" "pin=$PIN" media=pxe | jq -r .callback)
wait_callback "$CB" "boot_dev pxe"
CB=$(call eq action=reboot "token=$TOKEN" "id=$SERVER_ID" "pin=$PIN" | jq -r .callback)
wait_callback "$CB" "reboot"

# Stage 4-6: the installer reports its five stages on the master key; OK means the server is online.
wait_callback "$KEY" "install"

# Stage 7-9: boot from disk, the post-install task, clear the PXE config.
CB=$(call eq action=boot_dev "token=$TOKEN" "id=$SERVER_ID" "pin=$PIN" media=disk | jq -r .callback)
wait_callback "$CB" "boot_dev disk"
if [ -n "${JENKINS_TASK:-}" ]; then
  CB=$(call jenkins action=run_task "token=$TOKEN" "id=$SERVER_ID" "task_id=$JENKINS_TASK" | jq -r .callback)
  wait_callback "$CB" "jenkins $JENKINS_TASK"
fi
trap - ERR
CB=$(call eq action=clear_pxe "token=$TOKEN" "id=$SERVER_ID" "hostname=$HOSTNAME_FQDN" | jq -r .callback)
wait_callback "$CB" "clear_pxe"
say "reinstalled"
