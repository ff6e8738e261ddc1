package com.hostkey.reinstall.cli.kafka;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads one server's events from reinstall-events: only the partition its key hashes to, from
 * the beginning to the end offset seen at the start (the last stable offset, as the read is
 * read_committed), then stops.
 */
public final class KafkaEventHistory implements EventHistory {

    private final KafkaSettings settings;
    private final Duration readTimeout;
    private final String topic;
    private final Deserializer<ReinstallEvent> deserializer;
    private final Consumer<String, byte[]> consumer;

    /** @param readTimeout how long the whole read may take */
    public KafkaEventHistory(KafkaSettings settings, Duration readTimeout) {
        this.settings = settings;
        this.readTimeout = readTimeout;
        this.topic = settings.topics().events.name();
        this.deserializer = settings.topics().events.valueSerde().deserializer();
        this.consumer = ReinstallConsumers.create(settings);
    }

    @Override
    public Result read(long serverId) {
        TopicPartition partition = ReinstallConsumers.partitionOf(consumer, settings, topic, serverId);
        long end;
        try {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            end = consumer.endOffsets(List.of(partition), settings.timeout()).get(partition);
        } catch (RuntimeException e) {
            throw KafkaErrors.of(e, settings, "finding the end of " + partition);
        }
        List<ReinstallEvent> events = new ArrayList<>();
        int unreadable = 0;
        Instant deadline = Instant.now().plus(readTimeout);
        String key = String.valueOf(serverId);
        while (position(partition) < end) {
            if (Instant.now().isAfter(deadline)) {
                throw new CliException(ExitCode.UNAVAILABLE, "--timeout", "reading " + partition + " took longer than "
                        + readTimeout.toSeconds() + "s (at offset " + position(partition) + " of " + end + ")",
                        "give more time with --timeout", null);
            }
            List<ConsumerRecord<String, byte[]>> records;
            try {
                records = consumer.poll(Duration.ofMillis(500)).records(partition);
            } catch (RuntimeException e) {
                throw KafkaErrors.of(e, settings, "reading " + partition);
            }
            for (ConsumerRecord<String, byte[]> record : records) {
                if (record.offset() >= end) {
                    break;
                }
                if (!key.equals(record.key()) || record.value() == null) {
                    continue;
                }
                try {
                    events.add(deserializer.deserialize(topic, record.value()));
                } catch (RuntimeException e) {
                    unreadable++;
                }
            }
        }
        return new Result(List.copyOf(events), unreadable);
    }

    private long position(TopicPartition partition) {
        try {
            return consumer.position(partition, settings.timeout());
        } catch (RuntimeException e) {
            throw KafkaErrors.of(e, settings, "reading " + partition);
        }
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
}
