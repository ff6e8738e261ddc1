package com.hostkey.reinstall.bench.infra;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.LongSerializer;

/**
 * The physical limit of a hop: a plain produce -> consume -> produce -> consume round trip through
 * two topics of the same broker, one message at a time (no transactions, acks=all, no linger), the
 * same two topic hops a saga step makes (handler -> event -> projector -> command -> handler).
 */
public final class KafkaRoundTrip {

    private KafkaRoundTrip() {}

    /** Round-trip times in ms; {@code warmup} round trips are made first and not counted. */
    public static List<Double> measure(String bootstrapServers, int samples, int warmup) throws Exception {
        String suffix = Long.toString(System.nanoTime(), 36);
        TopicPartition ping = new TopicPartition("bench-roundtrip-ping-" + suffix, 0);
        TopicPartition pong = new TopicPartition("bench-roundtrip-pong-" + suffix, 0);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(ping.topic(), 1, (short) 1), new NewTopic(pong.topic(), 1, (short) 1))).all().get();
        }
        Map<String, Object> producerConfig = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0);
        Map<String, Object> consumerConfig = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        AtomicBoolean running = new AtomicBoolean(true);
        try (KafkaProducer<Long, byte[]> origin = new KafkaProducer<>(producerConfig, new LongSerializer(), new ByteArraySerializer());
             KafkaConsumer<Long, byte[]> back = new KafkaConsumer<>(consumerConfig, new LongDeserializer(), new ByteArrayDeserializer())) {
            back.assign(List.of(pong));
            Thread relay = Thread.ofPlatform().name("bench-roundtrip-relay").start(() -> {
                try (KafkaConsumer<Long, byte[]> in = new KafkaConsumer<>(consumerConfig, new LongDeserializer(), new ByteArrayDeserializer());
                     KafkaProducer<Long, byte[]> out = new KafkaProducer<>(producerConfig, new LongSerializer(), new ByteArraySerializer())) {
                    in.assign(List.of(ping));
                    while (running.get()) {
                        for (ConsumerRecord<Long, byte[]> r : in.poll(Duration.ofMillis(50))) {
                            out.send(new ProducerRecord<>(pong.topic(), 0, r.key(), r.value()));
                        }
                    }
                }
            });
            byte[] payload = new byte[200];
            List<Double> times = new ArrayList<>();
            try {
                for (long i = 0; i < samples + warmup; i++) {
                    long start = System.nanoTime();
                    origin.send(new ProducerRecord<>(ping.topic(), 0, i, payload));
                    boolean seen = false;
                    while (!seen) {
                        if (System.nanoTime() - start > Duration.ofSeconds(30).toNanos()) {
                            throw new IllegalStateException("round trip " + i + " did not come back within 30 s");
                        }
                        for (ConsumerRecord<Long, byte[]> r : back.poll(Duration.ofMillis(50))) {
                            seen |= r.key() == i;
                        }
                    }
                    if (i >= warmup) {
                        times.add((System.nanoTime() - start) / 1e6);
                    }
                }
            } finally {
                running.set(false);
                relay.join(Duration.ofSeconds(10));
            }
            return times;
        }
    }
}
