package com.hostkey.reinstall.bench;

import com.hostkey.reinstall.testkit.ApicurioRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What every figure shares: the profile, where the project and the results live, a scratch
 * directory, the schema registry (started once, on first use), and copies of the services' shaded
 * jars (copied once, so that a rebuild by someone else during the run cannot change the classes
 * under a running service).
 */
public final class BenchContext implements AutoCloseable {

    private static final String VERSION = "0.1.0-SNAPSHOT";

    private final Profile profile;
    private final Path root;
    private final Path workDir;
    private final Path resultsDir;
    private final boolean jfr;
    private final Path jarsDir;
    private final Instant started = Instant.now();
    private final Map<String, Path> jars = new HashMap<>();
    private ApicurioRegistry registry;

    /**
     * @param jarsDir where the services' shaded jars were copied before the run (run.sh does), or null
     *                to take them from each module's target directory
     */
    public BenchContext(Profile profile, Path root, Path resultsDir, boolean jfr, Path jarsDir) throws IOException {
        this.profile = profile;
        this.root = root.toAbsolutePath().normalize();
        this.resultsDir = Files.createDirectories(resultsDir.toAbsolutePath().normalize());
        this.workDir = Files.createTempDirectory("reinstall-bench-");
        this.jfr = jfr;
        this.jarsDir = jarsDir;
    }

    public Profile profile() {
        return profile;
    }

    public Path root() {
        return root;
    }

    /** Scratch space of this harness run; removed at the end. */
    public Path workDir() {
        return workDir;
    }

    public Path resultsDir() {
        return resultsDir;
    }

    /** Service logs of the run, kept with the results. */
    public Path logDir() {
        try {
            return Files.createDirectories(resultsDir.resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether services and the harness record a JFR profile. */
    public boolean jfr() {
        return jfr;
    }

    /** The java launcher the harness runs on (a JDK >= 21, found by run.sh). */
    public String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** The Confluent-compatible registry URL; the registry starts on first use. */
    public synchronized String registryUrl() {
        if (registry == null) {
            log("starting Apicurio Registry");
            registry = ApicurioRegistry.start();
        }
        return registry.url();
    }

    /** The shaded jar of a service module ({@code state-projector}, ...), copied into the scratch directory. */
    public synchronized Path serviceJar(String module) {
        return jars.computeIfAbsent(module, m -> {
            String name = m + "-" + VERSION + "-all.jar";
            Path built = jarsDir != null && Files.exists(jarsDir.resolve(name)) ? jarsDir.resolve(name)
                    : root.resolve(m).resolve("target").resolve(name);
            if (!Files.exists(built)) {
                throw new IllegalStateException(built + " is missing: build with bench/run.sh (mvn package -pl bench -am)");
            }
            try {
                Path copy = workDir.resolve(built.getFileName());
                Files.copy(built, copy);
                return copy;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + built, e);
            }
        });
    }

    /** A progress line on stdout, with the time since the harness started. */
    public void log(String message) {
        Duration elapsed = Duration.between(started, Instant.now());
        System.out.printf("[bench +%6.1fs] %s%n", elapsed.toMillis() / 1000.0, message);
        System.out.flush();
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
        deleteQuietly(workDir);
    }

    static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e.getMessage());
        }
    }
}
