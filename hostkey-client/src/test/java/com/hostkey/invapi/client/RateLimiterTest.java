package com.hostkey.invapi.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    @Test
    void shouldAllowABurstThenSpaceRequestsAtTheRate() throws Exception {
        RateLimiter limiter = new RateLimiter(20);
        long start = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            limiter.acquire();
        }
        long burstMillis = (System.nanoTime() - start) / 1_000_000;
        for (int i = 0; i < 5; i++) {
            limiter.acquire();
        }
        long totalMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(burstMillis).as("one second's worth goes at once").isLessThan(100);
        assertThat(totalMillis).as("then 50 ms apart").isBetween(200L, 1000L);
    }
}
