package com.hostkey.reinstall.cli.kafka;

import com.hostkey.reinstall.cli.CliException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The CLI's consumers: no group (partitions are assigned, nothing is committed), committed
 * transactions only (the services write in transactions; an aborted attempt is not a fact), values
 * as bytes so that one unreadable record is reported instead of failing the whole read.
 */
final class ReinstallConsumers {

    private ReinstallConsumers() {}

    static Consumer<String, byte[]> create(KafkaSettings settings) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // Metadata, offsets and positions fail within the CLI's timeout instead of the 60 s default.
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) settings.timeout().toMillis(),
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(settings.timeout().toMillis(), 30_000),
                ConsumerConfig.CLIENT_ID_CONFIG, "reinstall-cli");
        try {
            return new KafkaConsumer<>(settings.withSecurity(config), new StringDeserializer(), new ByteArrayDeserializer());
        } catch (RuntimeException e) {
            throw KafkaErrors.of(e, settings, "connecting");
        }
    }

    /** The partition of {@code topic} that holds the server's records. */
    static TopicPartition partitionOf(Consumer<String, byte[]> consumer, KafkaSettings settings, String topic, long serverId) {
        List<PartitionInfo> partitions;
        try {
            partitions = consumer.partitionsFor(topic, settings.timeout());
        } catch (RuntimeException e) {
            throw KafkaErrors.of(e, settings, "looking up topic " + topic);
        }
        if (partitions == null || partitions.isEmpty()) {
            throw CliException.config("--bootstrap", "topic " + topic + " does not exist on Kafka at " + settings.bootstrap(),
                    "point --bootstrap at the reinstall cluster, or start the services (they create their topics)");
        }
        return new TopicPartition(topic, KeyPartitioner.partitionFor(String.valueOf(serverId), partitions.size()));
    }

    static long serverIdOf(String key) {
        try {
            return key == null ? -1 : Long.parseLong(key);
        } catch (NumberFormatException notAServerKey) {
            return -1;
        }
    }
}
