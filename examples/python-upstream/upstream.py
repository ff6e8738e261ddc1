#!/usr/bin/python3
"""An upstream provisioning system in Python: asks for one reinstall and follows it to its end.

Only Debian packages (bookworm): python3-confluent-kafka (1.7.0, on librdkafka), python3-avro,
python3-requests and python3-jwcrypto. Run it with Debian's /usr/bin/python3.

What it does, as the README's "Sending a reinstall" asks of any producer:
 1. fetches the command handler's JWK Set (REINSTALL_SEALING_JWKS, a URL or a file) and seals the root
    password, and the post-install script when one is given, to its FIRST key: JWE compact, protected
    header alg RSA-OAEP-256, enc A256GCM, kid the key's id;
 2. builds a ReinstallRequest whose payload is a ReinstallServer with a unique requestId, and
    serializes it with the schema the registry already holds for reinstall-requests-value (its latest
    version, looked up with confluent_kafka's SchemaRegistryClient; nothing is registered) in the
    Confluent wire format;
 3. produces it to reinstall-requests keyed by the server id (UTF-8 decimal) with a default producer:
    no partitioner, partition, idempotence or transaction settings (the projector routes by serverId);
 4. follows the reinstall through the state projector's query API (GET /reinstalls/{serverId}, bearer
    token) until its phase is terminal, printing each change of phase or step.

The Kafka login is the upstream KafkaUser's, whose ACLs allow writing reinstall-requests and nothing
else: so the query API, not a topic, tells it how the reinstall went.

Settings: the environment variables the project's services and CLI read (never printed):
  KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL (SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO when secured),
  KAFKA_SECURITY_PROTOCOL (PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL; TLS with the system's CAs),
  KAFKA_SASL_MECHANISM (PLAIN, SCRAM-SHA-512 or SCRAM-SHA-256), KAFKA_SASL_JAAS_CONFIG_FILE (the
  login's sasl.jaas.config line, Plain or ScramLoginModule: its username and password are used),
  REINSTALL_SEALING_JWKS, REINSTALL_PROJECTOR_URL, REINSTALL_API_TOKEN_FILE.

Exit codes: 0 the reinstall COMPLETED; 1 it ended otherwise (FAILED, CANCELLED, REJECTED); 2 bad usage
or settings; 3 no end within --timeout; 4 the request could not be sealed, serialized or sent, or the
query API refused the token.
"""

import argparse
import datetime
import io
import json
import os
import re
import struct
import sys
import time
import uuid

import avro.errors
import avro.io
import avro.schema
import requests
from confluent_kafka import KafkaException, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from jwcrypto import jwe, jwk

TOPIC = "reinstall-requests"
SUBJECT = TOPIC + "-value"
TERMINAL_PHASES = ("COMPLETED", "FAILED", "CANCELLED", "REJECTED")
AVRO_NAMESPACE = "com.hostkey.reinstall.schemas.avro"


class UsageError(Exception):
    """Bad arguments or settings: exit 2."""


class SendError(Exception):
    """The request could not be sealed, serialized or sent, or the query API refused: exit 4."""


# ---------------------------------------------------------------- sealing (JWE to the handler's key)

def sealing_key(jwks_source):
    """The first key of the handler's JWK Set: the one producers seal to (the handler lists its current key first)."""
    try:
        if re.match(r"^https?://", jwks_source):
            answer = requests.get(jwks_source, timeout=10)
            answer.raise_for_status()
            text = answer.text
        else:
            with open(jwks_source, encoding="utf-8") as f:
                text = f.read()
        # Parsed as JSON rather than by jwcrypto's JWKSet, which keeps its keys in a set: the order matters.
        keys = json.loads(text)["keys"]
    except (requests.RequestException, OSError, ValueError, KeyError, TypeError) as e:
        raise SendError(f"cannot read the handler's JWK Set from {jwks_source}: {e}") from None
    if not keys:
        raise SendError(f"the JWK Set at {jwks_source} holds no key")
    try:
        key = jwk.JWK(**keys[0])
    except (TypeError, ValueError, jwk.InvalidJWKValue, jwk.InvalidJWKType) as e:
        raise SendError(f"the first key of {jwks_source} is not a JWK: {e}") from None
    if key.get("kty") != "RSA" or not key.get("kid"):
        raise SendError(f"the first key of {jwks_source} is not an RSA key with a kid")
    return key


def seal(key, secret):
    """The secret as a JWE compact string: RSA-OAEP-256 wraps a fresh AES-256-GCM key; kid names the key."""
    protected = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": key.get("kid")}
    token = jwe.JWE(secret.encode("utf-8"), protected=json.dumps(protected), recipient=key)
    return token.serialize(compact=True)


# ---------------------------------------------------------------- Avro in the Confluent wire format

class Branch:
    """A value for a union of records: names the branch, since python-avro would guess it.

    python-avro writes a dict to the LAST union branch it validates against, and a ReinstallServer dict
    validates as CancelReinstall and ReleaseServer too (their fields are all nullable): unnamed, a
    reinstall would go out as a release.
    """

    def __init__(self, name, value):
        self.name = name
        self.value = value


class DoesNotFit(Exception):
    """A value that the registry's schema does not take, with the path of its field."""

    def __init__(self, path, expected):
        super().__init__(f"{path}: {expected}")
        self.path = path
        self.expected = expected


def describe(schema):
    if schema.type == "union":
        return " or ".join(describe(branch) for branch in schema.schemas)
    return getattr(schema, "fullname", None) or schema.type


class ExplicitUnionWriter(avro.io.DatumWriter):
    """A DatumWriter that takes a union of several records only as a Branch, fills fields left out with
    their defaults, and names the field of a value that does not fit."""

    def write(self, datum, encoder):
        # Not DatumWriter.write: its validation of the whole datum first guesses union branches too.
        # write_data checks each value against its type as it writes it.
        self.write_data(self.writers_schema, datum, encoder)

    def write_union(self, writers_schema, datum, encoder):
        if isinstance(datum, Branch):
            for index, branch in enumerate(writers_schema.schemas):
                if getattr(branch, "fullname", None) in (datum.name, f"{AVRO_NAMESPACE}.{datum.name}"):
                    encoder.write_long(index)
                    return self.write_data(branch, datum.value, encoder)
            raise DoesNotFit(datum.name, f"not a branch of {describe(writers_schema)}")
        if sum(1 for branch in writers_schema.schemas if branch.type == "record") > 1:
            raise DoesNotFit(type(datum).__name__, f"a union of records takes a Branch: {describe(writers_schema)}")
        return super().write_union(writers_schema, datum, encoder)

    def write_record(self, writers_schema, datum, encoder):
        if not isinstance(datum, dict):
            raise DoesNotFit(type(datum).__name__, f"a dict for {describe(writers_schema)}")
        unknown = set(datum) - {field.name for field in writers_schema.fields}
        if unknown:
            raise DoesNotFit(", ".join(sorted(unknown)), f"not fields of {describe(writers_schema)}")
        for field in writers_schema.fields:
            # A field this program does not set, or does not know (a later version of the schema),
            # takes its default: FULL_TRANSITIVE guarantees that every added field has one.
            if field.name in datum:
                value = datum[field.name]
            elif field.has_default:
                value = field.default
            else:
                raise DoesNotFit(field.name, "needs a value (no default)")
            try:
                self.write_data(field.type, value, encoder)
            except DoesNotFit as e:
                raise DoesNotFit(f"{field.name}.{e.path}", e.expected) from None
            except (avro.errors.AvroTypeException, ValueError, TypeError, AttributeError):
                raise DoesNotFit(field.name, f"expected {describe(field.type)}, got {type(value).__name__}") from None


def latest_registered_schema(registry_url):
    """The id and schema of the latest version the registry holds for reinstall-requests-value."""
    conf = {"url": registry_url}
    if os.environ.get("SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO"):
        conf["basic.auth.user.info"] = os.environ["SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO"]
    try:
        registered = SchemaRegistryClient(conf).get_latest_version(SUBJECT)
    except (SchemaRegistryError, requests.RequestException) as e:
        raise SendError(f"cannot read the latest schema of {SUBJECT} from {registry_url}: {e}") from None
    return registered.schema_id, registered.version, avro.schema.parse(registered.schema.schema_str)


def confluent_wire_bytes(schema_id, version, schema, datum):
    """Magic byte 0, the schema id (4 bytes, big-endian), then the Avro binary of datum."""
    out = io.BytesIO()
    out.write(struct.pack(">bI", 0, schema_id))
    try:
        ExplicitUnionWriter(schema).write(datum, avro.io.BinaryEncoder(out))
    except DoesNotFit as e:
        raise SendError(f"the request does not fit {SUBJECT} version {version} (schema id {schema_id}): {e}") from None
    return out.getvalue()


# ---------------------------------------------------------------- Kafka

def required_env(name):
    value = os.environ.get(name)
    if not value:
        raise UsageError(f"{name} is not set")
    return value


def producer_settings():
    """librdkafka's settings from the KAFKA_* variables; everything else stays librdkafka's default."""
    settings = {"bootstrap.servers": required_env("KAFKA_BOOTSTRAP_SERVERS"), "client.id": "python-upstream-example"}
    protocol = os.environ.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
    if protocol not in ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"):
        raise UsageError(f"KAFKA_SECURITY_PROTOCOL is PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, not {protocol!r}")
    settings["security.protocol"] = protocol
    if protocol.startswith("SASL_"):
        mechanism = os.environ.get("KAFKA_SASL_MECHANISM", "PLAIN")
        if mechanism not in ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"):
            raise UsageError(f"KAFKA_SASL_MECHANISM is PLAIN (the local stack), SCRAM-SHA-512 (Strimzi) or SCRAM-SHA-256, not {mechanism!r}")
        jaas_file = required_env("KAFKA_SASL_JAAS_CONFIG_FILE")
        try:
            with open(jaas_file, encoding="utf-8") as f:
                jaas = f.read()
        except OSError as e:
            raise UsageError(f"KAFKA_SASL_JAAS_CONFIG_FILE {jaas_file} cannot be read ({e.strerror})") from None
        username = re.search(r'\busername="([^"]*)"', jaas)
        password = re.search(r'\bpassword="([^"]*)"', jaas)
        if not username or not password:
            raise UsageError(f"KAFKA_SASL_JAAS_CONFIG_FILE {jaas_file} holds no username=\"...\" password=\"...\" (a sasl.jaas.config line)")
        settings.update({"sasl.mechanism": mechanism, "sasl.username": username.group(1), "sasl.password": password.group(1)})
    return settings


def produce(server_id, value):
    """Sends one record keyed by the server id and waits for the broker's answer: (partition, offset)."""
    producer = Producer(producer_settings())
    outcome = {}

    def delivered(error, message):
        outcome["error"] = error
        outcome["message"] = message

    try:
        producer.produce(TOPIC, key=str(server_id).encode("utf-8"), value=value, on_delivery=delivered)
    except (KafkaException, BufferError) as e:
        raise SendError(f"cannot send to {TOPIC}: {e}") from None
    remaining = producer.flush(60)
    if remaining or "error" not in outcome:
        raise SendError(f"no answer from Kafka within 60 s for {TOPIC}")
    if outcome["error"] is not None:
        raise SendError(f"Kafka refused the request on {TOPIC}: {outcome['error'].str()}")
    return outcome["message"].partition(), outcome["message"].offset()


# ---------------------------------------------------------------- following it through the query API

def follow(projector_url, token, server_id, request_id, timeout_seconds):
    """Polls GET /reinstalls/{serverId} until the state of this request is terminal; returns that state."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    url = f"{projector_url.rstrip('/')}/reinstalls/{server_id}"
    started = time.monotonic()
    deadline = started + timeout_seconds
    shown = None
    while True:
        state = None
        try:
            answer = session.get(url, timeout=10)
        except requests.RequestException as e:
            answer = None
            print(f"[+{time.monotonic() - started:5.1f}s] query API not answering ({type(e).__name__}); asking again", flush=True)
        if answer is not None:
            if answer.status_code in (401, 403):
                raise SendError(f"the query API refused the token (HTTP {answer.status_code}): check REINSTALL_API_TOKEN_FILE")
            if answer.status_code == 200:
                state = answer.json()
            elif answer.status_code not in (404, 503):  # 404: not there yet; 503: restoring or moving
                raise SendError(f"the query API answered HTTP {answer.status_code}: {answer.text[:200]}")
        # Until the projector has taken this request, the state (if any) is the server's previous
        # reinstall, or one still running (then this request is refused ALREADY_IN_PROGRESS: its
        # completion and the server's history say so, the state stays the other one's).
        if state is not None and state.get("requestId") != request_id and shown is None:
            shown = ("other",)
            print(f"[+{time.monotonic() - started:5.1f}s] the server's state is request {state.get('requestId')} "
                  f"({state.get('phase')}); waiting for this one", flush=True)
        if state is not None and state.get("requestId") == request_id:
            progress = state.get("progress") or {}
            stage = state.get("installStage") or 0
            now = (state["phase"], progress.get("text"), stage)
            if now != shown:
                shown = now
                installer = f" (installer stage {stage}/5 reached)" if state["phase"] == "INSTALLING" and stage else ""
                print(f"[+{time.monotonic() - started:5.1f}s] {state['phase']:<24} {progress.get('text', '')}{installer}", flush=True)
            if state["phase"] in TERMINAL_PHASES:
                return state
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.5)  # the API answers state, not changes: ask again shortly, within the deadline


# ---------------------------------------------------------------- the program

def read_secret(args):
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            with open(args.password_file, encoding="utf-8") as f:
                password = f.readline().rstrip("\r\n")
        except OSError as e:
            raise UsageError(f"--password-file {args.password_file} cannot be read ({e.strerror})") from None
    if not password:
        raise UsageError("the root password is empty")
    return password


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Ask for one reinstall as an upstream system and follow it to its end.")
    parser.add_argument("--server", type=int, required=True, help="the Hostkey server id")
    parser.add_argument("--os", type=int, required=True, dest="os_id", help="the OS id (Hostkey's os/list)")
    parser.add_argument("--hostname", required=True)
    secret = parser.add_mutually_exclusive_group(required=True)
    secret.add_argument("--password-stdin", action="store_true", help="read the root password from the first line of stdin")
    secret.add_argument("--password-file", help="read the root password from the first line of this file")
    parser.add_argument("--post-install-script", metavar="FILE", help="a script to run after the install (sealed too)")
    parser.add_argument("--partition-scheme", help="a PartitionScheme symbol, e.g. LVM_RAID1")
    parser.add_argument("--task", action="append", default=[], dest="tasks", help="a Jenkins post-install task (repeatable)")
    parser.add_argument("--licences", type=int, help="per-core licences, for an OS licensed per core (e.g. Windows)")
    parser.add_argument("--account", default="default")
    parser.add_argument("--request-id", help="the idempotency key of this reinstall (default: a new one)")
    parser.add_argument("--issued-by", default="python-upstream-example")
    parser.add_argument("--timeout", type=int, default=600, help="seconds to follow the reinstall (default 600)")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    if args.server <= 0 or args.timeout <= 0:
        raise UsageError("--server and --timeout must be positive")
    registry_url = required_env("SCHEMA_REGISTRY_URL")
    jwks_source = required_env("REINSTALL_SEALING_JWKS")
    projector_url = required_env("REINSTALL_PROJECTOR_URL")
    token_file = required_env("REINSTALL_API_TOKEN_FILE")
    try:
        with open(token_file, encoding="utf-8") as f:
            token = f.read().strip()
    except OSError as e:
        raise UsageError(f"REINSTALL_API_TOKEN_FILE {token_file} cannot be read ({e.strerror})") from None
    password = read_secret(args)
    script = None
    if args.post_install_script:
        try:
            with open(args.post_install_script, encoding="utf-8") as f:
                script = f.read()
        except OSError as e:
            raise UsageError(f"--post-install-script {args.post_install_script} cannot be read ({e.strerror})") from None

    key = sealing_key(jwks_source)
    request_id = args.request_id or f"python-upstream-{uuid.uuid4()}"
    # Only what is set: a field left out takes the schema's default, and one the registry's schema
    # does not know is refused rather than dropped.
    reinstall = {
        "requestId": request_id,
        "account": args.account,
        "osId": args.os_id,
        "hostname": args.hostname,
        "rootPassword": seal(key, password),
        "jenkinsTasks": args.tasks,
    }
    if script is not None:
        reinstall["postInstallScript"] = seal(key, script)
    if args.partition_scheme:
        reinstall["partitionScheme"] = args.partition_scheme
    if args.licences is not None:
        reinstall["licences"] = args.licences
    request = {
        "commandId": str(uuid.uuid4()),
        "serverId": args.server,
        "issuedAt": datetime.datetime.now(datetime.timezone.utc),
        "issuedBy": args.issued_by,
        "payload": Branch("ReinstallServer", reinstall),
    }
    schema_id, version, schema = latest_registered_schema(registry_url)
    value = confluent_wire_bytes(schema_id, version, schema, request)
    partition, offset = produce(args.server, value)
    print(f"sent reinstall of server {args.server}: request {request_id} (sealed to key {key.get('kid')}; "
          f"{SUBJECT} version {version}; {TOPIC} partition {partition} offset {offset})", flush=True)

    state = follow(projector_url, token, args.server, request_id, args.timeout)
    if state is None:
        print(f"no end within {args.timeout}s: the server's state never showed request {request_id} ended "
              f"(refused? its history: GET /reinstalls/{args.server}/history)", file=sys.stderr)
        return 3
    if state["phase"] == "COMPLETED":
        print(f"reinstall {request_id} COMPLETED", flush=True)
        return 0
    why = ", ".join(f"{k}={state[k]}" for k in ("failureKind", "failurePhase", "failureMessage") if state.get(k))
    print(f"reinstall {request_id} ended {state['phase']}{': ' + why if why else ''}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except UsageError as e:
        print(f"upstream: {e}", file=sys.stderr)
        sys.exit(2)
    except SendError as e:
        print(f"upstream: {e}", file=sys.stderr)
        sys.exit(4)
