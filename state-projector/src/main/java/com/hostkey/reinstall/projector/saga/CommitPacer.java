package com.hostkey.reinstall.projector.saga;

import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Asks Streams for a commit soon after a processor forwarded an answer to a fresh record. Under
 * exactly-once nothing forwarded is visible downstream (the handler, the poller, billing, the
 * saga's own next hop) before its transaction commits; waiting for the commit interval would add
 * up to an interval to every hop of a reinstall.
 *
 * <p>Paced: at most one request per {@link #MIN_GAP}, and one owed request is paid by a wall-clock
 * punctuation. Unpaced, a burst of fresh records (a fleet-wide batch, a replay) had Streams commit
 * after every loop iteration; each commit halves the records Streams processes per iteration, so it
 * fell to one record per commit and the projector to a few hundred records per second. While a
 * backlog is read ({@link BacklogGuard#readingBacklog}) it asks for nothing: the commit interval
 * paces a backlog, and fewer, larger transactions fold it faster.
 *
 * <p>One per processor instance (per task); not thread-safe, like the processor.
 */
final class CommitPacer {

    static final Duration MIN_GAP = Duration.ofMillis(20);

    private final ProcessorContext<?, ?> context;
    private final BacklogGuard backlog;
    private long lastAskedAt = Long.MIN_VALUE / 2;
    private boolean owed;

    private CommitPacer(ProcessorContext<?, ?> context, BacklogGuard backlog) {
        this.context = context;
        this.backlog = backlog;
    }

    /** A pacer for the processor of {@code context}; schedules the punctuation that pays an owed request. */
    static CommitPacer scheduled(ProcessorContext<?, ?> context, BacklogGuard backlog) {
        CommitPacer pacer = new CommitPacer(context, backlog);
        context.schedule(MIN_GAP, PunctuationType.WALL_CLOCK_TIME, pacer::payOwed);
        return pacer;
    }

    /** The processor forwarded something that answers the record it just processed. */
    void forwarded() {
        long now = context.currentSystemTimeMs();
        if (backlog.readingBacklog(now)) {
            return;
        }
        if (now - lastAskedAt >= MIN_GAP.toMillis()) {
            ask(now);
        } else {
            owed = true;
        }
    }

    private void payOwed(long now) {
        if (owed) {
            ask(now);
        }
    }

    private void ask(long now) {
        context.commit();
        lastAskedAt = now;
        owed = false;
    }
}
