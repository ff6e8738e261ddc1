package com.hostkey.reinstall.bench.figures;

import com.hostkey.invapi.simulator.SimulatorConfig;
import com.hostkey.reinstall.bench.BenchContext;
import com.hostkey.reinstall.bench.Benchmark;
import com.hostkey.reinstall.bench.Measurement;
import com.hostkey.reinstall.bench.MetricSpec;
import com.hostkey.reinstall.bench.Profile;
import com.hostkey.reinstall.bench.infra.BenchStack;
import com.hostkey.reinstall.bench.infra.ReinstallRequests;
import com.hostkey.reinstall.bench.infra.TopicTail;
import com.hostkey.reinstall.projector.saga.AdmissionSettings;
import com.hostkey.reinstall.projector.ProjectorConfig;
import com.hostkey.reinstall.projector.saga.ReinstallTopology;
import com.hostkey.reinstall.projector.saga.SagaSettings;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.runtime.TopicProvisioner;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.testkit.KafkaTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Figure 3, projector throughput. The input is real: a pipeline run of N reinstalls is recorded
 * (every upstream ReinstallServer command and every event, in partition order, as bytes). The
 * requests are replayed routed, in the projector's requests repartition topic as its routing wrote
 * them: replayed through the routing hop, a request would reach the saga after the events that
 * answer it (they are already in their topic), which the saga ignores, and the replay would stall
 * (seen: 702-842 of 1,000 reinstalls completed); so the routing hop (one read and one write per
 * request, about one input record in seventeen) is not in the figure. Each run
 * loads that input into a fresh broker (order kept, timestamps shifted so the newest is the load's
 * time: a backlog, as after an outage), then measures on
 * the same records (a) the raw broker copy rate: a transactional consume-produce loop that copies
 * them to another topic, committing offsets in each batch's transaction, and (b) the projector:
 * the topology from {@link ReinstallTopology#build} with the projector's own Streams settings
 * (exactly_once_v2; commits paced by the commit interval while a backlog is read) folds them from an empty state and answers with its step
 * commands, poll targets, admissions and completions. Deterministic command ids make the replay
 * fold exactly like the live run: every recorded reinstall must complete again. One unmeasured
 * replay first warms the JIT of this JVM, as a deployed projector is warm.
 */
public final class ProjectorThroughputBenchmark implements Benchmark {

    @Override
    public int figure() {
        return 3;
    }

    @Override
    public String title() {
        return "Projector throughput";
    }

    @Override
    public String targetText() {
        return "records/s the Kafka Streams projector folds and answers with exactly_once_v2 >= 0.8 x the raw broker copy rate "
                + "(transactional consume-produce loop, same records, same run)";
    }

    @Override
    public List<MetricSpec> metrics(Profile profile) {
        return List.of(
                MetricSpec.atLeast("ratio", "x", "projector rate / copy rate", 0.8),
                MetricSpec.info("projector", "/s", "projector: input records folded per second"),
                MetricSpec.info("copy", "/s", "limit: transactional copy, records per second"),
                MetricSpec.info("outputs", "/s", "projector: records written per second"),
                MetricSpec.info("records", "count", "input records"),
                MetricSpec.info("completions", "count", "reinstalls completed again by the replay"));
    }

    @Override
    public Map<String, Object> parameters(Profile profile) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("reinstalls", profile.integer("fig3.reinstalls"));
        p.put("partitions", 6);
        p.put("projector", "in the harness JVM, ReinstallTopology.build + ProjectorConfig.streamsConfig, 1 stream thread");
        return p;
    }

    @Override
    public Trial open(BenchContext context) throws Exception {
        return new ThroughputTrial(context);
    }

    /** A recorded record: where it was, its key, value and timestamp. */
    private record Raw(String topic, int partition, byte[] key, byte[] value, long timestamp) {}

    /** The replays' application id, so their requests repartition topic is known before they start. */
    private static final String REPLAY_APPLICATION_ID = "bench-fig3-projector";
    /** Where the recorded requests go in a replay: the topic its saga reads them from. */
    private static final String ROUTED_REQUESTS = ReinstallTopology.requestsByServerTopic(REPLAY_APPLICATION_ID);

    private static final class ThroughputTrial implements Trial {
        private static final int PARTITIONS = 6;
        private final BenchContext context;
        private final List<Raw> input;
        private final int reinstalls;

        ThroughputTrial(BenchContext context) throws Exception {
            this.context = context;
            reinstalls = context.profile().integer("fig3.reinstalls");
            input = record(context, reinstalls);
            context.log("fig3: recorded " + input.size() + " input records of " + reinstalls + " reinstalls; one unmeasured replay warms the JIT");
            // The projector runs in this JVM: a deployed one is long warm, so the first replay is not measured.
            run(0);
        }

        /** Runs the pipeline once and keeps the projector's input: upstream commands and every event. */
        private static List<Raw> record(BenchContext context, int reinstalls) throws Exception {
            try (BenchStack stack = new BenchStack(context, "fig3-record", new BenchStack.Options()
                    .partitions(PARTITIONS)
                    .simulator(SimulatorConfig.builder().timeScale(1).generatedFleet(reinstalls).actionDelay(Duration.ZERO)
                            .stageOffsets(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO))
                    .env(BenchStack.POLLER, "POLLER_INTERVAL_MS", "500")
                    .env(BenchStack.POLLER, "POLLER_MAX_REQUESTS_PER_SECOND", "5000")
                    .env(BenchStack.POLLER, "HOSTKEY_RATE_LIMIT_RPS", "5000")
                    .env(BenchStack.HANDLER, "HOSTKEY_RATE_LIMIT_RPS", "5000"))) {
                Set<String> done = ConcurrentHashMap.newKeySet();
                try (TopicTail<ReinstallCompletion> tail = new TopicTail<>(stack.bootstrapServers(), ReinstallTopics.COMPLETIONS,
                        stack.topics.completions.valueSerde().deserializer(), r -> done.add(r.record().value().getRequestId()))) {
                    stack.submit(new ReinstallRequests(stack.sealer, "bench-fig3").reinstalls(BenchStack.firstServerId(), reinstalls, "fig3"));
                    long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
                    while (done.size() < reinstalls && System.nanoTime() < deadline) {
                        Thread.sleep(200);
                    }
                    if (done.size() < reinstalls) {
                        throw new IllegalStateException("recording run: only " + done.size() + " of " + reinstalls
                                + " reinstalls completed" + (tail.failure() == null ? "" : " (" + tail.failure() + ")"));
                    }
                }
                var commands = stack.topics.requests.valueSerde().deserializer();
                List<Raw> raw = new ArrayList<>();
                for (Raw r : readAll(stack.bootstrapServers(), List.of(ReinstallTopics.REQUESTS, ReinstallTopics.EVENTS))) {
                    if (!r.topic().equals(ReinstallTopics.REQUESTS)) {
                        raw.add(r);
                    } else if (commands.deserialize(r.topic(), r.value()) instanceof ReinstallRequest c
                            && c.getPayload() instanceof ReinstallServer) {
                        raw.add(routed(c.getServerId(), r));
                    }
                }
                return raw;
            }
        }

        /**
         * A request as the projector's routing writes it to the repartition topic (Streams keeps that
         * topic only until it has read it): keyed by its server id, in the partition Streams' default
         * partitioner picks for that key (murmur2, as for the events keyed alike), same value and time.
         */
        private static Raw routed(long serverId, Raw request) {
            byte[] key = String.valueOf(serverId).getBytes(StandardCharsets.UTF_8);
            return new Raw(ROUTED_REQUESTS, Utils.toPositive(Utils.murmur2(key)) % PARTITIONS, key, request.value(), request.timestamp());
        }

        /** Every committed record of the topics, in offset order per partition. */
        private static List<Raw> readAll(String bootstrap, List<String> topics) {
            List<Raw> all = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = new ArrayList<>();
                for (String topic : topics) {
                    consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        all.add(new Raw(r.topic(), r.partition(), r.key(), r.value(), r.timestamp()));
                    }
                }
            }
            return all;
        }

        @Override
        public Measurement run(int index) throws Exception {
            try (KafkaTestCluster kafka = KafkaTestCluster.start(1)) {
                String bootstrap = kafka.bootstrapServers();
                try (Admin admin = kafka.admin()) {
                    TopicProvisioner.ensureTopics(admin, PARTITIONS, (short) 1);
                    admin.createTopics(List.of(new NewTopic("bench-copy", PARTITIONS, (short) 1),
                            new NewTopic(ROUTED_REQUESTS, PARTITIONS, (short) 1))).all().get();
                }
                load(bootstrap);
                double copy = copyRate(bootstrap);
                Measurement m = new Measurement().put("copy", copy).put("records", input.size());
                replay(bootstrap, m);
                m.put("ratio", m.value("projector") / copy);
                return m;
            }
        }

        private void load(String bootstrap) {
            // The newest record lands at the load, the others before it: a backlog that piled up while the
            // projector was away, as a replay is. (Shifted to start at the load, the recording's records came
            // up to its length into the future, and the projector took the replay for a flood of fresh ones.)
            long newest = input.stream().mapToLong(Raw::timestamp).max().orElseThrow();
            long shift = System.currentTimeMillis() - newest;
            // Not idempotent, one request in flight: order kept without producer-id sequence state, which a
            // loaded machine's delivery timeouts can leave out of order on a fresh broker.
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1, ProducerConfig.LINGER_MS_CONFIG, 20),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (Raw r : input) {
                    producer.send(new ProducerRecord<>(r.topic(), r.partition(), r.timestamp() + shift, r.key(), r.value()));
                }
                producer.flush();
            }
        }

        /** Records per second of a transactional consume-produce loop copying the input to another topic. */
        private double copyRate(String bootstrap) {
            String group = "bench-copy-" + UUID.randomUUID();
            Properties consumerProps = new Properties();
            consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            Properties producerProps = new Properties();
            producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group);
            producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 1);
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                // Assigned, not subscribed: no rebalance can move partitions during the measurement.
                List<TopicPartition> partitions = new ArrayList<>();
                for (String topic : List.of(ROUTED_REQUESTS, ReinstallTopics.EVENTS)) {
                    consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                long copied = 0;
                long start = System.nanoTime();
                long deadline = start + Duration.ofMinutes(10).toNanos();
                while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                    if (records.isEmpty()) {
                        continue;
                    }
                    producer.beginTransaction();
                    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        producer.send(new ProducerRecord<>("bench-copy", r.partition(), r.key(), r.value()));
                        offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    }
                    producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(group));
                    producer.commitTransaction();
                    copied += records.count();
                }
                return copied / ((System.nanoTime() - start) / 1e9);
            }
        }

        /** Runs the projector's topology on the loaded input until every recorded reinstall has completed again. */
        private void replay(String bootstrap, Measurement m) throws Exception {
            Path stateDir = Files.createTempDirectory(context.workDir(), "fig3-state-");
            // One application id for every replay, as a deployed projector has one: the subjects of its changelogs
            // (reinstall-state-changelog-value, ...) are registered once per process, by the unmeasured warm-up
            // replay, not inside each measured window. Each run has its own broker and state directory.
            String appId = REPLAY_APPLICATION_ID;
            ProjectorConfig config = new ProjectorConfig(bootstrap, context.registryUrl(), appId, stateDir.toString(),
                    "127.0.0.1", 8083, 1, SagaSettings.defaults(), AdmissionSettings.defaults(), Duration.ofMillis(1000),
                    StepAuthenticator.of(Map.of("bench", StepAuthenticator.generateKey()), "bench"));
            ReinstallTopics topics = ReinstallTopics.create(Map.of(AvroSerde.SCHEMA_REGISTRY_URL, context.registryUrl()));
            Set<String> completed = ConcurrentHashMap.newKeySet();
            AtomicLong lastCompletion = new AtomicLong();
            long outputsBefore = endOffsets(bootstrap);
            try (TopicTail<ReinstallCompletion> tail = new TopicTail<>(bootstrap, ReinstallTopics.COMPLETIONS,
                    topics.completions.valueSerde().deserializer(), r -> {
                        if (completed.add(r.record().value().getRequestId())) {
                            lastCompletion.set(System.nanoTime());
                        }
                    });
                 KafkaStreams streams = new KafkaStreams(ReinstallTopology.build(topics, config.saga(), config.admission(),
                         config.timerInterval(), config.stepAuth()), config.streamsConfig(8083))) {
                long[] running = {0};
                streams.setStateListener((now, before) -> {
                    if (now == KafkaStreams.State.RUNNING && running[0] == 0) {
                        running[0] = System.nanoTime();
                    }
                });
                streams.start();
                long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
                long lastProgress = System.nanoTime();
                int seen = 0;
                while (completed.size() < reinstalls && System.nanoTime() < deadline) {
                    if (completed.size() > seen) {
                        seen = completed.size();
                        lastProgress = System.nanoTime();
                    } else if (System.nanoTime() - lastProgress > Duration.ofSeconds(90).toNanos()) {
                        break;
                    }
                    Thread.sleep(50);
                }
                double seconds = (lastCompletion.get() - running[0]) / 1e9;
                long outputs = endOffsets(bootstrap) - outputsBefore;
                m.put("projector", input.size() / seconds).put("outputs", outputs / seconds).put("completions", completed.size());
                if (completed.size() < reinstalls) {
                    m.note("replay completed only " + completed.size() + " of " + reinstalls + " reinstalls"
                            + (tail.failure() == null ? "" : " (" + tail.failure() + ")"));
                }
                streams.close(Duration.ofSeconds(30));
            }
        }

        /** Records in every topic but the copy target and the inputs: what the projector wrote. */
        private static long endOffsets(String bootstrap) throws Exception {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request = new HashMap<>();
                for (String topic : List.of(ReinstallTopics.STEPS, ReinstallTopics.EVENTS, ReinstallTopics.POLL_TARGETS,
                        ReinstallTopics.COMPLETIONS, ReinstallTopics.ADMISSIONS)) {
                    admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                            .forEach(p -> request.put(new TopicPartition(topic, p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest()));
                }
                return admin.listOffsets(request).all().get().values().stream().mapToLong(i -> i.offset()).sum();
            }
        }

        @Override
        public void close() {
            // Each run closed its own broker; the recording stack is gone already.
        }
    }
}
