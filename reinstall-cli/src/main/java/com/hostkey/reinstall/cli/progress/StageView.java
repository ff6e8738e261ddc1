package com.hostkey.reinstall.cli.progress;

import java.time.Instant;

/**
 * One of the installer's five stages (1 started, 2 base OS, 3 post-install done, 4 restarting,
 * 5 online). {@code observed} is false when the stage was inferred from a later one.
 */
public record StageView(int stage, Instant reachedAt, boolean observed) {

    public boolean reached() {
        return reachedAt != null;
    }
}
