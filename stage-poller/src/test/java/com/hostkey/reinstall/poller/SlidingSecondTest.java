package com.hostkey.reinstall.poller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SlidingSecondTest {

    private static final long MS = 1_000_000L;

    @Test
    void shouldLetTheLimitGoAtOnceWhenNothingStartedYet() {
        SlidingSecond window = new SlidingSecond(10);

        assertThat(window.allowance(0, 64)).isEqualTo(10);
        assertThat(window.allowance(0, 3)).isEqualTo(3);
    }

    @Test
    void shouldHoldFurtherStartsUntilTheOldestIsASecondOld() {
        SlidingSecond window = new SlidingSecond(10);
        window.started(0, 4);
        window.started(500 * MS, 6);

        assertThat(window.allowance(999 * MS, 64)).isZero();
        assertThat(window.allowance(1000 * MS, 64)).isEqualTo(4);
        assertThat(window.allowance(1500 * MS, 64)).isEqualTo(10);
    }

    @Test
    void shouldNeverPutMoreThanTheLimitInAnySlidingSecondWhateverTheDemand() {
        int limit = 50;
        SlidingSecond window = new SlidingSecond(limit);
        Random random = new Random(42);
        ArrayDeque<Long> lastSecond = new ArrayDeque<>();
        long now = 0;
        int total = 0;
        for (int turn = 0; turn < 20_000; turn++) {
            now += random.nextInt(3 * (int) MS);
            int n = window.allowance(now, 1 + random.nextInt(64));
            window.started(now, n);
            total += n;
            for (int i = 0; i < n; i++) {
                lastSecond.add(now);
            }
            while (!lastSecond.isEmpty() && lastSecond.peekFirst() <= now - 1000 * MS) {
                lastSecond.pollFirst();
            }
            assertThat(lastSecond.size()).as("starts in the second up to %d ns", now).isLessThanOrEqualTo(limit);
        }
        double seconds = now / 1e9;
        assertThat(total / seconds).as("the greedy demand still gets the whole budget").isGreaterThan(limit * 0.95);
    }

    @Test
    void shouldKeepOneRequestInAHundredBackForJitterOnTheWay() {
        assertThat(SlidingSecond.withHeadroom(6667)).isEqualTo(6600);
        assertThat(SlidingSecond.withHeadroom(20)).isEqualTo(19);
        assertThat(SlidingSecond.withHeadroom(1)).isEqualTo(1);
    }

    @Test
    void shouldRefuseALimitBelowOne() {
        assertThatThrownBy(() -> new SlidingSecond(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
