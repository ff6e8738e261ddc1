package com.hostkey.reinstall.handler;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.ReinstallCommand;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command handler's consume-call-produce loop.
 *
 * <p>Reads reinstall-commands (key: server id; value: {@link ReinstallCommand}, read_committed),
 * executes each step command through {@link StepExecutor}, and writes the outcomes to
 * reinstall-events ({@link ReinstallEvent}) in one Kafka transaction together with the consumed
 * offsets. Upstream commands (ReinstallServer, CancelReinstall) are the projector's and skipped.
 *
 * <p>Servers of one poll batch run concurrently on virtual threads; one server's commands run in
 * order.
 */
public final class CommandHandler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);

    private final KafkaConsumer<String, ReinstallCommand> consumer;
    private final KafkaProducer<String, ReinstallEvent> producer;
    private final ReinstallTopics topics;
    private final StepExecutor executor;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread loop;

    private CommandHandler(HandlerConfig config, ReinstallTopics topics, StepExecutor executor) {
        this.topics = topics;
        this.executor = executor;
        this.consumer = new KafkaConsumer<>(consumerConfig(config), new StringDeserializer(), topics.commands.valueSerde().deserializer());
        this.producer = new KafkaProducer<>(producerConfig(config), new StringSerializer(), topics.events.valueSerde().serializer());
        this.loop = Thread.ofPlatform().name("command-handler-loop").unstarted(this::run);
    }

    public static CommandHandler start(HandlerConfig config, StepExecutor executor) {
        CommandHandler handler = new CommandHandler(config, ReinstallTopics.create(config.serdeConfig()), executor);
        handler.producer.initTransactions();
        handler.consumer.subscribe(List.of(handler.topics.commands.name()));
        handler.loop.start();
        log.info("command-handler started: group={}", config.groupId());
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
        return props;
    }

    static Properties producerConfig(HandlerConfig config) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        // Events and consumed offsets commit atomically; a fenced zombie cannot write.
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        return props;
    }

    private void run() {
        try {
            while (running.get()) {
                ConsumerRecords<String, ReinstallCommand> records = consumer.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    handleBatch(records);
                }
            }
        } catch (ProducerFencedException e) {
            log.error("command-handler fenced by a newer instance with the same transactional id; stopping");
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // close() woke the loop up.
        } catch (RuntimeException e) {
            log.error("command-handler loop failed: {}", e.toString(), e);
        } finally {
            consumer.close();
            producer.close(Duration.ofSeconds(5));
        }
    }

    private void handleBatch(ConsumerRecords<String, ReinstallCommand> records) {
        Map<String, List<ConsumerRecord<String, ReinstallCommand>>> byServer = new LinkedHashMap<>();
        for (ConsumerRecord<String, ReinstallCommand> record : records) {
            if (record.value() != null && StepExecutor.isStepCommand(record.value())) {
                byServer.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record);
            }
        }
        List<Future<List<ReinstallEvent>>> results = new ArrayList<>();
        for (List<ConsumerRecord<String, ReinstallCommand>> serverCommands : byServer.values()) {
            results.add(calls.submit(() -> serverCommands.stream().map(r -> executor.execute(r.value())).toList()));
        }
        producer.beginTransaction();
        try {
            for (Future<List<ReinstallEvent>> result : results) {
                for (ReinstallEvent event : result.get()) {
                    producer.send(new ProducerRecord<>(topics.events.name(), String.valueOf(event.getServerId()), event));
                }
            }
            producer.sendOffsetsToTransaction(nextOffsets(records), consumer.groupMetadata());
            producer.commitTransaction();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            producer.abortTransaction();
            throw new IllegalStateException("interrupted while calling Hostkey", e);
        } catch (ExecutionException e) {
            producer.abortTransaction();
            throw new IllegalStateException("a step failed unexpectedly", e.getCause());
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            producer.abortTransaction();
            throw e;
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, ReinstallCommand> records) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, ReinstallCommand>> list = records.records(partition);
            offsets.put(partition, new OffsetAndMetadata(list.get(list.size() - 1).offset() + 1));
        }
        return offsets;
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
