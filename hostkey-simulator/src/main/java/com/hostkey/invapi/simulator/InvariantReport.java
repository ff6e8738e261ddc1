package com.hostkey.invapi.simulator;

import java.util.List;
import java.util.Map;

/**
 * What a finished run must have left behind: no sudden reinstall, no PXE config left, every
 * server booting from disk.
 *
 * @param reinstallCounts           installs started per server id, only servers with at least one
 * @param suddenReinstalls          installs started from an already consumed PXE config, all servers
 * @param serversWithPxeLeft        ids of servers that still have a PXE config
 * @param serversNotBootingFromDisk ids of servers whose boot device is not {@code disk}
 * @param serversInstalling         ids of servers with an install still running (informational,
 *                                  not part of {@link #clean()})
 */
public record InvariantReport(
        Map<Long, Integer> reinstallCounts,
        int suddenReinstalls,
        List<Long> serversWithPxeLeft,
        List<Long> serversNotBootingFromDisk,
        List<Long> serversInstalling) {

    public InvariantReport {
        reinstallCounts = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(reinstallCounts));
        serversWithPxeLeft = List.copyOf(serversWithPxeLeft);
        serversNotBootingFromDisk = List.copyOf(serversNotBootingFromDisk);
        serversInstalling = List.copyOf(serversInstalling);
    }

    /** True when nothing was reinstalled by surprise and no server is left PXE-ready. */
    public boolean clean() {
        return suddenReinstalls == 0 && serversWithPxeLeft.isEmpty() && serversNotBootingFromDisk.isEmpty();
    }
}
