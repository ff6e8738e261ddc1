package com.hostkey.reinstall.poller;

import com.hostkey.invapi.client.HostkeyApi;
import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer;
import com.hostkey.invapi.client.HostkeyException;
import com.hostkey.reinstall.poller.CallbackInterpreter.Interpretation;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.PollKey;
import com.hostkey.reinstall.schemas.avro.PollTargets;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.runtime.DeadLetters;
import com.hostkey.reinstall.runtime.KafkaClientProperties;
import com.hostkey.reinstall.runtime.LogContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import com.hostkey.reinstall.runtime.BudgetShare;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls eq_callback for every open key and publishes what the answers establish.
 *
 * <p>In: reinstall-poll-targets (compacted; key: server id; value: {@link PollTargets}, a tombstone
 * when nothing is open). The set of keys is rebuilt from that topic on every partition assignment
 * (read from the beginning); no local file is the source of truth. Out: reinstall-events
 * (InstallStageReached, ActionCompleted, ActionFailed, InstallFailed, CallbackKeyVanished).
 *
 * <p>A new key is first checked when a key of its kind is expected to have an answer, at most one
 * interval after it was opened, then once per interval (with jitter; see {@link CheckSchedule}), the
 * nearest deadline first, within a budget of requests per second. An answer's events are written
 * (and acknowledged) before the key's local state moves on, so an OK, which deletes the key at
 * Hostkey, is never lost by this process.
 *
 * <p>The keys are held twice: {@code watched} by name, for the poll-target updates, and a
 * {@link DueIndex} by when they are next due, so that a loop turn touches only the keys it
 * dispatches rather than every watched key. The index belongs to the loop thread: a new key enters it
 * in {@code apply}, a checked key goes back through {@link DueIndex#checked} and is re-indexed at the
 * loop's next turn, and a key dropped from {@code watched} is dropped from the index when next met.
 */
public final class StagePoller implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StagePoller.class);
    static final String SOURCE = "stage-poller";
    /** The longest loop iteration: a 5 ms consumer poll plus a sleep of at most 20 ms. */
    private static final long LOOP_CREDIT_NANOS = 25_000_000L;

    private final PollerConfig config;
    private final HostkeyApi hostkey;
    /** This instance's share of the deployment's check budget, per second ({@link #shareBudget}). */
    private volatile int budgetPerSecond;
    private final Clock clock;
    private final ReinstallTopics topics;
    private KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<PollTargets> targetsDeserializer;
    private final KafkaProducer<String, ReinstallEvent> producer;
    private final KafkaProducer<String, byte[]> deadLetters;

    private final Map<String, WatchedKey> watched = new ConcurrentHashMap<>();
    /** The watched keys not in flight, by when they are due: the loop thread's alone (see {@link DueIndex}). */
    private final DueIndex index = new DueIndex(this::isWatched);
    /**
     * Per partition, per server (the record key), the keys its latest poll targets listed, open or
     * finished: a poll-target update touches only its own server's keys, a revoked partition only its
     * own servers. Used by the loop thread alone (records and rebalance callbacks arrive in poll()).
     */
    private final Map<TopicPartition, Map<String, List<String>>> listedKeys = new HashMap<>();
    /**
     * Keys whose final answer is being or was published; a late poll-target update must not revive them.
     * A key leaves when its server's poll targets stop listing it (the projector has moved on).
     */
    private final Set<String> finished = ConcurrentHashMap.newKeySet();
    private final CheckSchedule schedule;
    private final ExecutorService checks = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight = new Semaphore(64);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread loop;
    private final PollerMetrics metrics;

    private StagePoller(PollerConfig config, HostkeyApi hostkey, Clock clock, PollerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.hostkey = hostkey;
        this.budgetPerSecond = config.requestsPerSecond();
        this.clock = clock;
        this.schedule = new CheckSchedule(config.interval());
        this.topics = ReinstallTopics.create(config.serdeConfig());
        this.targetsDeserializer = topics.pollTargets.valueSerde().deserializer();
        this.producer = new KafkaProducer<>(producerConfig(config, "stage-poller-events"), new StringSerializer(),
                topics.events.valueSerde().serializer());
        this.deadLetters = new KafkaProducer<>(producerConfig(config, "stage-poller-dead-letters"), new StringSerializer(),
                new ByteArraySerializer());
        metrics.producersCreated(producer, deadLetters);
        this.loop = Thread.ofPlatform().name("stage-poller-loop").unstarted(this::run);
    }

    public static StagePoller start(PollerConfig config, HostkeyApi hostkey, Clock clock) {
        return start(config, hostkey, clock, PollerMetrics.disabled());
    }

    /** Starts the loop; checks, events, its Kafka clients and assignment are reported to {@code metrics}. */
    public static StagePoller start(PollerConfig config, HostkeyApi hostkey, Clock clock, PollerMetrics metrics) {
        StagePoller poller = new StagePoller(config, hostkey, clock, metrics);
        poller.connect();
        poller.loop.start();
        log.info("stage-poller started: interval={} budget={} req/s for the deployment (this instance takes its share of"
                + " the partitions)", config.interval(), config.requestsPerSecond());
        return poller;
    }

    static Properties consumerConfig(PollerConfig config) {
        Properties props = KafkaClientProperties.base(config.bootstrapServers(), "stage-poller-targets", config.clientSecurity());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        // Poll targets come from the projector's transactions: only committed ones are real.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // The whole compacted topic is re-read on assignment, so offsets are never committed.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putAll(config.consumerOverrides());
        return props;
    }

    static Properties producerConfig(PollerConfig config, String clientId) {
        Properties props = KafkaClientProperties.base(config.bootstrapServers(), clientId, config.clientSecurity());
        // No duplicates from producer retries; every event acknowledged by all in-sync replicas.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        return props;
    }

    /** Number of keys currently watched (for tests and metrics). */
    public int watchedKeys() {
        return watched.size();
    }

    /** Whether {@code key} is still this very object in {@code watched} (not removed, nor replaced). */
    private boolean isWatched(WatchedKey key) {
        return watched.get(key.key) == key;
    }

    private void connect() {
        consumer = new KafkaConsumer<>(consumerConfig(config), new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topics.pollTargets.name()), new Rebuild());
        metrics.consumerConnected(consumer);
    }

    private void run() {
        // Requests are spaced evenly at the budget's rate: a slot every 1/rps seconds, no bursts.
        int rps = budgetPerSecond;
        long slotNanos = 1_000_000_000L / Math.max(1, rps);
        long nextSlot = System.nanoTime();
        SlidingSecond budget = new SlidingSecond(SlidingSecond.withHeadroom(rps));
        while (running.get()) {
            try {
                if (budgetPerSecond != rps) {
                    // A rebalance changed this instance's share: a new pace, and a sliding second that holds no more than it.
                    rps = budgetPerSecond;
                    slotNanos = 1_000_000_000L / Math.max(1, rps);
                    budget = new SlidingSecond(SlidingSecond.withHeadroom(rps));
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(5))) {
                    apply(record);
                }
                long now = System.nanoTime();
                // An idle poller does not save up a burst for later; a busy one keeps the slots that passed
                // while it waited in poll() or slept (one loop, at most 25 ms): credit of a single slot would
                // cap the rate at one check per loop, about 180/s, whatever the budget.
                nextSlot = Math.max(nextSlot, now - Math.max(slotNanos, LOOP_CREDIT_NANOS));
                int paced = (int) Math.min(64, Math.max(0, (now - nextSlot) / slotNanos));
                int started = dispatchDueChecks(budget.allowance(now, paced));
                budget.started(now, started);
                nextSlot += started * slotNanos;
                if (started == 0) {
                    Thread.sleep(Math.max(1, Math.min(20, slotNanos / 1_000_000)));
                }
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                // close() woke the loop up.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                if (!running.get()) {
                    break;
                }
                // Rebuild from the compacted topic with a fresh consumer; the watched keys are reloaded on assignment.
                log.error("stage-poller loop failed, reconnecting: {}", e.toString());
                try {
                    consumer.close(Duration.ofSeconds(5));
                } catch (RuntimeException closing) {
                    log.debug("closing the consumer: {}", closing.toString());
                }
                watched.clear();
                index.clear();
                listedKeys.clear();
                try {
                    Thread.sleep(1000);
                    connect();
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (RuntimeException again) {
                    log.error("stage-poller cannot reconnect yet: {}", again.toString());
                }
            }
        }
        consumer.close();
    }

    /** Starts up to {@code allowance} checks of keys that are due: nearest deadline first, then longest due. */
    private int dispatchDueChecks(int allowance) {
        Instant now = clock.instant();
        int started = 0;
        while (started < allowance && inFlight.tryAcquire()) {
            WatchedKey key = index.pollDue(now);
            if (key == null) {
                inFlight.release();
                break;
            }
            startCheck(key);
            started++;
        }
        return started;
    }

    /** Checks {@code key} on its own thread, then hands it back to the index with its next check written. */
    private void startCheck(WatchedKey key) {
        checks.submit(() -> {
            try {
                LogContext.run(key.serverId, key.reinstallId, null, () -> check(key));
            } finally {
                index.checked(key);
                inFlight.release();
            }
        });
    }

    private void check(WatchedKey key) {
        CallbackAnswer answer;
        boolean teaches = key.teachesSchedule;
        key.teachesSchedule = false;
        try {
            answer = hostkey.checkCallback(key.key);
            metrics.checked(answer);
        } catch (HostkeyException e) {
            metrics.checkFailed();
            log.warn("server={} reinstall={} check failed, will retry: {}", key.serverId, key.reinstallId, e.getMessage());
            key.nextCheck = schedule.nextCheck(clock.instant());
            return;
        }
        if (teaches) {
            schedule.firstCheckAnswered(key.action, answer.kind() != CallbackAnswer.Kind.NOT_READY);
        }
        Interpretation result = CallbackInterpreter.interpret(key, answer);
        if (result.keyFinished()) {
            // Before the event exists, so before the projector can stop listing the key: the poll targets
            // that no longer list it are what removes it from here again.
            finished.add(key.key);
        }
        try {
            for (Object payload : result.payloads()) {
                ReinstallEvent event = ReinstallEvent.newBuilder()
                        .setEventId(key.key + ":" + payload.getClass().getSimpleName() + ":" + result.lastStage())
                        .setServerId(key.serverId)
                        .setReinstallId(key.reinstallId)
                        .setCommandId(null)
                        .setOccurredAt(clock.instant())
                        .setSource(SOURCE)
                        .setPayload(payload)
                        .build();
                // Acknowledged before moving on: Hostkey deletes a key after its OK.
                producer.send(new ProducerRecord<>(topics.events.name(), String.valueOf(key.serverId), event)).get();
                metrics.published(payload);
                log.info("server={} reinstall={} {}", key.serverId, key.reinstallId, describe(payload));
            }
        } catch (InterruptedException e) {
            finished.remove(key.key);
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            log.error("server={} reinstall={} cannot publish an event, will check again: {}", key.serverId, key.reinstallId,
                    e.getCause().toString());
            finished.remove(key.key);
            key.nextCheck = schedule.nextCheck(clock.instant());
            return;
        }
        key.lastStage = result.lastStage();
        if (result.keyFinished()) {
            watched.remove(key.key, key);
        } else {
            key.nextCheck = schedule.nextCheck(clock.instant());
        }
    }

    private static String describe(Object payload) {
        if (payload instanceof com.hostkey.reinstall.schemas.avro.InstallStageReached stage) {
            return "stage " + stage.getStage() + (stage.getObserved() ? "" : " (inferred)");
        }
        return payload.getClass().getSimpleName();
    }

    /**
     * Replaces the watched keys of one server with what the projector says is open now. A key new to
     * this poller is first checked when the {@link CheckSchedule} expects an answer, counted from when
     * the projector opened it; one already watched keeps its schedule.
     */
    private void apply(ConsumerRecord<String, byte[]> record) {
        String server = record.key();
        PollTargets targets;
        try {
            targets = record.value() == null ? null : targetsDeserializer.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            if (!AvroSerde.blamesTheRecord(e)) {
                // The registry, not the record: the loop reconnects and reads the compacted topic again.
                // Dead-lettered, the server's keys would go unwatched until their deadlines failed the reinstalls.
                throw e;
            }
            deadLetter(record, e);
            return;
        }
        if (targets != null && !String.valueOf(targets.getServerId()).equals(server)) {
            // Only the projector writes poll targets, keyed by their server: anything else is not its record.
            deadLetter(record, new IllegalArgumentException("the record key is not the poll targets' server id"));
            return;
        }
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        List<String> listed = new ArrayList<>(2);
        if (targets != null) {
            Instant now = clock.instant();
            for (PollKey pollKey : targets.getKeys()) {
                listed.add(pollKey.getKey());
                if (!finished.contains(pollKey.getKey())) {
                    watch(targets, pollKey, now);
                }
            }
        }
        Map<String, List<String>> servers = listedKeys.computeIfAbsent(partition, p -> new HashMap<>());
        List<String> before = listed.isEmpty() ? servers.remove(server) : servers.put(server, List.copyOf(listed));
        if (before != null) {
            for (String key : before) {
                if (!listed.contains(key)) {
                    watched.remove(key);
                    finished.remove(key);
                }
            }
        }
    }

    /**
     * Watches a key the poll targets list: a new one from its first check on, one already watched keeps
     * its schedule and takes the projector's stage and deadline. Only this (the loop) thread adds keys,
     * so a get then a put cannot race another put; a check that finishes the key may remove it
     * meanwhile, and the update then lands on a key no longer watched.
     */
    private void watch(PollTargets targets, PollKey pollKey, Instant now) {
        WatchedKey existing = watched.get(pollKey.getKey());
        if (existing != null) {
            existing.lastStage = Math.max(existing.lastStage, pollKey.getLastStage());
            index.changeDeadline(existing, pollKey.getDeadline());
            return;
        }
        AsyncActionKind action = pollKey.getAction();
        WatchedKey created = new WatchedKey(targets.getServerId(), targets.getReinstallId(), pollKey.getKey(), action,
                pollKey.getLastStage(), schedule.firstCheck(action, pollKey.getSince(), now));
        created.deadline = pollKey.getDeadline();
        created.teachesSchedule = schedule.teaches(action, pollKey.getLastStage(), pollKey.getSince(), now);
        watched.put(created.key, created);
        index.add(created);
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, RuntimeException error) {
        log.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), error.getMessage());
        // The compacted topic is re-read on every rebalance: a record seen again is dead-lettered again.
        deadLetters.send(DeadLetters.of(record, error, SOURCE));
        metrics.deadLettered(record.topic());
    }

    /** This instance's checks per second now: its share of POLLER_MAX_REQUESTS_PER_SECOND. */
    public int budgetPerSecond() {
        return budgetPerSecond;
    }

    /**
     * POLLER_MAX_REQUESTS_PER_SECOND is the deployment's: this instance takes the share of the poll
     * targets' partitions it owns, rounded down (at least one check per second), and tells its Hostkey
     * client the same share of its own budget. Called from the consumer's thread on every rebalance.
     */
    private void shareBudget(Collection<TopicPartition> leaving) {
        double share = BudgetShare.of(consumer, topics.pollTargets.name(), leaving);
        int rps = Math.max(1, (int) Math.floor(config.requestsPerSecond() * share));
        if (rps != budgetPerSecond) {
            log.info("stage-poller budget: this instance's share is {} of {} checks/s: {} checks/s",
                    String.format(java.util.Locale.ROOT, "%.3f", share), config.requestsPerSecond(), rps);
        }
        budgetPerSecond = rps;
        hostkey.shareBudget(share);
    }

    /** Rebuilds the watched keys from the compacted topic whenever partitions move. */
    private final class Rebuild implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            forget(partitions);
            shareBudget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
            shareBudget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            shareBudget(List.of());
            consumer.seekToBeginning(partitions);
            log.info("stage-poller rebuilding poll targets of {} partitions from the beginning", partitions.size());
            metrics.assigned(partitions);
        }

        /**
         * Stops watching the keys of partitions this poller no longer owns. Their finished keys stay
         * known: should a partition come back while its records still list one, it is not checked again.
         */
        private void forget(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                Map<String, List<String>> servers = listedKeys.remove(partition);
                if (servers != null) {
                    servers.values().forEach(keys -> keys.forEach(watched::remove));
                }
            }
            if (!partitions.isEmpty()) {
                index.dropUnwatched();
            }
        }
    }

    /** Liveness: the poll loop has not ended. */
    public boolean isRunning() {
        return loop.isAlive();
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            loop.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checks.shutdown();
        producer.close(Duration.ofSeconds(5));
        deadLetters.close(Duration.ofSeconds(5));
    }
}
