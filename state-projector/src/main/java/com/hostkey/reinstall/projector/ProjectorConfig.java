package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.projector.http.QueryApiSettings;
import com.hostkey.reinstall.projector.saga.AdmissionSettings;
import com.hostkey.reinstall.projector.saga.DeadLetterHandler;
import com.hostkey.reinstall.projector.saga.SagaSettings;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.runtime.RegistrySettings;
import com.hostkey.reinstall.runtime.KafkaClientProperties;
import com.hostkey.reinstall.runtime.KafkaClientSecurity;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.ProducerConfig;
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
 * @param queryApi          bearer tokens and TLS of the query API (see {@link QueryApiSettings})
 * @param clientSecurity    SASL/SSL settings of the Kafka clients, {@code KAFKA_SECURITY_PROTOCOL} and
 *                          friends (see {@link KafkaClientSecurity}); empty for PLAINTEXT
 * @param membership        PROJECTOR_INSTANCE_ID ({@code group.instance.id}, static membership: an instance
 *                          restarted within the session timeout gets its tasks back at once instead of waiting
 *                          for the group to drop its dead predecessor) and KAFKA_SESSION_TIMEOUT_MS (how long a
 *                          silent instance keeps its tasks; default Kafka's 45 s), both for the main consumer
 *                          (see {@link KafkaClientSecurity#membership}); empty for dynamic membership
 * @param stepAuth          STEP_AUTH_KEYS ({@code keyId=path,...}, required) and STEP_AUTH_SIGNING_KEY (the key id
 *                          to sign with; default the last listed): the secret keys every step command is signed
 *                          with, shared only with the command handlers (see {@link StepAuthenticator})
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
        Duration timerInterval,
        QueryApiSettings queryApi,
        Properties clientSecurity,
        Properties membership,
        StepAuthenticator stepAuth,
        Map<String, String> registryAccess) {

    public ProjectorConfig {
        clientSecurity = copyOf(clientSecurity);
        membership = copyOf(membership);
        registryAccess = Map.copyOf(registryAccess);
    }

    /** Settings with an open schema registry. */
    public ProjectorConfig(String bootstrapServers, String schemaRegistryUrl, String applicationId, String stateDir, String httpHost,
                           int httpPort, int replication, SagaSettings saga, AdmissionSettings admission, Duration timerInterval,
                           QueryApiSettings queryApi, Properties clientSecurity, Properties membership, StepAuthenticator stepAuth) {
        this(bootstrapServers, schemaRegistryUrl, applicationId, stateDir, httpHost, httpPort, replication, saga, admission,
                timerInterval, queryApi, clientSecurity, membership, stepAuth, Map.of());
    }

    /**
     * Settings for tests and local runs: plaintext Kafka, and a query API that still demands a bearer
     * token, one generated at random (read it from {@code queryApi().tokens()} or replace it with
     * {@link #withQueryApi}), signing steps with {@code stepAuth}, which the handlers must verify with.
     */
    public ProjectorConfig(String bootstrapServers, String schemaRegistryUrl, String applicationId, String stateDir,
                           String httpHost, int httpPort, int replication, SagaSettings saga, AdmissionSettings admission,
                           Duration timerInterval, StepAuthenticator stepAuth) {
        this(bootstrapServers, schemaRegistryUrl, applicationId, stateDir, httpHost, httpPort, replication, saga, admission,
                timerInterval, QueryApiSettings.withGeneratedToken(), new Properties(), new Properties(), stepAuth);
    }

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
                Duration.ofMillis(env.optionalLong("PROJECTOR_TIMER_INTERVAL_MS", 1000)),
                QueryApiSettings.fromEnv(env),
                KafkaClientSecurity.fromEnv(env),
                KafkaClientSecurity.membership(env, "PROJECTOR_INSTANCE_ID"),
                stepAuthFromEnv(env),
                RegistrySettings.fromEnv(env));
        env.validate("state-projector");
        return config;
    }

    /** The signing authenticator of STEP_AUTH_KEYS and STEP_AUTH_SIGNING_KEY; null when the keys are missing (validate names them). */
    private static StepAuthenticator stepAuthFromEnv(EnvSettings env) {
        String spec = env.required("STEP_AUTH_KEYS", "keyId=path,... of the step authentication keys shared with the command handlers");
        String signing = env.optional("STEP_AUTH_SIGNING_KEY", "");
        if (spec == null || spec.isBlank()) {
            return null;
        }
        Map<String, byte[]> keys = StepAuthenticator.readKeys(spec);
        List<String> ids = List.copyOf(keys.keySet());
        return StepAuthenticator.of(keys, signing.isBlank() ? ids.getLast() : signing);
    }

    /** A copy: the settings stay as configured whatever a caller does with it. */
    @Override
    public Properties clientSecurity() {
        return copyOf(clientSecurity);
    }

    /** A copy: the settings stay as configured whatever a caller does with it. */
    @Override
    public Properties membership() {
        return copyOf(membership);
    }

    /** The same settings with another query API configuration. */
    public ProjectorConfig withQueryApi(QueryApiSettings settings) {
        return new ProjectorConfig(bootstrapServers, schemaRegistryUrl, applicationId, stateDir, httpHost, httpPort,
                replication, saga, admission, timerInterval, settings, clientSecurity, membership, stepAuth, registryAccess);
    }

    /** The same settings with other Kafka client security properties. */
    public ProjectorConfig withClientSecurity(Properties security) {
        return new ProjectorConfig(bootstrapServers, schemaRegistryUrl, applicationId, stateDir, httpHost, httpPort,
                replication, saga, admission, timerInterval, queryApi, security, membership, stepAuth, registryAccess);
    }

    /** The same settings with other group membership ({@code group.instance.id}, {@code session.timeout.ms}). */
    public ProjectorConfig withMembership(Properties groupMembership) {
        return new ProjectorConfig(bootstrapServers, schemaRegistryUrl, applicationId, stateDir, httpHost, httpPort,
                replication, saga, admission, timerInterval, queryApi, clientSecurity, groupMembership, stepAuth, registryAccess);
    }

    /** The serdes' settings: the registry's URL, credentials and trust. */
    public Map<String, Object> serdeConfig() {
        Map<String, Object> serde = new java.util.HashMap<>(registryAccess);
        serde.put(AvroSerde.SCHEMA_REGISTRY_URL, schemaRegistryUrl);
        return serde;
    }

    /** Settings of an Admin client of the same cluster, with the same credentials. */
    public Properties adminConfig() {
        return KafkaClientProperties.base(bootstrapServers, applicationId + "-admin", clientSecurity);
    }

    /**
     * Pure factory of the Kafka Streams settings.
     *
     * @param queryPort the port the query server actually listens on (httpPort may be 0)
     */
    public Properties streamsConfig(int queryPort) {
        Properties props = new Properties();
        // SASL/SSL first, so nothing below can be overridden by it by accident; Streams hands these
        // unprefixed client settings to its consumers, producers and admin alike.
        props.putAll(clientSecurity);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        // Reading an event, updating the state and emitting the next command commit atomically.
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        // Lets any instance find the owner of a server's state for interactive queries.
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, httpHost + ":" + queryPort);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replication);
        // Each hop of the saga waits on a commit under EOS: a command is visible to the handler only once
        // the transaction that emitted it commits. The router, the saga and the admission ask for a
        // commit within a linger of answering a fresh record (CommitPacer), so a hop does not wait
        // for the interval; the interval is for backlogs, where fewer, larger
        // transactions fold a replay faster (it was 20 ms for every record: docs/benchmarks.md).
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // The stream thread checks the commit interval between polls, and a poll with nothing to read
        // may block for poll.ms (default 100 ms): a command emitted just before a quiet moment could
        // wait that long for its commit, on top of the interval.
        props.put(StreamsConfig.POLL_MS_CONFIG, 5);
        // A thread's transactions follow each other closely: retry soon after the last one's markers.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), KafkaClientProperties.TRANSACTIONAL_RETRY_BACKOFF_MS);
        // Static membership and the session timeout are the main consumer's: it alone is in the group
        // (Streams removes group.instance.id from its restore and global consumers anyway), and Streams
        // appends "-<thread index>" to the id for each stream thread, so one id per instance suffices.
        membership.forEach((key, value) -> props.put(StreamsConfig.mainConsumerPrefix((String) key), value));
        // A poison record (unreadable bytes, unknown schema id, wrong type, or one whose processing
        // throws) must not stop every other server's reinstall: it goes to the dead-letter topic,
        // inside the same transaction as the rest of the task's output, and is skipped. The topic
        // setting is read by DeadLetterHandler (Streams' built-in handlers would add a stack trace header).
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, ReinstallTopics.DEAD_LETTERS);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        // No global stores today; opting in now keeps one error policy should one be added (5.0's default).
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        return props;
    }

    /** Secrets masked: tokens, passwords and JAAS settings never reach a log line through this. */
    @Override
    public String toString() {
        return "ProjectorConfig[bootstrapServers=" + bootstrapServers + ", schemaRegistryUrl=" + schemaRegistryUrl
                + ", applicationId=" + applicationId + ", stateDir=" + stateDir + ", httpHost=" + httpHost
                + ", httpPort=" + httpPort + ", replication=" + replication + ", saga=" + saga + ", admission=" + admission
                + ", timerInterval=" + timerInterval + ", queryApi=" + queryApi + ", membership=" + membership
                + ", clientSecurity=" + new TreeSet<>(clientSecurity.stringPropertyNames()) + " (values masked)]";
    }

    private static Properties copyOf(Properties source) {
        Properties copy = new Properties();
        if (source != null) {
            copy.putAll(source);
        }
        return copy;
    }
}
