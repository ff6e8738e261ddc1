package com.hostkey.invapi.simulator;

import java.util.List;

/**
 * A server's simulated state at one instant.
 *
 * @param id                  server id
 * @param type                {@code bm}, {@code vm}, {@code gpu} or {@code vgpu}
 * @param location            e.g. {@code NL}
 * @param bootDevice          {@code disk}, {@code pxe} or {@code cd}
 * @param pxeConfigPresent    a PXE config exists (consumed or not) until clear_pxe removes it
 * @param powerState          {@code on} or {@code off}
 * @param hostname            current hostname (a finished install sets the one from its PXE config)
 * @param installsStarted     installs started on this server since the simulator started
 * @param suddenReinstalls    installs started from an already consumed PXE config
 * @param currentInstallStage stage (0..5) the latest install reached; 0 before the first stage
 * @param account             owning account
 * @param pxeConfigConsumed   the PXE config has already driven a finished install
 * @param installRunning      an install has started and neither finished, failed nor was aborted
 * @param jenkinsTasksRun     Jenkins task ids completed on this server, in order
 * @param boots               boots (reboots, power-ons, installer restarts) since start
 */
public record ServerSnapshot(
        long id,
        String type,
        String location,
        String bootDevice,
        boolean pxeConfigPresent,
        String powerState,
        String hostname,
        int installsStarted,
        int suddenReinstalls,
        int currentInstallStage,
        String account,
        boolean pxeConfigConsumed,
        boolean installRunning,
        List<String> jenkinsTasksRun,
        int boots) {

    public ServerSnapshot {
        jenkinsTasksRun = List.copyOf(jenkinsTasksRun);
    }
}
