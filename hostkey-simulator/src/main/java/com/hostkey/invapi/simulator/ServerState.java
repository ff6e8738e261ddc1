package com.hostkey.invapi.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** One server's mutable state; guarded by the {@link Invapi} lock. */
final class ServerState {

    final long id;
    final String type;
    final String location;
    final int ramGb;
    final List<Integer> diskSizesGb;
    final int cores;
    final String account;
    String hostname;
    /** Every hostname the server has had; clear_pxe accepts any of them or the PXE config's. */
    final Set<String> knownHostnames = new LinkedHashSet<>();
    String powerState;
    String bootDevice;
    PxeConfig pxe;
    Install install;
    int installsStarted;
    int suddenReinstalls;
    int currentStage;
    int boots;
    final List<String> jenkinsTasksRun = new ArrayList<>();
    /**
     * When the reinstall running on this server was told to stop (admin {@code stopped}); null
     * before that and again after the next eq/reinstall, which starts a new reinstall.
     */
    Instant stoppedAt;
    /** Why it was told to stop, as the caller said; null when not said or not stopped. */
    String stopReason;
    /** An install move happened since {@link #stoppedAt}, so this stop is already counted. */
    boolean stopViolated;
    /** Stops after which an install move happened, each counted once. */
    int installsAfterStop;
    /** Installs cut off by clear_pxe or boot_dev disk before stage 5. */
    int interruptedInstalls;

    ServerState(ServerSpec spec, String account) {
        this.id = spec.id();
        this.type = spec.type();
        this.location = spec.location();
        this.ramGb = spec.ramGb();
        this.diskSizesGb = spec.diskSizesGb();
        this.cores = spec.cores();
        this.account = account;
        this.hostname = spec.hostname();
        this.knownHostnames.add(spec.hostname());
        this.powerState = spec.powerState();
        this.bootDevice = spec.bootDevice();
        if (spec.pxeConfigLeft()) {
            this.pxe = PxeConfig.leftOver(spec.hostname());
        }
    }

    int smallestDiskGb() {
        return Collections.min(diskSizesGb);
    }

    boolean installRunning() {
        return install != null && install.running();
    }

    ServerSnapshot snapshot() {
        return new ServerSnapshot(id, type, location, bootDevice, pxe != null, powerState, hostname,
                installsStarted, suddenReinstalls, currentStage, account, pxe != null && pxe.consumed,
                installRunning(), jenkinsTasksRun, boots);
    }
}
