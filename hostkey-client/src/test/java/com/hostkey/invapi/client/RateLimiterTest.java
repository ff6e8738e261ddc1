package com.hostkey.invapi.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket on a hand-moved clock: the waits it asks for are exact, nothing is slept. */
class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<Long> waitsMillis = new ArrayList<>();
    /** A caller that sleeps as asked: the clock moves by the wait. */
    private final RateLimiter limiter = new RateLimiter(20, now::get, nanos -> {
        waitsMillis.add(TimeUnit.NANOSECONDS.toMillis(nanos));
        now.addAndGet(nanos);
    });

    @Test
    void shouldAllowABurstThenSpaceRequestsAtTheRate() throws Exception {
        for (int i = 0; i < 20; i++) {
            limiter.acquire();
        }
        assertThat(waitsMillis).as("one second's worth goes at once").isEmpty();

        for (int i = 0; i < 5; i++) {
            limiter.acquire();
        }

        assertThat(waitsMillis).as("then 50 ms apart").containsExactly(50L, 50L, 50L, 50L, 50L);
    }

    @Test
    void shouldRefillWhileIdleUpToOneSecondsWorth() throws Exception {
        for (int i = 0; i < 20; i++) {
            limiter.acquire();
        }
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));

        for (int i = 0; i < 20; i++) {
            limiter.acquire();
        }
        limiter.acquire();

        assertThat(waitsMillis).as("ten idle seconds refill the bucket, not beyond its size").containsExactly(50L);
    }

    @Test
    void shouldTakeANewRateAtOnceKeepingWhatWasSavedUpToTheNewBurst() throws Exception {
        for (int i = 0; i < 20; i++) {
            limiter.acquire();
        }
        limiter.setRate(5); // this instance's share went from 20/s to 5/s

        limiter.acquire();
        limiter.acquire();

        assertThat(waitsMillis).as("200 ms apart at the new rate").containsExactly(200L, 200L);
    }
}
