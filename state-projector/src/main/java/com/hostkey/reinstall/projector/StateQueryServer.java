package com.hostkey.reinstall.projector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-only HTTP access to the reinstall state (interactive queries).
 *
 * <ul>
 *   <li>{@code GET /reinstalls/{serverId}}: one server's state, answered by the instance that owns
 *       it (other instances forward the request).</li>
 *   <li>{@code GET /reinstalls}: the states held by this instance.</li>
 *   <li>{@code GET /health}: {@code UP} once the streams instance is running.</li>
 * </ul>
 * Sealed secrets are never part of an answer. Errors are JSON without stack traces.
 */
public final class StateQueryServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StateQueryServer.class);
    private static final Pattern ONE_SERVER = Pattern.compile("^/reinstalls/(\\d{1,18})$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private volatile KafkaStreams streams;
    private final String selfHost;
    private final int selfPort;
    private final HttpServer server;
    private final HttpClient forwarder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Binds the port at once (port 0 picks a free one), so Kafka Streams can advertise it. */
    public StateQueryServer(String host, int port) throws IOException {
        this.selfHost = host;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
        this.selfPort = server.getAddress().getPort();
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
    }

    /** Starts answering from this streams instance. */
    public void serve(KafkaStreams streams) {
        this.streams = streams;
        server.start();
    }

    public int port() {
        return selfPort;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                reply(exchange, 405, error("method not allowed"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            Matcher one = ONE_SERVER.matcher(path);
            if (path.equals("/health")) {
                KafkaStreams.State state = streams.state();
                reply(exchange, state == KafkaStreams.State.RUNNING ? 200 : 503, Map.of("status",
                        state == KafkaStreams.State.RUNNING ? "UP" : "DOWN", "streams", state.name()));
            } else if (one.matches()) {
                serveOne(exchange, one.group(1));
            } else if (path.equals("/reinstalls")) {
                serveLocal(exchange);
            } else {
                reply(exchange, 404, error("no such resource: " + path));
            }
        } catch (InvalidStateStoreException e) {
            reply(exchange, 503, error("state store not ready, retry shortly"));
        } catch (RuntimeException e) {
            log.warn("query failed: {}", e.toString());
            reply(exchange, 500, error("internal error"));
        }
    }

    private void serveOne(HttpExchange exchange, String serverId) throws IOException {
        KeyQueryMetadata owner = streams.queryMetadataForKey(ReinstallTopology.STATE_STORE, serverId, Serdes.String().serializer());
        if (owner == null || owner.activeHost() == null || owner.activeHost().port() < 0) {
            reply(exchange, 503, error("state store not ready, retry shortly"));
            return;
        }
        boolean local = owner.activeHost().port() == selfPort && owner.activeHost().host().equals(selfHost);
        if (!local) {
            forward(exchange, owner.activeHost().host(), owner.activeHost().port(), "/reinstalls/" + serverId);
            return;
        }
        ReinstallState state = store().get(serverId);
        if (state == null) {
            reply(exchange, 404, error("no reinstall known for server " + serverId));
        } else {
            reply(exchange, 200, view(state));
        }
    }

    private void serveLocal(HttpExchange exchange) throws IOException {
        List<Map<String, Object>> states = new ArrayList<>();
        try (KeyValueIterator<String, ReinstallState> all = store().all()) {
            while (all.hasNext() && states.size() < 1000) {
                KeyValue<String, ReinstallState> next = all.next();
                states.add(view(next.value));
            }
        }
        reply(exchange, 200, Map.of("reinstalls", states));
    }

    private void forward(HttpExchange exchange, String host, int port, String path) throws IOException {
        try {
            HttpResponse<String> response = forwarder.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(response.statusCode(), body.length);
            exchange.getResponseBody().write(body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(exchange, 503, error("interrupted"));
        } catch (IOException e) {
            reply(exchange, 502, error("owner instance " + host + ":" + port + " unreachable"));
        }
    }

    private ReadOnlyKeyValueStore<String, ReinstallState> store() {
        return streams.store(StoreQueryParameters.fromNameAndType(ReinstallTopology.STATE_STORE, QueryableStoreTypes.keyValueStore()));
    }

    /** The public view of a state: everything but the sealed secrets. */
    static Map<String, Object> view(ReinstallState state) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("serverId", state.getServerId());
        view.put("reinstallId", state.getReinstallId());
        view.put("requestId", state.getRequestId());
        view.put("account", state.getAccount());
        view.put("requestedBy", state.getRequestedBy());
        view.put("phase", state.getPhase().name());
        view.put("installStage", state.getInstallStage());
        view.put("osId", state.getOsId());
        view.put("osName", state.getOsName());
        view.put("serverType", state.getServerType());
        view.put("location", state.getLocation());
        view.put("hostname", state.getHostname());
        view.put("partitionScheme", state.getPartitionScheme() == null ? null : state.getPartitionScheme().name());
        view.put("jenkinsTasks", state.getJenkinsTasks());
        view.put("nextJenkinsTask", state.getNextJenkinsTask());
        view.put("requestedAt", state.getRequestedAt().toString());
        view.put("updatedAt", state.getUpdatedAt().toString());
        view.put("finishedAt", state.getFinishedAt() == null ? null : state.getFinishedAt().toString());
        view.put("stepTimes", isoTimes(state.getStepTimes()));
        view.put("stageTimes", isoTimes(state.getStageTimes()));
        view.put("cancelRequested", state.getCancelRequested());
        view.put("failureKind", state.getFailureKind() == null ? null : state.getFailureKind().name());
        view.put("failureMessage", state.getFailureMessage());
        view.put("ignoredEvents", state.getIgnoredEvents());
        return view;
    }

    private static Map<String, String> isoTimes(Map<String, Long> times) {
        Map<String, String> iso = new LinkedHashMap<>();
        times.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> iso.put(e.getKey(), Instant.ofEpochMilli(e.getValue()).toString()));
        return iso;
    }

    private static Map<String, Object> error(String message) {
        return Map.of("error", message);
    }

    private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
