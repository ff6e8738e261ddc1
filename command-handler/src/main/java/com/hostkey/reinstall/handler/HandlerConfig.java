package com.hostkey.reinstall.handler;

import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.runtime.RegistrySettings;
import com.hostkey.reinstall.runtime.KafkaClientSecurity;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretOpener;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.security.PrivateKey;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * The command handler's settings.
 *
 * @param bootstrapServers  KAFKA_BOOTSTRAP_SERVERS (required)
 * @param schemaRegistryUrl SCHEMA_REGISTRY_URL (required)
 * @param groupId           HANDLER_GROUP_ID (default reinstall-command-handler)
 * @param transactionalId   HANDLER_TRANSACTIONAL_ID, unique per instance (default group id + random suffix)
 * @param sealingKeys       SEALING_PRIVATE_KEYS: comma-separated {@code keyId=path-to-PKCS#8-PEM} (required), in their
 *                          order; the handler opens a secret sealed to any of them
 * @param sealingCurrentKey SEALING_CURRENT_KEY: the key producers should seal to, first in the JWK Set the handler
 *                          serves (default: the last listed in SEALING_PRIVATE_KEYS, as STEP_AUTH_SIGNING_KEY)
 * @param clientSecurity    SASL/SSL client settings (see {@link KafkaClientSecurity})
 * @param consumerOverrides HANDLER_INSTANCE_ID (static group membership: a restarted instance takes its
 *                          partitions back without a rebalance) and KAFKA_SESSION_TIMEOUT_MS (how fast
 *                          a dead instance's partitions move on; default Kafka's 45 s)
 * @param flow              how much work is in flight at once (see {@link Flow})
 * @param registryAccess    the schema registry's credentials and trust ({@link RegistrySettings}: SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO, ...)
 * @param stepAuth          STEP_AUTH_KEYS: comma-separated {@code keyId=path} of the keys the state projector
 *                          signs step commands with (required); a step no key verifies is dead-lettered and
 *                          never reaches Hostkey (see {@link StepAuthenticator})
 */
public record HandlerConfig(
        String bootstrapServers,
        String schemaRegistryUrl,
        String groupId,
        String transactionalId,
        Map<String, Path> sealingKeys,
        String sealingCurrentKey,
        Properties clientSecurity,
        Properties consumerOverrides,
        Flow flow,
        StepAuthenticator stepAuth,
        Map<String, String> registryAccess) {

    public HandlerConfig {
        registryAccess = Map.copyOf(registryAccess);
        sealingKeys = Collections.unmodifiableMap(new LinkedHashMap<>(sealingKeys));
        if (sealingCurrentKey == null && !sealingKeys.isEmpty()) {
            sealingCurrentKey = List.copyOf(sealingKeys.keySet()).getLast();
        }
        if (sealingCurrentKey != null && !sealingKeys.containsKey(sealingCurrentKey)) {
            throw new IllegalArgumentException("SEALING_CURRENT_KEY '" + sealingCurrentKey + "' is not among SEALING_PRIVATE_KEYS "
                    + sealingKeys.keySet());
        }
    }

    /** Settings with an open schema registry. */
    public HandlerConfig(String bootstrapServers, String schemaRegistryUrl, String groupId, String transactionalId,
                         Map<String, Path> sealingKeys, Properties clientSecurity, Properties consumerOverrides, Flow flow,
                         StepAuthenticator stepAuth) {
        this(bootstrapServers, schemaRegistryUrl, groupId, transactionalId, sealingKeys, null, clientSecurity, consumerOverrides,
                flow, stepAuth, Map.of());
    }

    /**
     * Bounds of the handler's pipeline.
     *
     * @param maxConcurrentCalls  HANDLER_MAX_CONCURRENT_CALLS (default 64): servers whose call runs at
     *                            once; the others wait their turn, each server's commands in order
     * @param maxBufferedCommands HANDLER_MAX_BUFFERED_COMMANDS (default 5000): commands read but not yet
     *                            answered; above it the handler pauses its partitions (it keeps polling,
     *                            so it stays in the group) and resumes them at half of it
     * @param revocationGrace     HANDLER_REVOCATION_GRACE_MS (default 15000): how long a handler losing
     *                            partitions (rebalance, shutdown) waits for their running calls to answer,
     *                            so it can publish those outcomes instead of leaving them unknown
     */
    public record Flow(int maxConcurrentCalls, int maxBufferedCommands, Duration revocationGrace) {
        public Flow {
            if (maxConcurrentCalls < 1 || maxBufferedCommands < 1) {
                throw new IllegalArgumentException("HANDLER_MAX_CONCURRENT_CALLS and HANDLER_MAX_BUFFERED_COMMANDS must be at least 1");
            }
            if (revocationGrace.isNegative()) {
                throw new IllegalArgumentException("HANDLER_REVOCATION_GRACE_MS must not be negative");
            }
        }

        public static Flow defaults() {
            return new Flow(64, 5000, Duration.ofSeconds(15));
        }

        static Flow fromEnv(EnvSettings env) {
            return new Flow(env.optionalInt("HANDLER_MAX_CONCURRENT_CALLS", 64),
                    env.optionalInt("HANDLER_MAX_BUFFERED_COMMANDS", 5000),
                    Duration.ofMillis(env.optionalInt("HANDLER_REVOCATION_GRACE_MS", 15_000)));
        }
    }

    /** Settings without SASL/SSL, for tests and local stacks. */
    public HandlerConfig(String bootstrapServers, String schemaRegistryUrl, String groupId, String transactionalId,
                         Map<String, Path> sealingKeys, StepAuthenticator stepAuth) {
        this(bootstrapServers, schemaRegistryUrl, groupId, transactionalId, sealingKeys, new Properties(), new Properties(),
                Flow.defaults(), stepAuth);
    }

    /** The same settings with other pipeline bounds. */
    public HandlerConfig withFlow(Flow flow) {
        return new HandlerConfig(bootstrapServers, schemaRegistryUrl, groupId, transactionalId, sealingKeys, sealingCurrentKey,
                clientSecurity, consumerOverrides, flow, stepAuth, registryAccess);
    }

    public static HandlerConfig fromEnv(EnvSettings env) {
        String groupId = env.optional("HANDLER_GROUP_ID", "reinstall-command-handler");
        String keys = env.required("SEALING_PRIVATE_KEYS", "keyId=path of the private keys that open sealed secrets");
        String stepKeys = env.required("STEP_AUTH_KEYS", "keyId=path of the keys the state projector signs step commands with");
        HandlerConfig config = new HandlerConfig(
                env.required("KAFKA_BOOTSTRAP_SERVERS", "Kafka bootstrap servers"),
                env.required("SCHEMA_REGISTRY_URL", "Confluent-compatible schema registry URL"),
                groupId,
                env.optional("HANDLER_TRANSACTIONAL_ID", groupId + "-" + UUID.randomUUID()),
                keys == null ? Map.of() : parseKeys(keys),
                env.optional("SEALING_CURRENT_KEY", null),
                KafkaClientSecurity.fromEnv(env),
                KafkaClientSecurity.membership(env, "HANDLER_INSTANCE_ID"),
                Flow.fromEnv(env),
                stepKeys == null ? null : StepAuthenticator.verifier(StepAuthenticator.readKeys(stepKeys)),
                RegistrySettings.fromEnv(env));
        env.validate("command-handler");
        return config;
    }

    static Map<String, Path> parseKeys(String spec) {
        Map<String, Path> keys = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            String[] parts = entry.strip().split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("SEALING_PRIVATE_KEYS entries must be keyId=path, got '" + entry + "'");
            }
            keys.put(parts[0].strip(), Path.of(parts[1].strip()));
        }
        return keys;
    }

    /** The sealing private keys, read from their files, in SEALING_PRIVATE_KEYS' order. */
    public Map<String, PrivateKey> sealingPrivateKeys() {
        Map<String, PrivateKey> keys = new LinkedHashMap<>();
        sealingKeys.forEach((id, path) -> {
            try {
                keys.put(id, SealingKeys.parsePrivateKey(Files.readString(path)));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read sealing key " + id + " from " + path, e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Sealing key " + id + " in " + path + ": " + e.getMessage());
            }
        });
        return keys;
    }

    public SecretOpener secretOpener() {
        return new SecretOpener(sealingPrivateKeys());
    }

    /**
     * The public JWK Set of the sealing keys, SEALING_CURRENT_KEY first: what the handler serves at
     * {@link SealingKeys#JWKS_PATH}. Public members only; empty without keys.
     */
    public JWKSet sealingJwks() {
        return sealingKeys.isEmpty() ? new JWKSet() : SealingKeys.publicJwkSet(sealingPrivateKeys(), sealingCurrentKey);
    }

    /** Names the settings without their values where those may be secrets (SASL/SSL passwords, JAAS). */
    @Override
    public String toString() {
        return "HandlerConfig[bootstrapServers=" + bootstrapServers + ", schemaRegistryUrl=" + schemaRegistryUrl
                + ", groupId=" + groupId + ", transactionalId=" + transactionalId + ", sealingKeys=" + sealingKeys.keySet() + ", sealingCurrentKey=" + sealingCurrentKey
                + ", clientSecurity=" + clientSecurity.keySet() + ", consumerOverrides=" + consumerOverrides + ", flow=" + flow
                + ", registryAccess=" + registryAccess.keySet() + "]";
    }

    /** The serdes' settings: the registry's URL, credentials and trust. */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> serde = new HashMap<>(registryAccess);
        serde.put(AvroSerde.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
        return serde;
    }
}
