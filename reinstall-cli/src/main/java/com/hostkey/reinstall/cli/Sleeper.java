package com.hostkey.reinstall.cli;

import java.time.Duration;

/** Waits between two looks at the state projector; tests move their clock instead of sleeping. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration duration);

    static Sleeper system() {
        return duration -> {
            try {
                Thread.sleep(duration);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCode.INTERNAL, null, "interrupted while waiting for the state projector", null, e);
            }
        };
    }
}
