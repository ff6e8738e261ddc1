package com.hostkey.invapi.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reading invapi JSON leniently: fields change type between builds (string, number, object, null),
 * and errors arrive with HTTP 200, so the body decides whether a call failed. What an error means is
 * {@link RefusalPatterns}' to say.
 */
final class InvapiBody {

    private static final Set<String> SUCCESS_RESULTS = Set.of("ok", "success", "not ready", "stage");
    private static final Pattern NUMERIC = Pattern.compile("-?\\d+");

    private InvapiBody() {}

    /**
     * The error text when {@code body} is an error body, else empty. The rule: {@code code} negative
     * or a non-numeric string, or {@code result} is -1, or {@code result} is a string other than
     * the success words while an {@code error}/{@code message} is present. On callback checks
     * ({@code callbackCheck}) every result word is an answer ("Error" a failed task, anything
     * unknown "still running"), so only a negative code or result makes an error body there.
     */
    static Optional<String> error(JsonNode body, boolean callbackCheck) {
        if (body == null || !body.isObject()) {
            return Optional.empty();
        }
        boolean error = false;
        JsonNode code = body.get("code");
        if (code != null && !code.isNull()) {
            if (code.isNumber()) {
                error = code.asLong() < 0;
            } else if (code.isTextual()) {
                String c = code.asText().trim();
                error = NUMERIC.matcher(c).matches() ? Long.parseLong(c) < 0 : !c.isEmpty();
            }
        }
        JsonNode result = body.get("result");
        if (result != null) {
            if (result.isNumber() && result.asLong() == -1) {
                error = true;
            } else if (result.isTextual()) {
                String r = result.asText().trim();
                if (r.equals("-1")) {
                    error = true;
                } else if (hasText(body, "error") || hasText(body, "message")) {
                    String lower = r.toLowerCase(Locale.ROOT);
                    boolean answer = callbackCheck || SUCCESS_RESULTS.contains(lower);
                    error |= !answer;
                }
            }
        }
        if (!error) {
            return Optional.empty();
        }
        String text = firstText(body, "message", "error");
        if (text == null) {
            text = code != null && !code.isNull() ? "code " + text(code) : "unrecognised error body";
        }
        return Optional.of(text);
    }

    /** The error body's {@code code} as text (e.g. {@code NO_APPROPRIATE_SERVERS}, {@code -1}), or null. */
    static String code(JsonNode body) {
        return body == null ? null : text(body.get("code"));
    }

    private static boolean hasText(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n != null && !n.isNull() && !(n.isTextual() && n.asText().isBlank());
    }

    /** The first of {@code fields} present and not null, as text. */
    static String firstText(JsonNode node, String... fields) {
        if (node == null) {
            return null;
        }
        for (String f : fields) {
            String t = text(node.get(f));
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    /** Strings as they are, numbers and booleans as their literal, objects and arrays as JSON text. */
    static String text(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        return n.isValueNode() ? n.asText() : n.toString();
    }

    /** A number or a numeric string; else {@code fallback}. */
    static long longValue(JsonNode n, long fallback) {
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (n.isIntegralNumber()) {
            return n.asLong();
        }
        if (n.isNumber()) {
            return (long) n.asDouble();
        }
        if (n.isTextual() && NUMERIC.matcher(n.asText().trim()).matches()) {
            return Long.parseLong(n.asText().trim());
        }
        return fallback;
    }

    static Integer intValue(JsonNode n) {
        long v = longValue(n, Long.MIN_VALUE);
        return v == Long.MIN_VALUE || v > Integer.MAX_VALUE || v < Integer.MIN_VALUE ? null : (int) v;
    }

    /** true, 1, "1", "true", "yes" are true; anything else false. */
    static boolean flag(JsonNode n) {
        if (n == null || n.isNull()) {
            return false;
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isNumber()) {
            return n.asDouble() != 0;
        }
        String t = n.asText().trim().toLowerCase(Locale.ROOT);
        return t.equals("1") || t.equals("true") || t.equals("yes");
    }

    /**
     * The elements of the first of {@code fields} that holds a list. PHP encodes an array with gaps
     * in its keys as an object ({@code {"0":{..},"2":{..}}}), so an object whose values are all
     * objects counts as a list of them.
     */
    static List<JsonNode> elements(JsonNode node, String... fields) {
        if (node == null) {
            return List.of();
        }
        for (String f : fields) {
            JsonNode n = node.get(f);
            if (n == null) {
                continue;
            }
            if (n.isArray()) {
                List<JsonNode> out = new ArrayList<>();
                n.forEach(out::add);
                return out;
            }
            if (n.isObject() && !n.isEmpty()) {
                List<JsonNode> out = new ArrayList<>();
                n.forEach(out::add);
                if (out.stream().allMatch(JsonNode::isObject)) {
                    return out;
                }
            }
        }
        return List.of();
    }
}
