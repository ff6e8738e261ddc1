package com.hostkey.invapi.simulator;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Parses {@code application/x-www-form-urlencoded} text (bodies and query strings). */
final class Forms {

    private Forms() {
    }

    /** Adds every {@code name=value} pair of {@code encoded} to {@code into}; a later repeat wins, as in PHP. */
    static void parseInto(String encoded, Map<String, String> into) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!name.isEmpty()) {
                into.put(name, value);
            }
        }
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformedEscape) {
            // PHP keeps a malformed %-escape as it is instead of refusing the request.
            return text;
        }
    }
}
