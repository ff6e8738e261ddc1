package com.hostkey.reinstall.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class BudgetShareTest {

    @Test
    void shouldShareInProportionToThePartitionsOwned() {
        assertThat(BudgetShare.fraction(1, 3)).isEqualTo(1.0 / 3);
        assertThat(BudgetShare.fraction(0, 3)).isZero();
        assertThat(BudgetShare.fraction(3, 3)).isEqualTo(1.0);
        assertThat(BudgetShare.fraction(2, 0)).as("topic size not known yet").isEqualTo(1.0);
    }

    @Test
    void shouldCountTheAssignmentWithoutThePartitionsLeaving() {
        MockConsumer<String, String> consumer = new MockConsumer<>("earliest");
        consumer.updatePartitions("steps", List.of(partition(0), partition(1), partition(2), partition(3)));
        consumer.assign(List.of(new TopicPartition("steps", 0), new TopicPartition("steps", 1), new TopicPartition("other", 0)));

        assertThat(BudgetShare.of(consumer, "steps", Set.of())).isEqualTo(0.5);
        assertThat(BudgetShare.of(consumer, "steps", Set.of(new TopicPartition("steps", 1)))).isEqualTo(0.25);
    }

    private static PartitionInfo partition(int n) {
        return new PartitionInfo("steps", n, null, null, null);
    }
}
