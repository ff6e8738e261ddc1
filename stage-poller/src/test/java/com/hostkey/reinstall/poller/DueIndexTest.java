package com.hostkey.reinstall.poller;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class DueIndexTest {

    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    /** Stands in for the poller's watched map: the index asks it whether a key is still watched. */
    private final Map<String, WatchedKey> watched = new ConcurrentHashMap<>();
    private final DueIndex index = new DueIndex(key -> watched.get(key.key) == key);

    @Test
    void shouldReturnDueKeysNearestDeadlineFirstThenLongestDueAndNoDeadlineLast() {
        WatchedKey noDeadline = watch("no-deadline", NOW.minusSeconds(60), null);
        WatchedKey laterDeadline = watch("later-deadline", NOW.minusSeconds(50), NOW.plusSeconds(600));
        WatchedKey dueLonger = watch("due-longer", NOW.minusSeconds(30), NOW.plusSeconds(300));
        WatchedKey dueShorter = watch("due-shorter", NOW.minusSeconds(10), NOW.plusSeconds(300));
        WatchedKey dueNow = watch("due-now", NOW, NOW.plusSeconds(900));

        assertThat(drain(NOW)).containsExactly(dueLonger, dueShorter, laterDeadline, dueNow, noDeadline);
    }

    @Test
    void shouldNeverReturnAKeyBeforeItIsDueHoweverUrgent() {
        WatchedKey urgentButLater = watch("urgent", NOW.plusMillis(1), NOW.plusSeconds(1));
        WatchedKey due = watch("due", NOW, NOW.plusSeconds(3600));

        assertThat(drain(NOW)).containsExactly(due);
        assertThat(index.pollDue(NOW)).isNull();
        assertThat(drain(NOW.plusMillis(1))).containsExactly(urgentButLater);
    }

    @Test
    void shouldMatchAFullSortOfTheDueKeysAtEveryTurn() {
        Random random = new Random(42);
        List<WatchedKey> all = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Instant deadline = random.nextInt(5) == 0 ? null : NOW.plusSeconds(random.nextInt(7_200));
            all.add(watch("k" + i, NOW.plusMillis(random.nextInt(60_000) - 30_000), deadline));
        }
        // The poller's former scan: the 50 most urgent keys not yet checked and due, at turns 5 s apart.
        List<WatchedKey> unchecked = new ArrayList<>(all);
        for (Instant now = NOW.minusSeconds(30); !now.isAfter(NOW.plusSeconds(30)); now = now.plusSeconds(5)) {
            Instant at = now;
            List<WatchedKey> expected = unchecked.stream().filter(k -> !k.nextCheck.isAfter(at))
                    .sorted(DueIndex.URGENCY).limit(50).toList();
            List<WatchedKey> actual = take(50, now);
            // Compared by the ordering fields: two keys may tie on both.
            assertThat(actual).map(DueIndexTest::urgency).containsExactlyElementsOf(expected.stream().map(DueIndexTest::urgency).toList());
            unchecked.removeAll(actual);
        }
    }

    @Test
    void shouldNotReturnAKeyRemovedWhileWaitingOrWhileDue() {
        WatchedKey removedWhileWaiting = watch("waiting", NOW.plusSeconds(10), null);
        WatchedKey removedWhileDue = watch("due", NOW.minusSeconds(10), NOW.plusSeconds(60));
        WatchedKey first = watch("first", NOW.minusSeconds(10), NOW.plusSeconds(30));
        assertThat(index.pollDue(NOW)).isSameAs(first);

        watched.remove(removedWhileWaiting.key);
        watched.remove(removedWhileDue.key);

        assertThat(index.pollDue(NOW.plusSeconds(20))).isNull();
    }

    @Test
    void shouldReturnOnlyTheKeyThatReplacedARemovedOneOfTheSameName() {
        WatchedKey old = watch("same-name", NOW.minusSeconds(10), null);
        watched.remove(old.key);
        WatchedKey again = watch("same-name", NOW.minusSeconds(5), null);

        assertThat(drain(NOW)).singleElement().isSameAs(again);
    }

    @Test
    void shouldReturnACheckedKeyAtItsNewTimeAndNotBefore() throws Exception {
        WatchedKey key = watch("k", NOW.minusSeconds(1), null);
        assertThat(index.pollDue(NOW)).isSameAs(key);
        assertThat(index.pollDue(NOW)).as("in flight").isNull();

        Instant next = NOW.plus(Duration.ofSeconds(15));
        // A check writes the next time and hands the key back from its own thread.
        Thread check = Thread.ofVirtual().start(() -> {
            key.nextCheck = next;
            index.checked(key);
        });
        check.join();

        assertThat(index.pollDue(next.minusMillis(1))).isNull();
        assertThat(index.pollDue(next)).isSameAs(key);
    }

    @Test
    void shouldDropACheckedKeyThatStoppedBeingWatchedWhileInFlight() {
        WatchedKey key = watch("k", NOW, null);
        assertThat(index.pollDue(NOW)).isSameAs(key);

        watched.remove(key.key);
        key.nextCheck = NOW.plusSeconds(15);
        index.checked(key);

        assertThat(index.pollDue(NOW)).isNull();
        assertThat(index.size()).as("not kept until its time comes").isZero();
        assertThat(index.pollDue(NOW.plusSeconds(60))).isNull();
    }

    @Test
    void shouldResortADueKeyWhoseDeadlineMovesCloser() {
        WatchedKey first = watch("first", NOW.minusSeconds(3), NOW.plusSeconds(10));
        WatchedKey second = watch("second", NOW.minusSeconds(2), NOW.plusSeconds(20));
        WatchedKey third = watch("third", NOW.minusSeconds(1), NOW.plusSeconds(30));
        assertThat(index.pollDue(NOW)).isSameAs(first);

        index.changeDeadline(third, NOW.plusSeconds(5));

        assertThat(third.deadline).isEqualTo(NOW.plusSeconds(5));
        assertThat(drain(NOW)).containsExactly(third, second);
    }

    @Test
    void shouldOrderAWaitingKeyByItsNewDeadlineOnceDue() {
        WatchedKey waiting = watch("waiting", NOW.plusSeconds(1), NOW.plusSeconds(60));
        WatchedKey other = watch("other", NOW.plusSeconds(1), NOW.plusSeconds(30));

        index.changeDeadline(waiting, NOW.plusSeconds(10));

        assertThat(drain(NOW.plusSeconds(1))).containsExactly(waiting, other);
    }

    @Test
    void shouldForgetUnwatchedKeysOnASweepAndEveryKeyOnClear() {
        WatchedKey kept = watch("kept", NOW.plusSeconds(1), null);
        WatchedKey goneWhileWaiting = watch("gone-waiting", NOW.plusSeconds(2), null);
        WatchedKey goneWhileDue = watch("gone-due", NOW.minusSeconds(2), null);
        WatchedKey due = watch("due", NOW.minusSeconds(3), null);
        WatchedKey checked = watch("checked", NOW.minusSeconds(4), null);
        assertThat(index.pollDue(NOW)).isSameAs(checked);
        watched.remove(goneWhileWaiting.key);
        watched.remove(goneWhileDue.key);

        index.dropUnwatched();

        assertThat(index.size()).isEqualTo(2);
        assertThat(drain(NOW.plusSeconds(2))).containsExactly(due, kept);

        index.add(kept);
        index.checked(checked);
        index.clear();
        assertThat(index.size()).isZero();
        assertThat(index.pollDue(NOW.plusSeconds(60))).isNull();
    }

    @Test
    void shouldVisitOnlyTheDueKeysAmong100000() {
        int keys = 100_000;
        int dueKeys = 100;
        for (int i = 0; i < keys; i++) {
            Instant nextCheck = i < dueKeys ? NOW.minusMillis(i) : NOW.plusSeconds(1).plusMillis(i % 15_000);
            watch("k" + i, nextCheck, NOW.plusSeconds(i % 7_200));
        }

        long before = index.visits();
        assertThat(index.pollDue(NOW.minusSeconds(60))).as("nothing due yet").isNull();
        assertThat(index.visits()).isEqualTo(before);

        List<WatchedKey> dispatched = drain(NOW);

        assertThat(dispatched).hasSize(dueKeys).allMatch(k -> !k.nextCheck.isAfter(NOW));
        // Each due key is taken off the time heap once, and off the due heap once; no other key is touched.
        assertThat(index.visits() - before).isEqualTo(2L * dueKeys);
        assertThat(index.size()).isEqualTo(keys - dueKeys);
    }

    // ------------------------------------------------------------------ helpers

    private WatchedKey watch(String name, Instant nextCheck, Instant deadline) {
        WatchedKey key = new WatchedKey(1, "r-1", name, null, 0, nextCheck);
        key.deadline = deadline;
        watched.put(name, key);
        index.add(key);
        return key;
    }

    /** Every key due at {@code now}, in the order the index gives them out. */
    private List<WatchedKey> drain(Instant now) {
        List<WatchedKey> keys = new ArrayList<>();
        for (WatchedKey key = index.pollDue(now); key != null; key = index.pollDue(now)) {
            keys.add(key);
        }
        return keys;
    }

    /** At most {@code max} keys due at {@code now}, as one loop turn with that allowance takes them. */
    private List<WatchedKey> take(int max, Instant now) {
        List<WatchedKey> keys = new ArrayList<>();
        for (WatchedKey key; keys.size() < max && (key = index.pollDue(now)) != null; ) {
            keys.add(key);
        }
        return keys;
    }

    private static String urgency(WatchedKey key) {
        return key.deadline + "/" + key.nextCheck;
    }
}
