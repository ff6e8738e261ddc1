#!/usr/bin/env bash
# Runs the integration examples against the running local stack (deploy/stack.sh up or demo), as CI
# does from deploy/test.sh: the Node.js billing consumer (examples/node-billing) reads
# reinstall-completions from the beginning in the background while the Python upstream
# (examples/python-upstream) reinstalls a server of the simulated fleet that nothing has reinstalled
# yet and follows it to COMPLETED; then the billing consumer must have printed that request's
# completion. Exits 0 when both did, non-zero otherwise.
#
# Installs what is missing first: Debian's python3-confluent-kafka, python3-avro, python3-requests and
# python3-jwcrypto (deploy/bin/ensure-debian-packages.sh: apt-get, with sudo when not root), Node.js
# and npm when the machine has none (Debian's nodejs and npm), and the billing consumer's npm packages
# (npm ci, from its package-lock.json).
#
#   examples/run.sh [--timeout SECONDS]   (default 300: how long the reinstall may take)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
EXAMPLES="$ROOT/examples"
timeout=300
case "${1:-}" in
  --timeout) timeout="${2:?--timeout needs seconds}" ;;
  "") ;;
  *) echo "usage: $0 [--timeout SECONDS]" >&2; exit 2 ;;
esac

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf 'examples: %s\n' "$*" >&2; exit 1; }

stack_status=$("$ROOT/deploy/stack.sh" status)
grep -q '^projector  *running' <<< "$stack_status" || die "the local stack is not running: deploy/stack.sh up (or demo) first"

# Debian's python3, which sees Debian's packages (a pyenv or venv python3 first on PATH would not).
PYTHON=/usr/bin/python3
"$ROOT/deploy/bin/ensure-debian-packages.sh" "the Python upstream example (examples/python-upstream)" \
  "or run deploy/test.sh with TEST_SKIP_EXAMPLES=1" python3 python3-confluent-kafka python3-avro python3-requests python3-jwcrypto
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  "$ROOT/deploy/bin/ensure-debian-packages.sh" "the Node.js billing example (examples/node-billing)" \
    "or run deploy/test.sh with TEST_SKIP_EXAMPLES=1" nodejs npm
fi
say "npm ci in examples/node-billing (kafkajs, @kafkajs/confluent-schema-registry from its package-lock.json)"
(cd "$EXAMPLES/node-billing" && npm ci --no-audit --no-fund --loglevel=error)

work=$(mktemp -d)
billing_pid=""
cleanup() {
  [ -z "$billing_pid" ] || kill "$billing_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A bare-metal server of the simulated fleet that has never been installed and that the projector
# holds no state for (404): the newest ids first, away from the demo's (1001 and up).
eval "$("$ROOT/deploy/stack.sh" env upstream)"
server=$("$PYTHON" - <<'PY'
import json, os, requests
servers = requests.get(os.environ["STACK_SIMULATOR_URL"] + "/_sim/servers", timeout=10).json()
with open(os.environ["REINSTALL_API_TOKEN_FILE"], encoding="utf-8") as f:
    token = f.read().strip()
for s in sorted(servers, key=lambda s: -s["id"]):
    if s["type"] == "bm" and s["installsStarted"] == 0:
        state = requests.get(f"{os.environ['REINSTALL_PROJECTOR_URL']}/reinstalls/{s['id']}",
                             headers={"Authorization": f"Bearer {token}"}, timeout=10)
        if state.status_code == 404:
            print(s["id"])
            break
PY
)
[ -n "$server" ] || die "no bare-metal server of the simulated fleet is left that was never reinstalled: deploy/stack.sh down, then up"
request_id="examples-$(date +%s)-$RANDOM$RANDOM"

say "billing (Node.js, login billing): reading reinstall-completions from the beginning until request $request_id"
(
  eval "$("$ROOT/deploy/stack.sh" env billing)"
  exec node "$EXAMPLES/node-billing/billing.js" --from-beginning --until-request-id "$request_id" --timeout "$((timeout + 60))"
) > "$work/billing.out" 2> "$work/billing.err" &
billing_pid=$!

say "upstream (Python, login upstream): reinstall server $server as request $request_id and follow it"
# A random root password that meets Hostkey's policy; it travels only sealed and is never printed.
password="Rz7$(head -c 64 /dev/urandom | tr -dc 'A-HJ-NP-Za-km-z2-9' | head -c 12)%q"
upstream_status=0
printf '%s\n' "$password" | "$PYTHON" "$EXAMPLES/python-upstream/upstream.py" --server "$server" --os 101 \
  --hostname "srv$server.examples.example.net" --task monitoring-agent --request-id "$request_id" \
  --password-stdin --timeout "$timeout" || upstream_status=$?

billing_status=0
if [ "$upstream_status" -ne 0 ]; then
  kill "$billing_pid" 2>/dev/null || true  # no completion to wait for: the reinstall did not complete
fi
wait "$billing_pid" || billing_status=$?
billing_pid=""
say "what billing printed"
cat "$work/billing.out"
[ ! -s "$work/billing.err" ] || { echo "billing's errors:"; cat "$work/billing.err"; }

[ "$upstream_status" -eq 0 ] || die "the Python upstream exited $upstream_status (0: the reinstall COMPLETED)"
[ "$billing_status" -eq 0 ] || die "the Node.js billing consumer exited $billing_status (0: it printed request $request_id)"
lines=$(grep -c " request=$request_id " "$work/billing.out" || true)
[ "$lines" -eq 1 ] || die "billing printed $lines lines for request $request_id, not one"
grep -q "^server=$server request=$request_id outcome=COMPLETED " "$work/billing.out" \
  || die "billing's line for request $request_id is not server $server COMPLETED"
say "examples passed: the Python upstream's reinstall of server $server COMPLETED and the Node.js billing consumer billed it once"
