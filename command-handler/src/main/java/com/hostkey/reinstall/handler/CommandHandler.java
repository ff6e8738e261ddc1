package com.hostkey.reinstall.handler;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.CallIntent;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.runtime.DeadLetters;
import com.hostkey.reinstall.runtime.KafkaClientProperties;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import com.hostkey.reinstall.runtime.BudgetShare;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command handler's consume-call-produce pipeline.
 *
 * <p>In: reinstall-steps (key: server id; {@link StepCommand}; read_committed). Out:
 * reinstall-events ({@link ReinstallEvent}), reinstall-intents ({@link CallIntent}, compacted),
 * reinstall-dead-letters.
 *
 * <p>Only a step the state projector signed reaches Hostkey ({@link StepAuthenticator}). A record
 * the handler cannot act on (not signed by a key it holds, unreadable, without a key or keyed by
 * another server than its own) is dead-lettered with the reason, in the turn's transaction, and
 * skipped: nothing the handler writes for it depends on what it contained, so no record can make
 * a transaction fail and stop the handler. A step that arrives after its {@code notAfter} makes no
 * call and is answered {@code StepExpired} (see {@link StepExecutor#execute}).
 *
 * <p>Each server has a lane: its commands run one after the other, in offset order, while the
 * lanes of different servers run side by side on virtual threads (at most
 * {@link HandlerConfig.Flow#maxConcurrentCalls()} at once). A slow call holds up only its own
 * server. One loop thread owns every Kafka client and all the bookkeeping; each turn it
 * <ol>
 *   <li>polls (briefly while calls run) and queues the new commands on their lanes;</li>
 *   <li>collects the calls that have answered;</li>
 *   <li>picks the next command of every idle lane;</li>
 *   <li>commits one transaction: the answered calls' outcome events, an open intent for every
 *       picked call that must not be repeated blindly (create_pxe, reboot, Jenkins launch), each
 *       partition's offset up to its oldest unanswered command, and the
 *       {@link IntentLedger} records that say which commands past that offset are answered;</li>
 *   <li>only then starts the picked calls, so every intent is durable before its call is sent.</li>
 * </ol>
 * A crash replays the commands from the committed offsets. One whose outcome was published already
 * (a later lane answered while an earlier one still ran) is skipped. One whose intent is still open
 * may have been applied: it is not repeated, an AMBIGUOUS outcome is published instead and the
 * projector reconciles (a reboot, for instance, is judged by whether installer stage 1 arrives).
 * The others, never started or idempotent (reads, boot_dev, clear_pxe, the reinstall key), run.
 *
 * <p>A read-only step (the validation) does not wait for a turn: its outcome goes out at once on a
 * plain idempotent producer, and the turn's transaction then commits only its offset and answered
 * record. Published twice at worst (a crash or rebalance before that commit runs it again; it
 * changes nothing at Hostkey), under the same event id, the second is stale for the projector and
 * a duplicate for the history. This keeps the transaction's round trips (AddOffsetsToTxn,
 * TxnOffsetCommit, EndTxn, the markers) off the hop into {@code eq/reinstall}, which admission now
 * makes without a detour; if the send fails the transaction publishes the outcome as before.
 *
 * <p>Back-pressure: above {@link HandlerConfig.Flow#maxBufferedCommands()} unanswered commands the
 * handler pauses its partitions and keeps polling, so it never overruns max.poll.interval.ms. A
 * handler losing partitions (rebalance, shutdown) first waits a bounded time for their running
 * calls and commits those outcomes; whatever is still running after that is left to the intents.
 */
public final class CommandHandler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(100);
    /**
     * While calls run the loop turns this often, to publish their answers quickly. (Waking the poll
     * from the answering call instead was measured slower: frequent wakeups keep the consumer from
     * sending its fetches, so new commands arrive late.)
     */
    private static final Duration BUSY_POLL = Duration.ofMillis(2);

    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    /** Read-only steps' outcomes, published ahead of the transactions; replaced with the others on a reconnect. */
    private volatile KafkaProducer<String, byte[]> readAnswers;
    private final HandlerConfig config;
    private final ReinstallTopics topics;
    private final Deserializer<StepCommand> commands;
    private final StepAuthenticator stepAuth;
    private final Serializer<ReinstallEvent> events;
    private final Serializer<CallIntent> intents;
    private final StepExecutor executor;
    private final Clock clock;
    /** What reinstall-intents says about the servers of the assigned partitions. */
    private final IntentLedger ledger = new IntentLedger();
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    /** Calls that answered, handed from their virtual threads to the loop. */
    private final BlockingQueue<Work> answered = new LinkedBlockingQueue<>();
    private final Pipeline pipeline = new Pipeline();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread loop;
    private final HandlerMetrics metrics;

    private CommandHandler(HandlerConfig config, ReinstallTopics topics, StepExecutor executor, Clock clock, HandlerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.topics = topics;
        this.executor = executor;
        this.clock = clock;
        this.commands = topics.steps.valueSerde().deserializer();
        this.stepAuth = Objects.requireNonNull(config.stepAuth(), "the handler verifies every step: give it the step keys (STEP_AUTH_KEYS)");
        this.events = topics.events.valueSerde().serializer();
        this.intents = topics.intents.valueSerde().serializer();
        this.loop = Thread.ofPlatform().name("command-handler-loop").unstarted(this::run);
    }

    public static CommandHandler start(HandlerConfig config, StepExecutor executor) {
        return start(config, executor, HandlerMetrics.disabled());
    }

    /** Starts the loop; its Kafka clients, assignment and skipped records are reported to {@code metrics}. */
    public static CommandHandler start(HandlerConfig config, StepExecutor executor, HandlerMetrics metrics) {
        CommandHandler handler = new CommandHandler(config, ReinstallTopics.create(config.serdeConfig()), executor, Clock.systemUTC(), metrics);
        handler.connect();
        handler.loop.start();
        log.info("command-handler started: group={} transactional.id={} {}", config.groupId(), config.transactionalId(), config.flow());
        return handler;
    }

    static Properties consumerConfig(HandlerConfig config) {
        Properties props = KafkaClientProperties.base(config.bootstrapServers(), "command-handler-steps", config.clientSecurity());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        // Only commands from committed projector transactions are real.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Offsets commit inside the producer's transaction, never on their own.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Eager rebalancing: every partition is revoked and reassigned together, which is what the
        // intent bookkeeping (cleared on revocation, reloaded on assignment) relies on.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        props.putAll(config.consumerOverrides());
        return props;
    }

    static Properties producerConfig(HandlerConfig config) {
        Properties props = KafkaClientProperties.base(config.bootstrapServers(), "command-handler-outcomes", config.clientSecurity());
        // Intents, events and consumed offsets commit atomically; a fenced zombie cannot write.
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        // The loop commits back to back: retry soon after the last commit's markers are written.
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, KafkaClientProperties.TRANSACTIONAL_RETRY_BACKOFF_MS);
        return props;
    }

    /** The producer of read-only steps' outcomes: idempotent, outside any transaction. */
    static Properties readAnswersConfig(HandlerConfig config) {
        Properties props = KafkaClientProperties.base(config.bootstrapServers(), "command-handler-read-answers", config.clientSecurity());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return props;
    }

    /** New clients: a fresh transactional producer (fencing any zombie of ours) and a subscribed consumer. */
    private void connect() {
        consumer = new KafkaConsumer<>(consumerConfig(config), new StringDeserializer(), new ByteArrayDeserializer());
        producer = new KafkaProducer<>(producerConfig(config), new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        readAnswers = new KafkaProducer<>(readAnswersConfig(config), new StringSerializer(), new ByteArraySerializer());
        consumer.subscribe(List.of(topics.steps.name()), new Rebalances());
        metrics.clientsConnected(consumer, producer);
    }

    private void disconnect() {
        metrics.clientsClosed();
        try {
            consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            log.debug("closing the consumer: {}", e.toString());
        }
        try {
            producer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            log.debug("closing the producer: {}", e.toString());
        }
        try {
            readAnswers.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            log.debug("closing the read answers' producer: {}", e.toString());
        }
    }

    /**
     * Turns the pipeline. A failed turn (broker gone, transaction timed out, fenced by a rebalance)
     * abandons everything in flight with its transaction aborted: the clients are rebuilt and the
     * commands come back from the last committed offsets, where open intents keep them safe.
     */
    private void run() {
        while (running.get()) {
            try {
                turn();
            } catch (WakeupException e) {
                // close() woke the loop up.
            } catch (RuntimeException e) {
                if (!running.get()) {
                    break;
                }
                log.error("command-handler pipeline failed, reconnecting: {}", e.toString());
                pipeline.abandon(partition -> true);
                ledger.clear();
                disconnect();
                pause(Duration.ofSeconds(1));
                try {
                    connect();
                } catch (RuntimeException again) {
                    log.error("command-handler cannot reconnect yet: {}", again.toString());
                }
            }
        }
        try {
            // A clean stop publishes what its running calls answer instead of leaving them unknown.
            handOver(consumer.assignment());
        } catch (RuntimeException e) {
            log.warn("command-handler could not publish its last answers before stopping: {}", e.toString());
        }
        disconnect();
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    /** One turn of the loop: poll, queue, collect answers, commit, start the next calls. */
    private void turn() {
        // Answers already waiting are published this turn, not after a poll's wait.
        Duration wait = !answered.isEmpty() ? Duration.ZERO : pipeline.isIdle() ? IDLE_POLL : BUSY_POLL;
        ConsumerRecords<String, byte[]> records = consumer.poll(wait);
        Outbox out = new Outbox();
        for (ConsumerRecord<String, byte[]> record : records) {
            accept(record, out);
        }
        collectAnswers(out);
        List<Work> starting = pipeline.pickNext(config.flow().maxConcurrentCalls());
        starting.stream().filter(w -> w.intent != null).forEach(out.opening::add);
        commit(out);
        starting.forEach(this::launch);
        applyBackPressure();
    }

    private void accept(ConsumerRecord<String, byte[]> record, Outbox out) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        Optional<String> forged = stepAuth.refusal(record.topic(), record.headers(), record.value());
        if (forged.isPresent()) {
            refuse(record, partition, new RefusedStepException(RefusedStepException.Reason.UNAUTHENTICATED, forged.get()), out);
            return;
        }
        StepCommand command;
        try {
            command = commands.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            refuse(record, partition, new RefusedStepException(RefusedStepException.Reason.UNREADABLE,
                    "signed but unreadable: " + e.getMessage()), out);
            return;
        }
        if (command == null || record.key() == null || !record.key().equals(String.valueOf(command.getServerId()))) {
            // Intents and answered records are keyed by the record key: it must name the step's own server.
            refuse(record, partition, new RefusedStepException(RefusedStepException.Reason.MISADDRESSED,
                    record.key() == null ? "the record has no key; a step is keyed by its server id"
                            : "the record key is not the step's server id"), out);
            return;
        }
        IntentLedger.Verdict verdict = ledger.verdict(record.partition(), record.key(), record.offset(), command.getCommandId());
        if (verdict == IntentLedger.Verdict.ANSWERED) {
            // Answered before a crash or a rebalance while the partition's offset was still behind it.
            log.info("command {} of server {} was answered already; not repeating it", command.getCommandId(), record.key());
            pipeline.skipped(partition, record.offset());
            return;
        }
        boolean unknown = verdict == IntentLedger.Verdict.OUTCOME_UNKNOWN;
        CallIntent intent = !unknown && StepExecutor.mustNotRepeatBlindly(command) ? intentFor(command) : null;
        pipeline.queue(new Work(partition, record.offset(), record.key(), command, unknown, intent));
    }

    /** Dead-letters a record the handler will not act on (in this turn's transaction) and moves past it. */
    private void refuse(ConsumerRecord<String, byte[]> record, TopicPartition partition, RefusedStepException reason, Outbox out) {
        log.warn("dead-lettering {}-{}@{}: {} ({})", record.topic(), record.partition(), record.offset(),
                reason.getMessage(), reason.reason());
        metrics.deadLettered(record.topic(), reason.reason().name());
        out.deadLetters.add(DeadLetters.of(record, reason, StepExecutor.SOURCE));
        pipeline.skipped(partition, record.offset());
    }

    /** Moves every call answered so far into {@code out}. */
    private void collectAnswers(Outbox out) {
        List<Work> done = new ArrayList<>();
        answered.drainTo(done);
        done.forEach(work -> collect(work, out));
    }

    private void collect(Work work, Outbox out) {
        if (work.abandoned || !pipeline.answered(work)) {
            return; // its partition moved on (rebalance, reconnect): the new owner answers it
        }
        out.answered.add(work);
    }

    /**
     * One transaction with everything the turn has to say; nothing when it has nothing. A transaction
     * that publishes anything also commits every partition's offset, moved or not, so the group
     * coordinator fences it if this instance no longer owns its partitions.
     */
    private void commit(Outbox out) {
        Map<TopicPartition, OffsetAndMetadata> offsets = out.isEmpty() ? pipeline.advancedOffsets() : pipeline.committableOffsets();
        if (out.isEmpty() && offsets.isEmpty()) {
            return;
        }
        IntentLedger.Changes changes = ledger.plan(out.answered, out.opening, offsets, clock.instant());
        inTransaction(() -> {
            for (Work work : out.answered) {
                if (!work.publishedAhead) {
                    producer.send(outcomeRecord(work));
                }
            }
            changes.writes().forEach((slot, intent) -> send(topics.intents.name(), slot.server(),
                    intent == null ? null : intents.serialize(topics.intents.name(), intent)));
            out.deadLetters.forEach(producer::send);
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            }
        });
        pipeline.committed(offsets);
        ledger.apply(changes);
    }

    private void launch(Work work) {
        calls.execute(() -> {
            ReinstallEvent outcome;
            try {
                outcome = work.outcomeUnknown ? executor.outcomeUnknown(work.command) : executor.execute(work.command);
            } catch (RuntimeException e) {
                outcome = executor.failedUnexpectedly(work.command, e);
            }
            work.outcome = outcome;
            if (!(StepExecutor.readsOnly(work.command) && publishAhead(work))) {
                answered.add(work);
            }
        });
    }

    /**
     * Sends a read-only step's outcome now, outside any transaction; the work goes to the loop once
     * the send is acknowledged ({@link Work#publishedAhead}) or has failed (the turn's transaction
     * then publishes it). False when it could not be sent at all.
     */
    private boolean publishAhead(Work work) {
        KafkaProducer<String, byte[]> out = readAnswers;
        if (work.abandoned || out == null) {
            return false;
        }
        try {
            out.send(outcomeRecord(work), (metadata, failure) -> {
                if (failure != null) {
                    log.warn("the outcome of {} was not published ahead ({}); the next transaction publishes it",
                            work.command.getCommandId(), failure.toString());
                }
                work.publishedAhead = failure == null;
                answered.add(work);
            });
            return true;
        } catch (RuntimeException e) {
            // Closed by a reconnect, or the serializer could not reach the registry: the loop decides.
            return false;
        }
    }

    private ProducerRecord<String, byte[]> outcomeRecord(Work work) {
        return new ProducerRecord<>(topics.events.name(), String.valueOf(work.outcome.getServerId()),
                events.serialize(topics.events.name(), work.outcome));
    }

    private void applyBackPressure() {
        int buffered = pipeline.buffered();
        if (buffered >= config.flow().maxBufferedCommands() && consumer.paused().size() < consumer.assignment().size()) {
            log.info("command-handler has {} unanswered commands; pausing its partitions", buffered);
            consumer.pause(consumer.assignment());
        } else if (buffered <= config.flow().maxBufferedCommands() / 2 && !consumer.paused().isEmpty()) {
            log.info("command-handler is down to {} unanswered commands; resuming its partitions", buffered);
            consumer.resume(consumer.paused());
        }
        metrics.pipeline(buffered, pipeline.running(), consumer.paused().size());
    }

    /**
     * Before partitions move to another owner: waits (at most the revocation grace) for the calls
     * running on them, publishes every answer with the offsets it allows, and drops the rest. What
     * still runs after the grace keeps its intent open, so the new owner will not repeat it blindly.
     */
    private void handOver(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Set<TopicPartition> leaving = Set.copyOf(partitions);
        pipeline.dropWaiting(leaving);
        Outbox out = new Outbox();
        long deadline = System.nanoTime() + config.flow().revocationGrace().toNanos();
        while (pipeline.runningOn(leaving) > 0 && System.nanoTime() < deadline) {
            try {
                Work work = answered.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (work != null) {
                    collect(work, out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        collectAnswers(out);
        int unanswered = pipeline.runningOn(leaving);
        if (unanswered > 0) {
            log.warn("command-handler hands over {} call(s) still running after {} ms; their intents stay open",
                    unanswered, config.flow().revocationGrace().toMillis());
        }
        commit(out);
        pipeline.abandon(leaving::contains);
    }

    private CallIntent intentFor(StepCommand command) {
        return CallIntent.newBuilder()
                .setCommandId(command.getCommandId())
                .setServerId(command.getServerId())
                .setReinstallId(command.getReinstallId())
                .setCall(StepExecutor.callOf(command))
                .setStartedAt(clock.instant())
                .build();
    }

    private void send(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    private void inTransaction(Runnable body) {
        producer.beginTransaction();
        try {
            body.run();
            producer.commitTransaction();
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    /** What one turn publishes in its transaction. */
    private static final class Outbox {
        /** Calls answered, whose outcomes it publishes. */
        final List<Work> answered = new ArrayList<>();
        /** Calls about to start that need an open intent first. */
        final List<Work> opening = new ArrayList<>();
        /** Records the handler will not act on, with the reason. */
        final List<ProducerRecord<String, byte[]>> deadLetters = new ArrayList<>();

        boolean isEmpty() {
            return answered.isEmpty() && opening.isEmpty() && deadLetters.isEmpty();
        }
    }

    /** The Hostkey budget is the deployment's: this instance spends the share of the steps' partitions it owns. */
    private void shareBudget(Collection<TopicPartition> leaving) {
        executor.shareBudget(BudgetShare.of(consumer, topics.steps.name(), leaving));
    }

    /**
     * Partitions leaving hand over what their running calls answer; partitions arriving load the
     * intents still open on them (calls started by an instance that died or ran out of grace).
     */
    private final class Rebalances implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            handOver(partitions);
            partitions.forEach(p -> ledger.forget(p.partition()));
            shareBudget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            // Another member may own them already: nothing may be published for them any more.
            Set<TopicPartition> lost = Set.copyOf(partitions);
            pipeline.abandon(lost::contains);
            partitions.forEach(p -> ledger.forget(p.partition()));
            shareBudget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            shareBudget(List.of());
            List<TopicPartition> intentPartitions = partitions.stream()
                    .map(p -> new TopicPartition(topics.intents.name(), p.partition()))
                    .toList();
            // The command partitions' ends: an answered record at or past one is left from an earlier
            // incarnation of the topic and must not make new commands look answered.
            Map<Integer, Long> ends = new HashMap<>();
            consumer.endOffsets(partitions).forEach((partition, end) -> ends.put(partition.partition(), end));
            List<String> stale = ledger.load(IntentLog.read(config, topics, intentPartitions), ends);
            if (!stale.isEmpty()) {
                log.warn("command-handler ignores {} answered record(s) past the end of their command partition "
                        + "(was reinstall-steps recreated?): servers {}", stale.size(), stale);
            }
            List<String> unknown = ledger.openCalls();
            if (!unknown.isEmpty()) {
                log.warn("command-handler found {} call(s) whose outcome is unknown after a restart or rebalance: {}",
                        unknown.size(), unknown);
            }
            metrics.assigned(partitions);
        }
    }

    /** Reads the compacted intent log of some partitions to its end. */
    static final class IntentLog {
        private IntentLog() {}

        static Map<Integer, Map<String, CallIntent>> read(HandlerConfig config, ReinstallTopics topics, List<TopicPartition> partitions) {
            Properties props = KafkaClientProperties.base(config.bootstrapServers(), "command-handler-intent-reader",
                    config.clientSecurity());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId() + "-intent-reader-" + UUID.randomUUID());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            Map<Integer, Map<String, CallIntent>> open = new HashMap<>();
            Deserializer<CallIntent> values = topics.intents.valueSerde().deserializer();
            try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                reader.assign(partitions);
                reader.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = reader.endOffsets(partitions);
                while (partitions.stream().anyMatch(p -> reader.position(p) < end.get(p))) {
                    for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
                        Optional<CallIntent> intent = Optional.ofNullable(record.value()).map(v -> values.deserialize(record.topic(), v));
                        Map<String, CallIntent> ofPartition = open.computeIfAbsent(record.partition(), p -> new HashMap<>());
                        intent.ifPresentOrElse(i -> ofPartition.put(record.key(), i), () -> ofPartition.remove(record.key()));
                    }
                }
            }
            return open;
        }
    }

    /** Liveness: the consume-call-produce loop has not ended. */
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
        calls.shutdownNow();
    }
}
