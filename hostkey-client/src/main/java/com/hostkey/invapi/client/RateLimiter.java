package com.hostkey.invapi.client;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A token bucket per account: bursts up to one second's worth of requests (at least one), then
 * {@code requestsPerSecond}, which may change ({@link #setRate}). A caller that finds the bucket empty reserves the next token and
 * sleeps until it is due, so waiting callers are served in order and never spin.
 */
final class RateLimiter {

    /** Waits for a number of nanoseconds; replaced in tests to observe the waits without waiting. */
    @FunctionalInterface
    interface NanoSleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private double perSecond;
    private double capacity;
    private final LongSupplier nanoTime;
    private final NanoSleeper sleeper;
    private final ReentrantLock lock = new ReentrantLock();
    private double tokens;
    private long lastRefillNanos;

    RateLimiter(double perSecond) {
        this(perSecond, System::nanoTime, TimeUnit.NANOSECONDS::sleep);
    }

    RateLimiter(double perSecond, LongSupplier nanoTime, NanoSleeper sleeper) {
        this.perSecond = perSecond;
        this.capacity = Math.max(1, perSecond);
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.tokens = capacity;
        this.lastRefillNanos = nanoTime.getAsLong();
    }

    /**
     * Changes the rate from now on (this instance's share of a budget changed): what was saved up so
     * far is kept, up to the new burst size.
     */
    void setRate(double newPerSecond) {
        lock.lock();
        try {
            long now = nanoTime.getAsLong();
            tokens = Math.min(capacity, tokens + (now - lastRefillNanos) / 1e9 * perSecond);
            lastRefillNanos = now;
            perSecond = newPerSecond;
            capacity = Math.max(1, newPerSecond);
            tokens = Math.min(tokens, capacity);
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until a request may be sent. */
    void acquire() throws InterruptedException {
        long waitNanos;
        lock.lock();
        try {
            long now = nanoTime.getAsLong();
            tokens = Math.min(capacity, tokens + (now - lastRefillNanos) / 1e9 * perSecond);
            lastRefillNanos = now;
            tokens -= 1;
            waitNanos = tokens >= 0 ? 0 : (long) (-tokens / perSecond * 1e9);
        } finally {
            lock.unlock();
        }
        if (waitNanos > 0) {
            sleeper.sleep(waitNanos);
        }
    }
}
