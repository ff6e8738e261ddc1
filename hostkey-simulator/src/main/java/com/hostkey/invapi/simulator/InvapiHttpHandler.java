package com.hostkey.invapi.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /<module>.php}: reads the form fields (body and query string), draws the injected
 * faults, lets {@link Invapi} answer, and records the call in the audit with secrets masked.
 *
 * <p>Logging: one INFO line per call that changes state (login, logout, reinstall, create_pxe,
 * boot_dev, reboot, on, off, clear_pxe, the Jenkins launch) and per call an injected fault answered; reads
 * and eq_callback checks, which pollers send many times a minute, log at DEBUG only.
 */
final class InvapiHttpHandler implements HttpHandler {

    private static final Logger log = LoggerFactory.getLogger(InvapiHttpHandler.class);
    private static final Pattern MODULE = Pattern.compile(".*/([A-Za-z0-9_]+)\\.php");
    private static final Pattern NUMBER = Pattern.compile("\\d{1,18}");
    private static final Set<String> STATE_CHANGING = Set.of(
            "auth/login", "auth/logout", "eq/reinstall", "eq/create_pxe", "eq/boot_dev", "eq/reboot", "eq/on",
            "eq/off", "eq/clear_pxe");

    private final Invapi invapi;
    private final Faults faults;
    private final AuditLog audit;
    private final SimClock clock;
    private final ObjectMapper mapper;
    private final SimulatorConfig config;

    InvapiHttpHandler(Invapi invapi, Faults faults, AuditLog audit, SimClock clock, ObjectMapper mapper, SimulatorConfig config) {
        this.config = config;
        this.invapi = invapi;
        this.faults = faults;
        this.audit = audit;
        this.clock = clock;
        this.mapper = mapper;
    }

    /** One prepared answer; {@code body == null} means drop the connection without answering. */
    private record Answer(int status, String contentType, byte[] body, String retryAfter, String outcome) {

        static Answer json(int status, byte[] body, String outcome) {
            return new Answer(status, "application/json; charset=utf-8", body, null, outcome);
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Matcher path = MODULE.matcher(exchange.getRequestURI().getPath());
            if (!path.matches()) {
                send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
                return;
            }
            long arrival = audit.arrive();
            Instant arrivedAt = clock.now();
            String module = path.group(1);
            Map<String, String> params = new LinkedHashMap<>();
            Forms.parseInto(exchange.getRequestURI().getRawQuery(), params);
            if ("POST".equalsIgnoreCase(exchange.getRequestMethod())) {
                Forms.parseInto(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), params);
            }
            String action = params.getOrDefault("action", "");
            boolean jenkinsRun = (module + "/" + action).equals(config.jenkinsRunCall());
            // The audit names the server of the Jenkins launch too, whatever field carries it.
            String id = params.get(jenkinsRun ? config.jenkinsServerField() : "id");
            Long serverId = id != null && NUMBER.matcher(id).matches() ? Long.valueOf(id) : null;
            Map<String, String> masked = Secrets.mask(module, params);
            Answer answer;
            try {
                answer = answer(module, action, params);
            } catch (RuntimeException e) {
                log.error("{}/{} failed inside the simulator", module, action, e);
                answer = new Answer(500, "text/plain", "simulator error".getBytes(StandardCharsets.UTF_8), null,
                        "SIMULATOR_ERROR " + e.getClass().getSimpleName());
            }
            // Recorded before answering, so a caller that got its answer finds its call in the audit.
            audit.record(arrival, new AuditEntry(arrivedAt, module, action, serverId, answer.outcome(), masked));
            String server = serverId == null ? "" : " id=" + serverId;
            if (STATE_CHANGING.contains(module + "/" + action) || jenkinsRun || answer.status() != 200
                    || answer.outcome().startsWith("FAULT")) {
                log.info("{}/{}{} -> {}", module, action, server, answer.outcome());
                log.debug("{}/{} fields {}", module, action, masked);
            } else {
                log.debug("{}/{}{} -> {} fields {}", module, action, server, answer.outcome(), masked);
            }
            if (answer.body() == null) {
                // Closing an exchange before sending headers drops the connection: the client sees no answer.
                return;
            }
            if (answer.retryAfter() != null) {
                exchange.getResponseHeaders().set("Retry-After", answer.retryAfter());
            }
            send(exchange, answer.status(), answer.contentType(), answer.body());
        }
    }

    /** Decides one call's answer, faults included. */
    private Answer answer(String module, String action, Map<String, String> params) {
        FaultPlan plan = faults.plan(module, action);
        pause(plan.latency());
        pause(plan.hang());
        if (plan.retryAfter() != null) {
            long seconds = Math.max(1, (plan.retryAfter().toMillis() + 999) / 1000);
            byte[] body = "{\"code\":-1,\"message\":\"Too Many Requests\"}".getBytes(StandardCharsets.UTF_8);
            return new Answer(429, "application/json; charset=utf-8", body, String.valueOf(seconds), "FAULT: HTTP_429");
        }
        if (plan.serverErrorStatus() != 0) {
            int status = plan.serverErrorStatus();
            String html = "<html><head><title>" + status + "</title></head><body><h1>" + status
                    + " Server Error</h1><hr>nginx</body></html>";
            return new Answer(status, "text/html", html.getBytes(StandardCharsets.UTF_8), null, "FAULT: HTTP_" + status);
        }
        if (plan.errorBodyMessage() != null) {
            String message = module + "/" + action + ": " + plan.errorBodyMessage();
            ObjectNode body = mapper.createObjectNode().put("code", -1).put("message", message);
            return Answer.json(200, json(body), "FAULT: ERROR_BODY " + message);
        }
        Reply reply = invapi.handle(module, action, params, plan.asyncFailureReason());
        if (plan.responseLost()) {
            return new Answer(0, null, null, null, "FAULT: RESPONSE_LOST after " + reply.outcome());
        }
        byte[] body = json(reply.body());
        if (plan.malformedJson()) {
            return Answer.json(200, Arrays.copyOf(body, Math.max(1, body.length / 2)),
                    "FAULT: MALFORMED_JSON after " + reply.outcome());
        }
        return Answer.json(200, body, reply.outcome());
    }

    private byte[] json(ObjectNode body) {
        try {
            return mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a reply", e);
        }
    }

    private static void pause(Duration duration) {
        if (duration.isZero()) {
            return;
        }
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
