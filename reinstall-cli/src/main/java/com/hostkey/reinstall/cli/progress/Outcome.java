package com.hostkey.reinstall.cli.progress;

import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.schemas.avro.ReinstallCancelled;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallFailed;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallRejected;
import java.util.Optional;

/** How a reinstall ended, with the exit code watch answers for it. */
public enum Outcome {
    COMPLETED(ExitCode.OK),
    FAILED(ExitCode.FAILED),
    CANCELLED(ExitCode.CANCELLED),
    REJECTED(ExitCode.REJECTED);

    private final int exitCode;

    Outcome(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The outcome of a completion record's outcome payload. */
    public static Outcome of(Object completionOutcome) {
        return switch (completionOutcome) {
            case ReinstallCompleted c -> COMPLETED;
            case ReinstallFailed f -> FAILED;
            case ReinstallCancelled c -> CANCELLED;
            case ReinstallRejected r -> REJECTED;
            default -> throw new IllegalArgumentException("unknown completion outcome " + completionOutcome.getClass().getName());
        };
    }

    /** The outcome a terminal phase stands for; empty while the reinstall runs. */
    public static Optional<Outcome> ofPhase(ReinstallPhase phase) {
        return Optional.ofNullable(switch (phase) {
            case COMPLETED -> COMPLETED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
            case REJECTED -> REJECTED;
            default -> null;
        });
    }
}
