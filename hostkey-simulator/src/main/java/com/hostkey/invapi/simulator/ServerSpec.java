package com.hostkey.invapi.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A server as the simulator starts with it: one entry of the generated fleet or of a fleet file.
 *
 * @param id             server id
 * @param type           {@code bm}, {@code vm}, {@code gpu} or {@code vgpu}
 * @param location       e.g. {@code NL}
 * @param ramGb          RAM in GB
 * @param diskSizesGb    one entry per storage device
 * @param hostname       current hostname
 * @param account        owning account name; null means the first configured account
 * @param powerState     {@code on} or {@code off}
 * @param bootDevice     {@code disk}, {@code pxe} or {@code cd}
 * @param pxeConfigLeft  the server starts with a consumed PXE config left over from an earlier
 *                       install (a reboot from pxe then is a sudden reinstall)
 * @param cores          CPU cores, what per-core licences are counted against (eq/show's
 *                       {@code cpu_cores}, an assumed name)
 */
public record ServerSpec(
        long id,
        String type,
        String location,
        int ramGb,
        List<Integer> diskSizesGb,
        String hostname,
        String account,
        String powerState,
        String bootDevice,
        boolean pxeConfigLeft,
        int cores) {

    static final Set<String> TYPES = Set.of("bm", "vm", "gpu", "vgpu");
    static final Set<String> BOOT_DEVICES = Set.of("disk", "pxe", "cd");
    static final Set<String> POWER_STATES = Set.of("on", "off");

    public ServerSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(powerState, "powerState");
        Objects.requireNonNull(bootDevice, "bootDevice");
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("server " + id + ": type must be one of " + TYPES + ", was " + type);
        }
        if (!BOOT_DEVICES.contains(bootDevice)) {
            throw new IllegalArgumentException("server " + id + ": bootDevice must be one of " + BOOT_DEVICES);
        }
        if (!POWER_STATES.contains(powerState)) {
            throw new IllegalArgumentException("server " + id + ": powerState must be one of " + POWER_STATES);
        }
        if (diskSizesGb == null || diskSizesGb.isEmpty()) {
            throw new IllegalArgumentException("server " + id + ": at least one disk is required");
        }
        diskSizesGb = List.copyOf(diskSizesGb);
        if (cores < 1) {
            throw new IllegalArgumentException("server " + id + ": cores must be at least 1, was " + cores);
        }
    }

    /** A server with the cores its type has by default ({@link #defaultCores}). */
    public ServerSpec(long id, String type, String location, int ramGb, List<Integer> diskSizesGb, String hostname,
                      String account, String powerState, String bootDevice, boolean pxeConfigLeft) {
        this(id, type, location, ramGb, diskSizesGb, hostname, account, powerState, bootDevice, pxeConfigLeft,
                defaultCores(type));
    }

    /** Cores of a server of this type unless said: bm 12, vm 4, gpu 16, vgpu 8. */
    public static int defaultCores(String type) {
        return switch (type) {
            case "vm" -> 4;
            case "gpu" -> 16;
            case "vgpu" -> 8;
            default -> 12;
        };
    }

    /**
     * The generated fleet: ids 1001..1000+n; types cycle bm, bm, vm, gpu; locations cycle NL, NL,
     * US, DE; bm and gpu have 2 x 480 GB (every 5th bm 4 x 960 GB) and 64 GB RAM; vm has 1 x 60 GB
     * and 8 GB RAM; cores as {@link #defaultCores} (every 5th bm 24); all on, booting from disk, no
     * PXE config; owners round-robin over {@code accounts}.
     */
    public static List<ServerSpec> generatedFleet(int n, List<String> accounts) {
        if (n < 0) {
            throw new IllegalArgumentException("fleet size must not be negative: " + n);
        }
        if (accounts.isEmpty()) {
            throw new IllegalArgumentException("at least one account is required");
        }
        String[] types = {"bm", "bm", "vm", "gpu"};
        String[] locations = {"NL", "NL", "US", "DE"};
        List<ServerSpec> fleet = new ArrayList<>(n);
        int bareMetal = 0;
        for (int i = 0; i < n; i++) {
            long id = 1001L + i;
            String type = types[i % types.length];
            List<Integer> disks;
            int ram = 64;
            int cores = defaultCores(type);
            switch (type) {
                case "vm" -> {
                    disks = List.of(60);
                    ram = 8;
                }
                case "bm" -> {
                    bareMetal++;
                    disks = bareMetal % 5 == 0 ? List.of(960, 960, 960, 960) : List.of(480, 480);
                    cores = bareMetal % 5 == 0 ? 24 : cores;
                }
                default -> disks = List.of(480, 480);
            }
            fleet.add(new ServerSpec(id, type, locations[i % locations.length], ram, disks,
                    "srv" + id + ".example.net", accounts.get(i % accounts.size()), "on", "disk", false, cores));
        }
        return fleet;
    }
}
