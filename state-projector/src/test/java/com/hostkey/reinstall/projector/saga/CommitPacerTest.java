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
    void shouldAskForACommitOneLingerAfterAnsweringAFreshRecord() {
        fresh(T0 + 100);
        pacer.forwarded();
        assertThat(context.committed()).as("the window is open, not yet closed").isFalse();
        assertThat(context.scheduledPunctuators()).hasSize(1).first()
                .satisfies(p -> assertThat(p.getInterval()).isEqualTo(CommitPacer.LINGER));
        punctuate(T0 + 110);
        assertThat(context.committed()).isTrue();
    }

    @Test
    void shouldLetTheAnswersOfOneWindowShareItsCommitAndOpenTheNextWindowWithTheNextAnswer() {
        fresh(T0 + 100);
        pacer.forwarded();
        fresh(T0 + 104);
        pacer.forwarded();
        fresh(T0 + 109);
        pacer.forwarded();
        assertThat(context.scheduledPunctuators()).as("one punctuation per window, not one per answer").hasSize(1);
        punctuate(T0 + 110);
        assertThat(context.committed()).isTrue();
        context.resetCommit();

        fresh(T0 + 111);
        pacer.forwarded();
        assertThat(context.committed()).as("the next answer waits a whole linger, however soon after the last commit").isFalse();
        assertThat(context.scheduledPunctuators()).hasSize(2);
        context.scheduledPunctuators().get(1).getPunctuator().punctuate(T0 + 121);
        assertThat(context.committed()).isTrue();
    }

    @Test
    void shouldLingerLongerAfterABusyWindowAndShorterAgainAfterAQuietOne() {
        fresh(T0 + 100);
        for (int i = 0; i < 30; i++) {
            pacer.forwarded();
        }
        punctuate(T0 + 110);
        assertThat(context.committed()).isTrue();
        context.resetCommit();

        fresh(T0 + 111);
        pacer.forwarded();
        assertThat(context.scheduledPunctuators().get(1).getInterval()).as("30 answers in the last window: a busy thread")
                .isEqualTo(CommitPacer.BUSY_LINGER);
        context.scheduledPunctuators().get(1).getPunctuator().punctuate(T0 + 131);
        assertThat(context.committed()).isTrue();

        fresh(T0 + 140);
        pacer.forwarded();
        assertThat(context.scheduledPunctuators().get(2).getInterval()).as("one answer in the last window: quiet again")
                .isEqualTo(CommitPacer.LINGER);
        assertThat(CommitPacer.lingerAfter(15)).isEqualTo(15);
    }

    @Test
    void shouldShareOneWindowBetweenTheTasksOfOneThread() {
        MockProcessorContext<Object, Object> other = new MockProcessorContext<>(new Properties());
        CommitPacer.Task otherTask = pacing.forTask(other, backlog);
        fresh(T0 + 100);
        pacer.forwarded();
        other.setCurrentSystemTimeMs(T0 + 105);
        otherTask.forwarded();
        assertThat(other.scheduledPunctuators()).as("the thread's window is open: one transaction commits both tasks").isEmpty();
        punctuate(T0 + 110);
        assertThat(context.committed()).isTrue();
    }

    @Test
    void shouldOpenAnotherWindowWhenTheOpenOnesTaskIsGone() {
        MockProcessorContext<Object, Object> gone = new MockProcessorContext<>(new Properties());
        gone.setCurrentSystemTimeMs(T0 + 100);
        backlog.processed(T0 + 90, T0 + 100);
        pacing.forTask(gone, backlog).forwarded();
        assertThat(gone.scheduledPunctuators()).as("its punctuation never runs: the task was revoked").hasSize(1);
        fresh(T0 + 105);
        pacer.forwarded();
        assertThat(context.scheduledPunctuators()).as("the window is not two lingers old: joined").isEmpty();
        fresh(T0 + 100 + 2 * CommitPacer.BUSY_LINGER.toMillis() + 1);
        pacer.forwarded();
        assertThat(context.scheduledPunctuators()).hasSize(1);
        punctuate(T0 + 151);
        assertThat(context.committed()).isTrue();
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
