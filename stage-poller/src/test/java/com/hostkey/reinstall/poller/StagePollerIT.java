package com.hostkey.reinstall.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer.Kind;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.runtime.TopicProvisioner;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.PollKey;
import com.hostkey.reinstall.schemas.avro.PollTargets;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.testkit.KafkaTestCluster;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The poller against a real broker and a Hostkey that answers each key as the test says and records
 * when each key was checked: when a new key is first checked, that a finished key is not checked
 * again while the projector still lists it, and that a server's keys go when its targets do.
 */
class StagePollerIT {

    private static final int PARTITIONS = 3;
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    /** POLLER_MAX_REQUESTS_PER_SECOND: the deployment's budget, whatever the number of instances. */
    private static final int BUDGET = 50;

    private KafkaTestCluster kafka;
    private ReinstallTopics topics;
    private String registryUrl;
    private KafkaProducer<String, PollTargets> targets;
    private final ScriptedHostkey hostkey = new ScriptedHostkey();
    private StagePoller poller;
    private final String groupId = "poller-it-" + UUID.randomUUID();

    @BeforeEach
    void start() {
        kafka = KafkaTestCluster.start(1);
        try (Admin admin = kafka.admin()) {
            TopicProvisioner.ensureTopics(admin, PARTITIONS, (short) 1);
        }
        registryUrl = "mock://poller-it-" + UUID.randomUUID();
        topics = ReinstallTopics.create(Map.of(AvroSerde.SCHEMA_REGISTRY_URL, registryUrl));
        Properties producer = new Properties();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        targets = new KafkaProducer<>(producer, new StringSerializer(), topics.pollTargets.valueSerde().serializer());
        poller = StagePoller.start(new PollerConfig(kafka.bootstrapServers(), registryUrl, groupId, INTERVAL, BUDGET), hostkey, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        poller.close();
        targets.close();
        kafka.close();
    }

    @Test
    void shouldCheckAKeyOpenedLongAgoAtOnceButAFreshOneNotBeforeAnAnswerCanBeExpected() throws Exception {
        hostkey.answer("old-key", Kind.NOT_READY);
        hostkey.answer("fresh-key", Kind.NOT_READY);
        // A key the projector opened an hour ago (as read again after a restart) is overdue: checked at once.
        publish(1, key("old-key", AsyncActionKind.CREATE_PXE, Instant.now().minus(Duration.ofHours(1))));
        await().atMost(Duration.ofSeconds(30)).until(() -> !hostkey.checks("old-key").isEmpty());

        // The key carries its opening time in milliseconds (Avro timestamp-millis): compare with what the poller read.
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        publish(2, key("fresh-key", AsyncActionKind.CREATE_PXE, opened));
        await().atMost(Duration.ofSeconds(30)).until(() -> !hostkey.checks("fresh-key").isEmpty());

        // Nothing learned yet about create_pxe: the first check comes one interval after the key was opened.
        assertThat(hostkey.checks("fresh-key").getFirst()).isAfterOrEqualTo(opened.plus(INTERVAL));
    }

    @Test
    void shouldNotCheckAFinishedKeyAgainWhileTheProjectorStillListsIt() throws Exception {
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        hostkey.answer("done-key", Kind.OK);
        hostkey.answer("next-key", Kind.NOT_READY);
        publish(1, key("done-key", AsyncActionKind.BOOT_FROM_PXE, longAgo));
        List<ReinstallEvent> events = readEvents(e -> e.getPayload() instanceof ActionCompleted, 1);
        assertThat(events).singleElement().satisfies(e -> assertThat(((ActionCompleted) e.getPayload()).getCallbackKey()).isEqualTo("done-key"));

        // The projector has not folded the event yet and lists the key again; then it moves on to the next step.
        publish(1, key("done-key", AsyncActionKind.BOOT_FROM_PXE, longAgo));
        // Opened later, so its deadline is later too: were the finished key watched again, it would go first.
        publish(1, key("next-key", AsyncActionKind.REBOOT, longAgo.plus(Duration.ofMinutes(10))));

        await().atMost(Duration.ofSeconds(30)).until(() -> !hostkey.checks("next-key").isEmpty());
        assertThat(hostkey.checks("done-key")).hasSize(1);
    }

    @Test
    void shouldStopWatchingAServersKeysWhenItsTargetsAreTombstonedAndKeepTheOthers() throws Exception {
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        hostkey.answer("key-1", Kind.NOT_READY);
        hostkey.answer("key-2", Kind.NOT_READY);
        hostkey.answer("master-2", Kind.STAGE);
        publish(1, key("key-1", AsyncActionKind.CLEAR_PXE, longAgo));
        publish(2, key("key-2", AsyncActionKind.REBOOT, longAgo), key("master-2", null, longAgo));
        await().atMost(Duration.ofSeconds(30)).until(() -> poller.watchedKeys() == 3);

        targets.send(new ProducerRecord<>(ReinstallTopics.POLL_TARGETS, "1", null)).get();
        // Server 2's reboot has ended: only its master key is left.
        publish(2, key("master-2", null, longAgo));

        await().atMost(Duration.ofSeconds(30)).until(() -> poller.watchedKeys() == 1);
        int checksOfMaster = hostkey.checks("master-2").size();
        await().atMost(Duration.ofSeconds(30)).until(() -> hostkey.checks("master-2").size() > checksOfMaster);
    }

    @Test
    void shouldIgnorePollTargetsKeyedByAnotherServer() throws Exception {
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        hostkey.answer("misaddressed-key", Kind.NOT_READY);
        hostkey.answer("real-key", Kind.NOT_READY);
        PollTargets forServer5 = PollTargets.newBuilder().setServerId(5).setReinstallId("r-5")
                .setKeys(List.of(key("misaddressed-key", AsyncActionKind.REBOOT, longAgo))).build();
        targets.send(new ProducerRecord<>(ReinstallTopics.POLL_TARGETS, "6", forServer5)).get();
        publish(7, key("real-key", AsyncActionKind.REBOOT, longAgo));

        await().atMost(Duration.ofSeconds(30)).until(() -> !hostkey.checks("real-key").isEmpty());
        assertThat(hostkey.checks("misaddressed-key")).isEmpty();
        assertThat(poller.watchedKeys()).isEqualTo(1);
    }

    @Test
    void shouldSpendOneBudgetForTheDeploymentWhateverTheNumberOfInstances() throws Exception {
        Instant longAgo = Instant.now().minus(Duration.ofHours(1));
        // Far more due checks than the budget allows: 600 keys, each due again every 2 s, 300 checks/s wanted.
        for (int server = 1; server <= 600; server++) {
            hostkey.answer("busy-" + server, Kind.NOT_READY);
            publish(server, key("busy-" + server, AsyncActionKind.REBOOT, longAgo));
        }
        List<StagePoller> more = List.of(
                StagePoller.start(new PollerConfig(kafka.bootstrapServers(), registryUrl, groupId, INTERVAL, BUDGET), hostkey, Clock.systemUTC()),
                StagePoller.start(new PollerConfig(kafka.bootstrapServers(), registryUrl, groupId, INTERVAL, BUDGET), hostkey, Clock.systemUTC()));
        try {
            List<StagePoller> all = List.of(poller, more.get(0), more.get(1));
            // One partition each: a third of the budget each, rounded down.
            await().atMost(Duration.ofSeconds(60)).until(() -> all.stream().allMatch(p -> p.budgetPerSecond() == BUDGET / 3)
                    && all.stream().allMatch(p -> p.watchedKeys() > 0));
            Instant from = Instant.now().plusSeconds(2);
            Instant to = from.plusSeconds(6);
            await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(to));

            List<Instant> checks = new ArrayList<>();
            for (int server = 1; server <= 600; server++) {
                hostkey.checks("busy-" + server).stream().filter(at -> !at.isBefore(from) && at.isBefore(to)).forEach(checks::add);
            }
            Collections.sort(checks);
            int busiest = 0;
            for (int i = 0, j = 0; i < checks.size(); i++) {
                while (Duration.between(checks.get(j), checks.get(i)).compareTo(Duration.ofSeconds(1)) >= 0) {
                    j++;
                }
                busiest = Math.max(busiest, i - j + 1);
            }
            assertThat(busiest).as("checks in the busiest second of three instances").isLessThanOrEqualTo(BUDGET);
            // Half of the three shares over six seconds: the budget is spent, not starved (a loaded machine spends less).
            assertThat(checks.size()).as("the budget is spent, not starved").isGreaterThanOrEqualTo(6 * (BUDGET / 3) * 3 / 2);
        } finally {
            more.forEach(StagePoller::close);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static PollKey key(String key, AsyncActionKind action, Instant since) {
        return PollKey.newBuilder().setKey(key).setAction(action).setLastStage(0).setSince(since)
                .setDeadline(since.plus(Duration.ofHours(2))).build();
    }

    private void publish(long server, PollKey... keys) throws Exception {
        PollTargets value = PollTargets.newBuilder().setServerId(server).setReinstallId("r-" + server).setKeys(List.of(keys)).build();
        targets.send(new ProducerRecord<>(ReinstallTopics.POLL_TARGETS, String.valueOf(server), value)).get();
    }

    private List<ReinstallEvent> readEvents(java.util.function.Predicate<ReinstallEvent> wanted, int count) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "events-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ReinstallEvent> found = new ArrayList<>();
        try (KafkaConsumer<String, ReinstallEvent> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                topics.events.valueSerde().deserializer())) {
            consumer.subscribe(List.of(ReinstallTopics.EVENTS));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (wanted.test(r.value())) {
                        found.add(r.value());
                    }
                });
                return found.size() >= count;
            });
        }
        return found;
    }

    /** Answers eq_callback checks as told per key and records when each key was checked. */
    private static final class ScriptedHostkey implements HostkeyApi {
        private final Map<String, Kind> answers = new ConcurrentHashMap<>();
        private final Map<String, List<Instant>> checks = new ConcurrentHashMap<>();

        void answer(String key, Kind kind) {
            answers.put(key, kind);
        }

        List<Instant> checks(String key) {
            List<Instant> times = checks.get(key);
            if (times == null) {
                return List.of();
            }
            synchronized (times) {
                return List.copyOf(times);
            }
        }

        @Override
        public CallbackAnswer checkCallback(String key) {
            checks.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>())).add(Instant.now());
            Kind kind = answers.getOrDefault(key, Kind.KEY_NOT_FOUND);
            Integer stage = kind == Kind.STAGE ? 1 : null;
            return new CallbackAnswer(kind, key, stage, stage == null ? null : "Stage 1: installation started", "reinstall", "1");
        }

        @Override
        public List<OsOffer> listOs(String account, long serverId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ServerFacts show(String account, long serverId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<JenkinsTask> jenkinsTasks(String account) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String createReinstallKey(String account, long serverId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AsyncAction createPxe(String account, CreatePxeRequest request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AsyncAction bootDevice(String account, long serverId, BootMedia media) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AsyncAction reboot(String account, long serverId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AsyncAction runJenkinsTask(String account, long serverId, String taskId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AsyncAction clearPxe(String account, long serverId, String hostname) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}
