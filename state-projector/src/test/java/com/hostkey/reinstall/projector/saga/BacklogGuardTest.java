package com.hostkey.reinstall.projector.saga;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BacklogGuardTest {

    private static final long T0 = 1_800_000_000_000L;

    private final BacklogGuard guard = new BacklogGuard(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(60), T0);

    @Test
    void shouldHoldTimersRightAfterStartUntilTheFirstFetchCanHaveArrived() {
        assertThat(guard.holds(T0 - 1_000, T0 + 500)).isTrue();
        assertThat(guard.holds(T0 - 1_000, T0 + 3_000)).isFalse();
    }

    @Test
    void shouldHoldTimersWhileOldRecordsAreRead() {
        guard.processed(T0 - 90_000, T0 + 100);
        guard.processed(T0 - 80_000, T0 + 2_000);
        assertThat(guard.holds(T0 - 5_000, T0 + 4_000)).isTrue();
    }

    @Test
    void shouldReleaseTimersOnceAFreshRecordIsProcessed() {
        guard.processed(T0 - 90_000, T0 + 100);
        guard.processed(T0 + 150, T0 + 200);
        assertThat(guard.holds(T0 - 5_000, T0 + 300)).isFalse();
    }

    @Test
    void shouldReleaseTimersWhenNothingOldArrivesForTheQuietPeriod() {
        guard.processed(T0 - 90_000, T0 + 100);
        assertThat(guard.holds(T0 - 5_000, T0 + 3_000)).isTrue();
        assertThat(guard.holds(T0 - 5_000, T0 + 3_200)).isFalse();
    }

    @Test
    void shouldNotHoldATimerBeyondTheMaximumPostponement() {
        guard.processed(T0 - 900_000, T0 + 1_000);
        assertThat(guard.holds(T0 - 58_000, T0 + 1_000)).isTrue();
        assertThat(guard.holds(T0 - 61_000, T0 + 1_000)).isFalse();
    }

    @Test
    void shouldCountARecordAsFreshWithinTheThreshold() {
        guard.processed(T0 + 1_000 - 1_999, T0 + 1_000);
        assertThat(guard.readingBacklog(T0 + 1_001)).isFalse();
        guard.processed(T0 + 2_000 - 2_001, T0 + 2_000);
        assertThat(guard.readingBacklog(T0 + 2_001)).isTrue();
    }
}
