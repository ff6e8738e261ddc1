package com.hostkey.reinstall.bench.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A transparent HTTP proxy in front of the simulator that timestamps, on one clock, when each
 * request arrived and when its response had been written back: what Hostkey itself would see.
 * The proxy's own forwarding time falls inside each exchange, never between a response and the
 * next request, so it cannot shorten or lengthen a hop.
 */
public final class RecordingProxy implements AutoCloseable {

    private static final Pattern MODULE = Pattern.compile(".*/([A-Za-z0-9_]+)\\.php");

    /**
     * One proxied call.
     *
     * @param requestNanos  {@link System#nanoTime()} when the request arrived
     * @param responseNanos when the response was written (or the connection dropped)
     * @param module        {@code eq}, {@code eq_callback}, ...
     * @param action        the form field {@code action}
     * @param serverId      the form field {@code id}, or null
     * @param key           the form field {@code key} (eq_callback), or null
     * @param result        the answer's {@code result} as text, or null
     * @param contextId     the answer's {@code context.id}, or null
     * @param issuedKey     a key the answer hands out ({@code callback}, {@code reinstall_key}), or null
     */
    public record Exchange(long requestNanos, long responseNanos, String module, String action, Long serverId,
                           String key, String result, Long contextId, String issuedKey) {

        public String call() {
            return module + "/" + action;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient upstream = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String upstreamBase;
    private final ConcurrentLinkedQueue<Exchange> exchanges = new ConcurrentLinkedQueue<>();
    private final ObjectMapper mapper = new ObjectMapper();

    private RecordingProxy(String upstreamBase) throws IOException {
        this.upstreamBase = upstreamBase;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.setExecutor(executor);
        server.createContext("/", this::forward);
        server.start();
    }

    public static RecordingProxy start(String upstreamBaseUrl) {
        try {
            return new RecordingProxy(upstreamBaseUrl);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the recording proxy", e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every exchange recorded so far, in completion order. */
    public List<Exchange> exchanges() {
        return new ArrayList<>(exchanges);
    }

    public void clear() {
        exchanges.clear();
    }

    private void forward(HttpExchange exchange) throws IOException {
        long arrived = System.nanoTime();
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            URI uri = exchange.getRequestURI();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(upstreamBase + uri.getRawPath()
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())))
                    .timeout(Duration.ofSeconds(120))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            if (contentType != null) {
                request.header("Content-Type", contentType);
            }
            HttpResponse<byte[]> response;
            try {
                response = upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException dropped) {
                // The simulator dropped the connection (an injected lost response): drop ours too.
                record(arrived, System.nanoTime(), uri, body, null);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            response.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().set("Content-Type", v));
            response.headers().firstValue("Retry-After").ifPresent(v -> exchange.getResponseHeaders().set("Retry-After", v));
            byte[] answer = response.body();
            exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
            record(arrived, System.nanoTime(), uri, body, answer);
        }
    }

    private void record(long arrived, long answered, URI uri, byte[] body, byte[] answer) {
        Matcher path = MODULE.matcher(uri.getPath());
        String module = path.matches() ? path.group(1) : uri.getPath();
        Map<String, String> form = new HashMap<>();
        parseForm(uri.getRawQuery(), form);
        parseForm(new String(body, StandardCharsets.UTF_8), form);
        Long serverId = parseLong(form.get("id"));
        String result = null;
        Long contextId = null;
        String issued = null;
        if (answer != null && answer.length > 0) {
            try {
                JsonNode json = mapper.readTree(answer);
                if (json != null && json.isObject()) {
                    JsonNode r = json.get("result");
                    result = r == null || r.isObject() ? null : r.asText();
                    JsonNode context = json.get("context");
                    if (context != null && context.has("id")) {
                        contextId = parseLong(context.get("id").asText());
                    }
                    for (String field : List.of("callback", "reinstall_key")) {
                        if (json.hasNonNull(field)) {
                            issued = json.get(field).asText();
                        }
                    }
                }
            } catch (IOException notJson) {
                result = "NOT_JSON";
            }
        }
        exchanges.add(new Exchange(arrived, answered, module, form.getOrDefault("action", ""), serverId, form.get("key"),
                result, contextId, issued));
    }

    private static void parseForm(String text, Map<String, String> into) {
        if (text == null || text.isEmpty()) {
            return;
        }
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                into.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
    }

    private static Long parseLong(String text) {
        if (text == null || text.isEmpty() || text.length() > 18 || !text.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Long.parseLong(text);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        upstream.close();
    }
}
