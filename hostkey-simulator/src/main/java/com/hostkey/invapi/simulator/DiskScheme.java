package com.hostkey.invapi.simulator;

/** The seed's partitioning schemes and the disks each needs (1 disk: no RAID; RAID10 needs 4+). */
enum DiskScheme {
    LVM_RAID0(1),
    LVM_HBA(2),
    LVM_RAID1(2),
    LVM_RAID10(4),
    LVM_RAID10S(4);

    final int minDisks;

    DiskScheme(int minDisks) {
        this.minDisks = minDisks;
    }

    static DiskScheme parse(String text) {
        for (DiskScheme scheme : values()) {
            if (scheme.name().equalsIgnoreCase(text)) {
                return scheme;
            }
        }
        return null;
    }
}
