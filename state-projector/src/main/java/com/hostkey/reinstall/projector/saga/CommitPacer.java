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
 * <p>A linger per stream thread: exactly-once v2 commits every task of a thread in one transaction,
 * so the first answer any task of the thread forwards after the thread's last ask opens a window of
 * {@link #LINGER}, every answer forwarded meanwhile joins it, and a one-off wall-clock punctuation
 * asks when it closes. An answer waits at most the linger (and the loop's poll), whenever it came.
 * The linger follows the load: a millisecond per answer the thread's last window carried, from
 * {@link #LINGER} to {@link #BUSY_LINGER}, so a thread answering a few records per window (figure 1:
 * one to four) commits within 10 ms and a busy one (figure 2: dozens) at most once per 20 ms, the
 * pace its throughput was measured with (a 10 ms linger for all cost figure 2 a fifth of its rate).
 * Until 2026-12-05 the thread asked at once unless it had asked in the last 20 ms: the wait then
 * depended on when an answer came, and the command handler's answers, which come a few milliseconds after the commit that made their command
 * visible, waited most of a gap (figure 1's first hop, docs/benchmarks.md, session 10). Paced per task
 * instead, thirteen tasks on one thread asked up to thirteen times as often: commits blocked the
 * thread and figure 1's hops doubled. Unpaced, a burst of fresh records had Streams commit after
 * every loop iteration, each commit halving the records processed per iteration, down to one. While
 * a backlog is read ({@link BacklogGuard#readingBacklog}) nothing is asked: the interval paces it.
 *
 * <p>One instance per topology, shared by its processors; a processor takes its {@link Task} in
 * {@code init}. The pace of a thread is touched by that thread only.
 */
final class CommitPacer {

    /** How long the first answer after an ask waits for others to share its commit, at least. */
    static final Duration LINGER = Duration.ofMillis(10);
    /** The linger of a busy thread: at most one ask per 20 ms. */
    static final Duration BUSY_LINGER = Duration.ofMillis(20);

    /** One stream thread's window. */
    private static final class Pace {
        /** When the open window's punctuation was scheduled; negative when no window is open. */
        long openedAt = -1;
        /** Answers forwarded in the open window, or in the last one while none is open (its linger follows them). */
        int answers;
    }

    /** The linger after a window that carried {@code answers}: a millisecond each, within its bounds. */
    static long lingerAfter(int answers) {
        return Math.clamp(answers, LINGER.toMillis(), BUSY_LINGER.toMillis());
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
            // One punctuation per window, not one per task: every punctuation that runs halves the
            // records Streams processes per loop iteration. A window whose punctuation belongs to a
            // task that has since gone (revoked, closed) never closes: after two busy lingers another opens.
            if (pace.openedAt >= 0 && now - pace.openedAt <= 2 * BUSY_LINGER.toMillis()) {
                pace.answers++;
                return;
            }
            Duration linger = Duration.ofMillis(lingerAfter(pace.answers));
            pace.openedAt = now;
            pace.answers = 1;
            Cancellable[] once = new Cancellable[1];
            once[0] = context.schedule(linger, PunctuationType.WALL_CLOCK_TIME, at -> {
                once[0].cancel();
                pace.openedAt = -1;
                context.commit();
            });
        }
    }
}
