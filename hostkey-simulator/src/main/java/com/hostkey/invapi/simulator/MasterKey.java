package com.hostkey.invapi.simulator;

/**
 * A reinstall master key from eq/reinstall. Installs driven by a PXE config naming it report
 * their stages on it; {@code cursor} counts the stages already answered (oldest-unread delivery).
 */
final class MasterKey {

    final String key;
    final long serverId;
    final String location;
    Install install;
    int cursor;
    boolean stage5Announced;

    MasterKey(String key, long serverId, String location) {
        this.key = key;
        this.serverId = serverId;
        this.location = location;
    }

    void follow(Install next) {
        this.install = next;
        this.cursor = 0;
        this.stage5Announced = false;
    }
}
