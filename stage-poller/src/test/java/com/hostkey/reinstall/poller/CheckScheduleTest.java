package com.hostkey.reinstall.poller;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CheckScheduleTest {

    private static final Duration INTERVAL = Duration.ofSeconds(15);
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final AsyncActionKind REBOOT = AsyncActionKind.REBOOT;

    private final CheckSchedule schedule = new CheckSchedule(INTERVAL);

    @Test
    void shouldFirstCheckAFreshKeyOneIntervalAfterItWasOpenedBeforeAnythingIsLearned() {
        Instant opened = NOW.minusSeconds(2);

        assertThat(schedule.firstCheck(REBOOT, opened, NOW)).isEqualTo(opened.plus(INTERVAL));
        assertThat(schedule.firstCheck(null, opened, NOW)).isEqualTo(opened.plus(INTERVAL));
        assertThat(schedule.teaches(REBOOT, 0, opened, NOW)).isTrue();
    }

    @Test
    void shouldCheckAKeyOpenedLongAgoAtOnceAndNotLearnFromIt() {
        Instant opened = NOW.minus(Duration.ofMinutes(5));

        assertThat(schedule.firstCheck(REBOOT, opened, NOW)).isBefore(NOW);
        assertThat(schedule.teaches(REBOOT, 0, opened, NOW)).isFalse();
    }

    @Test
    void shouldCountFromThisClockWhenTheProjectorsClockIsAhead() {
        Instant openedInTheFuture = NOW.plus(Duration.ofMinutes(10));

        assertThat(schedule.firstCheck(REBOOT, openedInTheFuture, NOW)).isEqualTo(NOW.plus(INTERVAL));
        assertThat(schedule.firstCheck(REBOOT, null, NOW)).isEqualTo(NOW.plus(INTERVAL));
    }

    @Test
    void shouldFirstCheckSoonerOnceFirstChecksOfThatKindKeepFindingTheAnswer() {
        for (int i = 0; i < 10; i++) {
            schedule.firstCheckAnswered(REBOOT, true);
        }

        Duration expected = schedule.expected(REBOOT);
        assertThat(expected).isLessThan(INTERVAL.multipliedBy(4).dividedBy(10)).isGreaterThan(Duration.ZERO);
        assertThat(schedule.firstCheck(REBOOT, NOW, NOW)).isEqualTo(NOW.plus(expected));
        // Other kinds keep their own expectation.
        assertThat(schedule.expected(AsyncActionKind.CREATE_PXE)).isEqualTo(INTERVAL);
        assertThat(schedule.expected(null)).isEqualTo(INTERVAL);
    }

    @Test
    void shouldWaitLongerAgainWhenAFirstCheckFindsTheActionStillRunning() {
        for (int i = 0; i < 10; i++) {
            schedule.firstCheckAnswered(REBOOT, true);
        }
        Duration learned = schedule.expected(REBOOT);

        schedule.firstCheckAnswered(REBOOT, false);

        assertThat(schedule.expected(REBOOT).toMillis()).isEqualTo((long) Math.ceil(learned.toMillis() * CheckSchedule.GROW_WHEN_RUNNING));
    }

    @Test
    void shouldNeverFirstCheckLaterThanOneIntervalAfterTheKeyWasOpened() {
        for (int i = 0; i < 50; i++) {
            schedule.firstCheckAnswered(null, false);
        }

        assertThat(schedule.expected(null)).isEqualTo(INTERVAL);
        assertThat(schedule.firstCheck(null, NOW, NOW)).isEqualTo(NOW.plus(INTERVAL));
    }

    @Test
    void shouldKeepAFloorFromWhichGrowingCanRecover() {
        for (int i = 0; i < 500; i++) {
            schedule.firstCheckAnswered(REBOOT, true);
        }
        Duration floor = INTERVAL.dividedBy(CheckSchedule.FLOOR_DIVISOR);
        assertThat(schedule.expected(REBOOT)).isEqualTo(floor);

        schedule.firstCheckAnswered(REBOOT, false);

        assertThat(schedule.expected(REBOOT)).isGreaterThan(floor);
    }

    @Test
    void shouldSettleWhereAboutFourFirstChecksInFiveFindTheAnswer() {
        // Actions of this kind take 4 s; the expectation should settle a little above, never at the interval.
        long durationMillis = 4000;
        int answered = 0;
        int rounds = 2000;
        for (int i = 0; i < rounds; i++) {
            boolean done = schedule.expected(REBOOT).toMillis() >= durationMillis;
            answered += done ? 1 : 0;
            schedule.firstCheckAnswered(REBOOT, done);
        }

        assertThat(answered / (double) rounds).isBetween(0.7, 0.9);
        assertThat(schedule.expected(REBOOT)).isBetween(Duration.ofMillis(3000), Duration.ofMillis(6500));
    }

    @Test
    void shouldNotLearnTheFirstStageFromAMasterKeyThatAlreadyReportedStages() {
        assertThat(schedule.teaches(null, 0, NOW, NOW)).isTrue();
        assertThat(schedule.teaches(null, 2, NOW, NOW)).isFalse();
        assertThat(schedule.teaches(REBOOT, 0, NOW, NOW)).isTrue();
    }

    @Test
    void shouldCheckAgainOneIntervalLaterGiveOrTakeATenth() {
        for (int i = 0; i < 200; i++) {
            Instant next = schedule.nextCheck(NOW);
            assertThat(Duration.between(NOW, next)).isBetween(Duration.ofMillis(13_500), Duration.ofMillis(16_500));
        }
    }
}
