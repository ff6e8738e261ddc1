package com.hostkey.reinstall.poller;

import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When the poller checks a key: the first time after the time a key of its kind is expected to need
 * (never later than one interval after the key was opened), then once per interval.
 *
 * <p>A key is opened when its action has just been started (an async action's callback key) or the
 * reboot has just been sent (the master key, whose first stage needs the server to restart and load
 * the installer). A check at that instant cannot learn anything, and Hostkey documents no durations,
 * so the expected time is learned per kind (each action kind, and the master key's first stage):
 * when a key's first check finds it still running, its kind's expectation grows by half; when the
 * first check already finds the answer, it shrinks by a tenth. It settles where about four first
 * checks in five find the answer (0.8 * ln 0.9 + 0.2 * ln 1.5 = 0), and a fifth cost one more check.
 * It starts at, and never exceeds, the interval: a key is first checked at most one interval after it
 * was opened, so the time from an answer becoming available to the poller reading it stays within
 * one interval (the detection delay of figure 4), as with a check at once and then every interval.
 *
 * <p>Only keys first seen while fresh teach: a key read again after a restart, opened long ago, is
 * checked at once and says nothing about how long its kind takes. Thread-safe.
 */
final class CheckSchedule {

    static final double SHRINK_ON_ANSWER = 0.9;
    static final double GROW_WHEN_RUNNING = 1.5;
    /** The shortest expectation, as a share of the interval: growing by half must be able to leave it. */
    static final int FLOOR_DIVISOR = 20;

    private final long intervalMillis;
    private final long floorMillis;
    /** Expected time to the first answer in ms: index 0 the master key's first stage, then by action ordinal. */
    private final AtomicLongArray expectedMillis;

    CheckSchedule(Duration interval) {
        this.intervalMillis = Math.max(1, interval.toMillis());
        this.floorMillis = Math.max(1, intervalMillis / FLOOR_DIVISOR);
        this.expectedMillis = new AtomicLongArray(AsyncActionKind.values().length + 1);
        for (int i = 0; i < expectedMillis.length(); i++) {
            expectedMillis.set(i, intervalMillis);
        }
    }

    /**
     * The first check of a key opened at {@code since} (the projector's clock) and first seen at
     * {@code now}; a {@code since} ahead of this clock counts as now. The result is in the past for a
     * key opened long ago (check at once).
     */
    Instant firstCheck(AsyncActionKind action, Instant since, Instant now) {
        Instant opened = since == null || since.isAfter(now) ? now : since;
        return opened.plusMillis(expectedMillis.get(slot(action)));
    }

    /**
     * Whether the first answer of a key first seen at {@code now} teaches its kind: the key is fresh
     * (its first check is still ahead) and, for the master key, no stage is known yet.
     */
    boolean teaches(AsyncActionKind action, int lastStage, Instant since, Instant now) {
        return (action != null || lastStage == 0) && firstCheck(action, since, now).isAfter(now);
    }

    /**
     * Learns from the first check of a fresh key: {@code answered} when it found the action's end or,
     * on the master key, a stage (anything but "Not ready").
     */
    void firstCheckAnswered(AsyncActionKind action, boolean answered) {
        expectedMillis.updateAndGet(slot(action), current -> answered
                ? Math.max(floorMillis, (long) (current * SHRINK_ON_ANSWER))
                : Math.min(intervalMillis, Math.max(floorMillis, (long) Math.ceil(current * GROW_WHEN_RUNNING))));
    }

    /** The current expectation for keys of this kind (null: the master key). */
    Duration expected(AsyncActionKind action) {
        return Duration.ofMillis(expectedMillis.get(slot(action)));
    }

    /** The check after one that found the key still running: one interval later, give or take a tenth. */
    Instant nextCheck(Instant now) {
        long jitter = intervalMillis <= 1 ? 0 : ThreadLocalRandom.current().nextLong(-intervalMillis / 10, intervalMillis / 10 + 1);
        return now.plusMillis(intervalMillis + jitter);
    }

    private static int slot(AsyncActionKind action) {
        return action == null ? 0 : action.ordinal() + 1;
    }
}
