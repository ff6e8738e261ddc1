package com.hostkey.invapi.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How idempotent calls are repeated: at most {@code maxAttempts} attempts in all, waiting an
 * exponential backoff with jitter between them ({@code initialBackoff} doubling up to
 * {@code maxBackoff}), or Hostkey's {@code Retry-After} when it sends one. A Retry-After longer than
 * {@code maxRetryAfter} is not waited for: the call fails at once with a
 * {@link HostkeyException.Transient} carrying it, so the caller can schedule the retry itself.
 *
 * <p>The defaults are the ones Hostkey's own Terraform provider uses.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {

    public static final RetryPolicy DEFAULT =
            new RetryPolicy(3, Duration.ofMillis(300), Duration.ofSeconds(8), Duration.ofSeconds(30));

    /** One attempt only: for tests and for callers that retry on their own. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    /**
     * The wait before attempt {@code attempt + 1}, after {@code attempt} failed attempts (1-based):
     * half the exponential delay fixed, half random, so concurrent callers spread out.
     */
    Duration backoff(int attempt, double random) {
        long base = initialBackoff.toMillis();
        long exp = base;
        for (int i = 1; i < attempt && exp < maxBackoff.toMillis(); i++) {
            exp *= 2;
        }
        long capped = Math.min(exp, maxBackoff.toMillis());
        long half = capped / 2;
        return Duration.ofMillis(half + (long) (random * (capped - half)));
    }
}
