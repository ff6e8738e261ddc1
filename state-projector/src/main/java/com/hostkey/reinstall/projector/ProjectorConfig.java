package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.schemas.runtime.EnvSettings;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The projector's settings.
 *
 * @param bootstrapServers  KAFKA_BOOTSTRAP_SERVERS (required)
 * @param schemaRegistryUrl SCHEMA_REGISTRY_URL, Confluent-compatible (required)
 * @param applicationId     PROJECTOR_APPLICATION_ID, fixed per deployment (default reinstall-state-projector)
 * @param stateDir          PROJECTOR_STATE_DIR (default /tmp/reinstall-state-projector)
 * @param httpHost          PROJECTOR_HTTP_HOST, the host other instances reach this one at (default 127.0.0.1)
 * @param httpPort          PROJECTOR_HTTP_PORT for interactive queries (default 8083)
 * @param replication       KAFKA_REPLICATION_FACTOR for internal topics (default 1)
 * @param saga              deadlines, retries and quarantine (see {@link SagaSettings})
 * @param admission         concurrency caps (see {@link AdmissionSettings})
 * @param timerInterval     PROJECTOR_TIMER_INTERVAL_MS, how often due deadlines and retries are looked for (default 1000)
 */
public record ProjectorConfig(
        String bootstrapServers,
        String schemaRegistryUrl,
        String applicationId,
        String stateDir,
        String httpHost,
        int httpPort,
        int replication,
        SagaSettings saga,
        AdmissionSettings admission,
        java.time.Duration timerInterval) {

    public static ProjectorConfig fromEnv(EnvSettings env) {
        ProjectorConfig config = new ProjectorConfig(
                env.required("KAFKA_BOOTSTRAP_SERVERS", "Kafka bootstrap servers"),
                env.required("SCHEMA_REGISTRY_URL", "Confluent-compatible schema registry URL"),
                env.optional("PROJECTOR_APPLICATION_ID", "reinstall-state-projector"),
                env.optional("PROJECTOR_STATE_DIR", "/tmp/reinstall-state-projector"),
                env.optional("PROJECTOR_HTTP_HOST", "127.0.0.1"),
                env.optionalInt("PROJECTOR_HTTP_PORT", 8083),
                env.optionalInt("KAFKA_REPLICATION_FACTOR", 1),
                SagaSettings.fromEnv(env),
                AdmissionSettings.fromEnv(env),
                java.time.Duration.ofMillis(env.optionalLong("PROJECTOR_TIMER_INTERVAL_MS", 1000)));
        env.validate("state-projector");
        return config;
    }

    public Map<String, Object> serdeConfig() {
        return Map.of(AvroSerde.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
    }

    /**
     * Pure factory of the Kafka Streams settings.
     *
     * @param queryPort the port the query server actually listens on (httpPort may be 0)
     */
    public Properties streamsConfig(int queryPort) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Reading an event, updating the state and emitting the next command commit atomically.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        // Lets any instance find the owner of a server's state for interactive queries.
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, httpHost + ":" + queryPort);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replication);
        // Each hop of the saga waits on a commit under EOS; a short interval keeps hop latency low.
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50);
        return props;
    }
}
