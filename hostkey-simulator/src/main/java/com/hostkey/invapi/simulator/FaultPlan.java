package com.hostkey.invapi.simulator;

import java.time.Duration;

/**
 * What the injected faults do to one call, drawn once when it arrives.
 *
 * @param latency            real-time delay before anything else
 * @param hang               real-time hold before handling, zero for none
 * @param retryAfter         answer 429 with this Retry-After, null for none
 * @param serverErrorStatus  answer this 5xx status, 0 for none
 * @param errorBodyMessage   answer an error body with this text, null for none
 * @param asyncFailureReason the async task fails with this reason, null for none
 * @param responseLost       apply, then drop the connection without answering
 * @param malformedJson      apply, then answer truncated JSON
 */
record FaultPlan(Duration latency, Duration hang, Duration retryAfter, int serverErrorStatus,
                 String errorBodyMessage, String asyncFailureReason, boolean responseLost,
                 boolean malformedJson) {

    static final FaultPlan NONE = new FaultPlan(Duration.ZERO, Duration.ZERO, null, 0, null, null, false, false);

    /** {@code this} with {@code other} layered under it: the more specific rule wins a tie. */
    FaultPlan combine(FaultPlan other) {
        return new FaultPlan(
                latency.plus(other.latency),
                hang.compareTo(other.hang) >= 0 ? hang : other.hang,
                retryAfter != null ? retryAfter : other.retryAfter,
                serverErrorStatus != 0 ? serverErrorStatus : other.serverErrorStatus,
                errorBodyMessage != null ? errorBodyMessage : other.errorBodyMessage,
                asyncFailureReason != null ? asyncFailureReason : other.asyncFailureReason,
                responseLost || other.responseLost,
                malformedJson || other.malformedJson);
    }
}
