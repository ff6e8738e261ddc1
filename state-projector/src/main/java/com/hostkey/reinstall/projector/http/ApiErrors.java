package com.hostkey.reinstall.projector.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How an error of the query port looks, the one shape of the query API and the dashboard:
 * {@code {"error": message, "status": code}}, without stack traces, echoing at most a short
 * sanitized {@link #excerpt} of the input.
 */
public final class ApiErrors {

    private static final int EXCERPT_CODE_POINTS = 24;

    private ApiErrors() {}

    static Map<String, Object> body(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        return body;
    }

    /**
     * A short, harmless excerpt of untrusted input for an error message: at most
     * {@value #EXCERPT_CODE_POINTS} characters, anything but ASCII letters, digits and {@code -_./}
     * shown as {@code ?}, so no markup, control character or long payload is ever echoed.
     */
    public static String excerpt(String raw) {
        if (raw == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        raw.codePoints().limit(EXCERPT_CODE_POINTS)
                .forEach(c -> out.append(c < 128 && (Character.isLetterOrDigit(c) || "-_./".indexOf(c) >= 0) ? (char) c : '?'));
        return raw.codePointCount(0, raw.length()) > EXCERPT_CODE_POINTS ? out + "..." : out.toString();
    }
}
