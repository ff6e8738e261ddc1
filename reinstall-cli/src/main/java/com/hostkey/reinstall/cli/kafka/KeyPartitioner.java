package com.hostkey.reinstall.cli.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition of a record key under Kafka's default partitioner (murmur2 of the serialized key),
 * which every writer of the reinstall topics uses (producers and Kafka Streams alike): a server's
 * records are all on this one partition, so reading it alone sees them all.
 */
public final class KeyPartitioner {

    private KeyPartitioner() {}

    public static int partitionFor(String key, int partitions) {
        if (partitions <= 0) {
            throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
