#!/usr/bin/env bash
# The local stack: a single-node KRaft broker (Kafka jars from Maven Central), Apicurio Registry
# (Confluent-compatible API), the Hostkey simulator and the three services, each a plain process.
#
#   deploy/stack.sh demo     build, start everything, wait until healthy, run one demo reinstall
#   deploy/stack.sh demo --fleet N   the same with N simulated servers at once and a summary table
#   deploy/stack.sh up       build and start everything, print the endpoints
#   deploy/stack.sh cli ARGS the reinstall CLI, wired to this stack (e.g. cli status 1001)
#   deploy/stack.sh down     stop everything
#   deploy/stack.sh status   which parts run, and their health
#   deploy/stack.sh logs [NAME]   tail a part's log (kafka, registry, simulator, projector, handler, poller)
#   deploy/stack.sh as USER [write TOPIC [KEY]]   what a Kafka login may do on each reinstall topic, or
#                            try writing one record as it (e.g. as upstream write reinstall-steps: refused)
#   deploy/stack.sh env USER the settings a client needs to reach this stack as a Kafka login, as export
#                            lines: eval "$(deploy/stack.sh env billing)" (examples/run.sh does)
#
# Kafka runs authenticated with the production ACLs: its one client listener speaks SASL_PLAINTEXT with
# PLAIN, StandardAuthorizer allows nothing without an ACL, and after start the ACLs of the Strimzi
# KafkaUsers in deploy/k8s/kafka-users.yaml are applied (KafkaAclsApply) as the super user stack-admin
# (also the broker's own login). Each service logs in as its KafkaUser (state-projector, command-handler,
# stage-poller), the CLI as operators; upstream and billing have logins too. Passwords are random per
# stack, in .stack/secrets/kafka/ (owner-only): USER.jaas (KAFKA_SASL_JAAS_CONFIG_FILE) and
# USER.properties (client settings for Kafka's tools, --command-config). STACK_KAFKA_AUTH=off runs the
# broker in PLAINTEXT without authentication or ACLs instead.
#
# State, logs, keys and pids live in .stack/ at the repository root: .stack/keys holds the sealing key
# pair with its public JWK Set (jwks.json, also served by the handler at
# http://127.0.0.1:28084/.well-known/jwks.json, what `cli` seals to) and the step authentication key
# the projector signs reinstall-steps with (STEP_AUTH_KEYS of the projector and the handler only),
# .stack/secrets the Hostkey credentials, the query API's tokens and the Kafka logins. The stack creates the topics as stack-admin before starting the services
# (KafkaTopicsCreate: TopicProvisioner's topics, 6 partitions): nobody else has Create on them.
# Ports can be moved with STACK_KAFKA_PORT, STACK_REGISTRY_PORT, STACK_SIMULATOR_PORT, STACK_PROJECTOR_PORT,
# STACK_HANDLER_PORT (the handler's operations port: metrics, health, its JWK Set).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
STACK="$ROOT/.stack"
KAFKA_PORT="${STACK_KAFKA_PORT:-29092}"
CONTROLLER_PORT="${STACK_CONTROLLER_PORT:-29093}"
REGISTRY_PORT="${STACK_REGISTRY_PORT:-28081}"
REGISTRY_MGMT_PORT="${STACK_REGISTRY_MGMT_PORT:-28091}"
SIMULATOR_PORT="${STACK_SIMULATOR_PORT:-28090}"
PROJECTOR_PORT="${STACK_PROJECTOR_PORT:-28083}"
HANDLER_PORT="${STACK_HANDLER_PORT:-28084}"
TIME_SCALE="${STACK_TIME_SCALE:-60}"
FLEET_SIZE="${STACK_FLEET_SIZE:-200}"
POLL_INTERVAL_MS="${STACK_POLL_INTERVAL_MS:-1000}"
VERSION="0.1.0-SNAPSHOT"
REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
SEALING_KEY_ID="stack-key-1"
SEALING_JWKS_FILE="$STACK/keys/jwks.json"
SEALING_JWKS_URL="http://127.0.0.1:$HANDLER_PORT/.well-known/jwks.json"
STEP_KEY_ID="stack-step-1"
PARTITIONS=6
PARTS=(poller handler projector simulator registry kafka)
DEPLOY_JAR="$ROOT/deploy/target/deploy-$VERSION-all.jar"
KAFKA_AUTH="${STACK_KAFKA_AUTH:-on}"
KAFKA_SECRETS="$STACK/secrets/kafka"
KAFKA_USERS_YAML="$ROOT/deploy/k8s/kafka-users.yaml"
# The super user (the broker's own login too), then one login per KafkaUser of kafka-users.yaml.
KAFKA_ADMIN="stack-admin"
KAFKA_LOGINS=(state-projector command-handler stage-poller upstream billing operators)
# The deployment ids the KafkaUsers' ACLs are written for (deploy/k8s/settings.yaml, command-handler.yaml).
PROJECTOR_APPLICATION_ID="reinstall-state-projector"
HANDLER_GROUP_ID="reinstall-command-handler"
POLLER_GROUP_ID="reinstall-stage-poller"

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

java_home() {
  JAVA_HOME="$("$ROOT/deploy/bin/find-jdk.sh")" || die "a JDK >= 21 is needed"
  export JAVA_HOME
  JAVA="$JAVA_HOME/bin/java"
}

pid_of() { [ -f "$STACK/pids/$1.pid" ] && cat "$STACK/pids/$1.pid" || true; }
running() { local p; p=$(pid_of "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

start_part() { # name, then the command
  local name=$1; shift
  if running "$name"; then say "$name already running (pid $(pid_of "$name"))"; return; fi
  mkdir -p "$STACK/logs" "$STACK/pids"
  nohup "$@" > "$STACK/logs/$name.log" 2>&1 &
  echo $! > "$STACK/pids/$name.pid"
}

wait_for() { # name, seconds, probe command...
  local name=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    running "$name" || { tail -n 30 "$STACK/logs/$name.log" >&2; die "$name exited during start-up (log: $STACK/logs/$name.log)"; }
    [ $SECONDS -lt $deadline ] || { tail -n 30 "$STACK/logs/$name.log" >&2; die "$name not healthy after ${seconds}s"; }
    sleep 0.5
  done
  say "$name is up"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_ok() { curl -sf -o /dev/null "$1"; }
log_has() { grep -q "$2" "$STACK/logs/$1.log"; }

build() {
  if [ "${STACK_SKIP_BUILD:-0}" = 1 ] && [ -f "$ROOT/deploy/target/deploy-$VERSION-all.jar" ]; then return; fi
  say "building (mvn package, tests skipped; the first build downloads dependencies)"
  (cd "$ROOT" && mvn -B -q -ntp package -DskipTests) || die "build failed"
}

secrets() {
  mkdir -p "$STACK/secrets" "$STACK/keys"
  chmod 700 "$STACK/secrets" "$STACK/keys"
  # The demo account's API key and PIN exist only in these owner-only files (services read *_FILE).
  [ -f "$STACK/secrets/api-key" ] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STACK/secrets/api-key")
  [ -f "$STACK/secrets/pin" ] || (umask 077; printf '%04d' $((RANDOM % 10000)) > "$STACK/secrets/pin")
  # The query API's bearer token (the projector reads PROJECTOR_API_TOKENS_FILE); curl reads the
  # header from a file, so the token never shows on a command line.
  [ -f "$STACK/secrets/api-token" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STACK/secrets/api-token")
  (umask 077; printf 'Authorization: Bearer %s\n' "$(cat "$STACK/secrets/api-token")" > "$STACK/secrets/api-token.header")
  # The dashboard operator's write token (cancel, release): paste api-write-token into the page; the
  # projector reads operatorName:token pairs from PROJECTOR_API_WRITE_TOKENS_FILE.
  [ -f "$STACK/secrets/api-write-token" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$STACK/secrets/api-write-token")
  (umask 077; printf 'stack-operator:%s\n' "$(cat "$STACK/secrets/api-write-token")" > "$STACK/secrets/api-write-tokens")
  # The sealing key pair and its JWK Set. A .stack from before sealed secrets were JWE has the pair but
  # no jwks.json: a new pair then (nothing sealed in the old format opens any more anyway).
  if [ ! -f "$STACK/keys/$SEALING_KEY_ID.key.pem" ] || [ ! -f "$SEALING_JWKS_FILE" ]; then
    rm -f "$STACK/keys/$SEALING_KEY_ID.key.pem" "$STACK/keys/$SEALING_KEY_ID.pub.pem"
    "$JAVA" -cp "$DEPLOY_JAR" com.hostkey.reinstall.deploy.SealingKeygen "$STACK/keys" "$SEALING_KEY_ID" >/dev/null
  fi
  # The HMAC key the projector signs every step command with and the handler verifies it with
  # (owner-only; only its path is ever passed around, in STEP_AUTH_KEYS).
  if [ ! -f "$STACK/keys/$STEP_KEY_ID.step.key" ]; then
    "$JAVA" -cp "$DEPLOY_JAR" com.hostkey.reinstall.deploy.StepKeygen "$STACK/keys" "$STEP_KEY_ID" >/dev/null
  fi
  [ "$KAFKA_AUTH" = on ] && kafka_logins
  return 0
}

PLAIN_LOGIN="org.apache.kafka.common.security.plain.PlainLoginModule"

# One Kafka login per user, random password, owner-only: USER.jaas is the client's sasl.jaas.config
# (what the services read through KAFKA_SASL_JAAS_CONFIG_FILE), USER.properties the whole client
# settings (Kafka's tools' --command-config, the deploy module's KafkaAclsApply and KafkaTopicsCreate).
kafka_logins() {
  mkdir -p "$KAFKA_SECRETS"
  chmod 700 "$KAFKA_SECRETS"
  local user
  for user in "$KAFKA_ADMIN" "${KAFKA_LOGINS[@]}"; do
    if [ ! -f "$KAFKA_SECRETS/$user.jaas" ]; then
      (umask 077; printf '%s required username="%s" password="%s";\n' "$PLAIN_LOGIN" "$user" \
        "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$KAFKA_SECRETS/$user.jaas")
    fi
    (umask 077; printf 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=%s\n' \
      "$(cat "$KAFKA_SECRETS/$user.jaas")" > "$KAFKA_SECRETS/$user.properties")
  done
}

kafka_password() { sed -n 's/.* password="\([^"]*\)".*/\1/p' "$KAFKA_SECRETS/$1.jaas"; }

# The broker's PLAIN login and the users a listener accepts (user_NAME="password" entries).
broker_jaas() {
  local jaas user
  jaas="$PLAIN_LOGIN required username=\"$KAFKA_ADMIN\" password=\"$(kafka_password "$KAFKA_ADMIN")\""
  for user in "$@"; do jaas="$jaas user_$user=\"$(kafka_password "$user")\""; done
  printf '%s;' "$jaas"
}

# The Kafka of the stack that runs: what start_kafka recorded, else what this run asks for.
stack_kafka_auth() { cat "$STACK/kafka/auth" 2>/dev/null || echo "$KAFKA_AUTH"; }

start_kafka() {
  local dir="$STACK/kafka" props="$STACK/kafka/server.properties"
  if running kafka && [ "$(stack_kafka_auth)" != "$KAFKA_AUTH" ]; then
    die "the running stack's Kafka has auth $(stack_kafka_auth), not $KAFKA_AUTH (STACK_KAFKA_AUTH): deploy/stack.sh down first"
  fi
  mkdir -p "$dir" "$STACK/logs"
  chmod 700 "$dir"
  # Owner-only: with auth on, the listeners' JAAS settings hold every login's password.
  (umask 077; : > "$props")
  chmod 600 "$props"
  if [ "$KAFKA_AUTH" = on ]; then
    # Clients have one listener, SASL_PLAINTEXT with PLAIN; the controller listener is SASL too and
    # accepts only stack-admin, the broker's own login. Nothing is allowed without an ACL but to stack-admin.
    cat > "$props" <<PROPS
listeners=SASL_PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
inter.broker.listener.name=SASL_PLAINTEXT
sasl.enabled.mechanisms=PLAIN
sasl.mechanism.inter.broker.protocol=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=$(broker_jaas "$KAFKA_ADMIN" "${KAFKA_LOGINS[@]}")
listener.name.controller.plain.sasl.jaas.config=$(broker_jaas "$KAFKA_ADMIN")
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:$KAFKA_ADMIN
PROPS
  else
    cat > "$props" <<PROPS
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
PROPS
  fi
  cat >> "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
log.dirs=$dir/data
num.partitions=6
# A single node: internal topics must have one replica or consumers and transactions get nothing.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  local cp="$ROOT/deploy/target/kafka-libs/*"
  if [ ! -f "$dir/data/meta.properties" ]; then
    "$JAVA" -cp "$cp" kafka.tools.StorageTool format --standalone -t "$(cat "$dir/cluster-id" 2>/dev/null || echo 'q1Sh-9_ISia_zwGINzRvyQ' | tee "$dir/cluster-id")" -c "$props" > "$STACK/logs/kafka-format.log" 2>&1 \
      || { cat "$STACK/logs/kafka-format.log" >&2; die "formatting the Kafka data dir failed"; }
  fi
  start_part kafka "$JAVA" -Xmx512m -cp "$cp" kafka.Kafka "$props"
  echo "$KAFKA_AUTH" > "$dir/auth"
  wait_for kafka 60 port_open "$KAFKA_PORT"
  provision_kafka
}

# The client settings of a login ("-": none, PLAINTEXT).
kafka_client_file() { if [ "$(stack_kafka_auth)" = on ]; then echo "$KAFKA_SECRETS/$1.properties"; else echo -; fi; }

# As stack-admin: the reinstall topics (nobody else may create them), then the KafkaUsers' ACLs. Both
# leave what exists as it is, so they run on every start.
provision_kafka() {
  local admin
  admin=$(kafka_client_file "$KAFKA_ADMIN")
  "$JAVA" -cp "$DEPLOY_JAR" com.hostkey.reinstall.deploy.KafkaTopicsCreate "$BOOTSTRAP" "$admin" "$PARTITIONS" \
    > "$STACK/logs/kafka-setup.log" 2>&1 || { cat "$STACK/logs/kafka-setup.log" >&2; die "creating the topics failed"; }
  if [ "$KAFKA_AUTH" = on ]; then
    say "topics created as $KAFKA_ADMIN ($PARTITIONS partitions)"
    "$JAVA" -cp "$DEPLOY_JAR" com.hostkey.reinstall.deploy.KafkaAclsApply "$BOOTSTRAP" "$admin" "$KAFKA_USERS_YAML" \
      >> "$STACK/logs/kafka-setup.log" 2>&1 || { cat "$STACK/logs/kafka-setup.log" >&2; die "applying the ACLs failed"; }
    say "$(tail -n 1 "$STACK/logs/kafka-setup.log" | sed "s|$ROOT/||")"
  else
    say "topics created ($PARTITIONS partitions; Kafka without authentication or ACLs: STACK_KAFKA_AUTH=off)"
  fi
}

start_registry() {
  local home="$ROOT/deploy/target/apicurio-registry"
  start_part registry "$JAVA" -Xmx256m -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$REGISTRY_MGMT_PORT" -jar "$home/quarkus-run.jar"
  wait_for registry 90 http_ok "$REGISTRY_URL/subjects"
  curl -sf -X PUT -H 'Content-Type: application/vnd.schemaregistry.v1+json' -d '{"compatibility":"BACKWARD"}' \
    "$REGISTRY_URL/config" >/dev/null || die "cannot set the registry's default compatibility"
  # The public subjects (requests, completions) are held FULL_TRANSITIVE, as in production.
  "$JAVA" -cp "$DEPLOY_JAR" com.hostkey.reinstall.deploy.RegistrySubjectsConfigure "$REGISTRY_URL" \
    > "$STACK/logs/registry-setup.log" 2>&1 || { cat "$STACK/logs/registry-setup.log" >&2; die "configuring the public subjects failed"; }
  say "$(tail -n 1 "$STACK/logs/registry-setup.log")"
}

start_simulator() {
  start_part simulator "$JAVA" -Xmx256m -jar "$ROOT/hostkey-simulator/target/hostkey-simulator-$VERSION-all.jar" \
    --port "$SIMULATOR_PORT" --time-scale "$TIME_SCALE" --fleet "$FLEET_SIZE" \
    --account "default:$(cat "$STACK/secrets/api-key"):$(cat "$STACK/secrets/pin")"
  wait_for simulator 30 http_ok "http://127.0.0.1:$SIMULATOR_PORT/_sim/health"
}

# The Kafka security settings of a login as env assignments, in LOGIN_ENV (empty with auth off).
kafka_login_env() {
  LOGIN_ENV=()
  if [ "$(stack_kafka_auth)" = on ]; then
    LOGIN_ENV=("KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT" "KAFKA_SASL_MECHANISM=PLAIN" "KAFKA_SASL_JAAS_CONFIG_FILE=$KAFKA_SECRETS/$1.jaas")
  fi
}

# Only the stack's settings reach its clients: none a shell may have exported for another cluster.
unset_kafka_security() {
  unset KAFKA_SECURITY_PROTOCOL KAFKA_SASL_MECHANISM KAFKA_SASL_JAAS_CONFIG KAFKA_SASL_JAAS_CONFIG_FILE \
    KAFKA_SSL_TRUSTSTORE_LOCATION KAFKA_SSL_TRUSTSTORE_PASSWORD KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE \
    KAFKA_SSL_KEYSTORE_LOCATION KAFKA_SSL_KEYSTORE_PASSWORD KAFKA_SSL_KEYSTORE_PASSWORD_FILE \
    KAFKA_SSL_KEY_PASSWORD KAFKA_SSL_KEY_PASSWORD_FILE KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM
}

service_env() {
  unset_kafka_security
  export KAFKA_BOOTSTRAP_SERVERS="$BOOTSTRAP" SCHEMA_REGISTRY_URL="$REGISTRY_URL"
  export HOSTKEY_BASE_URL="http://127.0.0.1:$SIMULATOR_PORT"
  export HOSTKEY_API_KEY_FILE="$STACK/secrets/api-key" HOSTKEY_PIN_FILE="$STACK/secrets/pin"
  export SEALING_PRIVATE_KEYS="$SEALING_KEY_ID=$STACK/keys/$SEALING_KEY_ID.key.pem" SEALING_CURRENT_KEY="$SEALING_KEY_ID"
  # A fixed operations port: producers (the CLI, upstream examples) fetch the JWK Set from it.
  export HANDLER_HTTP_PORT="$HANDLER_PORT"
  # Operations endpoints on loopback only: nothing outside this machine needs them.
  export HANDLER_HTTP_HOST=127.0.0.1 POLLER_HTTP_HOST=127.0.0.1
  export PROJECTOR_HTTP_PORT="$PROJECTOR_PORT" PROJECTOR_STATE_DIR="$STACK/projector-state"
  export PROJECTOR_API_TOKENS_FILE="$STACK/secrets/api-token" PROJECTOR_API_WRITE_TOKENS_FILE="$STACK/secrets/api-write-tokens"
  export POLLER_INTERVAL_MS="$POLL_INTERVAL_MS" TOPIC_PARTITIONS="$PARTITIONS"
  export PROJECTOR_APPLICATION_ID HANDLER_GROUP_ID POLLER_GROUP_ID
  # Fixed (one local instance) and under the prefix the handler's KafkaUser may use.
  export HANDLER_TRANSACTIONAL_ID="$HANDLER_GROUP_ID-stack-0"
}

start_services() {
  service_env
  # Only the projector (signs) and the handler (verifies) get the step key; the poller does not.
  local step_keys="STEP_AUTH_KEYS=$STEP_KEY_ID=$STACK/keys/$STEP_KEY_ID.step.key"
  # Static membership under a fixed id (one local instance): a restarted projector takes its tasks back at once.
  # Each service logs in to Kafka as its own KafkaUser, with only that user's ACLs.
  kafka_login_env state-projector
  start_part projector env PROJECTOR_INSTANCE_ID=stack-projector-0 "$step_keys" ${LOGIN_ENV[@]+"${LOGIN_ENV[@]}"} \
    "$JAVA" -Xmx256m -DLOG_FORMAT="${STACK_LOG_FORMAT:-text}" -jar "$ROOT/state-projector/target/state-projector-$VERSION-all.jar"
  wait_for projector 90 http_ok "http://127.0.0.1:$PROJECTOR_PORT/ready"
  kafka_login_env command-handler
  start_part handler env "$step_keys" ${LOGIN_ENV[@]+"${LOGIN_ENV[@]}"} \
    "$JAVA" -Xmx256m -DLOG_FORMAT="${STACK_LOG_FORMAT:-text}" -jar "$ROOT/command-handler/target/command-handler-$VERSION-all.jar"
  wait_for handler 60 log_has handler "command-handler started"
  # What `cli` seals to: the handler's JWK Set must be served before the first submit.
  wait_for handler 30 http_ok "$SEALING_JWKS_URL"
  kafka_login_env stage-poller
  start_part poller env ${LOGIN_ENV[@]+"${LOGIN_ENV[@]}"} \
    "$JAVA" -Xmx256m -DLOG_FORMAT="${STACK_LOG_FORMAT:-text}" -jar "$ROOT/stage-poller/target/stage-poller-$VERSION-all.jar"
  wait_for poller 60 log_has poller "stage-poller started"
}

kafka_mode() {
  if [ "$(stack_kafka_auth)" = on ]; then
    echo "SASL_PLAINTEXT (PLAIN) with ACLs from deploy/k8s/kafka-users.yaml; credentials in .stack/secrets/kafka"
  else
    echo "PLAINTEXT, no authentication, no ACLs (STACK_KAFKA_AUTH=off)"
  fi
}

endpoints() {
  local logins=""
  if [ "$(stack_kafka_auth)" = on ]; then
    logins="
  Kafka logins           services: state-projector, command-handler, stage-poller; CLI: operators; also upstream,
                         billing (deploy/stack.sh as USER [write TOPIC]); client settings: $KAFKA_SECRETS/USER.properties"
  fi
  cat <<EOT

Endpoints
  Kafka bootstrap        $BOOTSTRAP   $(kafka_mode)
  Schema registry        $REGISTRY_URL
  Hostkey simulator      http://127.0.0.1:$SIMULATOR_PORT   (audit: /_sim/audit, invariants: /_sim/report)
  State queries          http://127.0.0.1:$PROJECTOR_PORT/reinstalls/{serverId}   (bearer token: $STACK/secrets/api-token;
                         curl -H @$STACK/secrets/api-token.header http://127.0.0.1:$PROJECTOR_PORT/reinstalls)
  Fleet dashboard        http://127.0.0.1:$PROJECTOR_PORT/   (token: $STACK/secrets/api-token, or api-write-token to cancel and release)
  Sealing keys (JWKS)    $SEALING_JWKS_URL   (the handler's; seal to the first key)
                         file: $SEALING_JWKS_FILE (key id $SEALING_KEY_ID; SealingKeygen)
  Handler operations     http://127.0.0.1:$HANDLER_PORT/metrics, /health, /ready (HANDLER_HTTP_PORT)
  Step key               $STACK/keys/$STEP_KEY_ID.step.key (key id $STEP_KEY_ID; projector and handler, STEP_AUTH_KEYS)
  Topics                 reinstall-requests (submit, cancel, release: upstream, CLI), reinstall-steps (projector to handler),
                         reinstall-events, reinstall-completions (billing); created by the stack before the services$logins
  Logs                   $STACK/logs/   (deploy/stack.sh logs NAME)
EOT
}

up() {
  java_home
  command -v curl >/dev/null || die "curl is needed"
  build
  mkdir -p "$STACK"
  if ! running registry; then
    # The registry keeps its schemas in memory: records written under the last run's schema ids
    # would be unreadable now. A stack whose registry starts anew starts with empty topics and state.
    # New Kafka logins too: passwords are per stack.
    running kafka && { kill "$(pid_of kafka)" 2>/dev/null || true; sleep 2; }
    rm -rf "$STACK/kafka/data" "$STACK/projector-state" "$KAFKA_SECRETS" "$STACK/kafka/auth"
  fi
  secrets
  start_kafka
  start_registry
  start_simulator
  start_services
  endpoints
}

# What a client of this stack needs as the Kafka login USER, as NAME=VALUE in CLIENT_SETTINGS (no
# secret: the login's password stays in the JAAS file named): the bootstrap servers, the registry, the
# login's SASL settings, the query API and its read token's file, the handler's JWK Set (sealing keys:
# seal to the first, as an upstream producer does). What cli exports and env prints.
client_settings() {
  kafka_login_env "$1"
  CLIENT_SETTINGS=("KAFKA_BOOTSTRAP_SERVERS=$BOOTSTRAP" "SCHEMA_REGISTRY_URL=$REGISTRY_URL" ${LOGIN_ENV[@]+"${LOGIN_ENV[@]}"}
    "REINSTALL_PROJECTOR_URL=http://127.0.0.1:$PROJECTOR_PORT" "REINSTALL_API_TOKEN_FILE=$STACK/secrets/api-token"
    "REINSTALL_SEALING_JWKS=$SEALING_JWKS_URL")
}

cli_env() {
  unset_kafka_security
  unset REINSTALL_SEALING_PUBLIC_KEY REINSTALL_SEALING_KEY_ID
  # The CLI logs in as operators: it writes requests (watch and history read the projector).
  client_settings operators
  local setting
  for setting in "${CLIENT_SETTINGS[@]}"; do export "${setting?}"; done
  export HOSTKEY_BASE_URL="http://127.0.0.1:$SIMULATOR_PORT"
  export HOSTKEY_API_KEY_FILE="$STACK/secrets/api-key" HOSTKEY_PIN_FILE="$STACK/secrets/pin"
}

cli() {
  [ -n "${JAVA:-}" ] || java_home
  cli_env
  "$JAVA" -jar "$ROOT/reinstall-cli/target/reinstall-cli-$VERSION-all.jar" "$@"
}

# What a program of another team needs to reach this stack as a Kafka login (client_settings, and the
# simulator's address), as shell lines for eval (examples/run.sh; by hand: eval "$(deploy/stack.sh env
# upstream)"). Variables of the same names the services and the CLI read.
env_of() {
  local user="${1:-}"
  [ -n "$user" ] || die "usage: $0 env USER (USER one of ${KAFKA_LOGINS[*]})"
  local props
  props=$(kafka_client_file "$user")
  [ "$props" = - ] || [ -f "$props" ] || die "no Kafka login $user on this stack (logins: ${KAFKA_LOGINS[*]}); is it up?"
  client_settings "$user"
  local setting
  echo "unset KAFKA_SECURITY_PROTOCOL KAFKA_SASL_MECHANISM KAFKA_SASL_JAAS_CONFIG KAFKA_SASL_JAAS_CONFIG_FILE"
  for setting in "${CLIENT_SETTINGS[@]}" "STACK_SIMULATOR_URL=http://127.0.0.1:$SIMULATOR_PORT"; do
    printf 'export %s=%q\n' "${setting%%=*}" "${setting#*=}"
  done
}

# What a Kafka login may do on each reinstall topic, or one record written as it.
as_login() {
  local user="${1:-}"
  [ -n "$user" ] || die "usage: $0 as USER [write TOPIC [KEY]] (USER one of $KAFKA_ADMIN ${KAFKA_LOGINS[*]})"
  shift
  [ -n "${JAVA:-}" ] || java_home
  running kafka || die "Kafka is not running (deploy/stack.sh up)"
  local props
  props=$(kafka_client_file "$user")
  if [ "$props" = - ]; then
    say "Kafka auth is off on this stack (STACK_KAFKA_AUTH=off): every client is User:ANONYMOUS and may do anything"
  elif [ ! -f "$props" ]; then
    die "no Kafka login $user on this stack (logins: $KAFKA_ADMIN ${KAFKA_LOGINS[*]})"
  fi
  case "${1:-}" in
    "") "$JAVA" -cp "$DEPLOY_JAR" com.hostkey.reinstall.deploy.KafkaAccessProbe "$BOOTSTRAP" "$props" ;;
    write) "$JAVA" -cp "$DEPLOY_JAR" com.hostkey.reinstall.deploy.KafkaAccessProbe "$BOOTSTRAP" "$props" write \
      "${2:?write needs a topic}" "${3:-1001}" ;;
    *) die "usage: $0 as USER [write TOPIC [KEY]]" ;;
  esac
}

# A random root password that meets Hostkey's policy; it only ever travels sealed.
demo_password() {
  printf 'Rz7%s%%q' "$(head -c 64 /dev/urandom | tr -dc 'A-HJ-NP-Za-km-z2-9' | head -c 12)"
}

demo() {
  local fleet=0
  if [ "${1:-}" = "--fleet" ]; then fleet="${2:?--fleet needs a number}"; fi
  up
  echo
  if [ "$fleet" -gt 0 ]; then
    demo_fleet "$fleet"
    return
  fi
  local server="${DEMO_SERVER:-1001}"
  say "demo: reinstall server $server with the CLI (simulated install clock x$TIME_SCALE)"
  say "  reinstall submit $server --os 101 --hostname srv$server.demo.example.net --partition LVM_RAID1 --task monitoring-agent --password-stdin --watch"
  demo_password | cli submit "$server" --os 101 --hostname "srv$server.demo.example.net" --partition LVM_RAID1 \
    --task monitoring-agent --password-stdin --watch --timeout 5m
  local outcome=$?
  echo
  say "final state: deploy/stack.sh cli status $server"
  cli status "$server"
  say "simulator invariants: curl http://127.0.0.1:$SIMULATOR_PORT/_sim/report"
  curl -sf "http://127.0.0.1:$SIMULATOR_PORT/_sim/report"; echo
  say "the stack keeps running; try deploy/stack.sh cli history $server, then deploy/stack.sh down"
  return $outcome
}

demo_fleet() {
  local n=$1 csv="$STACK/demo-fleet.csv" first=1001
  [ "$n" -le "$FLEET_SIZE" ] || die "--fleet $n: the simulator has $FLEET_SIZE servers (STACK_FLEET_SIZE)"
  echo "server,os,hostname,partition,tasks" > "$csv"
  for ((i = 0; i < n; i++)); do
    local server=$((first + i)) os=101
    # The simulated fleet cycles bm, bm, vm, gpu; GPU servers take the GPU image.
    [ $((i % 4)) -eq 3 ] && os=301
    echo "$server,$os,srv$server.fleet.example.net,LVM_RAID0,monitoring-agent" >> "$csv"
  done
  say "demo: reinstall $n simulated servers at once (reinstall bulk $csv --watch)"
  demo_password | cli bulk "$csv" --password-stdin --watch --timeout 10m
  local outcome=$?
  echo
  say "fleet summary: deploy/stack.sh cli list --limit $n"
  cli list --limit "$n"
  say "fleet at rest? curl http://127.0.0.1:$SIMULATOR_PORT/_sim/report"
  curl -sf "http://127.0.0.1:$SIMULATOR_PORT/_sim/report"; echo
  return $outcome
}

down() {
  for part in "${PARTS[@]}"; do
    if running "$part"; then
      kill "$(pid_of "$part")" 2>/dev/null || true
      for _ in $(seq 1 40); do running "$part" || break; sleep 0.25; done
      running "$part" && kill -9 "$(pid_of "$part")" 2>/dev/null || true
      say "stopped $part"
    fi
    rm -f "$STACK/pids/$part.pid"
  done
}

status() {
  for part in kafka registry simulator projector handler poller; do
    if running "$part"; then printf '%-10s running (pid %s)\n' "$part" "$(pid_of "$part")"; else printf '%-10s stopped\n' "$part"; fi
  done
  http_ok "http://127.0.0.1:$PROJECTOR_PORT/health" && echo "projector health: UP" || echo "projector health: DOWN"
  http_ok "http://127.0.0.1:$HANDLER_PORT/health" && echo "handler health: UP" || echo "handler health: DOWN"
  http_ok "$SEALING_JWKS_URL" && echo "sealing keys: $SEALING_JWKS_URL" || echo "sealing keys: not served ($SEALING_JWKS_URL)"
  running kafka && echo "Kafka: $(kafka_mode)"
  return 0
}

case "$KAFKA_AUTH" in
  on | off) ;;
  *) die "STACK_KAFKA_AUTH is on (the default) or off, not '$KAFKA_AUTH'" ;;
esac

case "${1:-demo}" in
  demo) shift; demo "$@" ;;
  cli) shift; cli "$@" ;;
  as) shift; as_login "$@" ;;
  env) shift; env_of "$@" ;;
  up) up ;;
  down) down ;;
  status) status ;;
  logs) tail -n 200 -f "$STACK/logs/${2:-projector}.log" ;;
  *) echo "usage: $0 {demo [--fleet N]|up|down|status|logs [NAME]|cli ARGS...|as USER [write TOPIC [KEY]]|env USER}" >&2
     echo "  STACK_KAFKA_AUTH=off: Kafka in PLAINTEXT without authentication or ACLs (default on: SASL PLAIN, the KafkaUsers' ACLs)" >&2
     exit 2 ;;
esac
