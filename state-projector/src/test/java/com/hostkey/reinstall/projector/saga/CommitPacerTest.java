package com.hostkey.reinstall.projector.saga;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

class CommitPacerTest {

    private static final long T0 = 1_800_000_000_000L;

    private final MockProcessorContext<Object, Object> context = new MockProcessorContext<>(new Properties());
    private final BacklogGuard backlog = new BacklogGuard(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(60), T0);
    private final CommitPacer pacing = new CommitPacer();
    private final CommitPacer.Task pacer = pacing.forTask(context, backlog);

    @Test
    void shouldAskForACommitRightAfterAnsweringAFreshRecord() {
        fresh(T0 + 100);
        pacer.forwarded();
        assertThat(context.committed()).isTrue();
    }

    @Test
    void shouldAskAtMostOncePerGapAndPayWhatItOwesAtTheNextPunctuation() {
        fresh(T0 + 100);
        pacer.forwarded();
        context.resetCommit();

        fresh(T0 + 105);
        pacer.forwarded();
        assertThat(context.committed()).as("within the gap: owed, not asked").isFalse();

        fresh(T0 + 110);
        pacer.forwarded();
        assertThat(context.scheduledPunctuators()).as("one punctuation for what is owed, not one per forward").hasSize(1);
        punctuate(T0 + 120);
        assertThat(context.committed()).as("the owed commit is asked for at the punctuation").isTrue();
        context.resetCommit();
        fresh(T0 + 150);
        pacer.forwarded();
        assertThat(context.committed()).as("past the gap: asked at once").isTrue();
    }

    @Test
    void shouldPaceTheTasksOfOneThreadTogether() {
        MockProcessorContext<Object, Object> other = new MockProcessorContext<>(new Properties());
        CommitPacer.Task otherTask = pacing.forTask(other, backlog);
        fresh(T0 + 100);
        pacer.forwarded();
        other.setCurrentSystemTimeMs(T0 + 105);
        otherTask.forwarded();
        assertThat(other.committed()).as("the thread asked 5 ms ago: one transaction commits both tasks").isFalse();

        assertThat(context.scheduledPunctuators()).isEmpty();
        other.setCurrentSystemTimeMs(T0 + 125);
        assertThat(other.scheduledPunctuators()).hasSize(1).first().satisfies(p -> assertThat(p.getInterval()).isEqualTo(Duration.ofMillis(15)));
        other.scheduledPunctuators().getFirst().getPunctuator().punctuate(T0 + 125);
        assertThat(other.committed()).as("owed by the thread, paid when the gap is over").isTrue();
    }

    @Test
    void shouldLeaveABacklogToTheCommitInterval() {
        context.setCurrentSystemTimeMs(T0 + 2_000);
        backlog.processed(T0 - 90_000, T0 + 2_000);
        pacer.forwarded();
        assertThat(context.committed()).isFalse();
        assertThat(context.scheduledPunctuators()).isEmpty();
    }

    private void fresh(long now) {
        context.setCurrentSystemTimeMs(now);
        backlog.processed(now - 10, now);
    }

    private void punctuate(long now) {
        context.setCurrentSystemTimeMs(now);
        context.scheduledPunctuators().getFirst().getPunctuator().punctuate(now);
    }
}
