package com.hostkey.reinstall.cli.progress;

import com.hostkey.reinstall.schemas.ReinstallStep;
import java.time.Duration;
import java.time.Instant;

/**
 * One step as shown: its status, when it started and ended, whether it ran as cleanup (boot from
 * disk and clear PXE after a failure or a cancel), and a short detail such as "2/3 tasks".
 */
public record StepView(ReinstallStep step, StepStatus status, Instant startedAt, Instant finishedAt, boolean cleanup, String detail) {

    /** Time spent in the step up to its end, or up to {@code now} while it runs; null if it never started. */
    public Duration elapsed(Instant now) {
        if (startedAt == null) {
            return null;
        }
        Instant end = finishedAt != null ? finishedAt : status == StepStatus.RUNNING ? now : null;
        return end == null ? null : Duration.between(startedAt, end.isBefore(startedAt) ? startedAt : end);
    }
}
