package com.hostkey.reinstall.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
 * </ul>
 * No authentication: nothing here is secret (metrics carry no server ids, keys or tokens). Only GET
 * and HEAD are answered (405 otherwise); other paths get 404.
 */
public final class OperationsHttpServer implements AutoCloseable {

    /** The Prometheus text format, version 0.0.4 (what Micrometer's {@code scrape()} writes). */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final Logger log = LoggerFactory.getLogger(OperationsHttpServer.class);

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final Supplier<String> metrics;
    private final BooleanSupplier live;
    private final BooleanSupplier ready;

    private OperationsHttpServer(HttpServer server, Supplier<String> metrics, BooleanSupplier live, BooleanSupplier ready) {
        this.server = server;
        this.metrics = metrics;
        this.live = live;
        this.ready = ready;
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
        OperationsHttpServer started = new OperationsHttpServer(HttpServer.create(new InetSocketAddress(port), 0), metrics, live, ready);
        started.server.start();
        return started;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "application/json", "{\"status\":405,\"error\":\"method not allowed\"}");
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/metrics" -> send(exchange, 200, PROMETHEUS_CONTENT_TYPE, metrics.get());
                case "/health" -> {
                    boolean up = live.getAsBoolean();
                    send(exchange, up ? 200 : 503, "application/json", up ? "{\"status\":\"UP\"}" : "{\"status\":\"DOWN\"}");
                }
                case "/ready" -> {
                    boolean isReady = ready.getAsBoolean();
                    send(exchange, isReady ? 200 : 503, "application/json",
                            isReady ? "{\"status\":\"READY\"}" : "{\"status\":\"NOT_READY\"}");
                }
                default -> send(exchange, 404, "application/json", "{\"status\":404,\"error\":\"no such resource\"}");
            }
        } catch (IOException | RuntimeException e) {
            log.debug("operations request failed: {}", e.toString());
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (exchange.getRequestMethod().equals("HEAD") || bytes.length == 0) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
