package com.hostkey.invapi.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One OS install on one server, started when the server booted from pxe with a PXE config. Its
 * milestones are appended as simulated time reaches them; a later boot supersedes it.
 */
final class Install {

    /** A stage the installer reported, or the failure it reported instead. */
    record Milestone(int stage, boolean failure, Instant at) {}

    final PxeConfig config;
    final List<Milestone> reached = new ArrayList<>();
    boolean superseded;
    boolean failed;
    boolean completed;
    /** Its PXE config was cleared or the boot device set to disk before it finished; counted once. */
    boolean interrupted;

    Install(PxeConfig config) {
        this.config = config;
    }

    boolean running() {
        return !superseded && !failed && !completed;
    }
}
