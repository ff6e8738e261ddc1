package com.hostkey.invapi.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * The simulator's own endpoints (never faulted, never audited):
 * <ul>
 *   <li>{@code GET /_sim/health}: {@code {"status":"UP"}}</li>
 *   <li>{@code GET /_sim/audit}: every audit entry, in arrival order</li>
 *   <li>{@code GET /_sim/servers}: every server snapshot; {@code /_sim/servers/{id}}: one (404 if unknown)</li>
 *   <li>{@code GET /_sim/report}: the invariant report with its {@code clean} verdict</li>
 * </ul>
 */
final class AdminHttpHandler implements HttpHandler {

    private final HostkeySimulator simulator;
    private final ObjectMapper mapper;

    AdminHttpHandler(HostkeySimulator simulator, ObjectMapper mapper) {
        this.simulator = simulator;
        this.mapper = mapper;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equalsIgnoreCase(exchange.getRequestMethod())) {
                respond(exchange, 405, Map.of("error", "only GET is supported"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/_sim/health" -> respond(exchange, 200, Map.of("status", "UP"));
                case "/_sim/audit" -> respond(exchange, 200, toJson(simulator.audit()));
                case "/_sim/servers" -> respond(exchange, 200, simulator.servers());
                case "/_sim/report" -> respond(exchange, 200, toJson(simulator.invariantReport()));
                default -> {
                    if (path.startsWith("/_sim/servers/")) {
                        server(exchange, path.substring("/_sim/servers/".length()));
                    } else {
                        respond(exchange, 404, Map.of("error", "unknown endpoint " + path));
                    }
                }
            }
        }
    }

    private void server(HttpExchange exchange, String id) throws IOException {
        if (!id.matches("\\d{1,18}")) {
            respond(exchange, 404, Map.of("error", "no server " + id));
            return;
        }
        ServerSnapshot snapshot;
        try {
            snapshot = simulator.server(Long.parseLong(id));
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
        json.put("serversInstalling", report.serversInstalling());
        return json;
    }

    static List<Map<String, Object>> toJson(List<AuditEntry> entries) {
        return entries.stream().map(AdminHttpHandler::toJson).toList();
    }
}
