package com.hostkey.reinstall.handler;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.reinstall.validation.ReinstallValidator;
import com.hostkey.reinstall.validation.ValidationLimits;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.runtime.TopicProvisioner;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.BootMedia;
import com.hostkey.reinstall.schemas.avro.ClearPxeConfig;
import com.hostkey.reinstall.schemas.avro.CreateReinstallKey;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.RebootServer;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallKeyCreated;
import com.hostkey.reinstall.schemas.avro.SetBootDevice;
import com.hostkey.reinstall.schemas.avro.StepExpired;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretOpener;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.testkit.KafkaTestCluster;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The handler's pipeline against a real broker, with a Hostkey whose calls the test can hold:
 * a slow server does not hold up the others, one server's commands keep their order, and a call
 * still running when its handler stops is either published by that handler (it answered within
 * the grace) or answered AMBIGUOUS by the next one, never made twice.
 */
class CommandHandlerIT {

    private static final int PARTITIONS = 4;

    private KafkaTestCluster kafka;
    private ReinstallTopics topics;
    private String registryUrl;
    private KafkaProducer<String, StepCommand> commands;
    private KafkaConsumer<String, ReinstallEvent> eventReader;
    private final List<ReinstallEvent> events = Collections.synchronizedList(new ArrayList<>());
    private final HeldHostkey hostkey = new HeldHostkey();
    private final List<CommandHandler> handlers = new ArrayList<>();
    private final String group = "handler-it-" + UUID.randomUUID();
    /** The keys the test signs its steps with, as the projector would. */
    private final byte[] stepKey = StepAuthenticator.generateKey();
    private final StepAuthenticator stepAuth = StepAuthenticator.of(Map.of("k1", stepKey), "k1");
    /** The handler's sealing keys, for the validation's root password. */
    private static final KeyPair SEALING = SealingKeys.generate();

    @BeforeEach
    void startCluster() {
        kafka = KafkaTestCluster.start(1);
        try (Admin admin = kafka.admin()) {
            TopicProvisioner.ensureTopics(admin, PARTITIONS, (short) 1);
        }
        registryUrl = "mock://handler-it-" + UUID.randomUUID();
        topics = ReinstallTopics.create(Map.of(AvroSerde.SCHEMA_REGISTRY_URL, registryUrl));
        Properties producer = new Properties();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        commands = new KafkaProducer<>(producer, new StringSerializer(), stepAuth.signing(topics.steps.valueSerde().serializer()));
        Properties consumer = new Properties();
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        eventReader = new KafkaConsumer<>(consumer, new StringDeserializer(), topics.events.valueSerde().deserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition(ReinstallTopics.EVENTS, p));
        }
        eventReader.assign(partitions);
        eventReader.seekToBeginning(partitions);
    }

    @AfterEach
    void stop() {
        hostkey.releaseAll();
        handlers.forEach(CommandHandler::close);
        commands.close();
        eventReader.close();
        kafka.close();
    }

    @Test
    void shouldDeadLetterEveryStepItCannotActOnAndGoOnWithTheNextOne() throws Exception {
        CommandHandler handler = startHandler(HandlerConfig.Flow.defaults());
        StepCommand reboot = command(7, "forged-reboot", RebootServer.newBuilder().setAccount("default").build());
        byte[] plain = topics.steps.valueSerde().serializer().serialize(ReinstallTopics.STEPS, reboot);
        StepAuthenticator otherKey = StepAuthenticator.of(Map.of("k9", StepAuthenticator.generateKey()), "k9");
        try (KafkaProducer<String, byte[]> raw = rawProducer()) {
            sendRaw(raw, "7", plain, null);                                         // not signed at all
            sendRaw(raw, "7", plain, otherKey);                                     // signed with a key the handler lacks
            byte[] tampered = plain.clone();
            tampered[tampered.length - 1] ^= 1;
            RecordHeaders signedThenTampered = new RecordHeaders();
            stepAuth.sign(ReinstallTopics.STEPS, signedThenTampered, plain);
            raw.send(new ProducerRecord<>(ReinstallTopics.STEPS, null, "7", tampered, signedThenTampered)).get();
            sendRaw(raw, null, plain, stepAuth);                                    // signed, but no key
            sendRaw(raw, "8", plain, stepAuth);                                     // signed, keyed by another server
            sendRaw(raw, "7", new byte[] {0, 0, 0, 0, 42, 1, 2, 3}, stepAuth);      // signed, unreadable
        }
        send(command(7, "real-key", CreateReinstallKey.newBuilder().setAccount("default").build()));

        awaitEvents(e -> e.getCommandId().equals("real-key"), 1);
        assertThat(hostkey.calls(7)).containsExactly("reinstall");
        assertThat(hostkey.calls(8)).isEmpty();
        assertThat(events).noneMatch(e -> e.getCommandId().equals("forged-reboot"));
        List<ConsumerRecord<String, byte[]>> deadLetters = readDeadLetters(6);
        assertThat(deadLetters).extracting(r -> header(r, "dlq.error.class"))
                .containsOnly(RefusedStepException.class.getName());
        assertThat(deadLetters).extracting(r -> header(r, "dlq.error.message").substring(0, header(r, "dlq.error.message").indexOf(':')))
                .containsExactlyInAnyOrder("UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED", "MISADDRESSED", "MISADDRESSED", "UNREADABLE");
        assertThat(deadLetters).extracting(r -> header(r, "dlq.source.topic")).containsOnly(ReinstallTopics.STEPS);
        assertThat(handler.isRunning()).isTrue();
    }

    @Test
    void shouldAnswerAStepPastItsNotAfterWithoutCallingHostkey() throws Exception {
        startHandler(HandlerConfig.Flow.defaults());
        StepCommand late = StepCommand.newBuilder(command(11, "late-reboot", RebootServer.newBuilder().setAccount("default").build()))
                .setNotAfter(Instant.now().minusSeconds(1)).build();
        send(late);
        send(command(11, "fresh-boot-disk", SetBootDevice.newBuilder().setAccount("default").setMedia(BootMedia.DISK).build()));

        awaitEvents(e -> e.getServerId() == 11, 2);
        assertThat(events.stream().filter(e -> e.getCommandId().equals("late-reboot")).findFirst().orElseThrow().getPayload())
                .isInstanceOfSatisfying(StepExpired.class, e -> assertThat(e.getCall()).isEqualTo("eq/reboot"));
        assertThat(hostkey.calls(11)).containsExactly("boot_dev");
    }

    @Test
    void shouldNotLetASlowCallHoldUpOtherServers() throws Exception {
        hostkey.hold("reboot", 1);
        CommandHandler handler = startHandler(HandlerConfig.Flow.defaults());
        RecordMetadata slow = send(command(1, "slow-reboot", RebootServer.newBuilder().setAccount("default").build()));
        for (long server = 2; server <= 31; server++) {
            send(command(server, "key-" + server, CreateReinstallKey.newBuilder().setAccount("default").build()));
        }

        awaitEvents(e -> e.getCommandId().startsWith("key-"), 30);
        assertThat(hostkey.started("reboot", 1)).isTrue();
        assertThat(events).noneMatch(e -> e.getServerId() == 1);
        // The held command's partition is committed no further than the held command.
        assertThat(committedOffset(new TopicPartition(ReinstallTopics.STEPS, slow.partition()))).isLessThanOrEqualTo(slow.offset());

        hostkey.release("reboot", 1);
        awaitEvents(e -> e.getServerId() == 1, 1);
        assertThat(events.stream().filter(e -> e.getServerId() == 1).findFirst().orElseThrow().getPayload())
                .isInstanceOf(ActionAccepted.class);
        awaitCommittedTo(slow);
        assertThat(events.stream().map(ReinstallEvent::getCommandId).collect(Collectors.toSet())).hasSize(events.size());
        assertThat(handler.isRunning()).isTrue();
    }

    @Test
    void shouldRunOneServersCommandsInTheirOrder() throws Exception {
        hostkey.hold("boot_dev", 7);
        startHandler(HandlerConfig.Flow.defaults());
        send(command(7, "a-boot", SetBootDevice.newBuilder().setAccount("default").setMedia(BootMedia.PXE).build()));
        send(command(7, "b-reboot", RebootServer.newBuilder().setAccount("default").build()));
        send(command(7, "c-clear", ClearPxeConfig.newBuilder().setAccount("default").setHostname("srv7").build()));
        send(command(8, "d-key", CreateReinstallKey.newBuilder().setAccount("default").build()));

        awaitEvents(e -> e.getServerId() == 8, 1);
        assertThat(hostkey.calls(7)).containsExactly("boot_dev");

        hostkey.release("boot_dev", 7);
        awaitEvents(e -> e.getServerId() == 7, 3);
        assertThat(hostkey.calls(7)).containsExactly("boot_dev", "reboot", "clear_pxe");
        assertThat(events.stream().filter(e -> e.getServerId() == 7).map(ReinstallEvent::getCommandId))
                .containsExactly("a-boot", "b-reboot", "c-clear");
    }

    @Test
    void shouldAnswerAmbiguousInsteadOfRepeatingARebootItsPredecessorLeftRunning() throws Exception {
        hostkey.hold("reboot", 3);
        CommandHandler first = startHandler(new HandlerConfig.Flow(16, 100, Duration.ZERO));
        send(command(3, "reboot-3", RebootServer.newBuilder().setAccount("default").build()));
        hostkey.awaitStarted("reboot", 3);

        first.close(); // no grace: the reboot is still running, its intent stays open
        startHandler(HandlerConfig.Flow.defaults());

        awaitEvents(e -> e.getServerId() == 3, 1);
        ReinstallEvent answer = events.stream().filter(e -> e.getServerId() == 3).findFirst().orElseThrow();
        assertThat(answer.getPayload()).isInstanceOfSatisfying(HostkeyCallFailed.class,
                f -> assertThat(f.getErrorClass()).isEqualTo(HostkeyErrorClass.AMBIGUOUS));
        assertThat(hostkey.calls(3)).containsExactly("reboot");

        // The first handler's late answer is never published: a later command is, and nothing else for server 3.
        hostkey.release("reboot", 3);
        send(command(4, "key-4", CreateReinstallKey.newBuilder().setAccount("default").build()));
        awaitEvents(e -> e.getServerId() == 4, 1);
        assertThat(events.stream().filter(e -> e.getServerId() == 3)).hasSize(1);
    }

    @Test
    void shouldPublishACallThatAnswersWithinTheGraceWhenItsHandlerStops() throws Exception {
        hostkey.hold("reboot", 5);
        CommandHandler first = startHandler(new HandlerConfig.Flow(16, 100, Duration.ofSeconds(30)));
        send(command(5, "reboot-5", RebootServer.newBuilder().setAccount("default").build()));
        hostkey.awaitStarted("reboot", 5);

        Thread stopping = Thread.ofVirtual().start(first::close);
        hostkey.release("reboot", 5);
        stopping.join(Duration.ofSeconds(60));
        startHandler(HandlerConfig.Flow.defaults());
        send(command(6, "key-6", CreateReinstallKey.newBuilder().setAccount("default").build()));

        awaitEvents(e -> e.getServerId() == 6, 1);
        List<ReinstallEvent> answers = events.stream().filter(e -> e.getServerId() == 5).toList();
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).getPayload()).isInstanceOf(ActionAccepted.class);
        assertThat(hostkey.calls(5)).containsExactly("reboot");
        assertThat(events.stream().filter(e -> e.getServerId() == 6).findFirst().orElseThrow().getPayload())
                .isInstanceOf(ReinstallKeyCreated.class);
    }

    @Test
    void shouldNotRepeatCallsAnsweredBehindAnUnansweredOneWhenTheirCommandsComeBack() throws Exception {
        // Three servers whose commands share a partition: the first one's reboot is held, so the
        // partition's offset stays behind the other two, whose calls answer.
        List<Long> servers = serversOnOnePartition(3);
        long slow = servers.get(0);
        long rebooted = servers.get(1);
        long booted = servers.get(2);
        hostkey.hold("reboot", slow);
        CommandHandler first = startHandler(new HandlerConfig.Flow(16, 100, Duration.ZERO));
        RecordMetadata held = send(command(slow, "reboot-slow", RebootServer.newBuilder().setAccount("default").build()));
        hostkey.awaitStarted("reboot", slow);
        send(command(rebooted, "reboot-fast", RebootServer.newBuilder().setAccount("default").build()));
        send(command(booted, "boot-fast", SetBootDevice.newBuilder().setAccount("default").setMedia(BootMedia.PXE).build()));
        awaitEvents(e -> e.getServerId() == rebooted || e.getServerId() == booted, 2);
        assertThat(committedOffset(new TopicPartition(ReinstallTopics.STEPS, held.partition()))).isLessThanOrEqualTo(held.offset());

        first.close(); // no grace: like a crash, the next owner reads the partition from the held reboot on
        startHandler(HandlerConfig.Flow.defaults());
        RecordMetadata after = send(command(booted, "clear-after", ClearPxeConfig.newBuilder().setAccount("default").setHostname("h").build()));
        awaitCommittedTo(after);
        awaitEvents(e -> e.getCommandId().equals("clear-after") || e.getServerId() == slow, 2);

        assertThat(hostkey.calls(rebooted)).as("an answered reboot is never made again").containsExactly("reboot");
        assertThat(hostkey.calls(booted)).as("nor any answered call").containsExactly("boot_dev", "clear_pxe");
        assertThat(events.stream().filter(e -> e.getServerId() == rebooted)).hasSize(1);
        assertThat(events.stream().filter(e -> e.getServerId() == slow).map(ReinstallEvent::getPayload))
                .singleElement().isInstanceOfSatisfying(HostkeyCallFailed.class,
                        f -> assertThat(f.getErrorClass()).isEqualTo(HostkeyErrorClass.AMBIGUOUS));
    }

    @Test
    void shouldPublishAValidationsOutcomeAheadOfItsTransactionAndStillCommitItsOffset() throws Exception {
        // Two servers whose commands and events share a partition: one validation, one reinstall key.
        List<Long> servers = serversOnOnePartition(2);
        long validated = servers.get(0);
        long keyed = servers.get(1);
        CommandHandler first = startHandler(HandlerConfig.Flow.defaults());
        RecordMetadata validation = send(command(validated, "validate-" + validated, ValidateReinstall.newBuilder().setAccount("default")
                .setOsId(1).setHostname("srv.example.net").setRootPassword(new SecretSealer("s1", SEALING.getPublic()).seal("Valid7%Password"))
                .build()));
        send(command(keyed, "key-" + keyed, CreateReinstallKey.newBuilder().setAccount("default").build()));
        awaitEvents(e -> e.getServerId() == validated || e.getServerId() == keyed, 2);
        assertThat(hostkey.calls(validated)).containsExactly("show", "os/list");
        assertThat(events.stream().filter(e -> e.getServerId() == validated).map(ReinstallEvent::getPayload))
                .singleElement().isInstanceOf(ValidationFailed.class); // os/list offers nothing here

        // The partition's producers: the loop's transactional one (its markers set a coordinator
        // epoch) wrote the reinstall key's outcome, and one that never wrote a marker the validation's.
        TopicPartition eventPartition = new TopicPartition(ReinstallTopics.EVENTS, validation.partition());
        try (Admin admin = kafka.admin()) {
            List<ProducerState> producers = admin.describeProducers(List.of(eventPartition)).partitionResult(eventPartition).get()
                    .activeProducers();
            assertThat(producers).as("producers of %s", eventPartition).hasSize(2)
                    .anySatisfy(p -> assertThat(p.coordinatorEpoch()).isPresent())
                    .anySatisfy(p -> assertThat(p.coordinatorEpoch()).isEmpty());
        }

        // Its offset and answered record still commit with the loop's transaction: the next owner does not validate again.
        awaitCommittedTo(validation);
        first.close();
        startHandler(HandlerConfig.Flow.defaults());
        send(command(validated, "key-" + validated, CreateReinstallKey.newBuilder().setAccount("default").build()));
        awaitEvents(e -> e.getCommandId().equals("key-" + validated), 1);
        assertThat(hostkey.calls(validated)).containsExactly("show", "os/list", "reinstall");
        assertThat(events.stream().filter(e -> e.getCommandId().equals("validate-" + validated))).hasSize(1);
    }

    /** Server ids whose commands land on the same partition (the producer's default partitioner). */
    private static List<Long> serversOnOnePartition(int count) {
        Map<Integer, List<Long>> byPartition = new java.util.HashMap<>();
        for (long server = 100; ; server++) {
            byte[] key = String.valueOf(server).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int partition = org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key)) % PARTITIONS;
            List<Long> same = byPartition.computeIfAbsent(partition, p -> new ArrayList<>());
            same.add(server);
            if (same.size() == count) {
                return same;
            }
        }
    }

    private CommandHandler startHandler(HandlerConfig.Flow flow) {
        HandlerConfig config = new HandlerConfig(kafka.bootstrapServers(), registryUrl, group, group + "-" + UUID.randomUUID(), Map.of(),
                StepAuthenticator.verifier(Map.of("k1", stepKey)))
                .withFlow(flow);
        CommandHandler handler = CommandHandler.start(config, new StepExecutor(hostkey, new SecretOpener(Map.of("s1", SEALING.getPrivate())),
                new ReinstallValidator(ValidationLimits.defaults()), Clock.systemUTC()));
        handlers.add(handler);
        return handler;
    }

    private KafkaProducer<String, byte[]> rawProducer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static void sendRaw(KafkaProducer<String, byte[]> producer, String key, byte[] value, StepAuthenticator signer) throws Exception {
        RecordHeaders headers = new RecordHeaders();
        if (signer != null) {
            signer.sign(ReinstallTopics.STEPS, headers, value);
        }
        producer.send(new ProducerRecord<>(ReinstallTopics.STEPS, null, key, value, headers)).get();
    }

    /** The first {@code count} dead letters, whatever their partitions. */
    private List<ConsumerRecord<String, byte[]>> readDeadLetters(int count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = reader.partitionsFor(ReinstallTopics.DEAD_LETTERS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            reader.assign(partitions);
            reader.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (found.size() < count) {
                assertThat(System.nanoTime()).as("%d dead letters within 30 s; have %d", count, found.size()).isLessThan(deadline);
                reader.poll(Duration.ofMillis(200)).forEach(found::add);
            }
        }
        return found;
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private RecordMetadata send(StepCommand command) throws Exception {
        return commands.send(new ProducerRecord<>(ReinstallTopics.STEPS, String.valueOf(command.getServerId()), command)).get();
    }

    private static StepCommand command(long server, String id, Object payload) {
        return StepCommand.newBuilder().setCommandId(id).setServerId(server).setReinstallId("r-" + server)
                .setIssuedAt(Instant.now()).setNotAfter(Instant.now().plusSeconds(300)).setPayload(payload).build();
    }

    private void awaitEvents(Predicate<ReinstallEvent> which, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (events.stream().filter(which).count() < count) {
            assertThat(System.nanoTime()).as("%d matching events within 60 s; have %s", count, events).isLessThan(deadline);
            for (ConsumerRecord<String, ReinstallEvent> record : eventReader.poll(Duration.ofMillis(200))) {
                events.add(record.value());
            }
        }
    }

    private long committedOffset(TopicPartition partition) throws Exception {
        try (Admin admin = kafka.admin()) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(partition);
            return offset == null ? 0 : offset.offset();
        }
    }

    private void awaitCommittedTo(RecordMetadata command) throws Exception {
        TopicPartition partition = new TopicPartition(ReinstallTopics.STEPS, command.partition());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (committedOffset(partition) <= command.offset()) {
            assertThat(System.nanoTime()).as("offset past %s committed within 30 s", command).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    /** A Hostkey that answers at once, except the calls a test holds until it releases them. */
    private static final class HeldHostkey implements HostkeyApi {
        private final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();
        private final Map<String, CountDownLatch> started = new ConcurrentHashMap<>();
        private final Map<Long, List<String>> calls = new ConcurrentHashMap<>();

        void hold(String action, long server) {
            holds.put(action + ":" + server, new CountDownLatch(1));
        }

        void release(String action, long server) {
            holds.get(action + ":" + server).countDown();
        }

        void releaseAll() {
            holds.values().forEach(CountDownLatch::countDown);
        }

        boolean started(String action, long server) {
            return startedLatch(action, server).getCount() == 0;
        }

        void awaitStarted(String action, long server) throws InterruptedException {
            assertThat(startedLatch(action, server).await(60, TimeUnit.SECONDS)).as("%s on %d started", action, server).isTrue();
        }

        List<String> calls(long server) {
            return List.copyOf(calls.getOrDefault(server, List.of()));
        }

        private CountDownLatch startedLatch(String action, long server) {
            return started.computeIfAbsent(action + ":" + server, k -> new CountDownLatch(1));
        }

        private void record(String action, long server) {
            calls.computeIfAbsent(server, s -> Collections.synchronizedList(new ArrayList<>())).add(action);
        }

        private AsyncAction call(String action, long server) {
            record(action, server);
            startedLatch(action, server).countDown();
            CountDownLatch hold = holds.get(action + ":" + server);
            if (hold != null) {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new AsyncAction(action, action + "-" + server + "-" + UUID.randomUUID());
        }

        @Override
        public List<OsOffer> listOs(String account, long serverId) {
            record("os/list", serverId);
            return List.of();
        }

        @Override
        public ServerFacts show(String account, long serverId) {
            record("show", serverId);
            return new ServerFacts(serverId, "active", "srv" + serverId, "NL", "dedicated", 64, List.of(480L), List.of());
        }

        @Override
        public List<JenkinsTask> jenkinsTasks(String account) {
            return List.of();
        }

        @Override
        public String createReinstallKey(String account, long serverId) {
            return call("reinstall", serverId).callbackKey();
        }

        @Override
        public AsyncAction createPxe(String account, CreatePxeRequest request) {
            return call("create_pxe", request.serverId());
        }

        @Override
        public AsyncAction bootDevice(String account, long serverId, HostkeyApi.BootMedia media) {
            return call("boot_dev", serverId);
        }

        @Override
        public AsyncAction reboot(String account, long serverId) {
            return call("reboot", serverId);
        }

        @Override
        public AsyncAction runJenkinsTask(String account, long serverId, String taskId) {
            return call("run_task", serverId);
        }

        @Override
        public AsyncAction clearPxe(String account, long serverId, String hostname) {
            return call("clear_pxe", serverId);
        }

        @Override
        public CallbackAnswer checkCallback(String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}
