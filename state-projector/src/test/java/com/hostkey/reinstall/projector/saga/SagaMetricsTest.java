package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.projector.ProjectorMetrics;
import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.ClearPxeConfig;
import com.hostkey.reinstall.schemas.avro.CreatePxeConfig;
import com.hostkey.reinstall.schemas.avro.CreateReinstallKey;
import com.hostkey.reinstall.schemas.avro.DeadlineKind;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.HostkeyErrorClass;
import com.hostkey.reinstall.schemas.avro.RebootServer;
import com.hostkey.reinstall.schemas.avro.ReinstallKeyCreated;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.SetBootDevice;
import com.hostkey.reinstall.schemas.avro.ValidateReinstall;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The saga's metrics, recorded by the real topology as it forwards its decisions. */
class SagaMetricsTest extends ProjectorTopologyTestBase {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @Override
    protected SagaMetrics sagaMetrics() {
        return new SagaMetrics(registry);
    }

    @Test
    void shouldRecordTheCompletionWithStepAndStageDurationsByOsServerTypeAndLocation() {
        driveToReboot();
        answer(nextCommand(RebootServer.class), accepted(AsyncActionKind.REBOOT, "reboot-key"));
        poller(ActionCompleted.newBuilder().setAction(AsyncActionKind.REBOOT).setCallbackKey("reboot-key").build());
        for (int stage = 1; stage <= 5; stage++) {
            poller(stage(stage));
        }
        acceptAndComplete(nextCommand(SetBootDevice.class), AsyncActionKind.BOOT_FROM_DISK, "boot-disk-key");
        acceptAndComplete(nextCommand(ClearPxeConfig.class), AsyncActionKind.CLEAR_PXE, "clear-key");
        assertThat(state().getPhase()).isEqualTo(ReinstallPhase.COMPLETED);

        String where = "location=\"NL\",os=\"Ubuntu 22.04\"";
        assertThat(registry.scrape())
                .contains("reinstall_completions_total{outcome=\"completed\",reason=\"none\"} 1")
                .contains("reinstall_duration_seconds_count{" + where + ",outcome=\"completed\",server_type=\"bm\"} 1")
                .contains("reinstall_step_duration_seconds_count{" + where + ",server_type=\"bm\",step=\"CREATING_PXE_CONFIG\"} 1")
                .contains("reinstall_step_duration_seconds_count{" + where + ",server_type=\"bm\",step=\"INSTALLING\"} 1")
                .contains("reinstall_step_duration_seconds_bucket{" + where + ",server_type=\"bm\",step=\"INSTALLING\",le=\"60.0\"}")
                .contains("reinstall_stage_duration_seconds_count{" + where + ",server_type=\"bm\",stage=\"1\"} 1")
                .contains("reinstall_stage_duration_seconds_count{" + where + ",server_type=\"bm\",stage=\"5\"} 1")
                .doesNotContain("step=\"COMPLETED\"")
                .doesNotContain(KEY + "\"");
        // Each stage lasted one tick of the test clock: one second.
        assertThat(registry.get("reinstall.stage.duration").tag("stage", "2").timer().totalTime(TimeUnit.SECONDS))
                .isEqualTo(1.0);
    }

    @Test
    void shouldCountDeadlineExpiriesByKindAndRetriesByPhase() {
        submit("req-1", List.of());
        answer(nextCommand(ValidateReinstall.class), validated());
        answer(nextCommand(CreateReinstallKey.class), ReinstallKeyCreated.newBuilder().setReinstallKey("master-key").build());
        answer(nextCommand(CreatePxeConfig.class), HostkeyCallFailed.newBuilder()
                .setCall("eq/create_pxe").setErrorClass(HostkeyErrorClass.TRANSIENT).setMessage("HTTP 503").build());
        assertThat(registry.get("reinstall.retries").tag("phase", "CREATING_PXE_CONFIG").counter().count()).isEqualTo(1);

        advance(SAGA.maxRetryBackoff().plusSeconds(60));
        acceptAndComplete(nextCommand(CreatePxeConfig.class), AsyncActionKind.CREATE_PXE, "pxe-key");
        acceptAndComplete(nextCommand(SetBootDevice.class), AsyncActionKind.BOOT_FROM_PXE, "boot-pxe-key");
        answer(nextCommand(RebootServer.class), accepted(AsyncActionKind.REBOOT, "reboot-key"));
        advance(SAGA.firstStage().plusSeconds(2));

        assertThat(registry.get("reinstall.deadline.expiries").tag("deadline", DeadlineKind.FIRST_STAGE.name()).counter().count())
                .isEqualTo(1);
        assertThat(registry.scrape()).contains("reinstall_deadline_expiries_total{deadline=\"FIRST_STAGE\",phase=");
    }

    @Test
    void shouldCountOpenReinstallsByPhaseAndLeaveEndedOnesOut() {
        driveToReboot();
        submit(1002, "req-2", List.of(), List.of());
        submit(1003, "req-3", List.of(), List.of());
        ReinstallPhase rebooting = state().getPhase();
        store.put("1003", ReinstallState.newBuilder(stateOf(1003)).setPhase(ReinstallPhase.COMPLETED).build());

        Map<ReinstallPhase, Long> open = ProjectorMetrics.countOpen(store);

        assertThat(open).containsEntry(rebooting, 1L).containsEntry(ReinstallPhase.VALIDATING, 1L).doesNotContainKey(ReinstallPhase.COMPLETED);
        assertThat(open.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(2);
    }

    @Test
    void shouldCountAdmissionsByTheTasksReserveAndByTheOwner() {
        for (long server = 1001; server <= 1002; server++) {
            submit(server, "r" + server, List.of(), List.of());
            answer(nextCommand(ValidateReinstall.class), validated());
            nextCommand(CreateReinstallKey.class);
        }

        assertThat(registry.scrape())
                .contains("reinstall_admissions_total{by=\"owner\"} 1")
                .contains("reinstall_admissions_total{by=\"reserve\"} 1");
    }
}
