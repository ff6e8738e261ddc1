package com.hostkey.reinstall.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations endpoints of a service that has no HTTP API of its own (command handler, stage
 * poller), on the JDK's HTTP server with a virtual thread per request:
 *
 * <ul>
 *   <li>{@code GET /metrics}: the Prometheus text exposition format;</li>
 *   <li>{@code GET /health}: liveness, {@code 200 {"status":"UP"}} while the service's loop runs,
 *       else 503 (restart me);</li>
 *   <li>{@code GET /ready}: readiness, {@code 200 {"status":"READY"}} once its consumer has joined
 *       the group and got an assignment, else 503 (do not count me as available yet).</li>
 *   <li>the service's own read-only <em>documents</em>, by exact path, given at start (the command
 *       handler's {@code GET /.well-known/jwks.json}, its public sealing keys).</li>
 * </ul>
 * No authentication: nothing here is secret (metrics carry no server ids, keys or tokens; a document
 * must be public by nature). Only GET and HEAD are answered (405 otherwise); other paths get 404.
 *
 * <p>A service with an API of its own (the projector's query port) serves the same three answers
 * through {@link #answer}, so every service's probes look alike to Kubernetes and Prometheus.
 */
public final class OperationsHttpServer implements AutoCloseable {

    /** The Prometheus text format, version 0.0.4 (what Micrometer's {@code scrape()} writes). */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The paths of the three operations endpoints. */
    public static final Set<String> PATHS = Set.of("/metrics", "/health", "/ready");

    private static final String JSON_CONTENT_TYPE = "application/json; charset=utf-8";
    private static final Logger log = LoggerFactory.getLogger(OperationsHttpServer.class);

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final Supplier<String> metrics;
    private final Supplier<Probe> live;
    private final Supplier<Probe> ready;
    private final Map<String, Supplier<Answer>> documents;

    /**
     * What a liveness or readiness probe found: whether the service is up (ready), and details shown
     * beside the status, in their order (e.g. the Kafka Streams state); never a secret.
     */
    public record Probe(boolean ok, Map<String, String> details) {

        public Probe {
            details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
        }

        public static Probe of(boolean ok) {
            return new Probe(ok, Map.of());
        }
    }

    /** One operations answer, for whichever server carries the endpoints to write. */
    public record Answer(int status, String contentType, String body) {}

    private OperationsHttpServer(HttpServer server, Supplier<String> metrics, BooleanSupplier live, BooleanSupplier ready,
                                 Map<String, Supplier<Answer>> documents) {
        this.server = server;
        this.metrics = metrics;
        this.live = () -> Probe.of(live.getAsBoolean());
        this.ready = () -> Probe.of(ready.getAsBoolean());
        this.documents = Map.copyOf(documents);
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
    }

    /**
     * Binds {@code port} on every interface (0 picks a free one) and starts serving.
     *
     * @throws IOException when the port cannot be bound
     */
    public static OperationsHttpServer start(int port, Supplier<String> metrics, BooleanSupplier live, BooleanSupplier ready)
            throws IOException {
        return start(port, metrics, live, ready, Map.of());
    }

    /**
     * The same, also answering a GET of each of {@code documents}' paths with its answer.
     *
     * @throws IllegalArgumentException when a document's path is not absolute or is one of the {@link #PATHS}
     * @throws IOException              when the port cannot be bound
     */
    public static OperationsHttpServer start(int port, Supplier<String> metrics, BooleanSupplier live, BooleanSupplier ready,
                                             Map<String, Supplier<Answer>> documents) throws IOException {
        return start(new InetSocketAddress(port), metrics, live, ready, documents);
    }

    /**
     * The same on {@code address}: one interface (e.g. 127.0.0.1 where nothing else may reach it),
     * or every interface when its host is the wildcard address.
     *
     * @throws IllegalArgumentException when a document's path is not absolute or is one of the {@link #PATHS}
     * @throws IOException              when the address cannot be bound
     */
    public static OperationsHttpServer start(InetSocketAddress address, Supplier<String> metrics, BooleanSupplier live,
                                             BooleanSupplier ready, Map<String, Supplier<Answer>> documents) throws IOException {
        documents.keySet().forEach(path -> {
            if (!path.startsWith("/") || PATHS.contains(path)) {
                throw new IllegalArgumentException("a document needs an absolute path of its own, not " + path);
            }
        });
        OperationsHttpServer started = new OperationsHttpServer(HttpServer.create(address, 0), metrics, live, ready,
                documents);
        started.server.start();
        return started;
    }

    /**
     * The answer to a GET of one of the {@link #PATHS}: the metrics, or {@code {"status": "UP"|"DOWN"}}
     * (liveness) or {@code {"status": "READY"|"NOT_READY"}} (readiness) with the probe's details,
     * 200 when the probe is ok and 503 otherwise.
     *
     * @throws IllegalArgumentException for any other path
     */
    public static Answer answer(String path, Supplier<String> metrics, Supplier<Probe> live, Supplier<Probe> ready) {
        return switch (path) {
            case "/metrics" -> new Answer(200, PROMETHEUS_CONTENT_TYPE, metrics.get());
            case "/health" -> probe(live.get(), "UP", "DOWN");
            case "/ready" -> probe(ready.get(), "READY", "NOT_READY");
            default -> throw new IllegalArgumentException("not an operations endpoint: " + path);
        };
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, new Answer(405, JSON_CONTENT_TYPE, "{\"status\":405,\"error\":\"method not allowed\"}"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            Supplier<Answer> document = documents.get(path);
            send(exchange, PATHS.contains(path) ? answer(path, metrics, live, ready)
                    : document != null ? document.get()
                    : new Answer(404, JSON_CONTENT_TYPE, "{\"status\":404,\"error\":\"no such resource\"}"));
        } catch (IOException | RuntimeException e) {
            log.debug("operations request failed: {}", e.toString());
        }
    }

    private static Answer probe(Probe probe, String ok, String notOk) {
        StringBuilder json = new StringBuilder("{\"status\":").append(quote(probe.ok() ? ok : notOk));
        probe.details().forEach((name, value) -> json.append(',').append(quote(name)).append(':').append(quote(value)));
        return new Answer(probe.ok() ? 200 : 503, JSON_CONTENT_TYPE, json.append('}').toString());
    }

    /** A JSON string; the details are plain words, but a quote or a control character must not break the document. */
    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : String.valueOf(text).toCharArray()) {
            if (c == '"' || c == '\\') {
                quoted.append('\\').append(c);
            } else if (c < 0x20) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", answer.contentType());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (exchange.getRequestMethod().equals("HEAD") || bytes.length == 0) {
            exchange.sendResponseHeaders(answer.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
