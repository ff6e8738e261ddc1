package com.hostkey.reinstall.poller;

import java.util.Arrays;

/**
 * The hard edge of the request budget: at most {@code limit} starts in any sliding second. The even
 * pacing in front of it spreads checks across the second, but lets the slots that passed during one
 * loop be used late, which put 1.02 budgets into the busiest sliding second (figure 4). Here the
 * start {@code limit} places back must be a full second old before another may go.
 *
 * <p>A ring of the last {@code limit} start times (8 bytes each); loop thread only.
 */
final class SlidingSecond {

    private static final long SECOND = 1_000_000_000L;

    private final long[] starts;
    /** The oldest start in the ring, and where the next one is written. */
    private int oldest;

    /**
     * The starts a sliding second may hold for a budget of {@code requestsPerSecond}, one in a hundred
     * kept back: requests started within budget reach Hostkey a few milliseconds apart from how they
     * left (threads, connections, its accept queue), and without headroom that jitter alone put 1.01
     * budgets into the busiest second Hostkey saw (figure 4 at 6,667/s).
     */
    static int withHeadroom(int requestsPerSecond) {
        return Math.max(1, requestsPerSecond - (requestsPerSecond + 99) / 100);
    }

    SlidingSecond(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        starts = new long[limit];
        Arrays.fill(starts, Long.MIN_VALUE);
    }

    /** How many may start at {@code nanoTime}, at most {@code wanted}. */
    int allowance(long nanoTime, int wanted) {
        int n = 0;
        while (n < wanted && n < starts.length && isSecondOld(starts[(oldest + n) % starts.length], nanoTime)) {
            n++;
        }
        return n;
    }

    /** {@code count} requests started at {@code nanoTime}. */
    void started(long nanoTime, int count) {
        for (int i = 0; i < count; i++) {
            starts[oldest] = nanoTime;
            oldest = (oldest + 1) % starts.length;
        }
    }

    private static boolean isSecondOld(long start, long now) {
        return start == Long.MIN_VALUE || now - start >= SECOND;
    }
}
