package com.hostkey.reinstall.bench.infra;

import com.hostkey.reinstall.testkit.ServiceProcess;
import com.hostkey.invapi.simulator.HostkeySimulator;
import com.hostkey.invapi.simulator.SimulatorConfig;
import com.hostkey.reinstall.bench.BenchContext;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.runtime.TopicProvisioner;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.testkit.KafkaTestCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The system as deployed, on this one machine: a KRaft broker (in the harness JVM), the shared
 * schema registry, the Hostkey simulator (in the harness JVM, optionally behind a
 * {@link RecordingProxy}), and the three services as separate JVM processes started from their
 * shaded jars with the environment deploy/stack.sh gives them.
 */
public final class BenchStack implements AutoCloseable {

    public static final String API_KEY = "bench-api-key-" + UUID.randomUUID();
    public static final String PIN = "8642";
    public static final String SEALING_KEY_ID = "bench-key";
    static final String STEP_KEY_ID = "bench-step-key";
    public static final String PROJECTOR = "projector";
    public static final String HANDLER = "handler";
    public static final String POLLER = "poller";
    public static final String HANDLER_GROUP = "bench-handler";
    public static final String PROJECTOR_APPLICATION_ID = "bench-projector";

    /** How to build a stack; every map is an environment override of one service. */
    public static final class Options {
        int partitions = 6;
        SimulatorConfig.Builder simulator = SimulatorConfig.builder();
        boolean proxy;
        List<String> services = List.of(PROJECTOR, HANDLER, POLLER);
        final Map<String, Map<String, String>> env = new HashMap<>();
        final Map<String, List<String>> jvmArgs = new HashMap<>();
        List<String> defaultJvmArgs = List.of("-Xmx256m");

        public Options simulator(SimulatorConfig.Builder builder) {
            this.simulator = builder;
            return this;
        }

        public Options proxy(boolean proxy) {
            this.proxy = proxy;
            return this;
        }

        public Options partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        /** Which services start with the stack ({@link #PROJECTOR}, {@link #HANDLER}, {@link #POLLER}). */
        public Options services(String... names) {
            this.services = List.of(names);
            return this;
        }

        public Options env(String service, String name, String value) {
            env.computeIfAbsent(service, s -> new LinkedHashMap<>()).put(name, value);
            return this;
        }

        /** The JVM flags of every service (deploy/stack.sh gives each {@code -Xmx256m}). */
        public Options jvmArgs(String... args) {
            this.defaultJvmArgs = List.of(args);
            return this;
        }
    }

    private final BenchContext context;
    private final Options options;
    public final KafkaTestCluster kafka;
    public final HostkeySimulator simulator;
    public final RecordingProxy proxy;
    public final ReinstallTopics topics;
    public final SecretSealer sealer;
    public final String queryToken = "bench-" + UUID.randomUUID() + UUID.randomUUID();
    private final Path dir;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final KafkaProducer<String, ReinstallRequest> commands;
    private final int queryPort;

    public BenchStack(BenchContext context, String name, Options options) throws Exception {
        this.context = context;
        this.options = options;
        this.dir = Files.createDirectories(context.workDir().resolve(name + "-" + Long.toString(System.nanoTime(), 36)));
        this.kafka = KafkaTestCluster.start(1);
        this.simulator = HostkeySimulator.start(options.simulator.port(0).account("default", API_KEY, PIN).build());
        this.proxy = options.proxy ? RecordingProxy.start(simulator.baseUrl()) : null;
        try (Admin admin = kafka.admin()) {
            TopicProvisioner.ensureTopics(admin, options.partitions, (short) 1);
        }
        Map<String, Object> serdeConfig = Map.of(AvroSerde.SCHEMA_REGISTRY_URL, context.registryUrl());
        this.topics = ReinstallTopics.create(serdeConfig);
        KeyPair keys = SealingKeys.generate();
        SealingKeys.writePair(keys, dir, SEALING_KEY_ID);
        this.sealer = new SecretSealer(SEALING_KEY_ID, keys.getPublic());
        StepAuthenticator.writeKey(StepAuthenticator.generateKey(), dir, STEP_KEY_ID);
        Files.writeString(dir.resolve("api-key"), API_KEY);
        Files.writeString(dir.resolve("pin"), PIN);
        Files.writeString(dir.resolve("api-token"), queryToken);
        this.queryPort = freePort();
        this.commands = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), topics.requests.valueSerde().serializer());
        for (String service : List.of(PROJECTOR, HANDLER, POLLER)) {
            services.put(service, new ServiceProcess(name + "-" + service, context.java(), context.serviceJar(moduleOf(service)),
                    environment(service), jvmArgsOf(service, name), context.logDir().resolve(name + "-" + service + ".log")));
        }
        for (String service : options.services) {
            start(service);
        }
    }

    private static String moduleOf(String service) {
        return switch (service) {
            case PROJECTOR -> "state-projector";
            case HANDLER -> "command-handler";
            case POLLER -> "stage-poller";
            default -> throw new IllegalArgumentException("no service " + service);
        };
    }

    private List<String> jvmArgsOf(String service, String stackName) {
        List<String> args = new ArrayList<>(options.jvmArgs.getOrDefault(service, options.defaultJvmArgs));
        if (context.jfr()) {
            Path jfrDir;
            try {
                jfrDir = Files.createDirectories(context.resultsDir().resolve("jfr"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            args.add("-XX:FlightRecorderOptions:stackdepth=512");
            args.add("-XX:StartFlightRecording=filename=" + jfrDir.resolve(stackName + "-" + service + ".jfr")
                    + ",settings=profile,dumponexit=true");
        }
        return args;
    }

    private Map<String, String> environment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("SCHEMA_REGISTRY_URL", context.registryUrl());
        env.put("HOSTKEY_BASE_URL", hostkeyBaseUrl());
        env.put("HOSTKEY_API_KEY_FILE", dir.resolve("api-key").toString());
        env.put("HOSTKEY_PIN_FILE", dir.resolve("pin").toString());
        env.put("KAFKA_REPLICATION_FACTOR", "1");
        env.put("TOPIC_PARTITIONS", String.valueOf(options.partitions));
        // Projector and handler share the key the steps are signed with.
        env.put("STEP_AUTH_KEYS", STEP_KEY_ID + "=" + dir.resolve(STEP_KEY_ID + ".step.key"));
        switch (service) {
            case PROJECTOR -> {
                env.put("PROJECTOR_APPLICATION_ID", PROJECTOR_APPLICATION_ID);
                env.put("PROJECTOR_STATE_DIR", dir.resolve("projector-state").toString());
                env.put("PROJECTOR_HTTP_PORT", String.valueOf(queryPort));
                env.put("PROJECTOR_API_TOKENS_FILE", dir.resolve("api-token").toString());
                // Static membership, as deployed: a restarted projector takes its tasks back at once.
                env.put("PROJECTOR_INSTANCE_ID", "bench-projector-0");
            }
            case HANDLER -> {
                // Metrics and health on a free port: several stacks and other developers share this machine.
                env.put("HANDLER_HTTP_PORT", "0");
                env.put("SEALING_PRIVATE_KEYS", SEALING_KEY_ID + "=" + dir.resolve(SEALING_KEY_ID + ".key.pem"));
                env.put("HANDLER_GROUP_ID", HANDLER_GROUP);
                env.put("HANDLER_TRANSACTIONAL_ID", "bench-handler-0");
                env.put("HANDLER_INSTANCE_ID", "bench-handler-0");
            }
            case POLLER -> {
                env.put("POLLER_HTTP_PORT", "0");
                env.put("POLLER_INSTANCE_ID", "bench-poller-0");
            }
            default -> throw new IllegalArgumentException(service);
        }
        env.putAll(options.env.getOrDefault(service, Map.of()));
        return env;
    }

    /** Where the services reach Hostkey: the proxy when there is one, else the simulator. */
    public String hostkeyBaseUrl() {
        return proxy != null ? proxy.baseUrl() : simulator.baseUrl();
    }

    public ServiceProcess service(String name) {
        return services.get(name);
    }

    /** Starts a service and waits until it is ready (projector: /ready; others: their start line). */
    public void start(String service) throws Exception {
        ServiceProcess process = services.get(service).start();
        awaitReady(service, Duration.ofSeconds(180));
        context.log(process.name() + " ready (pid " + process.pid() + ")");
    }

    /** Waits until a started service is ready to work. */
    public void awaitReady(String service, Duration timeout) throws Exception {
        ServiceProcess process = services.get(service);
        boolean ready = switch (service) {
            case PROJECTOR -> awaitReady(process, timeout);
            case HANDLER -> process.awaitLog("command-handler started", timeout);
            case POLLER -> process.awaitLog("stage-poller started", timeout);
            default -> false;
        };
        if (!ready) {
            throw new IllegalStateException(process.name() + " did not become ready within " + timeout + "; see " + process.log());
        }
    }

    private boolean awaitReady(ServiceProcess process, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (queryStatus("/ready") == 200) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The HTTP status of a GET on the projector's query API (with the bearer token); -1 when nothing answers. */
    public int queryStatus(String path) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + queryPort + path))
                    .header("Authorization", "Bearer " + queryToken).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Publishes upstream commands as a provisioning system would, and waits for the acknowledgements. */
    public void submit(List<ReinstallRequest> batch) {
        for (ReinstallRequest command : batch) {
            commands.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, String.valueOf(command.getServerId()), command));
        }
        commands.flush();
    }

    /** The number of records in a topic (sum of the end offsets; transaction markers included). */
    public long endOffsetSum(String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            description.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            long sum = 0;
            for (ListOffsetsResult.ListOffsetsResultInfo info : admin.listOffsets(request).all().get().values()) {
                sum += info.offset();
            }
            return sum;
        }
    }

    /**
     * Commits a group's offsets at the end of {@code topic}, as if it had consumed everything there is
     * now: a service deployed later starts with what comes next. The group must not be running.
     */
    public void skipBacklog(String group, String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            description.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets = new HashMap<>();
            admin.listOffsets(request).all().get().forEach((tp, info) ->
                    offsets.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(group, offsets).all().get();
        }
    }

    /** Records of {@code topic} the consumer group has not committed yet (0 for a partition it has not started). */
    public long lag(String group, String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            description.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            long lag = 0;
            for (var entry : admin.listOffsets(request).all().get().entrySet()) {
                var done = committed.get(entry.getKey());
                lag += entry.getValue().offset() - (done == null ? 0 : done.offset());
            }
            return lag;
        }
    }

    /** The simulator's fleet ids start here (generated fleets: 1001..). */
    public static long firstServerId() {
        return 1001;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String registryUrl() {
        return context.registryUrl();
    }

    @Override
    public void close() {
        services.values().forEach(ServiceProcess::close);
        commands.close(Duration.ofSeconds(5));
        http.close();
        if (proxy != null) {
            proxy.close();
        }
        simulator.close();
        kafka.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
