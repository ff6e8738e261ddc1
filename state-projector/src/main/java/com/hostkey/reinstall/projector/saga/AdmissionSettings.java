package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.runtime.EnvSettings;
import java.util.HashMap;
import java.util.Map;

/**
 * Concurrency caps: reinstalls that may touch servers at once, fleet-wide and per location. Past
 * a cap, reinstalls queue in arrival order instead of being refused.
 *
 * @param maxActive            ADMISSION_MAX_ACTIVE, fleet-wide (default 500)
 * @param maxActivePerLocation ADMISSION_MAX_ACTIVE_PER_LOCATION, each location unless listed (default 200)
 * @param locationLimits       ADMISSION_LOCATION_LIMITS, e.g. {@code NL=100,US=50}
 */
public record AdmissionSettings(int maxActive, int maxActivePerLocation, Map<String, Integer> locationLimits) {

    public static AdmissionSettings defaults() {
        return new AdmissionSettings(500, 200, Map.of());
    }

    public static AdmissionSettings fromEnv(EnvSettings env) {
        Map<String, Integer> limits = new HashMap<>();
        String spec = env.optional("ADMISSION_LOCATION_LIMITS", "");
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.strip().split("=", 2);
            try {
                limits.put(parts[0].strip(), Integer.parseInt(parts[1].strip()));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("ADMISSION_LOCATION_LIMITS entries must be LOCATION=N, got '" + entry + "'");
            }
        }
        return new AdmissionSettings(env.optionalInt("ADMISSION_MAX_ACTIVE", 500),
                env.optionalInt("ADMISSION_MAX_ACTIVE_PER_LOCATION", 200), Map.copyOf(limits));
    }

    public int limitFor(String location) {
        return location == null ? maxActivePerLocation : locationLimits.getOrDefault(location, maxActivePerLocation);
    }
}
