package com.hostkey.invapi.client;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A token bucket per account: bursts up to one second's worth of requests, then
 * {@code requestsPerSecond}. A caller that finds the bucket empty reserves the next token and
 * sleeps until it is due, so waiting callers are served in order and never spin.
 */
final class RateLimiter {

    private final double perSecond;
    private final double capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private double tokens;
    private long lastRefillNanos;

    RateLimiter(double perSecond) {
        this.perSecond = perSecond;
        this.capacity = Math.max(1, perSecond);
        this.tokens = capacity;
        this.lastRefillNanos = System.nanoTime();
    }

    /** Blocks until a request may be sent. */
    void acquire() throws InterruptedException {
        long waitNanos;
        lock.lock();
        try {
            long now = System.nanoTime();
            tokens = Math.min(capacity, tokens + (now - lastRefillNanos) / 1e9 * perSecond);
            lastRefillNanos = now;
            tokens -= 1;
            waitNanos = tokens >= 0 ? 0 : (long) (-tokens / perSecond * 1e9);
        } finally {
            lock.unlock();
        }
        if (waitNanos > 0) {
            TimeUnit.NANOSECONDS.sleep(waitNanos);
        }
    }
}
