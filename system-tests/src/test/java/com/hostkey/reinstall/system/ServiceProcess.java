package com.hostkey.reinstall.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service instance as a real OS process (its shaded jar on the JVM running the tests), which a
 * test can SIGKILL and start again with the same identity (environment, state directory).
 */
final class ServiceProcess implements AutoCloseable {

    private static final String VERSION = "0.1.0-SNAPSHOT";

    final String name;
    private final Path jar;
    private final Map<String, String> env;
    private final Path logDir;
    private Process process;
    private int starts;

    /**
     * @param workDir the module's shaded jar is copied here once, so a rebuild during the test cannot
     *                change the classes under a running JVM
     */
    ServiceProcess(String name, String module, Map<String, String> env, Path logDir, Path workDir) {
        this.name = name;
        Path built = Path.of("..", module, "target", module + "-" + VERSION + "-all.jar").toAbsolutePath().normalize();
        if (!Files.exists(built)) {
            throw new IllegalStateException(built + " is missing: the service modules are packaged before system-tests runs");
        }
        this.jar = workDir.resolve(built.getFileName());
        try {
            if (!Files.exists(jar)) {
                Files.copy(built, jar);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + built, e);
        }
        this.env = Map.copyOf(env);
        this.logDir = logDir;
    }

    synchronized ServiceProcess start() {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve(name + ".log").toFile()));
        builder.environment().putAll(env);
        try {
            process = builder.start();
            starts++;
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    synchronized void kill() {
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
    synchronized void pause() {
        signal("STOP");
    }

    /** SIGCONT: a {@link #pause() paused} process carries on from where it was frozen. */
    synchronized void resume() {
        signal("CONT");
    }

    /** The OS process id of the running instance. */
    synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return process.pid();
    }

    private void signal(String signal) {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running: cannot send SIG" + signal);
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
                    .redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
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

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    int starts() {
        return starts;
    }

    Path log() {
        return logDir.resolve(name + ".log");
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
