package com.hostkey.reinstall.bench.infra;

import com.hostkey.reinstall.bench.MachineInfo;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service instance as a real OS process (its shaded jar), started with the environment a
 * deployment gives it; it can be SIGKILLed and started again with the same identity. Output goes
 * to a log file, appended across restarts.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final String java;
    private final Path jar;
    private final Map<String, String> env;
    private final List<String> jvmArgs;
    private final Path log;
    private Process process;
    private Instant startedAt;
    private long logOffsetAtStart;

    public ServiceProcess(String name, String java, Path jar, Map<String, String> env, List<String> jvmArgs, Path log) {
        this.name = name;
        this.java = java;
        this.jar = jar;
        this.env = Map.copyOf(env);
        this.jvmArgs = List.copyOf(jvmArgs);
        this.log = log;
    }

    public String name() {
        return name;
    }

    public synchronized ServiceProcess start() {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        try {
            logOffsetAtStart = Files.exists(log) ? Files.size(log) : 0;
            startedAt = Instant.now();
            process = builder.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    public synchronized void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return process.pid();
    }

    /** When the current process was launched. */
    public synchronized Instant startedAt() {
        return startedAt;
    }

    public Path log() {
        return log;
    }

    /** Resident set size now, in MB (VmRSS). */
    public double rssMb() {
        return MachineInfo.procValueKb(Path.of("/proc", String.valueOf(pid()), "status"), "VmRSS:") / 1024.0;
    }

    /** Peak resident set size of the current process, in MB (VmHWM). */
    public double peakRssMb() {
        return MachineInfo.procValueKb(Path.of("/proc", String.valueOf(pid()), "status"), "VmHWM:") / 1024.0;
    }

    /** Waits until the current process has logged a line containing {@code text}; false on timeout or exit. */
    public boolean awaitLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (logSinceStart().contains(text)) {
                return true;
            }
            if (!isAlive()) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** What the current process has written so far. */
    public String logSinceStart() {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            long length = file.length();
            if (length <= logOffsetAtStart) {
                return "";
            }
            byte[] bytes = new byte[(int) Math.min(Integer.MAX_VALUE - 8, length - logOffsetAtStart)];
            file.seek(logOffsetAtStart);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGTERM, then SIGKILL after 15 s. */
    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
