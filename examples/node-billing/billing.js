#!/usr/bin/env node
// A billing consumer of reinstall-completions, as a billing team would write it in Node.js.
//
// Reads reinstall-completions (key: the server id as a UTF-8 decimal string; value: a
// ReinstallCompletion in the Confluent wire format) with read_committed isolation, decodes each value
// through the schema registry's Confluent API and prints exactly one line per reinstall:
//
//   server=1001 request=order-7731 outcome=COMPLETED os=101 (Ubuntu 22.04) licences=4 duration=17.3s
//
// Kafka login: SASL (PLAIN on the local stack) as the billing KafkaUser, whose ACLs allow Read and Describe on
// reinstall-completions and Read on consumer groups whose name starts with "billing", nothing else.
//
// Settings are the environment variables every service of the project reads (README, Security):
//   KAFKA_BOOTSTRAP_SERVERS        host:port[,host:port...]
//   SCHEMA_REGISTRY_URL            a Confluent-compatible registry (Apicurio: .../apis/ccompat/v7)
//   KAFKA_SECURITY_PROTOCOL        SASL_PLAINTEXT or SASL_SSL (with the system's CAs; unset: PLAINTEXT)
//   KAFKA_SASL_MECHANISM           PLAIN (the local stack), SCRAM-SHA-512 (Strimzi) or SCRAM-SHA-256
//   KAFKA_SASL_JAAS_CONFIG_FILE    a file holding the login's sasl.jaas.config line (Plain or
//                                  ScramLoginModule ... username="billing" password="...";): its
//                                  username and password are used, never printed
//
// Options:
//   --group NAME              consumer group (must start with "billing"; default billing-example): a new
//                             group starts at the topic's beginning, an existing one resumes after
//                             its last committed completion
//   --from-beginning          read the topic from its start under a throwaway group of its own
//                             (NAME-<random>), committing nothing
//   --until-request-id ID     exit 0 once the completion of request ID has been printed
//   --timeout SECONDS         exit 3 if that has not happened within SECONDS (needs --until-request-id)
//
// Exit codes: 0 done (the request's completion printed, or stopped by SIGINT/SIGTERM), 1 a record
// could not be decoded or Kafka failed, 2 bad usage, 3 timeout.
'use strict';

const fs = require('node:fs');
const crypto = require('node:crypto');
const { Kafka, logLevel } = require('kafkajs');
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry');

const TOPIC = 'reinstall-completions';
const GROUP_PREFIX = 'billing';

class UsageError extends Error {}

function parseArgs(argv) {
  const options = { group: 'billing-example', fromBeginning: false, untilRequestId: null, timeoutSeconds: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--group': options.group = value(); break;
      case '--from-beginning': options.fromBeginning = true; break;
      case '--until-request-id': options.untilRequestId = value(); break;
      case '--timeout': {
        const text = value();
        if (!/^[1-9][0-9]{0,5}$/.test(text)) throw new UsageError(`--timeout takes whole seconds (1-999999), not '${text}'`);
        options.timeoutSeconds = Number(text);
        break;
      }
      case '-h': case '--help':
        throw new UsageError('');
      default:
        throw new UsageError(`unknown argument '${arg}'`);
    }
  }
  if (!options.group.startsWith(GROUP_PREFIX)) {
    throw new UsageError(`--group must start with '${GROUP_PREFIX}' (the billing login may only use such groups), not '${options.group}'`);
  }
  if (options.timeoutSeconds !== null && options.untilRequestId === null) {
    throw new UsageError('--timeout needs --until-request-id');
  }
  return options;
}

function required(name) {
  const value = process.env[name];
  if (!value) throw new UsageError(`${name} is not set`);
  return value;
}

// The Kafka client settings from the project's KAFKA_* variables. The password comes from the JAAS
// file and goes only to kafkajs: no message names it.
function kafkaSettings() {
  const brokers = required('KAFKA_BOOTSTRAP_SERVERS').split(',').map((b) => b.trim()).filter(Boolean);
  const protocol = process.env.KAFKA_SECURITY_PROTOCOL || 'PLAINTEXT';
  const settings = { clientId: 'billing-example', brokers, logLevel: logLevel.WARN };
  switch (protocol) {
    case 'PLAINTEXT': return settings;
    case 'SSL': return { ...settings, ssl: true };
    case 'SASL_PLAINTEXT': case 'SASL_SSL': {
      const mechanism = process.env.KAFKA_SASL_MECHANISM || 'PLAIN';
      if (!['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'].includes(mechanism)) {
        throw new UsageError(`KAFKA_SASL_MECHANISM is PLAIN (the local stack), SCRAM-SHA-512 (Strimzi) or SCRAM-SHA-256, not '${mechanism}'`);
      }
      return { ...settings, ssl: protocol === 'SASL_SSL', sasl: { mechanism: mechanism.toLowerCase(), ...login() } };
    }
    default: throw new UsageError(`KAFKA_SECURITY_PROTOCOL is PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, not '${protocol}'`);
  }
}

function login() {
  const file = required('KAFKA_SASL_JAAS_CONFIG_FILE');
  let jaas;
  try {
    jaas = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`KAFKA_SASL_JAAS_CONFIG_FILE ${file} cannot be read (${e.code})`);
  }
  const username = /\busername="([^"]*)"/.exec(jaas);
  const password = /\bpassword="([^"]*)"/.exec(jaas);
  if (!username || !password) {
    throw new UsageError(`KAFKA_SASL_JAAS_CONFIG_FILE ${file} holds no username="..." password="..." (a sasl.jaas.config line)`);
  }
  return { username: username[1], password: password[1] };
}

// The outcome is a union of four records: avsc decodes a union of several records "wrapped", as an
// object whose one key is the branch's full name (com.hostkey.reinstall.schemas.avro.ReinstallFailed).
function outcomeOf(completion) {
  const [branch] = Object.keys(completion.outcome);
  const detail = completion.outcome[branch];
  switch (branch.split('.').pop()) {
    case 'ReinstallCompleted': return 'COMPLETED';
    case 'ReinstallFailed': return `FAILED(${detail.kind} in ${detail.phase})`;
    case 'ReinstallCancelled': return `CANCELLED(in ${detail.phase})`;
    case 'ReinstallRejected': return `REJECTED(${detail.reason}${detail.field ? ` ${detail.field}` : ''})`;
    default: return `UNKNOWN(${branch})`;
  }
}

/** One line per reinstall: what billing needs to charge it. */
function billingLine(completion) {
  const os = completion.osName ? `${completion.osId} (${completion.osName})` : `${completion.osId}`;
  const parts = [
    `server=${completion.serverId}`,
    `request=${completion.requestId}`,
    `outcome=${outcomeOf(completion)}`,
    `os=${os}`,
  ];
  if (completion.licences !== null && completion.licences !== undefined) parts.push(`licences=${completion.licences}`);
  parts.push(`duration=${((Number(completion.finishedAt) - Number(completion.requestedAt)) / 1000).toFixed(1)}s`);
  return parts.join(' ');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const kafka = new Kafka(kafkaSettings());
  // avsc's 'auto' unions: a nullable field decodes to null or its value; the outcome, a union of
  // several records, decodes wrapped (see outcomeOf).
  const registry = new SchemaRegistry({ host: required('SCHEMA_REGISTRY_URL') },
    { [SchemaType.AVRO]: { wrapUnions: 'auto' } });
  const groupId = options.fromBeginning ? `${options.group}-${crypto.randomUUID()}` : options.group;
  const consumer = kafka.consumer({
    groupId,
    // read_committed, stated rather than left to the default: the projector writes completions in
    // Kafka transactions, and only committed ones are real (an aborted one may be written again).
    readUncommitted: false,
  });

  // Leaves the group (so a named group's next member takes over at once), then exits. Never awaited
  // from inside eachMessage: disconnect() waits for the message being handled to be done.
  let stopping = false;
  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    const leave = Promise.race([consumer.disconnect(), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    leave.catch(() => {}).finally(() => process.exit(code));
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  if (options.timeoutSeconds !== null) {
    setTimeout(() => {
      process.stderr.write(`billing: no completion of request ${options.untilRequestId} within ${options.timeoutSeconds}s\n`);
      stop(3);
    }, options.timeoutSeconds * 1000).unref();
  }

  // Exactly one completion per reinstall is on the topic, but a consumer reads again what it had not
  // committed when it stopped or lost a partition: billing charges once per reinstallId (a real one
  // keeps them in its own store; this example remembers them for its run).
  const billed = new Set();
  consumer.on(consumer.events.CRASH, async ({ payload }) => {
    if (!payload.restart) {
      process.stderr.write(`billing: the consumer stopped: ${payload.error.message}\n`);
      stop(1);
    }
  });
  await consumer.connect();
  // A group without committed offsets starts at the topic's beginning (auto.offset.reset=earliest):
  // a new billing group sees the retained completions; an existing one resumes after its last commit.
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    // Offsets are committed by hand, each after its completion is billed: what is skipped while
    // stopping, or cannot be decoded, is never committed, so a named group reads it again next time.
    // A throwaway --from-beginning group commits nothing.
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      if (stopping) return; // the rest of a batch fetched before the stop: neither billed nor committed
      let completion;
      try {
        completion = await registry.decode(message.value);
      } catch (e) {
        // Billing must not skip a completion it cannot read: stop, naming the record, not its bytes.
        process.stderr.write(`billing: cannot decode ${TOPIC} partition ${partition} offset ${message.offset}: ${e.message}\n`);
        stop(1);
        return;
      }
      if (!billed.has(completion.reinstallId)) {
        billed.add(completion.reinstallId);
        process.stdout.write(`${billingLine(completion)}\n`);
      }
      if (!options.fromBeginning) {
        await consumer.commitOffsets([{ topic: TOPIC, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      }
      if (options.untilRequestId !== null && completion.requestId === options.untilRequestId) {
        stop(0);
      }
    },
  });
}

module.exports = { parseArgs, billingLine, outcomeOf };

if (require.main === module) {
  main().catch((e) => {
    if (e instanceof UsageError) {
      if (e.message) process.stderr.write(`billing: ${e.message}\n`);
      process.stderr.write('usage: billing.js [--group billing...] [--from-beginning] [--until-request-id ID [--timeout SECONDS]]\n');
      process.exit(2);
    }
    process.stderr.write(`billing: ${e.message}\n`);
    process.exit(1);
  });
}
