package com.hostkey.reinstall.cli.kafka;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Follows reinstall-events and reinstall-completions for a set of servers. Only the partitions
 * holding those servers' keys are read, from their end at {@link #start()}.
 */
public final class KafkaReinstallFeed implements ReinstallFeed {

    private final KafkaSettings settings;
    private final Set<Long> servers;
    private final String eventsTopic;
    private final String completionsTopic;
    private final Deserializer<ReinstallEvent> events;
    private final Deserializer<ReinstallCompletion> completions;
    private final Consumer<String, byte[]> consumer;

    public KafkaReinstallFeed(KafkaSettings settings, Set<Long> servers) {
        ReinstallTopics topics = settings.topics();
        this.settings = settings;
        this.servers = Set.copyOf(servers);
        this.eventsTopic = topics.events.name();
        this.completionsTopic = topics.completions.name();
        this.events = topics.events.valueSerde().deserializer();
        this.completions = topics.completions.valueSerde().deserializer();
        this.consumer = ReinstallConsumers.create(settings);
    }

    @Override
    public void start() {
        Set<TopicPartition> partitions = new LinkedHashSet<>();
        for (long server : servers) {
            partitions.add(ReinstallConsumers.partitionOf(consumer, settings, eventsTopic, server));
            partitions.add(ReinstallConsumers.partitionOf(consumer, settings, completionsTopic, server));
        }
        try {
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve the end now, before anything is submitted
        } catch (RuntimeException e) {
            throw KafkaErrors.of(e, settings, "finding the end of " + eventsTopic + " and " + completionsTopic);
        }
    }

    @Override
    public List<FeedItem> poll(Duration timeout) {
        List<FeedItem> items = new ArrayList<>();
        Iterable<ConsumerRecord<String, byte[]>> records;
        try {
            records = consumer.poll(timeout);
        } catch (RuntimeException e) {
            throw KafkaErrors.of(e, settings, "reading " + eventsTopic + " and " + completionsTopic);
        }
        for (ConsumerRecord<String, byte[]> record : records) {
            long serverId = ReinstallConsumers.serverIdOf(record.key());
            if (!servers.contains(serverId) || record.value() == null) {
                continue;
            }
            try {
                items.add(record.topic().equals(eventsTopic)
                        ? new FeedItem.Event(events.deserialize(record.topic(), record.value()))
                        : new FeedItem.Completion(completions.deserialize(record.topic(), record.value())));
            } catch (RuntimeException e) {
                items.add(new FeedItem.Unreadable(serverId, record.topic(), record.partition(), record.offset(), e.getMessage()));
            }
        }
        return items;
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
    }
}
