package com.hostkey.invapi.simulator;

import java.util.List;
import java.util.Map;

/**
 * What a finished run must have left behind: no sudden reinstall, no PXE config left, every
 * server booting from disk, and no server moved towards an install after its reinstall was told
 * to stop ({@link HostkeySimulator#reinstallStopped(long, String)}).
 *
 * <p>The two stop-related lists hold one server id per occurrence, sorted, so a server appears
 * as often as it happened to it: their size counts occurrences, their distinct ids count servers.
 * Both are history: a later reinstall does not take an entry back.
 *
 * @param reinstallCounts           installs started per server id, only servers with at least one
 * @param suddenReinstalls          installs started from an already consumed PXE config, all servers
 * @param serversWithPxeLeft        ids of servers that still have a PXE config
 * @param serversNotBootingFromDisk ids of servers whose boot device is not {@code disk}
 * @param installsAfterStop         one id per stopped reinstall after whose stop, and before the
 *                                  server's next eq/reinstall, the server moved towards an install:
 *                                  an install started (it booted from pxe into a PXE config, even
 *                                  from a reboot accepted before the stop), or invapi accepted an
 *                                  eq/create_pxe, an eq/boot_dev {@code media=pxe} or an eq/reboot
 *                                  while the boot device was {@code pxe} (counted when accepted,
 *                                  whatever its async outcome). Several moves after one stop count
 *                                  once
 * @param serversInstalling         ids of servers with an install still running (informational,
 *                                  not part of {@link #clean()})
 * @param interruptedInstalls       one id per install that had started and whose PXE config was
 *                                  cleared or boot device set to disk before it reached stage 5,
 *                                  leaving the server without a finished OS; an install that failed
 *                                  on its own is not counted (informational, not part of
 *                                  {@link #clean()}: a saga that gives up mid-install must do this)
 */
public record InvariantReport(
        Map<Long, Integer> reinstallCounts,
        int suddenReinstalls,
        List<Long> serversWithPxeLeft,
        List<Long> serversNotBootingFromDisk,
        List<Long> installsAfterStop,
        List<Long> serversInstalling,
        List<Long> interruptedInstalls) {

    public InvariantReport {
        reinstallCounts = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(reinstallCounts));
        serversWithPxeLeft = List.copyOf(serversWithPxeLeft);
        serversNotBootingFromDisk = List.copyOf(serversNotBootingFromDisk);
        installsAfterStop = List.copyOf(installsAfterStop).stream().sorted().toList();
        serversInstalling = List.copyOf(serversInstalling);
        interruptedInstalls = List.copyOf(interruptedInstalls).stream().sorted().toList();
    }

    /**
     * True when nothing was reinstalled by surprise, no server is left PXE-ready and no install
     * moved forward after its reinstall was told to stop.
     */
    public boolean clean() {
        return suddenReinstalls == 0 && serversWithPxeLeft.isEmpty() && serversNotBootingFromDisk.isEmpty()
                && installsAfterStop.isEmpty();
    }
}
