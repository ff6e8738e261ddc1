package com.hostkey.reinstall.projector.saga;

import java.time.Duration;

/**
 * Knows when a task reads a backlog: holds the saga's deadlines back meanwhile, and leaves commits
 * to the commit interval ({@link CommitPacer}). A deadline such as
 * "no answer from the command handler by T" is false when the answer sits unread in the input: after a
 * restart, a rebalance or a stall of the projector, the wall-clock punctuator would otherwise fire
 * every overdue timer before the records that settle them are processed, and fail reinstalls that
 * are fine.
 *
 * <p>A task reads a backlog while the records it processes are older than {@code behind} (wall
 * clock minus record timestamp); it is caught up once it processes a fresh record, or once it has
 * processed nothing old for {@code quiet}. A task that has just started counts as behind until
 * then: its first punctuation may come before its first fetch. A timer overdue by more than
 * {@code maxPostponement} fires anyway, so a producer whose clock lags, or a backlog that never
 * ends, cannot keep a deadline from firing for ever.
 *
 * <p>One instance per processor instance (per task); not thread-safe, like the processor.
 */
final class BacklogGuard {

    private final long behindMillis;
    private final long quietMillis;
    private final long maxPostponementMillis;
    private long lastBehindAt;
    private boolean caughtUp;

    BacklogGuard(Duration behind, Duration quiet, Duration maxPostponement, long startedAt) {
        this.behindMillis = behind.toMillis();
        this.quietMillis = quiet.toMillis();
        this.maxPostponementMillis = maxPostponement.toMillis();
        this.lastBehindAt = startedAt;
    }

    /** The defaults of the projector: behind at 2 s, caught up after 3 s without old records, at most 60 s late. */
    static BacklogGuard standard(long startedAt) {
        return new BacklogGuard(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(60), startedAt);
    }

    /** A record was processed at {@code wallClock}. */
    void processed(long recordTimestamp, long wallClock) {
        if (wallClock - recordTimestamp > behindMillis) {
            lastBehindAt = wallClock;
            caughtUp = false;
        } else {
            caughtUp = true;
        }
    }

    /** True when the task may still be reading records that settle timers due now. */
    boolean readingBacklog(long wallClock) {
        return !caughtUp && wallClock - lastBehindAt < quietMillis;
    }

    /** True when a timer due at {@code dueAt} must wait for the backlog to be read. */
    boolean holds(long dueAt, long wallClock) {
        return readingBacklog(wallClock) && wallClock - dueAt < maxPostponementMillis;
    }
}
