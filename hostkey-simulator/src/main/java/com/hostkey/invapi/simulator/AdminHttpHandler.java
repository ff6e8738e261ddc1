package com.hostkey.invapi.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulator's own endpoints, on the same port as invapi (never faulted, never audited):
 * <ul>
 *   <li>{@code GET /_sim/health}: {@code {"status":"UP"}}</li>
 *   <li>{@code GET /_sim/audit}: every audit entry, in arrival order</li>
 *   <li>{@code GET /_sim/servers}: every server snapshot; {@code /_sim/servers/{id}}: one (404 if unknown)</li>
 *   <li>{@code GET /_sim/report}: the invariant report with its {@code clean} verdict</li>
 *   <li>{@code GET /_sim/faults}: the faults set now</li>
 *   <li>{@code POST /_sim/faults}: sets one fault; the JSON body is described in {@link FaultRequest}
 *       (e.g. {@code {"module":"eq","action":"reboot","kind":"server_error","rate":1.0,"params":{"status":502}}});
 *       answers what was set, or 400 naming what is wrong (nothing is changed then)</li>
 *   <li>{@code DELETE /_sim/faults}: removes every fault</li>
 *   <li>{@code POST /_sim/accounts/{name}/unlock}: what support does after a PIN lock; 404 for an
 *       unknown account</li>
 *   <li>{@code POST /_sim/servers/{id}/stopped}: the reinstall running on the server was told to
 *       stop ({@link HostkeySimulator#reinstallStopped(long, String)}); optional JSON body
 *       {@code {"reason":"..."}}; answers {@code {"serverId":1001,"stoppedAt":"...Z","reason":"..."}}
 *       (no {@code reason} when none was given), 404 for an unknown server, 400 for a body that
 *       is not such an object</li>
 * </ul>
 * A known path asked with another method answers 405 with an {@code Allow} header.
 */
final class AdminHttpHandler implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(AdminHttpHandler.class);
    private static final Pattern UNLOCK = Pattern.compile("/_sim/accounts/([^/]+)/unlock");
    private static final Pattern STOPPED = Pattern.compile("/_sim/servers/([^/]+)/stopped");

    private final HostkeySimulator simulator;
    private final ObjectMapper mapper;

    AdminHttpHandler(HostkeySimulator simulator, ObjectMapper mapper) {
        this.simulator = simulator;
        this.mapper = mapper;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = exchange.getRequestURI().getPath();
            Matcher unlock = UNLOCK.matcher(path);
            Matcher stopped = STOPPED.matcher(path);
            switch (path) {
                case "/_sim/health" -> onlyGet(exchange, method, () -> Map.of("status", "UP"));
                case "/_sim/audit" -> onlyGet(exchange, method, () -> toJson(simulator.audit()));
                case "/_sim/servers" -> onlyGet(exchange, method, simulator::servers);
                case "/_sim/report" -> onlyGet(exchange, method, () -> toJson(simulator.invariantReport()));
                case "/_sim/faults" -> faults(exchange, method);
                default -> {
                    if (stopped.matches()) {
                        if (method.equals("POST")) {
                            stopped(exchange, stopped.group(1));
                        } else {
                            notAllowed(exchange, "POST");
                        }
                    } else if (path.startsWith("/_sim/servers/")) {
                        if (method.equals("GET")) {
                            server(exchange, path.substring("/_sim/servers/".length()));
                        } else {
                            notAllowed(exchange, "GET");
                        }
                    } else if (unlock.matches()) {
                        if (method.equals("POST")) {
                            unlock(exchange, unlock.group(1));
                        } else {
                            notAllowed(exchange, "POST");
                        }
                    } else {
                        respond(exchange, 404, Map.of("error", "unknown endpoint " + path));
                    }
                }
            }
        }
    }

    private void onlyGet(HttpExchange exchange, String method, Supplier<Object> answer) throws IOException {
        if (!method.equals("GET")) {
            notAllowed(exchange, "GET");
            return;
        }
        respond(exchange, 200, answer.get());
    }

    private void faults(HttpExchange exchange, String method) throws IOException {
        Faults faults = simulator.faults();
        switch (method) {
            case "GET" -> respond(exchange, 200, faults.describe());
            case "DELETE" -> {
                faults.clear();
                log.info("admin: every fault removed");
                respond(exchange, 200, Map.of("cleared", true));
            }
            case "POST" -> {
                JsonNode body;
                try {
                    body = mapper.readTree(exchange.getRequestBody().readAllBytes());
                } catch (JsonProcessingException e) {
                    respond(exchange, 400, Map.of("error", "the body is not JSON: " + e.getOriginalMessage()));
                    return;
                }
                Map<String, Object> applied;
                try {
                    applied = FaultRequest.apply(body, faults);
                } catch (IllegalArgumentException e) {
                    respond(exchange, 400, Map.of("error", e.getMessage()));
                    return;
                }
                log.info("admin: fault set {}", applied);
                respond(exchange, 200, applied);
            }
            default -> notAllowed(exchange, "GET, POST, DELETE");
        }
    }

    private void unlock(HttpExchange exchange, String account) throws IOException {
        try {
            simulator.unlockAccount(account);
        } catch (NoSuchElementException e) {
            respond(exchange, 404, Map.of("error", e.getMessage()));
            return;
        }
        log.info("admin: account {} unlocked", account);
        respond(exchange, 200, Map.of("account", account, "locked", false));
    }

    private void stopped(HttpExchange exchange, String id) throws IOException {
        long serverId;
        try {
            serverId = serverId(id);
            // Checked before the body is read: an unknown server is 404 whatever the body says.
            simulator.server(serverId);
        } catch (NoSuchElementException e) {
            respond(exchange, 404, Map.of("error", e.getMessage()));
            return;
        }
        String reason;
        try {
            reason = stopReason(exchange.getRequestBody().readAllBytes());
        } catch (IllegalArgumentException e) {
            respond(exchange, 400, Map.of("error", e.getMessage()));
            return;
        }
        Instant at = simulator.reinstallStopped(serverId, reason);
        log.info("admin: reinstall on server {} told to stop", serverId);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("serverId", serverId);
        answer.put("stoppedAt", at.toString());
        if (reason != null) {
            answer.put("reason", reason);
        }
        respond(exchange, 200, answer);
    }

    /** A server id from a path; {@link NoSuchElementException} when it cannot be one. */
    private static long serverId(String id) {
        if (!id.matches("\\d{1,18}")) {
            throw new NoSuchElementException("no server " + id);
        }
        return Long.parseLong(id);
    }

    /** The {@code reason} of an optional {@code {"reason":"..."}} body; null when absent. */
    private String stopReason(byte[] body) throws IOException {
        if (new String(body, StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        JsonNode json;
        try {
            json = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the body is not JSON: " + e.getOriginalMessage());
        }
        if (!json.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object like {\"reason\":\"...\"}");
        }
        JsonNode reason = json.path("reason");
        if (reason.isMissingNode() || reason.isNull()) {
            return null;
        }
        if (!reason.isTextual()) {
            throw new IllegalArgumentException("reason must be a string, was " + reason.getNodeType());
        }
        return reason.asText();
    }

    private void notAllowed(HttpExchange exchange, String allow) throws IOException {
        exchange.getResponseHeaders().set("Allow", allow);
        respond(exchange, 405, Map.of("error", "method not allowed, use " + allow));
    }

    private void server(HttpExchange exchange, String id) throws IOException {
        ServerSnapshot snapshot;
        try {
            snapshot = simulator.server(serverId(id));
        } catch (NoSuchElementException e) {
            respond(exchange, 404, Map.of("error", e.getMessage()));
            return;
        }
        respond(exchange, 200, snapshot);
    }

    private void respond(HttpExchange exchange, int status, Object value) throws IOException {
        InvapiHttpHandler.send(exchange, status, "application/json; charset=utf-8", mapper.writeValueAsBytes(value));
    }

    static Map<String, Object> toJson(AuditEntry entry) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("at", entry.at().toString());
        json.put("module", entry.module());
        json.put("action", entry.action());
        json.put("serverId", entry.serverId());
        json.put("outcome", entry.outcome());
        json.put("params", entry.params());
        return json;
    }

    static Map<String, Object> toJson(InvariantReport report) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("clean", report.clean());
        json.put("reinstallCounts", report.reinstallCounts());
        json.put("suddenReinstalls", report.suddenReinstalls());
        json.put("serversWithPxeLeft", report.serversWithPxeLeft());
        json.put("serversNotBootingFromDisk", report.serversNotBootingFromDisk());
        json.put("installsAfterStop", report.installsAfterStop());
        json.put("serversInstalling", report.serversInstalling());
        json.put("interruptedInstalls", report.interruptedInstalls());
        return json;
    }

    static List<Map<String, Object>> toJson(List<AuditEntry> entries) {
        return entries.stream().map(AdminHttpHandler::toJson).toList();
    }
}
