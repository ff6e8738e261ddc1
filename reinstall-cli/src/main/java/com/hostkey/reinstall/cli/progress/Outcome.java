package com.hostkey.reinstall.cli.progress;

import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
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

    /** The outcome a terminal phase stands for; empty while the reinstall runs. */
    public static Optional<Outcome> ofPhase(ReinstallPhase phase) {
        return Optional.ofNullable(phase == null ? null : switch (phase) {
            case COMPLETED -> COMPLETED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
            case REJECTED -> REJECTED;
            default -> null;
        });
    }
}
