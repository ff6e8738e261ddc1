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
import com.hostkey.reinstall.projector.http.QueryApiSettings;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.runtime.TopicProvisioner;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.BootMedia;
import com.hostkey.reinstall.schemas.avro.DeadlineExceeded;
import com.hostkey.reinstall.schemas.avro.DeadlineKind;
import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.RebootServer;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallFailed;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.SetBootDevice;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.StepExpired;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.testkit.ApicurioRegistry;
import com.hostkey.reinstall.testkit.KafkaTestCluster;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A command handler frozen (SIGSTOP, as a long GC pause or a suspended VM would freeze it) while
 * the saga's RebootServer step waits for it, past the step's answer deadline: the saga gives up
 * and compensates, and when the handler wakes up the stale reboot it finds in its topic must not
 * run (invariants 2, 6 and 8).
 *
 * <p>The services run as real processes (projector, handler, poller; one broker) with short saga
 * deadlines: a step's answer deadline is {@value #COMMAND_ANSWER_SECONDS} s and its start window
 * (notAfter) half of that. The simulator's boot_dev takes 3 s of real time, so the handler can be
 * frozen right after it answered the boot_dev pxe step, before the reboot step exists.
 *
 * <p>Before the fix (no notAfter on steps, no StepExpired) this test fails: the resumed handler
 * runs its server's steps in offset order, so the stale RebootServer step comes first and is
 * called while the server still boots from PXE with a PXE config in place: Hostkey accepts an
 * eq/reboot after the reinstall was told to stop, the server boots into the installer of a
 * reinstall its saga has already abandoned ({@code installsAfterStop} not empty, an install
 * started after the mark), and the compensation's boot_dev disk and clear_pxe then land in the
 * middle of that install.
 */
class PausedHandlerIT {

    private static final int COMMAND_ANSWER_SECONDS = 15;
    private static final long SERVER = 1001;
    private static final String API_KEY = "paused-api-key-" + UUID.randomUUID();
    private static final String PIN = "1357";
    private static final String KEY_ID = "paused-key";

    @Test
    void shouldNotRebootWhenAHandlerPausedPastTheAnswerDeadlineWakesUpAfterTheSagaGaveUp() throws Exception {
        Path work = Files.createTempDirectory("paused-handler-");
        Path logs = Files.createDirectories(Path.of("target", "paused-handler-logs", work.getFileName().toString()));

        try (KafkaTestCluster kafka = KafkaTestCluster.start(1);
             ApicurioRegistry registry = ApicurioRegistry.start();
             HostkeySimulator simulator = HostkeySimulator.start(SimulatorConfig.builder()
                     .port(0)
                     .timeScale(60)
                     .generatedFleet(2)
                     .account("default", API_KEY, PIN)
                     // 180 s simulated = 3 s real: the window between the handler's answer to the
                     // boot_dev pxe step and the reboot step the saga issues once boot_dev completed.
                     .actionDelay("boot_dev", Duration.ofSeconds(180))
                     .build())) {
            try (Admin admin = kafka.admin()) {
                TopicProvisioner.ensureTopics(admin, 3, (short) 1);
            }
            KeyPair keys = SealingKeys.generate();
            SealingKeys.writePair(keys, work, KEY_ID);
            String stepKeys = "paused-step=" + StepAuthenticator.writeKey(StepAuthenticator.generateKey(), work, "paused-step");
            Files.writeString(work.resolve("api-key"), API_KEY);
            Files.writeString(work.resolve("pin"), PIN);
            Files.writeString(work.resolve("api-token"), QueryApiSettings.generateToken());
            int projectorPort = freePort();
            int handlerPort = freePort();
            int pollerPort = freePort();

            Map<String, String> common = Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "SCHEMA_REGISTRY_URL", registry.url(),
                    "HOSTKEY_BASE_URL", simulator.baseUrl(),
                    "HOSTKEY_API_KEY_FILE", work.resolve("api-key").toString(),
                    "HOSTKEY_PIN_FILE", work.resolve("pin").toString(),
                    "KAFKA_REPLICATION_FACTOR", "1",
                    "TOPIC_PARTITIONS", "3");
            ServiceProcess projector = ServiceProcess.ofModule("projector", "state-projector", with(common, Map.ofEntries(
                    Map.entry("PROJECTOR_APPLICATION_ID", "paused-projector"),
                    Map.entry("STEP_AUTH_KEYS", stepKeys),
                    Map.entry("PROJECTOR_STATE_DIR", work.resolve("projector-state").toString()),
                    Map.entry("PROJECTOR_HTTP_PORT", String.valueOf(projectorPort)),
                    Map.entry("PROJECTOR_API_TOKENS_FILE", work.resolve("api-token").toString()),
                    Map.entry("PROJECTOR_TIMER_INTERVAL_MS", "250"),
                    Map.entry("SAGA_COMMAND_ANSWER_SECONDS", String.valueOf(COMMAND_ANSWER_SECONDS)),
                    Map.entry("SAGA_ACTION_CALLBACK_SECONDS", "30"),
                    Map.entry("SAGA_FIRST_STAGE_SECONDS", "60"),
                    Map.entry("SAGA_NEXT_STAGE_SECONDS", "60"),
                    Map.entry("SAGA_WHOLE_REINSTALL_SECONDS", "300"),
                    Map.entry("SAGA_RETRY_BACKOFF_SECONDS", "1"),
                    Map.entry("SAGA_MAX_RETRY_BACKOFF_SECONDS", "2"))), logs, work);
            ServiceProcess handler = ServiceProcess.ofModule("handler", "command-handler", with(common, Map.of(
                    "SEALING_PRIVATE_KEYS", KEY_ID + "=" + work.resolve(KEY_ID + ".key.pem"),
                    "STEP_AUTH_KEYS", stepKeys,
                    "HANDLER_TRANSACTIONAL_ID", "paused-handler-0",
                    "HANDLER_INSTANCE_ID", "paused-handler-0",
                    "HANDLER_HTTP_PORT", String.valueOf(handlerPort))), logs, work);
            ServiceProcess poller = ServiceProcess.ofModule("poller", "stage-poller", with(common, Map.of(
                    "POLLER_INTERVAL_MS", "200",
                    "POLLER_INSTANCE_ID", "paused-poller-0",
                    "POLLER_HTTP_PORT", String.valueOf(pollerPort))), logs, work);
            List<ServiceProcess> services = List.of(projector, handler, poller);
            ReinstallTopics topics = ReinstallTopics.create(Map.of(AvroSerde.SCHEMA_REGISTRY_URL, registry.url()));

            try (Tail<ReinstallEvent> events = new Tail<>(kafka.bootstrapServers(), ReinstallTopics.EVENTS, topics.events.valueSerde().deserializer());
                 Tail<StepCommand> steps = new Tail<>(kafka.bootstrapServers(), ReinstallTopics.STEPS, topics.steps.valueSerde().deserializer())) {
                services.forEach(ServiceProcess::start);
                try {
                    await("projector, handler and poller ready (logs in " + logs.toAbsolutePath() + ")")
                            .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                            .until(() -> ready(projectorPort) && ready(handlerPort) && ready(pollerPort));

                    String requestId = "paused-" + UUID.randomUUID();
                    // Sealed as an upstream producer does: to the first key of the JWK Set the handler process serves.
                    com.nimbusds.jose.jwk.JWKSet served = com.nimbusds.jose.jwk.JWKSet.load(
                            java.net.URI.create("http://127.0.0.1:" + handlerPort + SealingKeys.JWKS_PATH).toURL());
                    assertThat(served.getKeys()).singleElement().satisfies(key -> assertThat(key.isPrivate()).isFalse());
                    submit(kafka, topics, reinstall(requestId, SecretSealer.fromJwkSet(served, null)));

                    // The handler answered the boot_dev pxe step: freeze it before the reboot step exists.
                    events.await("the handler's answer to boot_dev pxe", Duration.ofSeconds(60),
                            e -> e.getPayload() instanceof ActionAccepted a && a.getAction() == AsyncActionKind.BOOT_FROM_PXE);
                    handler.pause();
                    Instant pausedAt = Instant.now();
                    StepCommand reboot = steps.await("the RebootServer step", Duration.ofSeconds(30),
                            s -> s.getPayload() instanceof RebootServer);
                    assertThat(simulator.audit("eq", "reboot")).as("no reboot while the handler is frozen").isEmpty();

                    // Past the answer deadline the saga gives up: the moment its reinstall is told to stop.
                    DeadlineExceeded exceeded = (DeadlineExceeded) events.await("DeadlineExceeded of the reboot step",
                            Duration.ofSeconds(COMMAND_ANSWER_SECONDS + 30),
                            e -> e.getPayload() instanceof DeadlineExceeded d && d.getPhase() == ReinstallPhase.REBOOTING).getPayload();
                    Instant stopAt = simulator.reinstallStopped(SERVER, "saga gave up on the reboot step");
                    assertThat(exceeded.getDeadline()).isEqualTo(DeadlineKind.COMMAND_ANSWER);
                    StepCommand bootDisk = steps.await("the compensation's boot_dev disk step", Duration.ofSeconds(30),
                            s -> s.getPayload() instanceof SetBootDevice b && b.getMedia() == BootMedia.DISK);
                    assertThat(Instant.now()).as("the stale step is past its start window")
                            .isAfter(reboot.getNotAfter().plusSeconds(1));
                    Duration frozen = Duration.between(pausedAt, Instant.now());
                    handler.resume();

                    ReinstallCompletion completion = await("the completion of " + requestId + " (logs in " + logs.toAbsolutePath() + ")")
                            .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                            .until(() -> completionsOf(kafka, topics, requestId), list -> !list.isEmpty())
                            .get(0);
                    System.out.printf("PAUSED: handler frozen %d ms; reboot step %s notAfter %s; compensation step %s%n",
                            frozen.toMillis(), reboot.getCommandId(), reboot.getNotAfter(), bootDisk.getCommandId());

                    // One terminal record, FAILED on the reboot's deadline, after the cleanup.
                    assertThat(completionsOf(kafka, topics, requestId)).as("terminal records of %s", requestId).hasSize(1);
                    assertThat(completion.getOutcome()).isInstanceOfSatisfying(ReinstallFailed.class, failed -> {
                        assertThat(failed.getKind()).isEqualTo(FailureKind.DEADLINE);
                        assertThat(failed.getPhase()).isEqualTo(ReinstallPhase.REBOOTING);
                    });

                    // Hostkey's record: no move towards an install after the stop, the cleanup done.
                    InvariantReport report = simulator.invariantReport();
                    assertThat(report.installsAfterStop()).as("installs after stop (%s)", report).isEmpty();
                    List<AuditEntry> serverCalls = simulator.audit().stream().filter(a -> Long.valueOf(SERVER).equals(a.serverId())).toList();
                    List<String> afterStop = serverCalls.stream()
                            .filter(a -> !a.at().isBefore(stopAt))
                            .filter(a -> !a.module().equals("eq_callback") && !a.module().equals("auth"))
                            .map(PausedHandlerIT::describe)
                            .toList();
                    assertThat(afterStop).as("calls after the stop mark")
                            .noneMatch(c -> c.startsWith("eq/reboot") || c.startsWith("eq/boot_dev:pxe") || c.startsWith("eq/create_pxe"))
                            .containsSubsequence("eq/boot_dev:disk OK", "eq/clear_pxe OK");
                    assertThat(serverCalls).as("eq/reboot calls for server %d, ever", SERVER).noneMatch(a -> a.call().equals("eq/reboot"));
                    ServerSnapshot server = simulator.server(SERVER);
                    assertThat(server.installsStarted()).as("installs started").isZero();
                    assertThat(server.bootDevice()).isEqualTo("disk");
                    assertThat(server.pxeConfigPresent()).isFalse();
                    assertThat(report.clean()).as("invariant report %s", report).isTrue();

                    // The handler answered the stale reboot StepExpired, without calling Hostkey.
                    StepExpired expired = (StepExpired) events.await("StepExpired for the stale reboot step " + reboot.getCommandId(),
                            Duration.ofSeconds(10), e -> e.getPayload() instanceof StepExpired
                                    && reboot.getCommandId().equals(e.getCommandId())).getPayload();
                    assertThat(expired.getCall()).isEqualTo("eq/reboot");
                    assertThat(expired.getNotAfter()).isEqualTo(reboot.getNotAfter());
                } finally {
                    if (handler.isAlive()) {
                        handler.resume();
                    }
                    services.forEach(ServiceProcess::close);
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A read_committed consumer of every partition of a topic from its beginning, kept open to watch it grow. */
    private static final class Tail<V> implements AutoCloseable {

        private final KafkaConsumer<String, V> consumer;
        private final List<ConsumerRecord<String, V>> seen = new ArrayList<>();

        Tail(String bootstrap, String topic, Deserializer<V> values) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "paused-tail-" + UUID.randomUUID());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            consumer = new KafkaConsumer<>(props, new StringDeserializer(), values);
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** Everything read so far, after one more short poll. */
        List<ConsumerRecord<String, V>> poll() {
            consumer.poll(Duration.ofMillis(50)).forEach(seen::add);
            return seen;
        }

        /** The first record of {@link #SERVER} matching {@code what}, waiting for it (the test thread polls). */
        V await(String description, Duration atMost, Predicate<V> what) {
            return org.awaitility.Awaitility.await(description).atMost(atMost).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                    .until(() -> poll().stream()
                            .filter(r -> String.valueOf(SERVER).equals(r.key()) && what.test(r.value()))
                            .map(ConsumerRecord::value)
                            .findFirst(), Optional::isPresent)
                    .orElseThrow();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private static ReinstallRequest reinstall(String requestId, SecretSealer sealer) {
        return ReinstallRequest.newBuilder()
                .setCommandId(UUID.randomUUID().toString())
                .setServerId(SERVER)
                .setIssuedAt(Instant.now())
                .setIssuedBy("paused-it")
                .setPayload(ReinstallServer.newBuilder()
                        .setRequestId(requestId)
                        .setOsId(101)
                        .setHostname("srv" + SERVER + ".paused.example.net")
                        .setRootPassword(sealer.seal("Paused7%Password"))
                        .build())
                .build();
    }

    private static void submit(KafkaTestCluster kafka, ReinstallTopics topics, ReinstallRequest request) throws Exception {
        try (KafkaProducer<String, ReinstallRequest> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                topics.requests.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, String.valueOf(request.getServerId()), request)).get();
        }
    }

    private static List<ReinstallCompletion> completionsOf(KafkaTestCluster kafka, ReinstallTopics topics, String requestId) {
        return TopicReader.readAll(kafka.bootstrapServers(), ReinstallTopics.COMPLETIONS, topics.completions.valueSerde().deserializer())
                .stream().map(ConsumerRecord::value).filter(c -> c.getRequestId().equals(requestId)).toList();
    }

    /** {@code module/action}, boot_dev with its media, and the outcome: {@code eq/boot_dev:disk OK}. */
    private static String describe(AuditEntry entry) {
        String call = entry.call().equals("eq/boot_dev") ? entry.call() + ":" + entry.params().get("media") : entry.call();
        return call + " " + entry.outcome();
    }

    private static boolean ready(int port) {
        try {
            HttpResponse<Void> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static Map<String, String> with(Map<String, String> base, Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(base);
        all.putAll(extra);
        return all;
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
