package com.hostkey.invapi.simulator;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Masks secrets in request fields before they reach a log line or the audit. */
final class Secrets {

    static final String MASK = "***";
    private static final Set<String> SECRET_FIELDS = Set.of(
            "token", "pin", "root_pass", "post_install_script", "password", "api_key", "apikey");

    private Secrets() {
    }

    /** A sorted copy of {@code params} with secrets masked; {@code key} is a secret on auth.php only (the API key). */
    static Map<String, String> mask(String module, Map<String, String> params) {
        Map<String, String> masked = new TreeMap<>();
        params.forEach((name, value) -> masked.put(name, isSecret(module, name) ? MASK : value));
        return masked;
    }

    static boolean isSecret(String module, String field) {
        String name = field.toLowerCase(java.util.Locale.ROOT);
        return SECRET_FIELDS.contains(name) || name.startsWith("root_pass") || name.contains("password")
                || name.startsWith("post_install_script") || ("auth".equals(module) && "key".equals(name));
    }
}
