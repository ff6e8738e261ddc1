package com.hostkey.invapi.simulator;

/**
 * A server's PXE config as create_pxe stored it. It is "consumed" once an install it drove
 * finished; it stays until clear_pxe, and booting from pxe with a consumed config is a sudden
 * reinstall. The root password and post-install script are deliberately not kept.
 */
final class PxeConfig {

    final long osId;
    final String hostname;
    final String reinstallKey;
    final String diskScheme;
    final boolean sshKeySet;
    final String postInstallCallback;
    /** Per-core licences of a licensed OS; null for any other. */
    final Integer licences;
    boolean consumed;

    PxeConfig(long osId, String hostname, String reinstallKey, String diskScheme, boolean sshKeySet,
              String postInstallCallback, Integer licences) {
        this.osId = osId;
        this.hostname = hostname;
        this.reinstallKey = reinstallKey;
        this.diskScheme = diskScheme;
        this.sshKeySet = sshKeySet;
        this.postInstallCallback = postInstallCallback;
        this.licences = licences;
    }

    /** A config an earlier, finished install left behind (fleet setting {@code pxeConfigLeft}). */
    static PxeConfig leftOver(String hostname) {
        PxeConfig config = new PxeConfig(0, hostname, null, null, false, null, null);
        config.consumed = true;
        return config;
    }
}
