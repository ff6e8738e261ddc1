package com.hostkey.invapi.simulator;

import java.time.Instant;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * Effects due at simulated instants. Nothing runs by itself: {@link #runDue(Instant)} runs every
 * effect due by then, in due order (ties in scheduling order), each with its own due instant, so
 * the outcome is the same however late the simulator looks.
 */
final class Scheduler {

    private record Entry(Instant dueAt, long sequence, Consumer<Instant> effect) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry other) {
            int byTime = dueAt.compareTo(other.dueAt);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>();
    private long sequence;

    void at(Instant dueAt, Consumer<Instant> effect) {
        queue.add(new Entry(dueAt, sequence++, effect));
    }

    void runDue(Instant now) {
        while (!queue.isEmpty() && !queue.peek().dueAt().isAfter(now)) {
            Entry entry = queue.poll();
            entry.effect().accept(entry.dueAt());
        }
    }
}
