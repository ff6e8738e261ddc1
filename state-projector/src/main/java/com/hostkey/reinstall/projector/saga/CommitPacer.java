package com.hostkey.reinstall.projector.saga;

import java.time.Duration;
import org.apache.kafka.streams.processor.Cancellable;
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
 * ask owed meanwhile is paid by a one-off wall-clock punctuation when the gap is over. Paced per task
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
        /** When the punctuation that pays an owed ask was scheduled; negative when none is. */
        long payScheduledAt = -1;
    }

    private final ThreadLocal<Pace> paces = ThreadLocal.withInitial(Pace::new);

    /** A processor's handle on its thread's pace. */
    Task forTask(ProcessorContext<?, ?> context, BacklogGuard backlog) {
        return new Task(context, backlog);
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
            long sinceAsked = now - pace.lastAskedAt;
            if (sinceAsked >= MIN_GAP.toMillis()) {
                ask(pace, now);
                return;
            }
            pace.owed = true;
            // One punctuation per owed ask, not one per task every gap: every punctuation that runs
            // halves the records Streams processes per loop iteration. One scheduled by a task that
            // has since gone (revoked, closed) never runs: after two gaps another is scheduled.
            if (pace.payScheduledAt < 0 || now - pace.payScheduledAt > 2 * MIN_GAP.toMillis()) {
                pace.payScheduledAt = now;
                Cancellable[] once = new Cancellable[1];
                once[0] = context.schedule(Duration.ofMillis(Math.max(1, MIN_GAP.toMillis() - sinceAsked)),
                        PunctuationType.WALL_CLOCK_TIME, at -> {
                            once[0].cancel();
                            pace.payScheduledAt = -1;
                            if (pace.owed) {
                                ask(pace, at);
                            }
                        });
            }
        }

        private void ask(Pace pace, long now) {
            context.commit();
            pace.lastAskedAt = now;
            pace.owed = false;
        }
    }
}
