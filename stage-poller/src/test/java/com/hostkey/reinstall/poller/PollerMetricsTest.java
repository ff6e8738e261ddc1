package com.hostkey.reinstall.poller;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer;
import com.hostkey.invapi.client.HostkeyApi.CallbackAnswer.Kind;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.CallbackKeyVanished;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PollerMetricsTest {

    private final PrometheusMeterRegistry registry = PollerMetrics.prometheusRegistry();
    private final PollerMetrics metrics = new PollerMetrics(registry);

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void shouldExposePollRateBudgetEventsAndReconciliations() {
        metrics.watching(() -> 20, () -> 7);
        metrics.checked(new CallbackAnswer(Kind.NOT_READY, "k1", null, null, null, null));
        metrics.checked(new CallbackAnswer(Kind.NOT_READY, "k1", null, null, null, null));
        metrics.checked(new CallbackAnswer(Kind.KEY_NOT_FOUND, "k2", null, null, null, null));
        metrics.checkFailed();
        metrics.published(InstallStageReached.newBuilder().setStage(2).setScope("Stage 2").setObserved(true).build());
        metrics.published(CallbackKeyVanished.newBuilder().setCallbackKey("k2").setAction(AsyncActionKind.REBOOT).setLastStage(0).build());
        metrics.deadLettered("reinstall-poll-targets");

        assertThat(registry.scrape())
                .contains("stage_poller_checks_total{answer=\"not_ready\",service=\"stage-poller\"} 2")
                .contains("stage_poller_checks_total{answer=\"key_not_found\",service=\"stage-poller\"} 1")
                .contains("stage_poller_checks_total{answer=\"failed\",service=\"stage-poller\"} 1")
                .contains("stage_poller_budget_requests_per_second{service=\"stage-poller\"} 20")
                .contains("stage_poller_watched_keys{service=\"stage-poller\"} 7")
                .contains("stage_poller_events_total{event=\"InstallStageReached\",service=\"stage-poller\"} 1")
                .contains("reinstall_reconciliations_total{action=\"REBOOT\",kind=\"callback_key_vanished\",service=\"stage-poller\"} 1")
                .contains("reinstall_dead_letters_total{service=\"stage-poller\",source_topic=\"reinstall-poll-targets\"} 1")
                .doesNotContain("k2\"");
    }

    @Test
    void shouldBeReadyOnlyAfterAnAssignment() {
        assertThat(metrics.ready()).isFalse();
        metrics.assigned(List.of());
        assertThat(metrics.ready()).isTrue();
    }
}
