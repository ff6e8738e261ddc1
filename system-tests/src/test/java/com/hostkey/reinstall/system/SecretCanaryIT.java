package com.hostkey.reinstall.system;

import com.hostkey.reinstall.runtime.DeadLetters;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.projector.saga.AdmissionSettings;
import com.hostkey.reinstall.projector.saga.DeadLetterHandler;
import com.hostkey.reinstall.projector.saga.SagaSettings;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.PollTargets;
import com.hostkey.reinstall.schemas.avro.ReinstallCancelled;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallFailed;
import com.hostkey.reinstall.schemas.avro.ReinstallRejected;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The proof that no secret leaks: reinstalls run with canary values for the root password, the
 * post-install script, the Hostkey API key and PIN (one completed, one failed, one cancelled, one
 * rejected, and a poison record on every input topic), then every place a secret could end up is
 * scanned byte for byte: every topic (internal ones, changelogs and dead letters included, aborted
 * transactions included), the broker's log segments on disk, every log line the services, the
 * simulator and the broker wrote (services at DEBUG) and everything printed to stdout/stderr, the
 * projector's state directory, the query API's answers, and the simulator's audit output.
 *
 * <p>Each canary is searched raw, URL-encoded and by a random core of plain letters and digits
 * that survives any text encoding. Expected hits: zero.
 */
class SecretCanaryIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Marks the places where the canaries are planted on purpose, to prove the scan finds them. */
    private static final String CONTROL = "canary-positive-control";
    private static final String PASSWORD_CORE = "pw" + hex(8);
    /** Hostkey's rule: 8-30 of A-Z a-z 0-9 % - _ +, an upper, a lower, a digit and a special. */
    private static final String ROOT_PASSWORD = "Cn" + PASSWORD_CORE + "7%";
    private static final String SCRIPT_CORE = "sc" + hex(10);
    private static final String POST_INSTALL_SCRIPT = "#!/bin/sh\necho " + SCRIPT_CORE + " > /root/canary\n";
    private static final String API_KEY = "ak" + hex(12);
    private static final String PIN = "pin" + hex(8);

    private static final long COMPLETED = 1001;
    private static final long FAILED = 1002;
    private static final long CANCELLED = 1003;
    private static final long REJECTED = 1004;

    /** The simulator's stall holds the cancelled install at stage 3; the stage deadline is long enough to cancel first. */
    private static final SagaSettings SAGA = new SagaSettings(Duration.ofSeconds(20), Duration.ofSeconds(20),
            Duration.ofSeconds(20), Duration.ofSeconds(60), Duration.ofSeconds(20), Duration.ofSeconds(180),
            Duration.ofSeconds(60), 3, Duration.ofMillis(200), Duration.ofSeconds(1), 1, 3, Duration.ofDays(7));

    private final Map<String, List<byte[]>> needles = needles();
    private final List<String> hits = new ArrayList<>();
    private final Map<String, long[]> scanned = new LinkedHashMap<>();

    @Test
    void shouldLeaveNoCanaryInAnyTopicLogStateDirectoryQueryAnswerOrAudit() throws Exception {
        Path logDir = Files.createTempDirectory("canary-logs-");
        CapturedOutput output = CapturedOutput.start(logDir);
        Path stateDir;
        try {
            try (ReinstallStack stack = new ReinstallStack(200.0, SAGA, AdmissionSettings.defaults(), API_KEY, PIN)) {
                stateDir = stack.projectorStateDir();
                runReinstallsAndPoison(stack);
                plantPositiveControls(stack);
                scanTopics(stack);
                scanBrokerLogDirectories(stack);
                scanQueryAnswers(stack);
                scanAudit(stack);
            }
            // Closed: RocksDB has flushed its memtables to files, the checkpoints are written.
            scanFiles("projector state directory", stateDir);
        } finally {
            output.stop();
        }
        scanLogs(output);

        System.out.println("=== secret canary scan ===");
        scanned.forEach((what, n) -> System.out.printf("  %-32s %,10d items %,14d bytes%n", what, n[0], n[1]));
        System.out.printf("  canaries: %s (raw, URL-encoded and core forms)%n", needles.keySet());
        List<String> controls = hits.stream().filter(h -> h.contains(CONTROL)).toList();
        List<String> leaks = hits.stream().filter(h -> !h.contains(CONTROL)).toList();
        System.out.printf("  positive controls found: %d (planted on purpose: a topic and a log line holding every canary)%n",
                controls.size());
        System.out.printf("  hits: %d%n", leaks.size());
        leaks.stream().limit(50).forEach(h -> System.out.println("  HIT " + h));
        assertThat(scanned).containsKeys("topics", "topic records", "broker log files", "log lines", "stdout/stderr lines",
                "projector state directory", "query answers", "simulator audit");
        assertThat(scanned.get("topic records")[0]).isPositive();
        assertThat(scanned.get("projector state directory")[0]).isPositive();
        // The scan can see: every canary planted on purpose was found in every kind of place it was planted.
        for (String canary : needles.keySet()) {
            for (String place : List.of("topic " + CONTROL, "broker log files " + CONTROL, "log lines", "stdout/stderr lines")) {
                assertThat(controls).as("the planted %s found in %s", canary, place)
                        .anyMatch(h -> h.startsWith(canary + " in " + place));
            }
        }
        assertThat(leaks).as("places where a secret canary was found").isEmpty();
    }

    // ------------------------------------------------------------------ the run

    private void runReinstallsAndPoison(ReinstallStack stack) throws Exception {
        stack.simulator.faults().jenkinsTaskFails("monitoring-agent");
        stack.simulator.faults().installStallsAt(CANCELLED, 3);
        String completed = submit(stack, COMPLETED, "srv1001.canary.example.net", List.of());
        String failed = submit(stack, FAILED, "srv1002.canary.example.net", List.of("monitoring-agent"));
        String cancelled = submit(stack, CANCELLED, "srv1003.canary.example.net", List.of());
        String rejected = submit(stack, REJECTED, "bad_host name.example.net", List.of());
        poisonEveryInputTopic(stack);

        await("the cancelled install under way").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                .until(() -> stageOf(stack, CANCELLED) >= 2);
        stack.submit(stack.upstream(CANCELLED, CancelReinstall.newBuilder().setReason("canary run").build()));

        assertThat(awaitCompletion(stack, COMPLETED, completed).getOutcome()).isInstanceOf(ReinstallCompleted.class);
        assertThat(awaitCompletion(stack, FAILED, failed).getOutcome()).isInstanceOf(ReinstallFailed.class);
        assertThat(awaitCompletion(stack, CANCELLED, cancelled).getOutcome()).isInstanceOf(ReinstallCancelled.class);
        assertThat(awaitCompletion(stack, REJECTED, rejected).getOutcome()).isInstanceOf(ReinstallRejected.class);
        // Each poison record was set aside, by the projector (under exactly-once), the handler and the poller alike.
        await("the dead letters").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            List<String> sources = deadLetterSources(stack);
            assertThat(sources).contains("state-projector:" + ReinstallTopics.REQUESTS, "state-projector:" + ReinstallTopics.EVENTS,
                    "state-projector:" + ReinstallTopics.ADMISSIONS);
            assertThat(sources).anyMatch(s -> s.endsWith(":" + ReinstallTopics.POLL_TARGETS));
            assertThat(sources).contains("command-handler:" + ReinstallTopics.STEPS);
        });
    }

    private static String submit(ReinstallStack stack, long server, String hostname, List<String> tasks) throws Exception {
        String requestId = "canary-" + UUID.randomUUID();
        stack.submit(stack.upstream(server, ReinstallServer.newBuilder()
                .setRequestId(requestId)
                .setOsId(101)
                .setHostname(hostname)
                .setRootPassword(stack.sealer.seal(ROOT_PASSWORD))
                .setPostInstallScript(stack.sealer.seal(POST_INSTALL_SCRIPT))
                .setJenkinsTasks(tasks)
                .build()));
        return requestId;
    }

    /** Unreadable bytes, an unknown schema id and a record of another type: none holds a canary. */
    private static void poisonEveryInputTopic(ReinstallStack stack) throws Exception {
        // Registered under a subject of its own: on reinstall-admissions-value it would block the real schema.
        byte[] wrongType = AvroSerde.of(PollTargets.class, stack.serdeConfig, false).serializer().serialize("canary-wrong-type",
                PollTargets.newBuilder().setServerId(1005).setReinstallId("poison").setKeys(List.of()).build());
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, utf8("1005"), utf8("{\"not\":\"avro\"}"))).get();
            producer.send(new ProducerRecord<>(ReinstallTopics.EVENTS, utf8("1005"), new byte[] {0, 0x7f, 0, 0, 9, 1, 2, 3})).get();
            producer.send(new ProducerRecord<>(ReinstallTopics.ADMISSIONS, utf8(ReinstallTopics.ADMISSION_SCOPE), wrongType)).get();
            producer.send(new ProducerRecord<>(ReinstallTopics.POLL_TARGETS, utf8("1006"), utf8("garbage"))).get();
            producer.send(new ProducerRecord<>(ReinstallTopics.STEPS, utf8("1005"), utf8("forged"))).get();
        }
    }

    private static List<String> deadLetterSources(ReinstallStack stack) {
        List<String> sources = new ArrayList<>();
        readRaw(stack.kafka.bootstrapServers(), ReinstallTopics.DEAD_LETTERS, record -> sources.add(
                header(record, DeadLetters.SERVICE) + ":" + header(record, DeadLetters.SOURCE_TOPIC)));
        return sources;
    }

    private static int stageOf(ReinstallStack stack, long server) throws Exception {
        HttpResponse<String> response = query(stack, "/reinstalls/" + server, true);
        return response.statusCode() == 200 ? new ObjectMapper().readTree(response.body()).path("installStage").asInt() : 0;
    }

    private static ReinstallCompletion awaitCompletion(ReinstallStack stack, long server, String requestId) {
        return await("the completion of " + requestId).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> stack.completionsFor(server).stream().filter(c -> c.getRequestId().equals(requestId)).toList(),
                        list -> !list.isEmpty())
                .get(0);
    }

    /**
     * Proof that the scan would see a leak: every canary written to a topic of its own and to one
     * log line (and stdout) marked {@value #CONTROL}; those hits must be found, and only those.
     */
    private static void plantPositiveControls(ReinstallStack stack) throws Exception {
        String all = String.join(" ", ROOT_PASSWORD, POST_INSTALL_SCRIPT, API_KEY, PIN);
        // One line, so every line holding a planted canary carries the marker (the script's core stands for it).
        String oneLine = String.join(" ", ROOT_PASSWORD, SCRIPT_CORE, API_KEY, PIN);
        try (Admin admin = stack.kafka.admin()) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(CONTROL, 1, (short) 1))).all().get();
        }
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(CONTROL, utf8("control"), utf8(all))).get();
        }
        LoggerFactory.getLogger(CONTROL).info("{} {}", CONTROL, oneLine);
        System.out.println(CONTROL + " " + oneLine);
    }

    // ------------------------------------------------------------------ the scans

    private void scanTopics(ReinstallStack stack) throws Exception {
        List<String> topics;
        try (Admin admin = stack.kafka.admin()) {
            topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get().stream().sorted().toList();
        }
        count("topics", topics.size(), 0);
        for (String topic : topics) {
            readRaw(stack.kafka.bootstrapServers(), topic, record -> {
                String where = "topic " + topic + "-" + record.partition() + "@" + record.offset();
                long bytes = search(where + " key", record.key()) + search(where + " value", record.value());
                for (Header header : record.headers()) {
                    bytes += search(where + " header " + header.key(), header.value());
                }
                count("topic records", 1, bytes);
            });
        }
    }

    private void scanBrokerLogDirectories(ReinstallStack stack) throws IOException {
        for (var broker : stack.kafka.kit().brokers().values()) {
            for (String dir : broker.config().logDirs()) {
                scanFiles("broker log files", Path.of(dir));
            }
        }
    }

    private void scanQueryAnswers(ReinstallStack stack) throws Exception {
        List<String> paths = new ArrayList<>(List.of("/health", "/ready", "/metrics", "/reinstalls?limit=1000", "/reinstalls?local=true",
                "/reinstalls?phase=COMPLETED&phase=FAILED&phase=CANCELLED&phase=REJECTED", "/reinstalls/abc", "/reinstalls?phase=NOPE"));
        for (long server : List.of(COMPLETED, FAILED, CANCELLED, REJECTED, 1005L)) {
            paths.add("/reinstalls/" + server);
        }
        for (String path : paths) {
            HttpResponse<String> response = query(stack, path, true);
            search("query answer " + path, utf8(response.body() + response.headers().map()));
            count("query answers", 1, response.body().length());
        }
        HttpResponse<String> all = query(stack, "/reinstalls?limit=1000", true);
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(new ObjectMapper().readTree(all.body()).path("count").asInt()).isEqualTo(4);
        assertThat(query(stack, "/reinstalls/" + COMPLETED, false).statusCode()).as("no token, no state").isEqualTo(401);
    }

    private void scanAudit(ReinstallStack stack) throws Exception {
        String inProcess = stack.simulator.audit().toString() + stack.simulator.invariantReport();
        search("simulator audit (in process)", utf8(inProcess));
        count("simulator audit", stack.simulator.audit().size(), inProcess.length());
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("/_sim/audit", "/_sim/report")) {
            String body = http.send(HttpRequest.newBuilder(URI.create(stack.simulator.baseUrl() + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            search("simulator " + path, utf8(body));
            count("simulator audit", 0, body.length());
        }
    }

    private void scanLogs(CapturedOutput output) throws IOException {
        scanLines("log lines", output.logFile);
        scanLines("stdout/stderr lines", output.consoleFile);
    }

    private void scanLines(String what, Path file) throws IOException {
        long number = 0;
        // ISO-8859-1 maps every byte to one char and back: the search sees the bytes as written.
        for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
            number++;
            String where = what + " " + file.getFileName() + ":" + number + (line.contains(CONTROL) ? " " + CONTROL : "");
            count(what, 1, search(where, line.getBytes(StandardCharsets.ISO_8859_1)) + 1);
        }
    }

    private void scanFiles(String what, Path root) throws IOException {
        count(what, 0, 0);
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(file);
                } catch (java.nio.file.NoSuchFileException e) {
                    continue; // rolled or deleted while walking
                }
                search(what + " " + root.relativize(file), bytes);
                count(what, 1, bytes.length);
            }
        }
    }

    /** Records every canary form found in {@code bytes}; returns the number of bytes searched. */
    private long search(String where, byte[] bytes) {
        if (bytes == null) {
            return 0;
        }
        needles.forEach((canary, forms) -> {
            for (byte[] form : forms) {
                if (indexOf(bytes, form) >= 0) {
                    hits.add(canary + " in " + where);
                    return;
                }
            }
        });
        return bytes.length;
    }

    private void count(String what, long items, long bytes) {
        long[] n = scanned.computeIfAbsent(what, k -> new long[2]);
        n[0] += items;
        n[1] += bytes;
    }

    // ------------------------------------------------------------------ helpers

    private static Map<String, List<byte[]>> needles() {
        Map<String, List<byte[]>> needles = new LinkedHashMap<>();
        needles.put("root password", forms(ROOT_PASSWORD, PASSWORD_CORE));
        needles.put("post-install script", forms(POST_INSTALL_SCRIPT, SCRIPT_CORE));
        needles.put("API key", forms(API_KEY, API_KEY));
        needles.put("PIN", forms(PIN, PIN));
        return needles;
    }

    private static List<byte[]> forms(String secret, String core) {
        return List.of(utf8(secret), utf8(URLEncoder.encode(secret, StandardCharsets.UTF_8)), utf8(core));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Every record of a topic, raw, from the beginning to the current end; aborted transactions included. */
    private static void readRaw(String bootstrap, String topic, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "canary-scan-" + UUID.randomUUID());
        // read_uncommitted sees a superset of read_committed: aborted records too.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 30 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }

    private static HttpResponse<String> query(ReinstallStack stack, String path, boolean withToken) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.queryUrl(path))).timeout(Duration.ofSeconds(10));
        if (withToken) {
            request.header("Authorization", "Bearer " + stack.queryToken());
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "?" : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /**
     * Everything this JVM logs and prints while the test runs: a logback file appender on the root
     * logger (the services, simulator and hostkey client at DEBUG, Kafka's clients at INFO), and
     * stdout/stderr teed into a file.
     */
    private static final class CapturedOutput {
        private static final List<String> RAISED = List.of("com.hostkey", "com.hostkey.invapi.simulator", "com.hostkey.reinstall.poller",
                "org.apache.kafka");
        final Path logFile;
        final Path consoleFile;
        private final FileAppender<ILoggingEvent> appender;
        private final Map<String, Level> levelsBefore = new LinkedHashMap<>();
        private final PrintStream out = System.out;
        private final PrintStream err = System.err;
        private final OutputStream console;

        private CapturedOutput(Path dir) throws IOException {
            logFile = dir.resolve("services.log");
            consoleFile = dir.resolve("console.log");
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(context);
            encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger - %msg%n%ex");
            encoder.start();
            appender = new FileAppender<>();
            appender.setContext(context);
            appender.setName("secret-canary-scan");
            appender.setFile(logFile.toString());
            appender.setEncoder(encoder);
            appender.start();
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
            for (String name : RAISED) {
                ch.qos.logback.classic.Logger logger = context.getLogger(name);
                levelsBefore.put(name, logger.getLevel());
                logger.setLevel(name.startsWith("org.apache.kafka") ? Level.INFO : Level.DEBUG);
            }
            console = Files.newOutputStream(consoleFile);
            System.setOut(new PrintStream(new Tee(out, console), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new Tee(err, console), true, StandardCharsets.UTF_8));
        }

        static CapturedOutput start(Path dir) throws IOException {
            return new CapturedOutput(dir);
        }

        void stop() throws IOException {
            System.out.flush();
            System.err.flush();
            System.setOut(out);
            System.setErr(err);
            console.close();
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(appender);
            appender.stop();
            levelsBefore.forEach((name, level) -> context.getLogger(name).setLevel(level));
        }
    }

    /** Writes to two streams; the file side is synchronized so both PrintStreams can share it. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            synchronized (second) {
                second.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            first.write(b, off, len);
            synchronized (second) {
                second.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            first.flush();
            synchronized (second) {
                second.flush();
            }
        }
    }
}
