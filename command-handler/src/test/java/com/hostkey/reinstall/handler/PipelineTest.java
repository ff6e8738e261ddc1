package com.hostkey.reinstall.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PipelineTest {

    private static final TopicPartition P0 = new TopicPartition("reinstall-steps", 0);
    private static final TopicPartition P1 = new TopicPartition("reinstall-steps", 1);

    private final Pipeline pipeline = new Pipeline();

    @Test
    void shouldRunOneCommandPerServerAtATimeInOffsetOrder() {
        Work first = work(P0, 10, "1001");
        Work second = work(P0, 11, "1001");
        Work other = work(P0, 12, "1002");
        List.of(first, second, other).forEach(pipeline::queue);

        assertThat(pipeline.pickNext(10)).containsExactly(first, other);
        assertThat(pipeline.pickNext(10)).isEmpty();

        assertThat(pipeline.answered(first)).isTrue();
        assertThat(pipeline.pickNext(10)).containsExactly(second);
    }

    @Test
    void shouldNotRunMoreThanTheBound() {
        for (int i = 0; i < 5; i++) {
            pipeline.queue(work(P0, i, "s" + i));
        }
        List<Work> picked = pipeline.pickNext(2);
        assertThat(picked).hasSize(2);
        assertThat(pipeline.pickNext(2)).isEmpty();
        pipeline.answered(picked.get(0));
        assertThat(pipeline.pickNext(2)).hasSize(1);
        assertThat(pipeline.buffered()).isEqualTo(4);
    }

    @Test
    void shouldCommitAPartitionOnlyUpToItsOldestUnansweredCommand() {
        Work slow = work(P0, 5, "1001");
        Work fast = work(P0, 6, "1002");
        Work elsewhere = work(P1, 3, "1003");
        List.of(slow, fast, elsewhere).forEach(pipeline::queue);
        pipeline.skipped(P0, 7);
        pipeline.pickNext(10);

        pipeline.answered(fast);
        pipeline.answered(elsewhere);
        Map<TopicPartition, OffsetAndMetadata> offsets = pipeline.advancedOffsets();
        assertThat(offsets).containsEntry(P0, new OffsetAndMetadata(5)).containsEntry(P1, new OffsetAndMetadata(4));
        pipeline.committed(offsets);
        assertThat(pipeline.advancedOffsets()).isEmpty();

        pipeline.answered(slow);
        assertThat(pipeline.advancedOffsets()).containsOnly(Map.entry(P0, new OffsetAndMetadata(8)));
    }

    @Test
    void shouldAdvancePastRecordsWithNothingToRun() {
        pipeline.skipped(P1, 0);
        pipeline.skipped(P1, 1);
        assertThat(pipeline.advancedOffsets()).containsOnly(Map.entry(P1, new OffsetAndMetadata(2)));
        assertThat(pipeline.isIdle()).isTrue();
    }

    @Test
    void shouldRefuseTheAnswerOfAnAbandonedCommand() {
        Work running = work(P0, 1, "1001");
        Work waiting = work(P0, 2, "1001");
        Work kept = work(P1, 1, "1002");
        List.of(running, waiting, kept).forEach(pipeline::queue);
        pipeline.pickNext(10);

        pipeline.abandon(Set.of(P0)::contains);

        assertThat(running.abandoned).isTrue();
        assertThat(waiting.abandoned).isTrue();
        assertThat(pipeline.answered(running)).isFalse();
        assertThat(pipeline.advancedOffsets()).doesNotContainKey(P0);
        assertThat(pipeline.buffered()).isEqualTo(1);
        assertThat(pipeline.answered(kept)).isTrue();
        assertThat(pipeline.isIdle()).isTrue();
    }

    @Test
    void shouldDropWaitingCommandsOfLeavingPartitionsButLetTheRunningOneAnswer() {
        Work running = work(P0, 1, "1001");
        Work waiting = work(P0, 2, "1001");
        List.of(running, waiting).forEach(pipeline::queue);
        pipeline.pickNext(10);

        pipeline.dropWaiting(Set.of(P0));

        assertThat(pipeline.runningOn(Set.of(P0))).isEqualTo(1);
        assertThat(pipeline.answered(running)).isTrue();
        // The dropped command stays unanswered: the next owner reads it again.
        assertThat(pipeline.advancedOffsets()).containsOnly(Map.entry(P0, new OffsetAndMetadata(2)));
        assertThat(pipeline.pickNext(10)).isEmpty();
        assertThat(waiting.abandoned).isTrue();
    }

    private static Work work(TopicPartition partition, long offset, String server) {
        return new Work(partition, offset, server, null, false, null);
    }
}
