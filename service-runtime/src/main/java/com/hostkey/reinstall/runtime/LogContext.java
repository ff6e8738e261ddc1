package com.hostkey.reinstall.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * The reinstall a thread is working on, as MDC keys on every log line it writes meanwhile:
 * {@value #SERVER_ID}, {@value #REINSTALL_ID}, {@value #COMMAND_ID}. Set around the work for one
 * record ({@link #call}, {@link #run}, or try-with-resources on {@link #of}) and cleared after it;
 * clearing restores what the keys held before, so contexts nest. Null values are left out.
 */
public final class LogContext implements AutoCloseable {

    public static final String SERVER_ID = "serverId";
    public static final String REINSTALL_ID = "reinstallId";
    public static final String COMMAND_ID = "commandId";

    /** The values the keys had before this context, null where a key was absent. */
    private final Map<String, String> previous = new LinkedHashMap<>();

    private LogContext(Object serverId, String reinstallId, String commandId) {
        put(SERVER_ID, serverId == null ? null : serverId.toString());
        put(REINSTALL_ID, reinstallId);
        put(COMMAND_ID, commandId);
    }

    /** Sets the keys that are not null; the others keep what they held. */
    public static LogContext of(Object serverId, String reinstallId, String commandId) {
        return new LogContext(serverId, reinstallId, commandId);
    }

    /** Runs {@code work} with the ids on its log lines and answers what it answers. */
    @SuppressWarnings("try") // the context only has to be open while the work runs
    public static <T> T call(Object serverId, String reinstallId, String commandId, Supplier<T> work) {
        try (LogContext context = of(serverId, reinstallId, commandId)) {
            return work.get();
        }
    }

    /** Runs {@code work} with the ids on its log lines. */
    public static void run(Object serverId, String reinstallId, String commandId, Runnable work) {
        call(serverId, reinstallId, commandId, () -> {
            work.run();
            return null;
        });
    }

    private void put(String key, String value) {
        if (value == null) {
            return;
        }
        previous.put(key, MDC.get(key));
        MDC.put(key, value);
    }

    @Override
    public void close() {
        previous.forEach((key, value) -> {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
    }
}
