package com.hostkey.reinstall.system;

import com.hostkey.reinstall.testkit.TopicReader;
import com.hostkey.invapi.client.Credentials;
import com.hostkey.invapi.client.HostkeyClient;
import com.hostkey.invapi.client.HostkeyClientConfig;
import com.hostkey.invapi.simulator.HostkeySimulator;
import com.hostkey.invapi.simulator.SimulatorConfig;
import com.hostkey.reinstall.handler.CommandHandler;
import com.hostkey.reinstall.handler.HandlerConfig;
import com.hostkey.reinstall.handler.StepExecutor;
import com.hostkey.reinstall.validation.ReinstallValidator;
import com.hostkey.reinstall.validation.ValidationLimits;
import com.hostkey.reinstall.poller.PollerConfig;
import com.hostkey.reinstall.poller.StagePoller;
import com.hostkey.reinstall.projector.saga.AdmissionSettings;
import com.hostkey.reinstall.projector.ProjectorConfig;
import com.hostkey.reinstall.projector.http.QueryApiSettings;
import com.hostkey.reinstall.projector.saga.SagaSettings;
import com.hostkey.reinstall.projector.StateProjector;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.runtime.TopicProvisioner;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.testkit.ApicurioRegistry;
import com.hostkey.reinstall.testkit.KafkaTestCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The whole system in one test JVM, every part real: a KRaft broker, Apicurio Registry (child
 * process), the Hostkey simulator over HTTP, and the three services talking only through Kafka.
 * Each stack gets unique consumer groups and application id.
 */
final class ReinstallStack implements AutoCloseable {

    static final String API_KEY = "it-api-key-" + UUID.randomUUID();
    static final String PIN = "4321";
    static final String SEALING_KEY_ID = "it-key-1";
    /** The operator whose write token the projector accepts (cancel and release from the dashboard). */
    static final String OPERATOR = "it-operator";
    static final int DEFAULT_FLEET_SIZE = 8;

    final KafkaTestCluster kafka;
    final ApicurioRegistry registry;
    final HostkeySimulator simulator;
    final Path workDir;
    final SecretSealer sealer;
    final ReinstallTopics topics;
    final Map<String, Object> serdeConfig;
    final StateProjector projector;
    /** The Hostkey account's API key and PIN this stack runs with (the constants unless a test chose its own). */
    final String apiKey;
    final String pin;
    private final InvapiVariant variant;
    private final String queryToken = QueryApiSettings.generateToken();
    private final String writeToken = QueryApiSettings.generateToken();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    ReinstallStack(double timeScale) throws IOException {
        this(timeScale, SagaSettings.defaults(), AdmissionSettings.defaults());
    }

    ReinstallStack(double timeScale, SagaSettings saga, AdmissionSettings admission) throws IOException {
        this(timeScale, saga, admission, API_KEY, PIN);
    }

    /** A stack whose Hostkey account has the given API key and PIN (canary values, say). */
    ReinstallStack(double timeScale, SagaSettings saga, AdmissionSettings admission, String apiKey, String pin) throws IOException {
        this(timeScale, saga, admission, apiKey, pin, DEFAULT_FLEET_SIZE);
    }

    /** A stack whose simulator has {@code fleetSize} servers, 1001 on. */
    ReinstallStack(double timeScale, SagaSettings saga, AdmissionSettings admission, String apiKey, String pin, int fleetSize)
            throws IOException {
        this(timeScale, saga, admission, apiKey, pin, fleetSize, false);
    }

    /**
     * @param foreignAccount the simulator also has an account the services know nothing of, which
     *                       owns every other server (1002, 1004, ...)
     */
    ReinstallStack(double timeScale, SagaSettings saga, AdmissionSettings admission, String apiKey, String pin, int fleetSize,
                   boolean foreignAccount) throws IOException {
        this(timeScale, saga, admission, apiKey, pin, fleetSize, foreignAccount, InvapiVariant.DEFAULT);
    }

    /** A stack whose simulator speaks one variant of the assumed wire, and whose clients are set for it. */
    ReinstallStack(double timeScale, InvapiVariant variant) throws IOException {
        this(timeScale, SagaSettings.defaults(), AdmissionSettings.defaults(), API_KEY, PIN, DEFAULT_FLEET_SIZE, false, variant);
    }

    /**
     * How the simulator speaks (the assumed facts of docs/hostkey-invapi.md, one setting each) and
     * what the services' Hostkey clients are told of it.
     */
    record InvapiVariant(String name, Consumer<SimulatorConfig.Builder> simulator, Consumer<HostkeyClientConfig.Builder> client) {
        static final InvapiVariant DEFAULT = new InvapiVariant("default", sim -> { }, client -> { });

        @Override
        public String toString() {
            return name;
        }
    }

    private ReinstallStack(double timeScale, SagaSettings saga, AdmissionSettings admission, String apiKey, String pin, int fleetSize,
                           boolean foreignAccount, InvapiVariant variant) throws IOException {
        this.variant = variant;
        this.apiKey = apiKey;
        this.pin = pin;
        workDir = Files.createTempDirectory("reinstall-it-");
        kafka = KafkaTestCluster.start(1);
        closeables.add(kafka);
        registry = ApicurioRegistry.start();
        closeables.add(registry);
        SimulatorConfig.Builder simulatorConfig = SimulatorConfig.builder()
                .port(0)
                .timeScale(timeScale)
                .generatedFleet(fleetSize)
                .account("default", apiKey, pin);
        if (foreignAccount) {
            simulatorConfig.account("foreign", "foreign-" + UUID.randomUUID(), null);
        }
        variant.simulator().accept(simulatorConfig);
        simulator = HostkeySimulator.start(simulatorConfig.build());
        closeables.add(simulator);

        try (Admin admin = kafka.admin()) {
            TopicProvisioner.ensureTopics(admin, 3, (short) 1);
        }
        serdeConfig = Map.of(AvroSerde.SCHEMA_REGISTRY_URL, registry.url());
        topics = ReinstallTopics.create(serdeConfig);

        KeyPair pair = SealingKeys.generate();
        SealingKeys.writePair(pair, workDir, SEALING_KEY_ID);

        Map<String, byte[]> stepKeys = Map.of("it-step-key", StepAuthenticator.generateKey());

        String suffix = UUID.randomUUID().toString().substring(0, 8);
        projector = StateProjector.start(new ProjectorConfig(kafka.bootstrapServers(), registry.url(),
                "it-projector-" + suffix, projectorStateDir().toString(), "127.0.0.1", 0, 1,
                saga, admission, Duration.ofMillis(200), StepAuthenticator.of(stepKeys, "it-step-key")).withQueryApi(QueryApiSettings.ofTokens(List.of(queryToken))
                .withWriteTokens(Map.of(OPERATOR, writeToken))));
        closeables.add(projector);

        HostkeyClient handlerClient = hostkeyClient();
        closeables.add(handlerClient);
        HandlerConfig handlerConfig = new HandlerConfig(kafka.bootstrapServers(), registry.url(), "it-handler-" + suffix,
                "it-handler-" + suffix + "-0", Map.of(SEALING_KEY_ID, workDir.resolve(SEALING_KEY_ID + ".key.pem")),
                StepAuthenticator.verifier(stepKeys));
        // As an upstream producer does: seal to the first key of the JWK Set the handler serves.
        sealer = SecretSealer.fromJwkSet(handlerConfig.sealingJwks(), null);
        closeables.add(CommandHandler.start(handlerConfig,
                new StepExecutor(handlerClient, handlerConfig.secretOpener(),
                        new ReinstallValidator(ValidationLimits.defaults()), Clock.systemUTC())));

        HostkeyClient pollerClient = hostkeyClient();
        closeables.add(pollerClient);
        closeables.add(StagePoller.start(new PollerConfig(kafka.bootstrapServers(), registry.url(), "it-poller-" + suffix,
                Duration.ofMillis(100), 200), pollerClient, Clock.systemUTC()));
    }

    private HostkeyClient hostkeyClient() {
        HostkeyClientConfig.Builder config = HostkeyClientConfig.builder(simulator.baseUrl())
                .account("default", new Credentials(apiKey, pin))
                .requestsPerSecond(500);
        variant.client().accept(config);
        return new HostkeyClient(config.build());
    }

    /** Publishes an upstream command as a provisioning system would. */
    void submit(ReinstallRequest command) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, ReinstallRequest> producer = new KafkaProducer<>(config, new StringSerializer(),
                topics.requests.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, String.valueOf(command.getServerId()), command)).get();
        }
    }

    ReinstallRequest upstream(long server, Object payload) {
        return ReinstallRequest.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(server)
                .setIssuedAt(java.time.Instant.now())
                .setIssuedBy("it-upstream")
                .setPayload(payload)
                .build();
    }

    /** The completion records of one server, read_committed, as billing reads them. */
    List<ReinstallCompletion> completionsFor(long server) {
        return TopicReader.readAll(kafka.bootstrapServers(), ReinstallTopics.COMPLETIONS, topics.completions.valueSerde().deserializer())
                .stream()
                .filter(r -> r.key().equals(String.valueOf(server)))
                .map(ConsumerRecord::value)
                .toList();
    }

    /** The events of one server, in order. */
    List<ReinstallEvent> eventsFor(long server) {
        return TopicReader.readAll(kafka.bootstrapServers(), ReinstallTopics.EVENTS, topics.events.valueSerde().deserializer())
                .stream()
                .filter(r -> r.key().equals(String.valueOf(server)))
                .map(ConsumerRecord::value)
                .toList();
    }

    String queryUrl(String path) {
        return projector.queryScheme() + "://127.0.0.1:" + projector.queryPort() + path;
    }

    /** The bearer token the query API accepts: send it as {@code Authorization: Bearer <token>}. */
    String queryToken() {
        return queryToken;
    }

    /** {@link #OPERATOR}'s write token: reads too, and may cancel and release (dashboard actions). */
    String writeToken() {
        return writeToken;
    }

    /** The projector's state directory (RocksDB stores, checkpoints). */
    Path projectorStateDir() {
        return workDir.resolve("state");
    }

    @Override
    public void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }
}
