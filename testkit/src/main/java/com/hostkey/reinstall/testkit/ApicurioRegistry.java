package com.hostkey.reinstall.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

/**
 * Apicurio Registry (in-memory storage) as a child process, serving the Confluent-compatible API
 * at {@link #url()}. The build unpacks the registry into testkit/target (see testkit's pom).
 * Its default compatibility is set to BACKWARD, as in production.
 */
public final class ApicurioRegistry implements AutoCloseable {

    private static final java.util.Set<Integer> USED_PORTS = new java.util.HashSet<>();

    private final Process process;
    private final String url;
    private final Path log;

    private ApicurioRegistry(Process process, String url, Path log) {
        this.process = process;
        this.url = url;
        this.log = log;
    }

    public static ApicurioRegistry start() {
        Path home = home();
        int port = unusedPort();
        int managementPort = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        try {
            Path log = Files.createTempFile("apicurio-", ".log");
            Process process = new ProcessBuilder(List.of(java,
                    "-Xmx256m",
                    "-Dquarkus.http.host=127.0.0.1",
                    "-Dquarkus.http.port=" + port,
                    "-Dquarkus.management.host=127.0.0.1",
                    "-Dquarkus.management.port=" + managementPort,
                    "-jar", home.resolve("quarkus-run.jar").toString()))
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            ApicurioRegistry registry = new ApicurioRegistry(process, "http://127.0.0.1:" + port + "/apis/ccompat/v7", log);
            registry.awaitReady(Duration.ofSeconds(90));
            registry.put("/config", "{\"compatibility\":\"BACKWARD\"}");
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start Apicurio Registry from " + home, e);
        }
    }

    /** The Confluent-compatible base URL, the value for {@code schema.registry.url}. */
    public String url() {
        return url;
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Apicurio Registry exited with " + process.exitValue() + "; log: " + log);
            }
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url + "/subjects")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet: poll again.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException("Apicurio Registry not ready within " + timeout + "; log: " + log);
    }

    private void put(String path, String json) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + path))
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("Registry PUT " + path + " answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Path home() {
        Properties properties = new Properties();
        try (InputStream in = ApicurioRegistry.class.getResourceAsStream("testkit.properties")) {
            properties.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("testkit.properties missing: build the testkit module", e);
        }
        Path home = Path.of(properties.getProperty("apicurio.home"));
        if (!Files.exists(home.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException("Apicurio Registry not unpacked at " + home + ": run the testkit module's build");
        }
        return home;
    }

    /**
     * A free port no registry of this JVM had before: the process-wide registry clients
     * ({@code SchemaRegistryClient.forUrl}) cache schema ids per URL for good, as ids never change
     * within one registry. A new registry at an old URL numbers its schemas afresh, and a stale id
     * would read a record as another type (seen: an event read as a state, dead-lettered).
     */
    private static synchronized int unusedPort() {
        int port = freePort();
        while (!USED_PORTS.add(port)) {
            port = freePort();
        }
        return port;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
