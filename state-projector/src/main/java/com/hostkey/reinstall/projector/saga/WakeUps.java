package com.hostkey.reinstall.projector.saga;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The next wake-up of every open reinstall on one task, in wake-up order: the saga's timer index.
 *
 * <p>Kept in memory, not in a store: a wake-up is a function of the server's state
 * ({@link ReinstallStateMachine#wakeAt}), so the state store already holds every timer, and the
 * saga rebuilds the index from it whenever Streams initialises the task (after a restore, a
 * rebalance or a restart). A store of its own, keyed by wake-up time, wrote a put and a tombstone
 * to its changelog for every moved deadline: more records than the projector read (figure 3).
 *
 * <p>One instance per processor instance (per task); not thread-safe, like the processor.
 */
final class WakeUps {

    private record WakeUp(long at, String server) {}

    private static final Comparator<WakeUp> ORDER = Comparator.comparingLong(WakeUp::at).thenComparing(WakeUp::server);

    private final TreeSet<WakeUp> queue = new TreeSet<>(ORDER);
    private final Map<String, Long> byServer = new HashMap<>();

    /** Sets the server's one wake-up, or removes it when the state wakes for nothing. */
    void set(String server, Optional<Instant> at) {
        Long previous = at.isPresent() ? byServer.put(server, at.get().toEpochMilli()) : byServer.remove(server);
        if (previous != null) {
            queue.remove(new WakeUp(previous, server));
        }
        at.ifPresent(instant -> queue.add(new WakeUp(instant.toEpochMilli(), server)));
    }

    /** The servers due by {@code now}, earliest first, with when each is due. */
    List<Map.Entry<String, Long>> dueBy(Instant now) {
        List<Map.Entry<String, Long>> due = new ArrayList<>();
        for (WakeUp wakeUp : queue.headSet(new WakeUp(now.toEpochMilli(), "\uffff"), true)) {
            due.add(Map.entry(wakeUp.server(), wakeUp.at()));
        }
        return due;
    }

    /** The server's wake-up, if it has one. */
    Optional<Instant> of(String server) {
        return Optional.ofNullable(byServer.get(server)).map(Instant::ofEpochMilli);
    }

    int size() {
        return byServer.size();
    }

    void clear() {
        queue.clear();
        byServer.clear();
    }
}
