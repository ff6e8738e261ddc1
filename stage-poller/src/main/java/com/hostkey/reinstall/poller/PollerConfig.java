package com.hostkey.reinstall.poller;

import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.runtime.RegistrySettings;
import com.hostkey.reinstall.runtime.KafkaClientSecurity;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * The stage poller's settings.
 *
 * @param bootstrapServers  KAFKA_BOOTSTRAP_SERVERS (required)
 * @param schemaRegistryUrl SCHEMA_REGISTRY_URL (required)
 * @param groupId           POLLER_GROUP_ID (default reinstall-stage-poller)
 * @param interval          POLLER_INTERVAL_MS between two checks of one key (default 15000, as Hostkey's own tooling)
 * @param requestsPerSecond POLLER_MAX_REQUESTS_PER_SECOND, the eq_callback budget (default 20)
 * @param clientSecurity    SASL/SSL client settings (see {@link KafkaClientSecurity})
 * @param consumerOverrides POLLER_INSTANCE_ID (static group membership) and KAFKA_SESSION_TIMEOUT_MS
 */
public record PollerConfig(
        String bootstrapServers,
        String schemaRegistryUrl,
        String groupId,
        Duration interval,
        int requestsPerSecond,
        Properties clientSecurity,
        Properties consumerOverrides,
        Map<String, String> registryAccess) {

    public PollerConfig {
        registryAccess = Map.copyOf(registryAccess);
    }

    /** Settings without SASL/SSL, for tests and local stacks. */
    public PollerConfig(String bootstrapServers, String schemaRegistryUrl, String groupId, Duration interval, int requestsPerSecond) {
        this(bootstrapServers, schemaRegistryUrl, groupId, interval, requestsPerSecond, new Properties(), new Properties(), Map.of());
    }

    /** Settings with Kafka security and an open schema registry. */
    public PollerConfig(String bootstrapServers, String schemaRegistryUrl, String groupId, Duration interval, int requestsPerSecond,
                        Properties clientSecurity, Properties consumerOverrides) {
        this(bootstrapServers, schemaRegistryUrl, groupId, interval, requestsPerSecond, clientSecurity, consumerOverrides, Map.of());
    }

    public static PollerConfig fromEnv(EnvSettings env) {
        PollerConfig config = new PollerConfig(
                env.required("KAFKA_BOOTSTRAP_SERVERS", "Kafka bootstrap servers"),
                env.required("SCHEMA_REGISTRY_URL", "Confluent-compatible schema registry URL"),
                env.optional("POLLER_GROUP_ID", "reinstall-stage-poller"),
                Duration.ofMillis(env.optionalLong("POLLER_INTERVAL_MS", 15_000)),
                env.optionalInt("POLLER_MAX_REQUESTS_PER_SECOND", 20),
                KafkaClientSecurity.fromEnv(env),
                KafkaClientSecurity.membership(env, "POLLER_INSTANCE_ID"),
                RegistrySettings.fromEnv(env));
        env.validate("stage-poller");
        return config;
    }

    /** Names the settings without their values where those may be secrets (SASL/SSL passwords, JAAS). */
    @Override
    public String toString() {
        return "PollerConfig[bootstrapServers=" + bootstrapServers + ", schemaRegistryUrl=" + schemaRegistryUrl
                + ", groupId=" + groupId + ", interval=" + interval + ", requestsPerSecond=" + requestsPerSecond
                + ", clientSecurity=" + clientSecurity.keySet() + ", consumerOverrides=" + consumerOverrides
                + ", registryAccess=" + registryAccess.keySet() + "]";
    }

    /** The serdes' settings: the registry's URL, credentials and trust. */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> serde = new java.util.HashMap<>(registryAccess);
        serde.put(AvroSerde.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
        return serde;
    }
}
