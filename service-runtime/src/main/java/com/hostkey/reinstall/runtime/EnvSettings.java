package com.hostkey.reinstall.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a service's settings from environment variables, collecting every missing required one so
 * that start-up fails once with a message naming them all. A secret may come from a file instead:
 * {@code NAME_FILE} holds the path.
 */
public final class EnvSettings {

    private final Map<String, String> env;
    private final List<String> missing = new ArrayList<>();

    public EnvSettings(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static EnvSettings fromSystem() {
        return new EnvSettings(System.getenv());
    }

    /** A required setting; {@code doc} says what it is in the failure message. */
    public String required(String name, String doc) {
        String value = optional(name, null);
        if (value == null) {
            missing.add(name + " (" + doc + ")");
        }
        return value;
    }

    public String optional(String name, String fallback) {
        String value = env.get(name);
        if ((value == null || value.isBlank()) && env.get(name + "_FILE") != null) {
            try {
                value = Files.readString(Path.of(env.get(name + "_FILE"))).strip();
            } catch (IOException e) {
                throw new SettingsException("cannot read " + name + "_FILE (" + env.get(name + "_FILE") + "): " + e);
            }
        }
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    public int optionalInt(String name, int fallback) {
        String value = optional(name, null);
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new SettingsException(name + " must be an integer, got '" + value + "'");
        }
    }

    public long optionalLong(String name, long fallback) {
        String value = optional(name, null);
        try {
            return value == null ? fallback : Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new SettingsException(name + " must be an integer, got '" + value + "'");
        }
    }

    /** {@code true} or {@code false} (any case); anything else is refused, not read as false. */
    public boolean optionalBoolean(String name, boolean fallback) {
        String value = optional(name, null);
        if (value == null) {
            return fallback;
        }
        return switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new SettingsException(name + " must be true or false, got '" + value + "'");
        };
    }

    /** Throws once, naming every required setting that was missing. */
    public void validate(String service) {
        if (!missing.isEmpty()) {
            throw new SettingsException(service + " cannot start, missing settings: " + String.join(", ", missing));
        }
    }

    /**
     * A setting is missing, unreadable or malformed: the service cannot start as configured (see
     * {@link ServiceLifecycle#main}, which exits {@link ServiceLifecycle#EXIT_CONFIG} with this message).
     */
    public static final class SettingsException extends IllegalArgumentException {
        public SettingsException(String message) {
            super(message);
        }
    }
}
