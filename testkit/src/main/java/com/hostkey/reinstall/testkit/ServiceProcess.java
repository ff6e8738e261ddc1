package com.hostkey.reinstall.testkit;

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
 * deployment gives it; it can be SIGKILLed, frozen (SIGSTOP) and started again with the same
 * identity. Output goes to a log file, appended across restarts. The chaos and pause tests and the
 * benchmarks all run services through this one class.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final String VERSION = "0.1.0-SNAPSHOT";

    private final String name;
    private final String java;
    private final Path jar;
    private final Map<String, String> env;
    private final List<String> jvmArgs;
    private final Path log;
    private Process process;
    private Instant startedAt;
    private long logOffsetAtStart;
    private int starts;

    public ServiceProcess(String name, String java, Path jar, Map<String, String> env, List<String> jvmArgs, Path log) {
        this.name = name;
        this.java = java;
        this.jar = jar;
        this.env = Map.copyOf(env);
        this.jvmArgs = List.copyOf(jvmArgs);
        this.log = log;
    }

    /**
     * A service module's shaded jar ({@code ../<module>/target/<module>-<version>-all.jar}, packaged
     * before the tests run) in the JVM running the test, with a small heap. The jar is copied into
     * {@code workDir} once, so a rebuild during the test cannot change the classes under a running
     * JVM; the log is {@code logDir/<name>.log}.
     */
    public static ServiceProcess ofModule(String name, String module, Map<String, String> env, Path logDir, Path workDir) {
        Path built = Path.of("..", module, "target", module + "-" + VERSION + "-all.jar").toAbsolutePath().normalize();
        if (!Files.exists(built)) {
            throw new IllegalStateException(built + " is missing: the service modules are packaged before the tests run");
        }
        Path jar = workDir.resolve(built.getFileName());
        try {
            if (!Files.exists(jar)) {
                Files.copy(built, jar);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + built, e);
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ServiceProcess(name, java, jar, env, List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                logDir.resolve(name + ".log"));
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
            starts++;
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

    /**
     * SIGSTOP: the process is frozen where it stands (no thread runs, no heartbeat, no timeout fires
     * inside it) until {@link #resume()}; to the rest of the system it looks like a long GC pause or
     * a VM that was suspended.
     */
    public synchronized void pause() {
        signal("STOP");
    }

    /** SIGCONT: a {@link #pause() paused} process carries on from where it was frozen. */
    public synchronized void resume() {
        signal("CONT");
    }

    private void signal(String signal) {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running: cannot send SIG" + signal);
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
                    .redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send SIG" + signal + " to " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + name, e);
        }
    }

    /** How often it was started. */
    public synchronized int starts() {
        return starts;
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
