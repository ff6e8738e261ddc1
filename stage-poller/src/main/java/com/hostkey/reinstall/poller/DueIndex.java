package com.hostkey.reinstall.poller;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * The watched keys that are not being checked, ordered so that a loop turn touches only the keys that
 * are due: finding the few due keys by visiting every watched key made the poller CPU-bound at
 * 100,000 keys (figure 4).
 *
 * <p>Two heaps. {@code waiting} holds the keys not yet due, by {@code nextCheck}: its head is the next
 * key to become due. {@code due} holds the keys whose {@code nextCheck} has passed, by {@link #URGENCY}
 * (nearest deadline first, then longest due): urgency among due keys depends on the deadline, not on
 * the time alone, so a key moves from {@code waiting} to {@code due} when its time comes and stays
 * there until it is dispatched. A turn costs O(log n) per key it moves or dispatches; the number of
 * due keys is bounded by how far behind the poller is.
 *
 * <p>A key is in at most one place: {@code waiting}, {@code due}, in flight (taken by {@link #pollDue}
 * and not yet given back), or {@code checked} (given back, not yet re-indexed). So the fields the heaps
 * order by do not change under them: only a check writes {@code nextCheck}, while its key is in
 * flight, and the deadline changes through {@link #changeDeadline}, which re-sorts a due key.
 *
 * <p>Keys that stop being watched are not searched for: a key is dropped when it is next taken off a
 * heap and no longer {@code isWatched} (the map no longer holds this very object).
 * {@link #dropUnwatched} sweeps both heaps at once where many keys go together.
 *
 * <p>Not thread-safe: used by the poller's loop thread alone, except {@link #checked}, which a
 * finished check calls from its own thread to hand its key back.
 */
final class DueIndex {

    /** Which due key goes first: the nearest deadline, then the longest due. */
    static final Comparator<WatchedKey> URGENCY = Comparator
            .comparing((WatchedKey w) -> w.deadline == null ? Instant.MAX : w.deadline)
            .thenComparing(w -> w.nextCheck);
    private static final Comparator<WatchedKey> BY_NEXT_CHECK = Comparator.comparing(w -> w.nextCheck);

    private final Predicate<WatchedKey> isWatched;
    private final PriorityQueue<WatchedKey> waiting = new PriorityQueue<>(BY_NEXT_CHECK);
    private final PriorityQueue<WatchedKey> due = new PriorityQueue<>(URGENCY);
    private final Queue<WatchedKey> checked = new ConcurrentLinkedQueue<>();
    /** Keys taken off either heap, stale ones included: the work the index has done (for tests). */
    private long visits;

    DueIndex(Predicate<WatchedKey> isWatched) {
        this.isWatched = isWatched;
    }

    /** Indexes a key that is watched and not in flight, by its {@code nextCheck}. */
    void add(WatchedKey key) {
        waiting.add(key);
    }

    /** Hands back a key whose check has ended (its {@code nextCheck} written). Any thread. */
    void checked(WatchedKey key) {
        checked.add(key);
    }

    /**
     * The most urgent watched key whose {@code nextCheck} is not after {@code now}, taken out of the
     * index (in flight until handed back through {@link #checked}); null when no key is due.
     */
    WatchedKey pollDue(Instant now) {
        reindexChecked();
        promoteDue(now);
        while (!due.isEmpty()) {
            WatchedKey key = take(due);
            key.queuedDue = false;
            if (isWatched.test(key)) {
                return key;
            }
        }
        return null;
    }

    /** Sets a key's deadline; a due key is re-sorted, as its urgency changes. */
    void changeDeadline(WatchedKey key, Instant deadline) {
        if (Objects.equals(key.deadline, deadline)) {
            return;
        }
        // The flag spares a search of the due heap for the keys that are not in it.
        boolean wasDue = key.queuedDue && due.remove(key);
        key.deadline = deadline;
        if (wasDue) {
            due.add(key);
        }
    }

    /** Removes every key no longer watched at once (O(n)): for when many keys go together. */
    void dropUnwatched() {
        waiting.removeIf(isWatched.negate());
        due.removeIf(isWatched.negate());
    }

    /** Forgets every key. Keys that checks hand back later are dropped unless watched then. */
    void clear() {
        waiting.clear();
        due.clear();
        checked.clear();
    }

    /** Keys indexed, stale ones included (not those in flight or being handed back). */
    int size() {
        return waiting.size() + due.size();
    }

    long visits() {
        return visits;
    }

    private void reindexChecked() {
        for (WatchedKey key = checked.poll(); key != null; key = checked.poll()) {
            if (isWatched.test(key)) {
                waiting.add(key);
            }
        }
    }

    private void promoteDue(Instant now) {
        while (!waiting.isEmpty() && !waiting.peek().nextCheck.isAfter(now)) {
            WatchedKey key = take(waiting);
            if (isWatched.test(key)) {
                key.queuedDue = true;
                due.add(key);
            }
        }
    }

    private WatchedKey take(PriorityQueue<WatchedKey> heap) {
        visits++;
        return heap.poll();
    }
}
