package com.hostkey.reinstall.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class LogContextTest {

    @AfterEach
    void clear() {
        MDC.clear();
    }

    @Test
    void shouldSetTheIdsWhileTheWorkRunsAndRemoveThemAfter() {
        String seen = LogContext.call(1001L, "r-1", "c-1",
                () -> MDC.get(LogContext.SERVER_ID) + "/" + MDC.get(LogContext.REINSTALL_ID) + "/" + MDC.get(LogContext.COMMAND_ID));

        assertThat(seen).isEqualTo("1001/r-1/c-1");
        assertThat(MDC.getCopyOfContextMap()).isNullOrEmpty();
    }

    @Test
    void shouldRestoreTheOuterContextAndLeaveOutNulls() {
        LogContext.run(1001L, "r-1", "c-1", () -> {
            LogContext.run(1002L, null, null, () -> {
                assertThat(MDC.get(LogContext.SERVER_ID)).isEqualTo("1002");
                assertThat(MDC.get(LogContext.COMMAND_ID)).as("a null leaves the outer value").isEqualTo("c-1");
            });
            assertThat(MDC.get(LogContext.SERVER_ID)).isEqualTo("1001");
        });
        assertThat(MDC.get(LogContext.SERVER_ID)).isNull();
    }

    @Test
    void shouldClearTheIdsWhenTheWorkThrows() {
        try {
            LogContext.run(1001L, "r-1", "c-1", () -> {
                throw new IllegalStateException("boom");
            });
        } catch (IllegalStateException expected) {
            // the context must be gone all the same
        }
        assertThat(MDC.get(LogContext.SERVER_ID)).isNull();
    }
}
