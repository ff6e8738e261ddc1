package com.hostkey.invapi.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One {@code POST /_sim/faults} body, checked and applied to {@link Faults}. The JSON:
 *
 * <pre>{@code
 * {"module": "eq", "action": "reboot",      // the call; or "global": true for every call
 *  "kind": "server_error",                  // what to inject, see below
 *  "rate": 1.0,                             // probability per call, default 1.0
 *  "params": {"status": 502, "times": 2}}   // kind-specific, all optional unless noted
 * }</pre>
 *
 * <p>Call faults (need {@code module}+{@code action} or {@code global}; {@code params.times}
 * limits the whole rule to its next n matching calls):
 * <ul>
 *   <li>{@code latency}: {@code fixed_ms} (required), {@code jitter_ms}; no rate</li>
 *   <li>{@code hang}: {@code duration_ms} (required): held past the client's timeout, then applied</li>
 *   <li>{@code throttle}: {@code retry_after_s} (default 1): HTTP 429 with Retry-After, not applied</li>
 *   <li>{@code server_error}: {@code status} (5xx, default 503), not applied</li>
 *   <li>{@code error_body}: {@code message} (default "simulated failure"), not applied</li>
 *   <li>{@code async_failure}: {@code reason}: accepted, but the callback key answers Error</li>
 *   <li>{@code response_lost}: applied, then the connection is dropped without an answer</li>
 *   <li>{@code malformed_json}: applied, then answered with truncated JSON</li>
 * </ul>
 * Server faults (no module, action, global or rate):
 * <ul>
 *   <li>{@code install_stalls}: {@code stage} 1..4 (required), {@code server_id} (default all)</li>
 *   <li>{@code install_fails}: {@code stage} 1..5 (required), {@code server_id} (default all)</li>
 *   <li>{@code never_catch_pxe}: {@code server_id} (default all)</li>
 *   <li>{@code jenkins_task_fails}: {@code task_id} (default every task)</li>
 * </ul>
 * Anything else (an unknown kind or parameter, a rate outside [0, 1]) is refused with an
 * {@link IllegalArgumentException} naming it, and nothing is changed.
 */
final class FaultRequest {

    private static final Set<String> TOP_LEVEL = Set.of("module", "action", "global", "kind", "rate", "params");
    private static final Map<String, Set<String>> PARAMS = Map.ofEntries(
            Map.entry("latency", Set.of("fixed_ms", "jitter_ms", "times")),
            Map.entry("hang", Set.of("duration_ms", "times")),
            Map.entry("throttle", Set.of("retry_after_s", "times")),
            Map.entry("server_error", Set.of("status", "times")),
            Map.entry("error_body", Set.of("message", "times")),
            Map.entry("async_failure", Set.of("reason", "times")),
            Map.entry("response_lost", Set.of("times")),
            Map.entry("malformed_json", Set.of("times")),
            Map.entry("install_stalls", Set.of("stage", "server_id")),
            Map.entry("install_fails", Set.of("stage", "server_id")),
            Map.entry("never_catch_pxe", Set.of("server_id")),
            Map.entry("jenkins_task_fails", Set.of("task_id")));
    private static final Set<String> SERVER_KINDS =
            Set.of("install_stalls", "install_fails", "never_catch_pxe", "jenkins_task_fails");

    private FaultRequest() {
    }

    /**
     * Checks {@code body} and applies it; returns what was set, for the answer and the log.
     *
     * @throws IllegalArgumentException naming what is wrong; nothing was applied then
     */
    static Map<String, Object> apply(JsonNode body, Faults faults) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object");
        }
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!TOP_LEVEL.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + name + "', expected one of " + TOP_LEVEL);
            }
        }
        String kind = text(body, "kind");
        if (kind == null) {
            throw new IllegalArgumentException("'kind' is required, one of " + PARAMS.keySet());
        }
        kind = kind.toLowerCase(Locale.ROOT);
        Set<String> allowed = PARAMS.get(kind);
        if (allowed == null) {
            throw new IllegalArgumentException("unknown kind '" + kind + "', expected one of " + PARAMS.keySet());
        }
        JsonNode params = body.path("params");
        if (!params.isMissingNode() && !params.isNull() && !params.isObject()) {
            throw new IllegalArgumentException("'params' must be a JSON object");
        }
        for (Iterator<String> names = params.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException("kind " + kind + " takes no parameter '" + name + "', only " + allowed);
            }
        }
        return SERVER_KINDS.contains(kind) ? applyServerFault(kind, body, params, faults)
                : applyCallFault(kind, body, params, faults);
    }

    private static Map<String, Object> applyCallFault(String kind, JsonNode body, JsonNode params, Faults faults) {
        boolean global = body.path("global").asBoolean(false);
        String module = text(body, "module");
        String action = text(body, "action");
        if (global == (module != null || action != null)) {
            throw new IllegalArgumentException("name the call with 'module' and 'action', or set 'global': true (not both)");
        }
        if (!global && (module == null || action == null)) {
            throw new IllegalArgumentException("both 'module' and 'action' are required, e.g. eq and reboot");
        }
        double rate = rate(body);
        Long times = number(params, "times");
        if (times != null && (times < -1 || times > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("params.times must be -1 (unlimited) or >= 0, was " + times);
        }
        // Parse every value before touching the rule, so a refused request changes nothing.
        Consumer<FaultRule> change;
        switch (kind) {
            case "latency" -> {
                if (body.has("rate") && rate != 1.0) {
                    throw new IllegalArgumentException("latency applies to every matching call, it takes no rate");
                }
                Duration fixed = Duration.ofMillis(nonNegative(required(params, "fixed_ms", kind), "fixed_ms"));
                Duration jitter = Duration.ofMillis(nonNegative(optional(params, "jitter_ms", 0), "jitter_ms"));
                change = r -> r.latency(fixed, jitter);
            }
            case "hang" -> {
                Duration duration = Duration.ofMillis(nonNegative(required(params, "duration_ms", kind), "duration_ms"));
                change = r -> r.hang(rate, duration);
            }
            case "throttle" -> {
                Duration retryAfter = Duration.ofSeconds(nonNegative(optional(params, "retry_after_s", 1), "retry_after_s"));
                change = r -> r.throttle(rate, retryAfter);
            }
            case "server_error" -> {
                long status = optional(params, "status", 503);
                if (status < 500 || status > 599) {
                    throw new IllegalArgumentException("params.status must be 5xx, was " + status);
                }
                change = r -> r.serverError(rate, (int) status);
            }
            case "error_body" -> {
                String message = textOr(params, "message", "simulated failure");
                change = r -> r.errorBody(rate, message);
            }
            case "async_failure" -> {
                String reason = textOr(params, "reason", "simulated task failure");
                change = r -> r.asyncFailure(rate, reason);
            }
            case "response_lost" -> change = r -> r.responseLost(rate);
            case "malformed_json" -> change = r -> r.malformedJson(rate);
            default -> throw new IllegalStateException("unhandled kind " + kind);
        }
        FaultRule rule = global ? faults.global() : faults.on(module, action);
        change.accept(rule);
        if (times != null) {
            rule.times(times.intValue());
        }
        Map<String, Object> applied = new LinkedHashMap<>();
        applied.put("target", rule.target());
        applied.put("kind", kind);
        applied.put("rule", rule.describe());
        return applied;
    }

    private static Map<String, Object> applyServerFault(String kind, JsonNode body, JsonNode params, Faults faults) {
        for (String callField : new String[] {"module", "action", "global", "rate"}) {
            if (body.has(callField)) {
                throw new IllegalArgumentException(kind + " is a fault of servers, not of calls: drop '" + callField + "'");
            }
        }
        Long serverId = params.has("server_id") ? required(params, "server_id", kind) : null;
        Map<String, Object> applied = new LinkedHashMap<>();
        applied.put("kind", kind);
        applied.put("server_id", serverId == null ? "*" : serverId);
        switch (kind) {
            case "install_stalls", "install_fails" -> {
                long stage = required(params, "stage", kind);
                int max = kind.equals("install_stalls") ? 4 : 5;
                if (stage < 1 || stage > max) {
                    throw new IllegalArgumentException("params.stage must be within 1.." + max + ", was " + stage);
                }
                int at = (int) stage;
                if (kind.equals("install_stalls")) {
                    if (serverId == null) {
                        faults.installStallsAt(at);
                    } else {
                        faults.installStallsAt(serverId, at);
                    }
                } else if (serverId == null) {
                    faults.installFailsAt(at);
                } else {
                    faults.installFailsAt(serverId, at);
                }
                applied.put("stage", stage);
            }
            case "never_catch_pxe" -> {
                if (serverId == null) {
                    faults.neverCatchPxe();
                } else {
                    faults.neverCatchPxe(serverId);
                }
            }
            case "jenkins_task_fails" -> {
                applied.remove("server_id");
                String taskId = textOr(params, "task_id", null);
                if (taskId == null) {
                    faults.jenkinsTasksFail();
                } else {
                    faults.jenkinsTaskFails(taskId);
                }
                applied.put("task_id", taskId == null ? "*" : taskId);
            }
            default -> throw new IllegalStateException("unhandled kind " + kind);
        }
        return applied;
    }

    private static double rate(JsonNode body) {
        JsonNode rate = body.get("rate");
        if (rate == null || rate.isNull()) {
            return 1.0;
        }
        if (!rate.isNumber() || !(rate.asDouble() >= 0 && rate.asDouble() <= 1)) {
            throw new IllegalArgumentException("'rate' must be a number within [0, 1], was " + rate);
        }
        return rate.asDouble();
    }

    private static long required(JsonNode params, String name, String kind) {
        Long value = number(params, name);
        if (value == null) {
            throw new IllegalArgumentException("kind " + kind + " needs params." + name);
        }
        return value;
    }

    private static long optional(JsonNode params, String name, long fallback) {
        Long value = number(params, name);
        return value == null ? fallback : value;
    }

    private static Long number(JsonNode params, String name) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.canConvertToLong() || !n.isIntegralNumber()) {
            throw new IllegalArgumentException("params." + name + " must be a whole number, was " + n);
        }
        return n.asLong();
    }

    private static long nonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException("params." + name + " must not be negative, was " + value);
        }
        return value;
    }

    private static String text(JsonNode body, String name) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            throw new IllegalArgumentException("'" + name + "' must be a non-blank string, was " + n);
        }
        return n.asText().trim();
    }

    private static String textOr(JsonNode params, String name, String fallback) {
        String value = text(params, name);
        return value == null ? fallback : value;
    }
}
