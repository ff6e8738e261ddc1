package com.hostkey.invapi.facts;

import java.util.Locale;
import java.util.Optional;

/**
 * The partition layouts a reinstall may ask for (the seed's schemes), with the disk counts Hostkey
 * documents for its RAID choices: one disk takes no RAID at all; two or more take HBA, RAID0 or
 * RAID1; RAID10 needs four or more. LVM_RAID10S, a RAID10 variant, is held to RAID10's rule. Nothing
 * else is documented (disk sizes, even counts), so nothing else is enforced: Hostkey's installer
 * remains the judge of the rest.
 */
public enum DiskLayout {
    LVM_RAID0(2, "stripes the OS over every disk"),
    LVM_HBA(2, "installs on one disk and leaves the others untouched"),
    LVM_RAID1(2, "mirrors the OS over two disks"),
    LVM_RAID10(4, "mirrors and stripes over pairs of disks"),
    LVM_RAID10S(4, "mirrors the OS on the first pair and the data on the others");

    private final int minDisks;
    private final String description;

    DiskLayout(int minDisks, String description) {
        this.minDisks = minDisks;
        this.description = description;
    }

    /** The fewest disks the layout takes. */
    public int minDisks() {
        return minDisks;
    }

    /** What the layout does, in a few words. */
    public String description() {
        return description;
    }

    /** Whether a server with {@code disks} disks can take this layout. */
    public boolean fits(int disks) {
        return disks >= minDisks;
    }

    /** "needs at least 4 disks". */
    public String requirement() {
        return "needs at least " + minDisks + " disks";
    }

    /** The layout named {@code name} (any case), as a request or create_pxe carries it. */
    public static Optional<DiskLayout> named(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String upper = name.strip().toUpperCase(Locale.ROOT);
        for (DiskLayout layout : values()) {
            if (layout.name().equals(upper)) {
                return Optional.of(layout);
            }
        }
        return Optional.empty();
    }
}
