package com.hostkey.reinstall.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine a run happened on: cores, RAM, CPU, JDK, OS, and the load average before and after,
 * because these machines are shared and a busy neighbour changes every figure.
 */
public final class MachineInfo {

    private MachineInfo() {}

    public static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("ramGb", Math.round(memTotalKb() / 1024.0 / 1024.0 * 10) / 10.0);
        m.put("cpu", cpuModel());
        m.put("jdk", System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("loadAverageAtStart", loadAverage());
        return m;
    }

    /** The 1, 5 and 15 minute load averages, as the kernel reports them. */
    public static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static long memTotalKb() {
        return procValueKb(Path.of("/proc/meminfo"), "MemTotal:");
    }

    /** A {@code Name:   123 kB} line of a /proc file, in kB; -1 if absent. */
    public static long procValueKb(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            return lines.stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Resident set size of a process now, in MB (VmRSS). */
    public static double rssMb(long pid) {
        return procValueKb(Path.of("/proc", String.valueOf(pid), "status"), "VmRSS:") / 1024.0;
    }
}
