package com.hostkey.reinstall.projector.saga;

import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Asks Streams for a commit soon after the topology forwarded an answer to a fresh record. Under
 * exactly-once nothing forwarded is visible downstream (the handler, the poller, billing, the
 * saga's own next hop) before its transaction commits; the commit interval is for backlogs, where
 * fewer, larger transactions fold the records faster (figure 3).
 *
 * <p>Paced per stream thread: exactly-once v2 commits every task of a thread in one transaction,
 * so the thread asks at most once per {@link #MIN_GAP}, whichever of its tasks forwarded, and an
 * ask owed meanwhile is paid by the next wall-clock punctuation of any of them. Paced per task
 * instead, thirteen tasks on one thread asked up to thirteen times as often: commits blocked the
 * thread and figure 1's hops doubled. Unpaced, a burst of fresh records had Streams commit after
 * every loop iteration, each commit halving the records processed per iteration, down to one. While
 * a backlog is read ({@link BacklogGuard#readingBacklog}) nothing is asked: the interval paces it.
 *
 * <p>One instance per topology, shared by its processors; a processor takes its {@link Task} in
 * {@code init}. The pace of a thread is touched by that thread only.
 */
final class CommitPacer {

    static final Duration MIN_GAP = Duration.ofMillis(20);

    /** One stream thread's asks. */
    private static final class Pace {
        long lastAskedAt = Long.MIN_VALUE / 2;
        boolean owed;
    }

    private final ThreadLocal<Pace> paces = ThreadLocal.withInitial(Pace::new);

    /** A processor's handle on its thread's pace; schedules the punctuation that pays an owed ask. */
    Task forTask(ProcessorContext<?, ?> context, BacklogGuard backlog) {
        Task task = new Task(context, backlog);
        context.schedule(MIN_GAP, PunctuationType.WALL_CLOCK_TIME, task::payOwed);
        return task;
    }

    /** One processor instance's side of the pace. */
    final class Task {

        private final ProcessorContext<?, ?> context;
        private final BacklogGuard backlog;

        private Task(ProcessorContext<?, ?> context, BacklogGuard backlog) {
            this.context = context;
            this.backlog = backlog;
        }

        /** The processor forwarded something that answers the record it just processed. */
        void forwarded() {
            long now = context.currentSystemTimeMs();
            if (backlog.readingBacklog(now)) {
                return;
            }
            Pace pace = paces.get();
            if (now - pace.lastAskedAt >= MIN_GAP.toMillis()) {
                ask(pace, now);
            } else {
                pace.owed = true;
            }
        }

        private void payOwed(long now) {
            Pace pace = paces.get();
            if (pace.owed && now - pace.lastAskedAt >= MIN_GAP.toMillis()) {
                ask(pace, now);
            }
        }

        private void ask(Pace pace, long now) {
            context.commit();
            pace.lastAskedAt = now;
            pace.owed = false;
        }
    }
}
