package com.hostkey.reinstall.bench.infra;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows a topic from its start as billing would (read_committed, every partition assigned, no
 * group) and hands each record, with the instant it arrived here, to a listener on its own thread.
 */
public final class TopicTail<V> implements AutoCloseable {

    /** A record and when this tail received it ({@link System#currentTimeMillis()}). */
    public record Received<V>(ConsumerRecord<String, V> record, long receivedAtMillis) {}

    private final KafkaConsumer<String, V> consumer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile RuntimeException failure;

    public TopicTail(String bootstrapServers, String topic, Deserializer<V> values, Consumer<Received<V>> listener) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000), new StringDeserializer(), values);
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = Thread.ofPlatform().name("bench-tail-" + topic).daemon().start(() -> {
            try {
                while (running.get()) {
                    for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(100))) {
                        listener.accept(new Received<>(record, System.currentTimeMillis()));
                    }
                }
            } catch (WakeupException e) {
                // close() woke the poll up.
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            }
        });
    }

    /** The error that stopped the tail, if one did. */
    public RuntimeException failure() {
        return failure;
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
