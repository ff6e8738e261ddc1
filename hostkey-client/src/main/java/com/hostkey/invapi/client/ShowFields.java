package com.hostkey.invapi.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The names eq/show's server data is read under: Hostkey documents none of them (type, RAM, disks
 * and their sizes, CPU cores are assumed names, docs/invapi-wire.md), so each list is a setting,
 * tried in order, the first field present wins. Names given in the environment come first, the
 * assumed defaults after them, so a setting adds a name rather than losing the others.
 *
 * @param type     the server type (bm, vm, gpu, vgpu): {@code HOSTKEY_SHOW_TYPE_FIELD}
 * @param ram      RAM in GB: {@code HOSTKEY_SHOW_RAM_FIELD}
 * @param disks    the disk list: {@code HOSTKEY_SHOW_DISKS_FIELD}
 * @param diskSize a disk's size in GB, inside each disk object: {@code HOSTKEY_SHOW_DISK_SIZE_FIELD}
 * @param cores    the CPU core count: {@code HOSTKEY_SHOW_CORES_FIELD}
 */
public record ShowFields(List<String> type, List<String> ram, List<String> disks, List<String> diskSize, List<String> cores) {

    public static final ShowFields DEFAULTS = new ShowFields(List.of("type", "server_type"), List.of("ram_gb", "ram", "memory_gb"),
            List.of("disks"), List.of("size_gb", "size", "gb"), List.of("cpu_cores", "cores", "core_count"));

    static final String ENV_TYPE = "HOSTKEY_SHOW_TYPE_FIELD";
    static final String ENV_RAM = "HOSTKEY_SHOW_RAM_FIELD";
    static final String ENV_DISKS = "HOSTKEY_SHOW_DISKS_FIELD";
    static final String ENV_DISK_SIZE = "HOSTKEY_SHOW_DISK_SIZE_FIELD";
    static final String ENV_CORES = "HOSTKEY_SHOW_CORES_FIELD";

    public ShowFields {
        type = names("type", type);
        ram = names("ram", ram);
        disks = names("disks", disks);
        diskSize = names("diskSize", diskSize);
        cores = names("cores", cores);
    }

    /** These names first, then the defaults. */
    public ShowFields withFirst(List<String> typeNames, List<String> ramNames, List<String> disksNames, List<String> diskSizeNames,
                                List<String> coresNames) {
        return new ShowFields(first(typeNames, type), first(ramNames, ram), first(disksNames, disks), first(diskSizeNames, diskSize),
                first(coresNames, cores));
    }

    static ShowFields fromEnv(Map<String, String> env) {
        return DEFAULTS.withFirst(list(env.get(ENV_TYPE)), list(env.get(ENV_RAM)), list(env.get(ENV_DISKS)),
                list(env.get(ENV_DISK_SIZE)), list(env.get(ENV_CORES)));
    }

    private static List<String> first(List<String> names, List<String> then) {
        LinkedHashSet<String> all = new LinkedHashSet<>(names);
        all.addAll(then);
        return new ArrayList<>(all);
    }

    private static List<String> list(String value) {
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::strip).filter(n -> !n.isEmpty()).toList();
    }

    private static List<String> names(String what, List<String> names) {
        Objects.requireNonNull(names, what);
        if (names.isEmpty() || names.stream().anyMatch(n -> n == null || n.isBlank())) {
            throw new IllegalArgumentException("eq/show " + what + " field names must be non-blank, at least one: " + names);
        }
        return List.copyOf(names);
    }
}
