package com.hostkey.invapi.simulator;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The transport and response faults for one call ({@code eq/reboot}) or for every call (the
 * global rule). Mutable and fluent; every rate is a probability in [0, 1], where 1 always fires
 * and 0 never does. Faults apply in this order: latency, hang, 429, 5xx, error body (none of
 * these three applies the call), then the call runs (an async task may be made to fail), then
 * response lost or malformed JSON (both after the call was applied).
 *
 * <p>{@link #times(int)} limits the rule to the next n calls it matches, e.g. "the next two
 * reboots answer 503".
 */
public final class FaultRule {

    private final String target;
    private Duration latencyFixed = Duration.ZERO;
    private Duration latencyJitter = Duration.ZERO;
    private double hangRate;
    private Duration hangFor = Duration.ZERO;
    private double throttleRate;
    private Duration retryAfter = Duration.ofSeconds(1);
    private double serverErrorRate;
    private int serverErrorStatus = 503;
    private double errorBodyRate;
    private String errorBodyMessage = "simulated failure";
    private double asyncFailureRate;
    private String asyncFailureReason = "simulated task failure";
    private double responseLostRate;
    private double malformedJsonRate;
    private int remaining = -1;

    FaultRule(String target) {
        this.target = target;
    }

    /** {@code module/action}, or {@code *} for the global rule. */
    public String target() {
        return target;
    }

    /** Real-time delay before every answer: {@code fixed} plus a uniform random part up to {@code jitter}. */
    public synchronized FaultRule latency(Duration fixed, Duration jitter) {
        this.latencyFixed = nonNegative(fixed, "fixed latency");
        this.latencyJitter = nonNegative(jitter, "latency jitter");
        return this;
    }

    public FaultRule latency(Duration fixed) {
        return latency(fixed, Duration.ZERO);
    }

    /**
     * With probability {@code rate}, holds the request for {@code duration} of real time (past
     * the client's timeout) before handling it normally, so the call is applied late.
     */
    public synchronized FaultRule hang(double rate, Duration duration) {
        this.hangRate = rate(rate);
        this.hangFor = nonNegative(duration, "hang duration");
        return this;
    }

    /** With probability {@code rate}, answers HTTP 429 with a {@code Retry-After} header; not applied. */
    public synchronized FaultRule throttle(double rate, Duration retryAfter) {
        this.throttleRate = rate(rate);
        this.retryAfter = nonNegative(retryAfter, "Retry-After");
        return this;
    }

    /** With probability {@code rate}, answers HTTP 503 with an HTML body; not applied. */
    public FaultRule serverError(double rate) {
        return serverError(rate, 503);
    }

    /** With probability {@code rate}, answers HTTP {@code status} (500..599) with an HTML body; not applied. */
    public synchronized FaultRule serverError(double rate, int status) {
        if (status < 500 || status > 599) {
            throw new IllegalArgumentException("status must be 5xx, was " + status);
        }
        this.serverErrorRate = rate(rate);
        this.serverErrorStatus = status;
        return this;
    }

    /** With probability {@code rate}, answers {@code {"code":-1,"message":"<module>/<action>: simulated failure"}}; not applied. */
    public FaultRule errorBody(double rate) {
        return errorBody(rate, "simulated failure");
    }

    /**
     * As {@link #errorBody(double)} with a chosen text after {@code <module>/<action>: }, e.g.
     * {@code "Invalid hash"} to make one call look like an expired session.
     */
    public synchronized FaultRule errorBody(double rate, String message) {
        this.errorBodyRate = rate(rate);
        this.errorBodyMessage = Objects.requireNonNull(message, "message");
        return this;
    }

    /**
     * With probability {@code rate}, an async call answers normally but its task fails: the effect
     * is not applied and the callback key answers {@code "result":"Error"} once.
     */
    public FaultRule asyncFailure(double rate) {
        return asyncFailure(rate, "simulated task failure");
    }

    public synchronized FaultRule asyncFailure(double rate, String reason) {
        this.asyncFailureRate = rate(rate);
        this.asyncFailureReason = Objects.requireNonNull(reason, "reason");
        return this;
    }

    /** With probability {@code rate}, applies the call, then closes the connection without any response. */
    public synchronized FaultRule responseLost(double rate) {
        this.responseLostRate = rate(rate);
        return this;
    }

    /** With probability {@code rate}, applies the call, then answers HTTP 200 with truncated JSON. */
    public synchronized FaultRule malformedJson(double rate) {
        this.malformedJsonRate = rate(rate);
        return this;
    }

    /** Limits this rule to the next {@code n} calls it matches; {@code -1} for no limit. */
    public synchronized FaultRule times(int n) {
        if (n < -1) {
            throw new IllegalArgumentException("times must be -1 (unlimited) or >= 0, was " + n);
        }
        this.remaining = n;
        return this;
    }

    /** Removes every fault of this rule. */
    public synchronized FaultRule clear() {
        latencyFixed = Duration.ZERO;
        latencyJitter = Duration.ZERO;
        hangRate = 0;
        throttleRate = 0;
        serverErrorRate = 0;
        errorBodyRate = 0;
        asyncFailureRate = 0;
        responseLostRate = 0;
        malformedJsonRate = 0;
        remaining = -1;
        return this;
    }

    /** Draws this rule's faults for one call and counts the call against {@link #times(int)}. */
    synchronized FaultPlan draw(RandomGenerator random) {
        if (remaining == 0 || !configured()) {
            return FaultPlan.NONE;
        }
        if (remaining > 0) {
            remaining--;
        }
        Duration latency = latencyFixed;
        if (!latencyJitter.isZero()) {
            latency = latency.plusNanos(random.nextLong(latencyJitter.toNanos() + 1));
        }
        return new FaultPlan(
                latency,
                hits(hangRate, random) ? hangFor : Duration.ZERO,
                hits(throttleRate, random) ? retryAfter : null,
                hits(serverErrorRate, random) ? serverErrorStatus : 0,
                hits(errorBodyRate, random) ? errorBodyMessage : null,
                hits(asyncFailureRate, random) ? asyncFailureReason : null,
                hits(responseLostRate, random),
                hits(malformedJsonRate, random));
    }

    /**
     * The faults this rule injects, by kind (the kind names of {@code POST /_sim/faults}), each
     * with its rate and parameters; {@code times} when the rule is limited. Empty when it injects
     * nothing.
     */
    synchronized Map<String, Object> describe() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!latencyFixed.isZero() || !latencyJitter.isZero()) {
            out.put("latency", Map.of("fixed_ms", latencyFixed.toMillis(), "jitter_ms", latencyJitter.toMillis()));
        }
        if (hangRate > 0) {
            out.put("hang", Map.of("rate", hangRate, "duration_ms", hangFor.toMillis()));
        }
        if (throttleRate > 0) {
            out.put("throttle", Map.of("rate", throttleRate, "retry_after_s", retryAfter.toSeconds()));
        }
        if (serverErrorRate > 0) {
            out.put("server_error", Map.of("rate", serverErrorRate, "status", serverErrorStatus));
        }
        if (errorBodyRate > 0) {
            out.put("error_body", Map.of("rate", errorBodyRate, "message", errorBodyMessage));
        }
        if (asyncFailureRate > 0) {
            out.put("async_failure", Map.of("rate", asyncFailureRate, "reason", asyncFailureReason));
        }
        if (responseLostRate > 0) {
            out.put("response_lost", Map.of("rate", responseLostRate));
        }
        if (malformedJsonRate > 0) {
            out.put("malformed_json", Map.of("rate", malformedJsonRate));
        }
        if (!out.isEmpty() && remaining >= 0) {
            out.put("times", remaining);
        }
        return out;
    }

    @Override
    public String toString() {
        return "FaultRule[" + target + " " + describe() + "]";
    }

    private boolean configured() {
        return !latencyFixed.isZero() || !latencyJitter.isZero() || hangRate > 0 || throttleRate > 0
                || serverErrorRate > 0 || errorBodyRate > 0 || asyncFailureRate > 0 || responseLostRate > 0
                || malformedJsonRate > 0;
    }

    private static boolean hits(double rate, RandomGenerator random) {
        if (rate <= 0) {
            return false;
        }
        return rate >= 1 || random.nextDouble() < rate;
    }

    private static double rate(double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException("rate must be within [0, 1], was " + rate);
        }
        return rate;
    }

    private static Duration nonNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + d);
        }
        return d;
    }
}
