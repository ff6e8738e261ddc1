package com.hostkey.reinstall.cli.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class KeyPartitionerTest {

    @Test
    void shouldPickThePartitionKafkasDefaultPartitionerPicks() {
        for (int partitions : new int[] {1, 3, 6, 12, 50}) {
            for (long server = 1; server < 5000; server += 7) {
                String key = String.valueOf(server);
                assertThat(KeyPartitioner.partitionFor(key, partitions))
                        .isEqualTo(BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions));
            }
        }
    }
}
