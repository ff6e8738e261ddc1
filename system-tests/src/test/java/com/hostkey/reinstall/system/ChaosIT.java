package com.hostkey.reinstall.system;

import com.hostkey.reinstall.testkit.TopicReader;
import com.hostkey.reinstall.testkit.ServiceProcess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hostkey.invapi.simulator.AuditEntry;
import com.hostkey.invapi.simulator.HostkeySimulator;
import com.hostkey.invapi.simulator.InvariantReport;
import com.hostkey.invapi.simulator.ServerSnapshot;
import com.hostkey.invapi.simulator.SimulatorConfig;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.runtime.TopicProvisioner;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.PartitionScheme;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.testkit.ApicurioRegistry;
import com.hostkey.reinstall.testkit.KafkaTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The proof of effectively-once under crashes: the three services as separate JVM processes (two
 * instances each) against a 3-broker cluster, the registry and a faulty simulator (latency, 5xx,
 * hangs, lost responses); while reinstalls run, random instances are SIGKILLed and restarted and
 * one broker is restarted. Afterwards the simulator's record and the topics (read_committed) must
 * show every safety invariant held.
 *
 * <p>Size knobs (system properties): {@code chaos.reinstalls} (default 40), {@code chaos.kills}
 * (default 4), {@code chaos.instances} (default 2), {@code chaos.seed}, {@code chaos.faultScale}
 * (default 1: multiplies every fault probability). The soak size named in the
 * issue is {@code -Dchaos.reinstalls=200 -Dchaos.kills=10}; run it alone with
 * {@code mvn -pl system-tests verify -Dit.test=ChaosIT -Dchaos.reinstalls=200 -Dchaos.kills=10}.
 */
@Tag("chaos")
class ChaosIT {

    private static final String API_KEY = "chaos-api-key-" + UUID.randomUUID();
    private static final String PIN = "2468";
    private static final String KEY_ID = "chaos-key";

    @Test
    void shouldKeepEverySafetyInvariantWhileProcessesAreKilled() throws Exception {
        int reinstalls = Integer.getInteger("chaos.reinstalls", 40);
        int kills = Integer.getInteger("chaos.kills", 4);
        int instances = Integer.getInteger("chaos.instances", 2);
        Random random = new Random(Long.getLong("chaos.seed", System.nanoTime()));
        Path work = Files.createTempDirectory("chaos-");
        Path logs = Files.createDirectories(Path.of("target", "chaos-logs", work.getFileName().toString()));

        try (KafkaTestCluster kafka = KafkaTestCluster.start(3);
             ApicurioRegistry registry = ApicurioRegistry.start();
             HostkeySimulator simulator = HostkeySimulator.start(SimulatorConfig.builder()
                     .port(0)
                     .timeScale(300)
                     .generatedFleet(reinstalls)
                     .account("default", API_KEY, PIN)
                     .build())) {
            injectFaults(simulator);
            try (Admin admin = kafka.admin()) {
                TopicProvisioner.ensureTopics(admin, 6, (short) 3);
            }
            KeyPair keys = SealingKeys.generate();
            SealingKeys.writePair(keys, work, KEY_ID);
            String stepKeys = "chaos-step=" + StepAuthenticator.writeKey(StepAuthenticator.generateKey(), work, "chaos-step");
            Files.writeString(work.resolve("api-key"), API_KEY);
            Files.writeString(work.resolve("pin"), PIN);
            String apiToken = "chaos-" + UUID.randomUUID() + UUID.randomUUID();
            Files.writeString(work.resolve("api-token"), apiToken);

            Map<String, String> common = Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "SCHEMA_REGISTRY_URL", registry.url(),
                    "HOSTKEY_BASE_URL", simulator.baseUrl(),
                    "HOSTKEY_API_KEY_FILE", work.resolve("api-key").toString(),
                    "HOSTKEY_PIN_FILE", work.resolve("pin").toString(),
                    "KAFKA_REPLICATION_FACTOR", "3",
                    "TOPIC_PARTITIONS", "6",
                    "KAFKA_SESSION_TIMEOUT_MS", "10000",
                    // Several instances on one host: each operations port is picked free.
                    "HANDLER_HTTP_PORT", "0",
                    "POLLER_HTTP_PORT", "0");
            List<ServiceProcess> services = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                services.add(ServiceProcess.ofModule("projector-" + i, "state-projector", with(common, Map.ofEntries(
                        Map.entry("PROJECTOR_APPLICATION_ID", "chaos-projector"),
                        Map.entry("STEP_AUTH_KEYS", stepKeys),
                        Map.entry("PROJECTOR_INSTANCE_ID", "chaos-projector-" + i),
                        Map.entry("PROJECTOR_STATE_DIR", work.resolve("projector-state-" + i).toString()),
                        Map.entry("PROJECTOR_HTTP_PORT", String.valueOf(freePort())),
                        Map.entry("PROJECTOR_API_TOKENS_FILE", work.resolve("api-token").toString()),
                        Map.entry("PROJECTOR_TIMER_INTERVAL_MS", "500"),
                        Map.entry("SAGA_COMMAND_ANSWER_SECONDS", "120"),
                        Map.entry("SAGA_ACTION_CALLBACK_SECONDS", "60"),
                        Map.entry("SAGA_FIRST_STAGE_SECONDS", "45"),
                        Map.entry("SAGA_NEXT_STAGE_SECONDS", "45"),
                        Map.entry("SAGA_WHOLE_REINSTALL_SECONDS", "600"),
                        Map.entry("SAGA_RETRY_BACKOFF_SECONDS", "1"),
                        Map.entry("SAGA_MAX_RETRY_BACKOFF_SECONDS", "5"))), logs, work));
                services.add(ServiceProcess.ofModule("handler-" + i, "command-handler", with(common, Map.of(
                        "SEALING_PRIVATE_KEYS", KEY_ID + "=" + work.resolve(KEY_ID + ".key.pem"),
                        "STEP_AUTH_KEYS", stepKeys,
                        "HANDLER_TRANSACTIONAL_ID", "chaos-handler-" + i,
                        "HANDLER_INSTANCE_ID", "chaos-handler-" + i,
                        // The account's request budget bounds throughput: 200 validations of 3 reads each at
                        // the default 10 req/s would take a minute, and deadlines would end them.
                        "HOSTKEY_RATE_LIMIT_RPS", "100",
                        "HOSTKEY_ACTION_TIMEOUT_MS", "3000",
                        "HOSTKEY_READ_TIMEOUT_MS", "3000")), logs, work));
                services.add(ServiceProcess.ofModule("poller-" + i, "stage-poller", with(common, Map.of(
                        "POLLER_INTERVAL_MS", "300",
                        "POLLER_INSTANCE_ID", "chaos-poller-" + i,
                        "POLLER_MAX_REQUESTS_PER_SECOND", "200",
                        "HOSTKEY_RATE_LIMIT_RPS", "200",
                        "HOSTKEY_CALLBACK_TIMEOUT_MS", "3000")), logs, work));
            }
            services.forEach(ServiceProcess::start);

            SecretSealer sealer = new SecretSealer(KEY_ID, keys.getPublic());
            ReinstallTopics topics = ReinstallTopics.create(Map.of(AvroSerde.SCHEMA_REGISTRY_URL, registry.url()));
            Map<Long, String> requests = new LinkedHashMap<>();
            try (KafkaProducer<String, ReinstallRequest> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                    topics.requests.valueSerde().serializer())) {
                for (long server = 1001; server < 1001 + reinstalls; server++) {
                    String requestId = "chaos-" + server + "-" + UUID.randomUUID();
                    requests.put(server, requestId);
                    producer.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, String.valueOf(server), reinstall(server, requestId, sealer)));
                }
                producer.flush();
            }

            // Chaos: kill a random instance, let the rest carry on, start it again; one broker restart.
            int brokerRestartAt = kills / 2;
            List<String> killed = new ArrayList<>();
            // Every instance is a victim before any is hit twice, in random order.
            List<ServiceProcess> victims = new ArrayList<>(services);
            java.util.Collections.shuffle(victims, random);
            for (int k = 0; k < kills; k++) {
                Thread.sleep(2_000 + random.nextInt(3_000));
                ServiceProcess victim = victims.get(k % victims.size());
                victim.kill();
                killed.add(victim.name());
                Thread.sleep(500 + random.nextInt(1_500));
                victim.start();
                if (k == brokerRestartAt) {
                    restartOneBroker(kafka, random);
                }
            }

            await("a completion for every request").atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> completedRequests(kafka, topics, requests) == requests.size());
            services.forEach(ServiceProcess::close);

            Report report = check(kafka, topics, simulator, requests);
            System.out.printf("%nCHAOS: %d reinstalls, %d kills %s, 1 broker restart%n", reinstalls, kills, killed);
            System.out.println("CHAOS: " + report);
            outcomeSummary(kafka, topics).forEach((outcome, count) -> System.out.printf("CHAOS outcome %5d x %s%n", count, outcome));
            assertThat(report.missingOrDuplicateCompletions).as("requests without exactly one terminal record").isZero();
            assertThat(report.reinstalledTwice).as("servers reinstalled more than once for one request").isZero();
            assertThat(report.suddenReinstalls).as("sudden reinstalls").isZero();
            assertThat(report.pxeCallsAfterEnd).as("create_pxe / boot_dev pxe / reboot after the last clear_pxe").isZero();
            assertThat(report.notAtRest).as("servers not booting from disk or with a PXE config left").isZero();
            assertThat(report.lostStages).as("completed reinstalls missing stage events").isZero();
            assertThat(report.completed).as("some reinstalls complete despite the chaos").isPositive();
        }
    }

    private static void injectFaults(HostkeySimulator simulator) {
        // chaos.faultScale multiplies every fault probability: a hunt for a rare violation runs hotter.
        double scale = Double.parseDouble(System.getProperty("chaos.faultScale", "1"));
        simulator.faults().seed(7);
        simulator.faults().global().latency(Duration.ofMillis(5), Duration.ofMillis(25)).serverError(0.02 * scale);
        simulator.faults().on("eq", "reboot").responseLost(0.03 * scale);
        simulator.faults().on("eq", "create_pxe").responseLost(0.02 * scale);
        simulator.faults().on("eq", "boot_dev").hang(0.02 * scale, Duration.ofSeconds(5));
        simulator.faults().on("eq_callback", "check").serverError(0.03 * scale);
    }

    private static void restartOneBroker(KafkaTestCluster kafka, Random random) {
        int id = new ArrayList<>(kafka.kit().brokers().keySet()).get(random.nextInt(kafka.kit().brokers().size()));
        var broker = kafka.kit().brokers().get(id);
        broker.shutdown();
        broker.awaitShutdown();
        broker.startup();
    }

    private static long completedRequests(KafkaTestCluster kafka, ReinstallTopics topics, Map<Long, String> requests) {
        var ids = new java.util.HashSet<>(requests.values());
        return TopicReader.readAll(kafka.bootstrapServers(), ReinstallTopics.COMPLETIONS, topics.completions.valueSerde().deserializer())
                .stream().map(r -> r.value().getRequestId()).filter(ids::contains).distinct().count();
    }

    /** What the run left behind, judged from the simulator's record and the topics. */
    private record Report(int completed, int failedOrCancelled, int missingOrDuplicateCompletions, int reinstalledTwice,
                          int suddenReinstalls, int pxeCallsAfterEnd, int notAtRest, int lostStages, int hostkeyCalls) {}

    private static Report check(KafkaTestCluster kafka, ReinstallTopics topics, HostkeySimulator simulator, Map<Long, String> requests) {
        Map<String, Long> completionsPerRequest = new HashMap<>();
        Map<Long, ReinstallCompletion> completionOf = new HashMap<>();
        for (ConsumerRecord<String, ReinstallCompletion> r : TopicReader.readAll(kafka.bootstrapServers(),
                ReinstallTopics.COMPLETIONS, topics.completions.valueSerde().deserializer())) {
            completionsPerRequest.merge(r.value().getRequestId(), 1L, Long::sum);
            completionOf.put(r.value().getServerId(), r.value());
        }
        int missingOrDuplicate = (int) requests.values().stream().filter(id -> completionsPerRequest.getOrDefault(id, 0L) != 1).count();

        Map<Long, List<Integer>> stages = new HashMap<>();
        for (ConsumerRecord<String, ReinstallEvent> r : TopicReader.readAll(kafka.bootstrapServers(),
                ReinstallTopics.EVENTS, topics.events.valueSerde().deserializer())) {
            if (r.value().getPayload() instanceof InstallStageReached stage) {
                stages.computeIfAbsent(r.value().getServerId(), s -> new ArrayList<>()).add(stage.getStage());
            }
        }
        int completed = 0;
        int lostStages = 0;
        for (Map.Entry<Long, ReinstallCompletion> entry : completionOf.entrySet()) {
            if (entry.getValue().getOutcome() instanceof ReinstallCompleted) {
                completed++;
                List<Integer> seen = stages.getOrDefault(entry.getKey(), List.of()).stream().distinct().sorted().toList();
                if (!seen.equals(List.of(1, 2, 3, 4, 5))) {
                    lostStages++;
                }
            }
        }

        int reinstalledTwice = 0;
        int notAtRest = 0;
        for (long server : requests.keySet()) {
            ServerSnapshot snapshot = simulator.server(server);
            if (snapshot.installsStarted() > 1) {
                reinstalledTwice++;
                // The evidence for whoever looks into it: every call Hostkey saw for the server, in
                // order (no parameters but boot_dev's media: the others may carry secrets).
                simulator.audit().stream().filter(a -> Long.valueOf(server).equals(a.serverId())).forEach(a ->
                        System.out.printf("CHAOS reinstalled twice: server %d %s %s/%s %s%s%n", server, a.at(), a.module(),
                                a.action(), a.outcome(), a.params().containsKey("media") ? " media=" + a.params().get("media") : ""));
            }
            if (!snapshot.bootDevice().equals("disk") || snapshot.pxeConfigPresent()) {
                notAtRest++;
            }
        }
        InvariantReport invariants = simulator.invariantReport();

        Map<Long, List<AuditEntry>> callsByServer = simulator.audit().stream()
                .filter(a -> a.serverId() != null)
                .collect(Collectors.groupingBy(AuditEntry::serverId));
        int pxeCallsAfterEnd = 0;
        for (List<AuditEntry> calls : callsByServer.values()) {
            int lastClear = -1;
            int lastPxeCall = -1;
            for (int i = 0; i < calls.size(); i++) {
                AuditEntry call = calls.get(i);
                if (call.call().equals("eq/clear_pxe") && call.outcome().startsWith("OK")) {
                    lastClear = i;
                }
                boolean pxeCall = call.call().equals("eq/create_pxe") || call.call().equals("eq/reboot")
                        || (call.call().equals("eq/boot_dev") && "pxe".equals(call.params().get("media")));
                if (pxeCall) {
                    lastPxeCall = i;
                }
            }
            if (lastClear >= 0 && lastPxeCall > lastClear) {
                pxeCallsAfterEnd++;
            }
        }
        return new Report(completed, completionOf.size() - completed, missingOrDuplicate, reinstalledTwice,
                invariants.suddenReinstalls(), pxeCallsAfterEnd, notAtRest, lostStages, simulator.audit().size());
    }

    /** Outcomes by kind, phase and the start of the message: what failed, where and why. */
    private static Map<String, Long> outcomeSummary(KafkaTestCluster kafka, ReinstallTopics topics) {
        return TopicReader.readAll(kafka.bootstrapServers(), ReinstallTopics.COMPLETIONS, topics.completions.valueSerde().deserializer())
                .stream()
                .map(r -> switch (r.value().getOutcome()) {
                    case com.hostkey.reinstall.schemas.avro.ReinstallFailed f -> "FAILED " + f.getKind() + " in " + f.getPhase() + ": "
                            + f.getMessage().substring(0, Math.min(90, f.getMessage().length()));
                    case com.hostkey.reinstall.schemas.avro.ReinstallRejected j -> "REJECTED " + j.getReason();
                    case com.hostkey.reinstall.schemas.avro.ReinstallCancelled c -> "CANCELLED";
                    default -> "COMPLETED";
                })
                .collect(Collectors.groupingBy(o -> o, java.util.TreeMap::new, Collectors.counting()));
    }

    private static ReinstallRequest reinstall(long server, String requestId, SecretSealer sealer) {
        return ReinstallRequest.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(server)
                .setIssuedAt(Instant.now())
                .setIssuedBy("chaos")
                .setPayload(ReinstallServer.newBuilder()
                        .setRequestId(requestId)
                        // The generated fleet cycles bm, bm, vm, gpu: GPU servers take the GPU image.
                        .setOsId((server - 1001) % 4 == 3 ? 301 : 101)
                        .setHostname("srv" + server + ".chaos.example.net")
                        .setRootPassword(sealer.seal("Chaos7%Password"))
                        .setPartitionScheme(PartitionScheme.LVM_RAID0)
                        .build())
                .build();
    }

    private static Map<String, String> with(Map<String, String> base, Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(base);
        all.putAll(extra);
        return all;
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
