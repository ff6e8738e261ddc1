package com.hostkey.reinstall.handler;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.CallIntent;
import com.hostkey.reinstall.schemas.avro.ReinstallCommand;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.runtime.DeadLetters;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
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
 * The command handler's consume-call-produce loop.
 *
 * <p>In: reinstall-commands (key: server id; {@link ReinstallCommand}; read_committed). Out:
 * reinstall-events ({@link ReinstallEvent}), reinstall-intents ({@link CallIntent}, compacted),
 * reinstall-dead-letters (raw records that cannot be read). Upstream commands (ReinstallServer,
 * CancelReinstall, ReleaseServer) belong to the projector and are skipped.
 *
 * <p>Effectively once, per poll batch:
 * <ol>
 *   <li>a first transaction commits an intent for every call that must not be repeated blindly
 *       (create_pxe, reboot, Jenkins launch);</li>
 *   <li>the calls run, servers concurrently on virtual threads, one server's commands in order;</li>
 *   <li>a second transaction publishes every outcome event, removes the intents and commits the
 *       consumed offsets.</li>
 * </ol>
 * A crash before (1) commits replays the commands as if new. A crash between (1) and (3) replays
 * them with their intent still open: the outcome is unknown, so the call is not repeated; an
 * AMBIGUOUS outcome is published instead and the projector reconciles (a reboot, for instance, is
 * judged by whether installer stage 1 arrives). Idempotent calls (reads, boot_dev, clear_pxe, the
 * reinstall key) are simply repeated.
 */
public final class CommandHandler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);

    private KafkaConsumer<String, byte[]> consumer;
    private KafkaProducer<String, byte[]> producer;
    private final HandlerConfig config;
    private final ReinstallTopics topics;
    private final Deserializer<ReinstallCommand> commands;
    private final Serializer<ReinstallEvent> events;
    private final Serializer<CallIntent> intents;
    private final StepExecutor executor;
    private final Clock clock;
    /** Open intents of the servers in the assigned partitions, by server id. */
    private final Map<String, CallIntent> openIntents = new ConcurrentHashMap<>();
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread loop;
    private final HandlerMetrics metrics;

    private CommandHandler(HandlerConfig config, ReinstallTopics topics, StepExecutor executor, Clock clock, HandlerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.topics = topics;
        this.executor = executor;
        this.clock = clock;
        this.commands = topics.commands.valueSerde().deserializer();
        this.events = topics.events.valueSerde().serializer();
        this.intents = topics.intents.valueSerde().serializer();
        this.loop = Thread.ofPlatform().name("command-handler-loop").unstarted(this::run);
    }

    public static CommandHandler start(HandlerConfig config, StepExecutor executor) {
        return start(config, executor, HandlerMetrics.disabled());
    }

    /** Starts the loop; its Kafka clients, assignment and dead letters are reported to {@code metrics}. */
    public static CommandHandler start(HandlerConfig config, StepExecutor executor, HandlerMetrics metrics) {
        CommandHandler handler = new CommandHandler(config, ReinstallTopics.create(config.serdeConfig()), executor, Clock.systemUTC(), metrics);
        handler.connect();
        handler.loop.start();
        log.info("command-handler started: group={} transactional.id={}", config.groupId(), config.transactionalId());
        return handler;
    }

    static Properties consumerConfig(HandlerConfig config) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        // Only commands from committed projector transactions are real.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // Offsets commit inside the producer's transaction, never on their own.
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Bounds the work of one batch: its calls must end well within max.poll.interval.ms.
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        props.putAll(config.clientSecurity());
        props.putAll(config.consumerOverrides());
        return props;
    }

    static Properties producerConfig(HandlerConfig config) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        // Intents, events and consumed offsets commit atomically; a fenced zombie cannot write.
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        props.putAll(config.clientSecurity());
        return props;
    }

    /** New clients: a fresh transactional producer (fencing any zombie of ours) and a subscribed consumer. */
    private void connect() {
        consumer = new KafkaConsumer<>(consumerConfig(config), new StringDeserializer(), new ByteArrayDeserializer());
        producer = new KafkaProducer<>(producerConfig(config), new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        consumer.subscribe(List.of(topics.commands.name()), new ReloadIntents());
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
    }

    /**
     * Polls and handles batches. A failed batch (broker gone, transaction timed out, fenced by a
     * rebalance) is abandoned with its transaction aborted: the clients are rebuilt and the batch
     * comes back from the last committed offsets, where open intents keep it safe.
     */
    private void run() {
        while (running.get()) {
            try {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    handleBatch(records);
                }
            } catch (WakeupException e) {
                // close() woke the loop up.
            } catch (RuntimeException e) {
                if (!running.get()) {
                    break;
                }
                log.error("command-handler batch failed, reconnecting: {}", e.toString());
                disconnect();
                pause(Duration.ofSeconds(1));
                try {
                    connect();
                } catch (RuntimeException again) {
                    log.error("command-handler cannot reconnect yet: {}", again.toString());
                }
            }
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

    /** One command of a batch and what happens to it. */
    private record Work(ConsumerRecord<String, byte[]> record, ReinstallCommand command, boolean outcomeUnknown, CallIntent intent) {}

    private void handleBatch(ConsumerRecords<String, byte[]> records) {
        List<ProducerRecord<String, byte[]>> deadLetters = new ArrayList<>();
        Map<String, List<Work>> byServer = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            ReinstallCommand command;
            try {
                command = commands.deserialize(record.topic(), record.value());
            } catch (RuntimeException e) {
                deadLetters.add(deadLetter(record, e));
                continue;
            }
            if (command == null || !StepExecutor.isStepCommand(command)) {
                continue;
            }
            CallIntent open = openIntents.get(record.key());
            boolean unknown = open != null && open.getCommandId().equals(command.getCommandId());
            CallIntent intent = !unknown && StepExecutor.mustNotRepeatBlindly(command) ? intentFor(command) : null;
            byServer.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(new Work(record, command, unknown, intent));
        }

        List<Work> intentsToRecord = byServer.values().stream().flatMap(List::stream).filter(w -> w.intent() != null).toList();
        if (!intentsToRecord.isEmpty()) {
            // Durable before any call is made: a crash from here on finds these intents open.
            inTransaction(() -> intentsToRecord.forEach(w -> send(topics.intents.name(), w.record().key(),
                    intents.serialize(topics.intents.name(), w.intent()))));
            intentsToRecord.forEach(w -> openIntents.put(w.record().key(), w.intent()));
        }

        List<Future<List<ReinstallEvent>>> results = new ArrayList<>();
        for (List<Work> serverWork : byServer.values()) {
            results.add(calls.submit(() -> serverWork.stream()
                    .map(w -> w.outcomeUnknown() ? executor.outcomeUnknown(w.command()) : executor.execute(w.command()))
                    .toList()));
        }
        List<ReinstallEvent> outcomes = new ArrayList<>();
        for (Future<List<ReinstallEvent>> result : results) {
            try {
                outcomes.addAll(result.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while calling Hostkey", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a step failed unexpectedly", e.getCause());
            }
        }

        List<String> closedServers = byServer.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(w -> w.intent() != null || w.outcomeUnknown()))
                .map(Map.Entry::getKey)
                .toList();
        inTransaction(() -> {
            for (ReinstallEvent event : outcomes) {
                String key = String.valueOf(event.getServerId());
                send(topics.events.name(), key, events.serialize(topics.events.name(), event));
            }
            closedServers.forEach(server -> send(topics.intents.name(), server, null));
            deadLetters.forEach(producer::send);
            producer.sendOffsetsToTransaction(nextOffsets(records), consumer.groupMetadata());
        });
        closedServers.forEach(openIntents::remove);
    }

    private CallIntent intentFor(ReinstallCommand command) {
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

    private ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> record, RuntimeException error) {
        log.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), error.getMessage());
        metrics.deadLettered(record.topic());
        return DeadLetters.of(record, error, "command-handler");
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> list = records.records(partition);
            offsets.put(partition, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        return offsets;
    }

    /** Reloads the open intents of the servers whose command partitions this instance now owns. */
    private final class ReloadIntents implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            openIntents.clear();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            openIntents.clear();
            List<TopicPartition> intentPartitions = partitions.stream()
                    .map(p -> new TopicPartition(topics.intents.name(), p.partition()))
                    .toList();
            openIntents.putAll(IntentLog.read(config, topics, intentPartitions));
            if (!openIntents.isEmpty()) {
                log.warn("command-handler found {} call(s) whose outcome is unknown after a restart: {}", openIntents.size(),
                        openIntents.values().stream().map(i -> i.getCall() + " on " + i.getServerId()).toList());
            }
            metrics.assigned(partitions);
        }
    }

    /** Reads the compacted intent log of some partitions to its end. */
    static final class IntentLog {
        private IntentLog() {}

        static Map<String, CallIntent> read(HandlerConfig config, ReinstallTopics topics, List<TopicPartition> partitions) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId() + "-intent-reader-" + UUID.randomUUID());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.putAll(config.clientSecurity());
            Map<String, CallIntent> open = new HashMap<>();
            Deserializer<CallIntent> values = topics.intents.valueSerde().deserializer();
            try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
                reader.assign(partitions);
                reader.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = reader.endOffsets(partitions);
                while (partitions.stream().anyMatch(p -> reader.position(p) < end.get(p))) {
                    for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(200))) {
                        Optional<CallIntent> intent = Optional.ofNullable(record.value()).map(v -> values.deserialize(record.topic(), v));
                        intent.ifPresentOrElse(i -> open.put(record.key(), i), () -> open.remove(record.key()));
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
