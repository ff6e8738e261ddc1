package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.runtime.EnvSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Concurrency caps: reinstalls that may touch servers at once, fleet-wide and per location. Past
 * a cap, reinstalls queue in arrival order instead of being refused. While nobody waits, the
 * admission owner lends each saga task a small reserve of slots with a grant, so the task admits its
 * next reinstalls without asking (docs/saga.md, "Admission without asking: task reserves").
 *
 * @param maxActive            ADMISSION_MAX_ACTIVE, fleet-wide (default 500)
 * @param maxActivePerLocation ADMISSION_MAX_ACTIVE_PER_LOCATION, each location unless listed (default 200)
 * @param locationLimits       ADMISSION_LOCATION_LIMITS, e.g. {@code NL=100,US=50}
 * @param taskReserve          ADMISSION_TASK_RESERVE, free slots per location a saga task may keep (default 2; 0: none)
 * @param reserveTerm          ADMISSION_RESERVE_TERM_SECONDS, how long a task may keep reusing a slot before it gives
 *                             it back at its next release (default 300)
 * @param reserveIdle          ADMISSION_RESERVE_IDLE_SECONDS, how long a reserve slot may lie unused (default 30)
 */
public record AdmissionSettings(int maxActive, int maxActivePerLocation, Map<String, Integer> locationLimits,
                                int taskReserve, Duration reserveTerm, Duration reserveIdle) {

    static final int DEFAULT_TASK_RESERVE = 2;
    static final Duration DEFAULT_RESERVE_TERM = Duration.ofMinutes(5);
    static final Duration DEFAULT_RESERVE_IDLE = Duration.ofSeconds(30);

    public AdmissionSettings {
        if (taskReserve < 0) {
            throw new IllegalArgumentException("ADMISSION_TASK_RESERVE must be 0 or more, got " + taskReserve);
        }
    }

    /** The caps, with the default task reserve. */
    public AdmissionSettings(int maxActive, int maxActivePerLocation, Map<String, Integer> locationLimits) {
        this(maxActive, maxActivePerLocation, locationLimits, DEFAULT_TASK_RESERVE, DEFAULT_RESERVE_TERM, DEFAULT_RESERVE_IDLE);
    }

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
                env.optionalInt("ADMISSION_MAX_ACTIVE_PER_LOCATION", 200), Map.copyOf(limits),
                env.optionalInt("ADMISSION_TASK_RESERVE", DEFAULT_TASK_RESERVE),
                Duration.ofSeconds(env.optionalLong("ADMISSION_RESERVE_TERM_SECONDS", DEFAULT_RESERVE_TERM.toSeconds())),
                Duration.ofSeconds(env.optionalLong("ADMISSION_RESERVE_IDLE_SECONDS", DEFAULT_RESERVE_IDLE.toSeconds())));
    }

    public int limitFor(String location) {
        return location == null ? maxActivePerLocation : locationLimits.getOrDefault(location, maxActivePerLocation);
    }
}
