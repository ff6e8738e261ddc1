package com.hostkey.invapi.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulator's clock: simulated time runs {@code timeScale} times faster than real time, from
 * the real wall-clock instant the simulator started. Every simulated duration (token TTL, action
 * delays, install stage offsets) is measured on this clock.
 *
 * <p>{@link #advance(Duration)} jumps simulated time forward at once, so a test can reach a state
 * (an expired token, a later install stage) without waiting in real time.
 */
public final class SimClock {

    private final double timeScale;
    private final Instant simulatedStart;
    private final long realStartNanos;
    private final AtomicLong advancedNanos = new AtomicLong();

    public SimClock(double timeScale) {
        if (!(timeScale > 0) || Double.isInfinite(timeScale)) {
            throw new IllegalArgumentException("timeScale must be a positive finite number, was " + timeScale);
        }
        this.timeScale = timeScale;
        this.simulatedStart = Instant.now();
        this.realStartNanos = System.nanoTime();
    }

    /** The current simulated instant. */
    public Instant now() {
        return simulatedStart.plusNanos(elapsedNanos());
    }

    /** Simulated time elapsed since the simulator started, including any {@link #advance}. */
    public Duration elapsed() {
        return Duration.ofNanos(elapsedNanos());
    }

    /** Simulated seconds per real second. */
    public double timeScale() {
        return timeScale;
    }

    /** Moves simulated time forward by {@code simulated}; events that fall due run on the next call. */
    public void advance(Duration simulated) {
        if (simulated.isNegative()) {
            throw new IllegalArgumentException("time only moves forward: " + simulated);
        }
        advancedNanos.addAndGet(simulated.toNanos());
    }

    /** How long {@code simulated} lasts in real time at this clock's scale. */
    public Duration toReal(Duration simulated) {
        return Duration.ofNanos((long) Math.ceil(simulated.toNanos() / timeScale));
    }

    private long elapsedNanos() {
        long real = System.nanoTime() - realStartNanos;
        return (long) (real * timeScale) + advancedNanos.get();
    }
}
