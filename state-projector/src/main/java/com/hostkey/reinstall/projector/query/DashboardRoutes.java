package com.hostkey.reinstall.projector.query;

import com.hostkey.reinstall.projector.saga.ReinstallTopology;
import com.hostkey.reinstall.projector.saga.TimelineEntries;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.projector.query.OperatorActions.ActionFailedException;
import com.hostkey.reinstall.projector.query.Caller.Operator;
import com.hostkey.reinstall.projector.query.ReinstallQuery.BadRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallHistory;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * The fleet dashboard's part of the query server ({@link StateQueryServer} hands requests here).
 *
 * <ul>
 *   <li>{@code GET /} and {@code GET /dashboard/*}: the page, static files only, served without a
 *       token (every data call the page makes carries one). Strict Content-Security-Policy.</li>
 *   <li>{@code GET /whoami}: {@code {"operator": name or null, "canWrite": bool}} for the token presented.</li>
 *   <li>{@code GET /reinstalls/{serverId}/history}: the server's timeline (store
 *       {@value ReinstallTopology#HISTORY_STORE}), oldest first, from the owning instance (the others
 *       forward with {@code ?local=true}).</li>
 *   <li>{@code GET /fleet/summary}: counts by phase and location, finished per hour over the last
 *       24 h, failures by kind ({@link FleetSummary}), gathered from every instance
 *       ({@code ?local=true}: this instance's share).</li>
 *   <li>{@code POST /reinstalls/{serverId}/cancel} and {@code POST /reinstalls/{serverId}/release},
 *       optional body {@code {"reason": "..."}}: need a write token (403 for a read token); publish
 *       CancelReinstall / ReleaseServer issued by {@code dashboard:<operator>} ({@link OperatorActions})
 *       and answer 202 with the command id. A token in the Authorization header is the only
 *       credential (no cookies), so a cross-site form cannot act.</li>
 * </ul>
 * Errors are the query API's JSON {@code {"error": ..., "status": ...}}.
 */
public final class DashboardRoutes implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DashboardRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HISTORY = Pattern.compile("^/reinstalls/(\\d{1,18})/history$");
    private static final Pattern ACTION = Pattern.compile("^/reinstalls/(\\d{1,18})/(cancel|release)$");
    private static final Pattern PAGE_FILE = Pattern.compile("^/dashboard/([a-z0-9-]{1,40}\\.(html|css|js|svg))$");
    private static final Map<String, String> CONTENT_TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml");
    /** The page loads its scripts and styles from here only, talks to this origin only, and cannot be framed. */
    private static final String PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    private static final int MAX_ACTION_BODY = 4096;
    static final int MAX_REASON = 200;
    private static final int MAX_FORWARDED_BYTES = 4 * 1024 * 1024;
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);

    private final String selfHost;
    private final int selfPort;
    private final String scheme;
    private final HttpClient forwarder;
    private final ExecutorService executor;
    private final int quarantineAfter;
    private final Clock clock;
    private final Map<String, Optional<byte[]>> pageFiles = new ConcurrentHashMap<>();
    private volatile KafkaStreams streams;
    private volatile OperatorActions actions;

    /**
     * @param forwarder the query server's HTTP client (its TLS settings) for asking other instances
     * @param executor  runs the requests to other instances in parallel
     */
    DashboardRoutes(String selfHost, int selfPort, String scheme, HttpClient forwarder, ExecutorService executor, int quarantineAfter) {
        this.selfHost = selfHost;
        this.selfPort = selfPort;
        this.scheme = scheme;
        this.forwarder = forwarder;
        this.executor = executor;
        this.quarantineAfter = quarantineAfter;
        this.clock = Clock.systemUTC();
    }

    void serve(KafkaStreams streams) {
        this.streams = streams;
    }

    /** Enables cancel and release; closed with this. */
    void operatorActions(OperatorActions actions) {
        this.actions = actions;
    }

    /** The page's static files: served without a token. */
    static boolean isPage(String path) {
        return path.equals("/") || path.equals("/dashboard") || path.equals("/dashboard/") || path.startsWith("/dashboard/");
    }

    void servePage(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            reply(exchange, 405, ApiErrors.body(405, "method not allowed: the dashboard's files are read-only (GET, HEAD)"));
            return;
        }
        String name;
        if (path.equals("/") || path.equals("/dashboard") || path.equals("/dashboard/")) {
            name = "index.html";
        } else {
            Matcher file = PAGE_FILE.matcher(path);
            if (!file.matches()) {
                reply(exchange, 404, ApiErrors.body(404, "no such file"));
                return;
            }
            name = file.group(1);
        }
        Optional<byte[]> body = pageFiles.computeIfAbsent(name, DashboardRoutes::loadPageFile);
        if (body.isEmpty()) {
            reply(exchange, 404, ApiErrors.body(404, "no such file"));
            return;
        }
        String extension = name.substring(name.lastIndexOf('.') + 1);
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPES.get(extension));
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.getResponseHeaders().set("Content-Security-Policy", PAGE_POLICY);
        exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        sendBody(exchange, 200, body.get());
    }

    private static Optional<byte[]> loadPageFile(String name) {
        try (InputStream in = DashboardRoutes.class.getResourceAsStream("/dashboard/" + name)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the dashboard file " + name, e);
        }
    }

    /**
     * Answers the dashboard's data and action endpoints, once the caller's token was accepted.
     *
     * @param caller a reader or an operator, whose token is carried when forwarding
     * @return false when {@code path} is none of them
     */
    boolean route(HttpExchange exchange, String path, Caller caller) throws IOException {
        String token = caller.token();
        Operator operator = caller instanceof Operator writer ? writer : null;
        String method = exchange.getRequestMethod();
        boolean readOnly = method.equals("GET") || method.equals("HEAD");
        String query = exchange.getRequestURI().getRawQuery();
        Matcher action = ACTION.matcher(path);
        if (action.matches()) {
            if (!method.equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                reply(exchange, 405, ApiErrors.body(405, "method not allowed: operator actions are POST"));
                return true;
            }
            act(exchange, Long.parseLong(action.group(1)), action.group(2), operator);
            return true;
        }
        Matcher history = HISTORY.matcher(path);
        boolean known = history.matches() || path.equals("/whoami") || path.equals("/fleet/summary");
        if (!known) {
            return false;
        }
        if (!readOnly) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            reply(exchange, 405, ApiErrors.body(405, "method not allowed: GET, HEAD"));
            return true;
        }
        if (path.equals("/whoami")) {
            Map<String, Object> whoami = new LinkedHashMap<>();
            whoami.put("operator", operator == null ? null : operator.name());
            whoami.put("canWrite", operator != null && actions != null);
            whoami.put("authenticated", token != null);
            reply(exchange, 200, whoami);
        } else if (path.equals("/fleet/summary")) {
            serveSummary(exchange, ReinstallQuery.localOnlyForOne(query), token);
        } else {
            serveHistory(exchange, String.valueOf(Long.parseLong(history.group(1))), ReinstallQuery.localOnlyForOne(query), token);
        }
        return true;
    }

    // ------------------------------------------------------------------ history

    private void serveHistory(HttpExchange exchange, String serverKey, boolean localOnly, String token) throws IOException {
        KeyQueryMetadata owner = streams.queryMetadataForKey(ReinstallTopology.HISTORY_STORE, serverKey, Serdes.String().serializer());
        boolean known = owner != null && owner.activeHost() != null && owner.activeHost().port() >= 0;
        boolean mine = known && isSelf(owner.activeHost());
        if (!localOnly) {
            if (!known) {
                notReady(exchange, "state store not ready, retry shortly");
                return;
            }
            if (!mine) {
                forwardOne(exchange, owner.activeHost(), "/reinstalls/" + serverKey + "/history?local=true", token);
                return;
            }
        }
        ReinstallHistory history = historyStore().get(serverKey);
        if (history != null) {
            reply(exchange, 200, HistoryView.of(history));
        } else if (localOnly && !mine) {
            notReady(exchange, "server " + serverKey + " is moving between instances, retry shortly");
        } else {
            reply(exchange, 404, ApiErrors.body(404, "no history known for server " + serverKey));
        }
    }

    // ------------------------------------------------------------------ fleet summary

    private void serveSummary(HttpExchange exchange, boolean localOnly, String token) throws IOException {
        if (localOnly) {
            reply(exchange, 200, localSummary().share());
            return;
        }
        Collection<StreamsMetadata> instances = streams.streamsMetadataForStore(ReinstallTopology.STATE_STORE);
        if (instances.isEmpty()) {
            notReady(exchange, "state store not ready, retry shortly");
            return;
        }
        List<Future<Map<String, Object>>> parts = new ArrayList<>();
        for (StreamsMetadata instance : instances) {
            HostInfo host = instance.hostInfo();
            parts.add(executor.submit(() -> isSelf(host) ? localSummary().share() : forwardSummary(host, token)));
        }
        FleetSummary summary = new FleetSummary(clock.instant(), quarantineAfter);
        for (Future<Map<String, Object>> part : parts) {
            try {
                summary.add(part.get(FORWARD_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS));
            } catch (ExecutionException e) {
                parts.forEach(p -> p.cancel(true));
                if (e.getCause() instanceof InvalidStateStoreException) {
                    notReady(exchange, "state store not ready, retry shortly");
                } else {
                    log.warn("an instance's share of the fleet summary failed: {}", e.getCause().toString());
                    notReady(exchange, "an instance holding part of the state did not answer, retry shortly");
                }
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
        reply(exchange, 200, summary.answer(instances.size()));
    }

    private FleetSummary localSummary() {
        FleetSummary summary = new FleetSummary(clock.instant(), quarantineAfter);
        ReadOnlyKeyValueStore<String, ReinstallState> states = streams.store(
                StoreQueryParameters.fromNameAndType(ReinstallTopology.STATE_STORE, QueryableStoreTypes.keyValueStore()));
        try (KeyValueIterator<String, ReinstallState> all = states.all()) {
            while (all.hasNext()) {
                KeyValue<String, ReinstallState> next = all.next();
                if (next.value != null) {
                    summary.count(next.value);
                }
            }
        }
        return summary;
    }

    private Map<String, Object> forwardSummary(HostInfo host, String token) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = forwarder.send(request(host, "/fleet/summary?local=true", token),
                HttpResponse.BodyHandlers.ofInputStream());
        byte[] body = boundedBody(response);
        if (response.statusCode() != 200) {
            throw new IOException("instance " + host + " answered " + response.statusCode());
        }
        return JSON.readValue(body, new TypeReference<>() {});
    }

    // ------------------------------------------------------------------ operator actions

    private void act(HttpExchange exchange, long serverId, String action, Operator operator) throws IOException {
        if (operator == null) {
            reply(exchange, 403, ApiErrors.body(403, "this token may only read: " + action + " needs an operator's write token "
                    + "(PROJECTOR_API_WRITE_TOKENS)"));
            return;
        }
        OperatorActions publisher = actions;
        if (publisher == null) {
            notReady(exchange, "operator actions are not available on this instance");
            return;
        }
        String reason = reason(exchange);
        try {
            String commandId = action.equals("cancel")
                    ? publisher.cancel(serverId, operator.name(), reason)
                    : publisher.release(serverId, operator.name(), reason);
            Map<String, Object> accepted = new LinkedHashMap<>();
            accepted.put("commandId", commandId);
            accepted.put("serverId", serverId);
            accepted.put("command", action.equals("cancel") ? "CancelReinstall" : "ReleaseServer");
            accepted.put("issuedBy", OperatorActions.ISSUER_PREFIX + operator.name());
            accepted.put("status", 202);
            reply(exchange, 202, accepted);
        } catch (ActionFailedException e) {
            notReady(exchange, e.getMessage());
        }
    }

    /** The optional {@code {"reason": "..."}} body: at most {@value #MAX_REASON} characters, one line. */
    private static String reason(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_ACTION_BODY + 1);
        }
        if (body.length > MAX_ACTION_BODY) {
            throw new BadRequest("the body may have at most " + MAX_ACTION_BODY + " bytes");
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return null;
        }
        JsonNode json;
        try {
            json = JSON.readTree(text);
        } catch (IOException e) {
            throw new BadRequest("the body must be a JSON object such as {\"reason\": \"...\"}");
        }
        if (json == null || !json.isObject()) {
            throw new BadRequest("the body must be a JSON object such as {\"reason\": \"...\"}");
        }
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        if (fields.stream().anyMatch(f -> !f.equals("reason"))) {
            throw new BadRequest("the body may hold only \"reason\"");
        }
        JsonNode reason = json.get("reason");
        if (reason == null || reason.isNull()) {
            return null;
        }
        if (!reason.isTextual()) {
            throw new BadRequest("reason must be a string");
        }
        String cut = TimelineEntries.cut(reason.asText().strip());
        if (cut.codePointCount(0, cut.length()) > MAX_REASON) {
            cut = cut.substring(0, cut.offsetByCodePoints(0, MAX_REASON)) + "…";
        }
        return cut.isEmpty() ? null : cut;
    }

    // ------------------------------------------------------------------ plumbing

    private void forwardOne(HttpExchange exchange, HostInfo host, String pathAndQuery, String token) throws IOException {
        try {
            HttpResponse<InputStream> response = forwarder.send(request(host, pathAndQuery, token), HttpResponse.BodyHandlers.ofInputStream());
            sendJson(exchange, response.statusCode(), boundedBody(response));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            notReady(exchange, "interrupted, retry shortly");
        } catch (IOException e) {
            log.warn("forwarding a dashboard query to {} failed: {}", host, e.toString());
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

    private boolean isSelf(HostInfo host) {
        return host.port() == selfPort && host.host().equals(selfHost);
    }

    private ReadOnlyKeyValueStore<String, ReinstallHistory> historyStore() {
        return streams.store(StoreQueryParameters.fromNameAndType(ReinstallTopology.HISTORY_STORE, QueryableStoreTypes.keyValueStore()));
    }

    private static void notReady(HttpExchange exchange, String message) throws IOException {
        exchange.getResponseHeaders().set("Retry-After", "1");
        reply(exchange, 503, ApiErrors.body(503, message));
    }

    private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
        sendJson(exchange, status, JSON.writeValueAsBytes(body));
    }

    private static void sendJson(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        sendBody(exchange, status, body);
    }

    private static void sendBody(HttpExchange exchange, int status, byte[] body) throws IOException {
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        OperatorActions publisher = actions;
        if (publisher != null) {
            publisher.close();
        }
    }
}
