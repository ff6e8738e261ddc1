package com.hostkey.reinstall.projector.query;

import com.hostkey.reinstall.projector.ProjectorMetrics;
import com.hostkey.reinstall.projector.saga.ReinstallTopology;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.projector.query.ReinstallQuery.BadRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-only HTTP(S) access to the reinstall state (interactive queries).
 *
 * <ul>
 *   <li>{@code GET /reinstalls/{serverId}}: one server's state, answered by the instance that owns
 *       it (other instances forward the request with {@code ?local=true}).</li>
 *   <li>{@code GET /reinstalls?phase=P&phase=Q&location=L&limit=N}: the fleet's states, newest
 *       {@code updatedAt} first, at most {@code limit} (1..1000, default 100); gathered from every
 *       instance. {@code local=true} answers from this instance's states only.</li>
 *   <li>{@code GET /health}: {@code UP} while the streams instance starts, rebalances or runs,
 *       {@code DOWN} once it stopped or failed; no token needed.</li>
 *   <li>{@code GET /ready}: {@code READY} while the streams instance is running (its stores answer);
 *       {@code GET /metrics}: the Prometheus text format (see {@link ProjectorMetrics}). No token needed:
 *       neither carries a secret.</li>
 * </ul>
 * The fleet dashboard's page ({@code GET /}, {@code /dashboard/*}), its data ({@code /whoami},
 * {@code /fleet/summary}, {@code /reinstalls/{serverId}/history}) and the operators' actions
 * ({@code POST /reinstalls/{serverId}/cancel|release}, write tokens only) are answered by {@link DashboardRoutes}.
 * Every other endpoint needs {@code Authorization: Bearer <token>} with one of the configured tokens
 * (see {@link QueryApiSettings}); forwarding between instances carries the caller's token, over
 * HTTPS when TLS is on. Only GET and HEAD are answered (405 otherwise). Errors are JSON
 * {@code {"error": ..., "status": ...}} without stack traces, echoing at most a short sanitized
 * excerpt of the input: 400 invalid parameters, 401 no or wrong token, 404 unknown server or
 * resource, 405 method, 503 state not ready or an instance unreachable (retry shortly). Sealed
 * secrets are never part of an answer.
 */
public final class StateQueryServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StateQueryServer.class);
    private static final Pattern ONE_SERVER = Pattern.compile("^/reinstalls/(\\d{1,18})$");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PATH_LENGTH = 256;
    /** Requests served at once; past it a request gets 503 rather than queueing without bound. */
    private static final int MAX_CONCURRENT_REQUESTS = 64;
    private static final int MAX_FORWARDED_BYTES = 16 * 1024 * 1024;
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);
    private static final Comparator<ReinstallState> OLDEST_FIRST = Comparator
            .comparing(ReinstallState::getUpdatedAt).thenComparing(ReinstallState::getServerId, Comparator.reverseOrder());

    private volatile KafkaStreams streams;
    private final String selfHost;
    private final int selfPort;
    private final HttpServer server;
    private final String scheme;
    private final Authenticator authenticator;
    private final int quarantineAfter;
    private final HttpClient forwarder;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight = new Semaphore(MAX_CONCURRENT_REQUESTS);
    private volatile Supplier<String> metricsScrape = () -> "";
    private final DashboardRoutes dashboard;

    /**
     * Binds the port at once (port 0 picks a free one), so Kafka Streams can advertise it.
     *
     * @throws IllegalStateException when no token is configured and authentication is not explicitly disabled
     */
    public StateQueryServer(String host, int port, QueryApiSettings settings, int quarantineAfter) throws IOException {
        this.authenticator = new Authenticator(settings);
        this.selfHost = host;
        this.quarantineAfter = quarantineAfter;
        HttpClient.Builder client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).followRedirects(HttpClient.Redirect.NEVER);
        if (settings.tlsEnabled()) {
            HttpsServer https = HttpsServer.create(new InetSocketAddress(host, port), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(QueryTls.serverContext(settings.tls())));
            this.server = https;
            this.scheme = "https";
            client.sslContext(QueryTls.clientContext(settings.tls()));
        } else {
            this.server = HttpServer.create(new InetSocketAddress(host, port), 0);
            this.scheme = "http";
        }
        this.forwarder = client.build();
        this.selfPort = server.getAddress().getPort();
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        this.dashboard = new DashboardRoutes(host, selfPort, scheme, forwarder, handlers, quarantineAfter);
        if (settings.authDisabled()) {
            log.warn("*******************************************************************************************");
            log.warn("* QUERY API AUTHENTICATION IS DISABLED (PROJECTOR_API_AUTH=disabled): anyone who reaches *");
            log.warn("* {}://{}:{} reads every server's reinstall state. For development only.", scheme, host, selfPort);
            log.warn("*******************************************************************************************");
        }
    }

    /** Starts answering from this streams instance. */
    public void serve(KafkaStreams streams) {
        this.streams = streams;
        dashboard.serve(streams);
        server.start();
    }

    /** Enables the operators' cancel and release (write tokens); closed with this server. */
    public void operatorActions(OperatorActions actions) {
        dashboard.operatorActions(actions);
    }

    /** Serves {@code GET /metrics} from {@code scrape}: the Prometheus text format, no token needed. */
    public void metrics(Supplier<String> scrape) {
        this.metricsScrape = scrape;
    }

    public int port() {
        return selfPort;
    }

    /** {@code http} or {@code https}. */
    public String scheme() {
        return scheme;
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            if (!inFlight.tryAcquire()) {
                reply(exchange, 503, ApiErrors.body(503, "too many requests in flight, retry shortly"));
                return;
            }
            try {
                route(exchange);
            } finally {
                inFlight.release();
            }
        } catch (IOException e) {
            log.debug("query connection failed: {}", e.toString());
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            boolean readOnly = method.equals("GET") || method.equals("HEAD");
            String path = exchange.getRequestURI().getRawPath();
            if (path == null || path.length() > MAX_PATH_LENGTH) {
                reply(exchange, 404, ApiErrors.body(404, "no such resource"));
                return;
            }
            if (path.equals("/health")) {
                if (!readOnly) {
                    methodNotAllowed(exchange);
                    return;
                }
                // Liveness: up while Streams is starting, rebalancing (and restoring) or running; down once it
                // has stopped or failed for good, when only a restart helps. Readiness is RUNNING only.
                KafkaStreams.State state = streams.state();
                boolean up = state == KafkaStreams.State.CREATED || state.isRunningOrRebalancing();
                reply(exchange, up ? 200 : 503, Map.of("status", up ? "UP" : "DOWN", "streams", state.name()));
                return;
            }
            // Readiness and metrics need no token either: neither carries a secret or a server id.
            if (path.equals("/ready") || path.equals("/metrics")) {
                if (!readOnly) {
                    methodNotAllowed(exchange);
                    return;
                }
                if (path.equals("/metrics")) {
                    sendMetrics(exchange, metricsScrape.get());
                } else {
                    KafkaStreams.State state = streams.state();
                    boolean ready = state == KafkaStreams.State.RUNNING;
                    reply(exchange, ready ? 200 : 503, Map.of("status", ready ? "READY" : "NOT_READY", "streams", state.name()));
                }
                return;
            }
            // The dashboard's static files carry no data: served without a token.
            if (DashboardRoutes.isPage(path)) {
                dashboard.servePage(exchange, path);
                return;
            }
            Caller caller = authenticator.authenticate(exchange.getRequestHeaders().get("Authorization"));
            if (caller instanceof Caller.Refused refused) {
                log.debug("refused a query ({}) from {}", refused.reason(), exchange.getRemoteAddress().getAddress());
                unauthorized(exchange, refused.reason().challenge(), refused.reason().message());
                return;
            }
            if (dashboard.route(exchange, path, caller)) {
                return;
            }
            if (!readOnly) {
                methodNotAllowed(exchange);
                return;
            }
            String query = exchange.getRequestURI().getRawQuery();
            Matcher one = ONE_SERVER.matcher(path);
            if (one.matches()) {
                serveOne(exchange, String.valueOf(Long.parseLong(one.group(1))), ReinstallQuery.localOnlyForOne(query), caller.token());
            } else if (path.startsWith("/reinstalls/")) {
                throw new BadRequest("server id must be 1-18 digits, got '" + ReinstallQuery.excerpt(path.substring(12)) + "'");
            } else if (path.equals("/reinstalls")) {
                serveList(exchange, ReinstallQuery.forList(query), caller.token());
            } else {
                reply(exchange, 404, ApiErrors.body(404, "no such resource: " + ReinstallQuery.excerpt(path)));
            }
        } catch (BadRequest e) {
            reply(exchange, 400, ApiErrors.body(400, e.getMessage()));
        } catch (InvalidStateStoreException e) {
            notReady(exchange, "state store not ready, retry shortly");
        } catch (RuntimeException e) {
            log.warn("query failed: {}", e.toString());
            reply(exchange, 500, ApiErrors.body(500, "internal error"));
        }
    }

    private void serveOne(HttpExchange exchange, String serverKey, boolean localOnly, String token) throws IOException {
        KeyQueryMetadata owner = streams.queryMetadataForKey(ReinstallTopology.STATE_STORE, serverKey, Serdes.String().serializer());
        boolean known = owner != null && owner.activeHost() != null && owner.activeHost().port() >= 0;
        boolean mine = known && isSelf(owner.activeHost());
        if (!localOnly) {
            if (!known) {
                notReady(exchange, "state store not ready, retry shortly");
                return;
            }
            if (!mine) {
                forwardOne(exchange, owner.activeHost(), "/reinstalls/" + serverKey + "?local=true", token);
                return;
            }
        }
        ReinstallState state = store().get(serverKey);
        if (state != null) {
            reply(exchange, 200, StateView.of(state, quarantineAfter));
        } else if (localOnly && !mine) {
            // Asked as the owner while the partition is moving: the caller retries.
            notReady(exchange, "server " + serverKey + " is moving between instances, retry shortly");
        } else {
            reply(exchange, 404, ApiErrors.body(404, "no reinstall known for server " + serverKey));
        }
    }

    private void serveList(HttpExchange exchange, ReinstallQuery query, String token) throws IOException {
        if (query.local()) {
            List<Map<String, Object>> views = localTop(query);
            reply(exchange, 200, listing(views, query, 1));
            return;
        }
        Collection<StreamsMetadata> instances = streams.streamsMetadataForStore(ReinstallTopology.STATE_STORE);
        if (instances.isEmpty()) {
            notReady(exchange, "state store not ready, retry shortly");
            return;
        }
        List<Future<List<Map<String, Object>>>> parts = new ArrayList<>();
        for (StreamsMetadata instance : instances) {
            HostInfo host = instance.hostInfo();
            parts.add(handlers.submit(() -> isSelf(host) ? localTop(query) : forwardList(host, query, token)));
        }
        List<Map<String, Object>> merged = new ArrayList<>();
        for (Future<List<Map<String, Object>>> part : parts) {
            try {
                merged.addAll(part.get(FORWARD_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS));
            } catch (ExecutionException e) {
                if (e.getCause() instanceof InvalidStateStoreException) {
                    notReady(exchange, "state store not ready, retry shortly");
                } else {
                    log.warn("an instance's share of a listing failed: {}", e.getCause().toString());
                    notReady(exchange, "an instance holding part of the state did not answer, retry shortly");
                }
                parts.forEach(p -> p.cancel(true));
                return;
            } catch (TimeoutException e) {
                parts.forEach(p -> p.cancel(true));
                notReady(exchange, "an instance holding part of the state did not answer in time, retry shortly");
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                notReady(exchange, "interrupted, retry shortly");
                return;
            }
        }
        merged.sort(Comparator.<Map<String, Object>, Instant>comparing(v -> Instant.parse((String) v.get("updatedAt")))
                .thenComparing(v -> ((Number) v.get("serverId")).longValue(), Comparator.reverseOrder())
                .reversed());
        reply(exchange, 200, listing(merged.subList(0, Math.min(query.limit(), merged.size())), query, instances.size()));
    }

    /** This instance's newest {@code limit} matching states, newest first: one pass, a bounded heap. */
    private List<Map<String, Object>> localTop(ReinstallQuery query) {
        PriorityQueue<ReinstallState> top = new PriorityQueue<>(OLDEST_FIRST);
        try (KeyValueIterator<String, ReinstallState> all = store().all()) {
            while (all.hasNext()) {
                KeyValue<String, ReinstallState> next = all.next();
                if (next.value != null && query.matches(next.value)) {
                    top.add(next.value);
                    if (top.size() > query.limit()) {
                        top.poll();
                    }
                }
            }
        }
        List<ReinstallState> newestFirst = new ArrayList<>(top);
        newestFirst.sort(OLDEST_FIRST.reversed());
        return newestFirst.stream().map(s -> StateView.of(s, quarantineAfter)).toList();
    }

    private static Map<String, Object> listing(List<Map<String, Object>> views, ReinstallQuery query, int instances) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reinstalls", views);
        body.put("count", views.size());
        body.put("limit", query.limit());
        body.put("instances", instances);
        return body;
    }

    private List<Map<String, Object>> forwardList(HostInfo host, ReinstallQuery query, String token) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = forwarder.send(request(host, "/reinstalls?" + query.forwardQuery(), token),
                HttpResponse.BodyHandlers.ofInputStream());
        byte[] body = boundedBody(response);
        if (response.statusCode() != 200) {
            warnIfTokensDiffer(response.statusCode(), host);
            throw new IOException("instance " + host + " answered " + response.statusCode());
        }
        Map<String, Object> answer = JSON.readValue(body, new TypeReference<>() {});
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> views = (List<Map<String, Object>>) answer.get("reinstalls");
        return views == null ? List.of() : views;
    }

    private void forwardOne(HttpExchange exchange, HostInfo host, String pathAndQuery, String token) throws IOException {
        try {
            HttpResponse<InputStream> response = forwarder.send(request(host, pathAndQuery, token), HttpResponse.BodyHandlers.ofInputStream());
            byte[] body = boundedBody(response);
            warnIfTokensDiffer(response.statusCode(), host);
            send(exchange, response.statusCode(), body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            notReady(exchange, "interrupted, retry shortly");
        } catch (IOException e) {
            log.warn("forwarding a query to {} failed: {}", host, e.toString());
            notReady(exchange, "the instance owning this server is unreachable, retry shortly");
        }
    }

    private HttpRequest request(HostInfo host, String pathAndQuery, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(scheme + "://" + host.host() + ":" + host.port() + pathAndQuery))
                .timeout(FORWARD_TIMEOUT).header("Accept", "application/json").GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request.build();
    }

    private static byte[] boundedBody(HttpResponse<InputStream> response) throws IOException {
        try (InputStream in = response.body()) {
            byte[] body = in.readNBytes(MAX_FORWARDED_BYTES + 1);
            if (body.length > MAX_FORWARDED_BYTES) {
                throw new IOException("answer larger than " + MAX_FORWARDED_BYTES + " bytes");
            }
            return body;
        }
    }

    private static void warnIfTokensDiffer(int status, HostInfo host) {
        if (status == 401) {
            log.warn("instance {} refused a forwarded token: every instance must accept the same PROJECTOR_API_TOKENS", host);
        }
    }

    private boolean isSelf(HostInfo host) {
        return host.port() == selfPort && host.host().equals(selfHost);
    }

    private ReadOnlyKeyValueStore<String, ReinstallState> store() {
        return streams.store(StoreQueryParameters.fromNameAndType(ReinstallTopology.STATE_STORE, QueryableStoreTypes.keyValueStore()));
    }

    private static void unauthorized(HttpExchange exchange, String challenge, String message) throws IOException {
        exchange.getResponseHeaders().set("WWW-Authenticate", challenge);
        reply(exchange, 401, ApiErrors.body(401, message));
    }

    private static void methodNotAllowed(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        reply(exchange, 405, ApiErrors.body(405, "method not allowed: the query API is read-only (GET, HEAD)"));
    }

    private static void notReady(HttpExchange exchange, String message) throws IOException {
        exchange.getResponseHeaders().set("Retry-After", "1");
        reply(exchange, 503, ApiErrors.body(503, message));
    }

    private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
    }

    private static void sendMetrics(HttpExchange exchange, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (exchange.getRequestMethod().equals("HEAD") || body.length == 0) {
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
        dashboard.close();
    }
}
