package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.projector.query.StateView;
import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepProgressTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void shouldSayValidatingAndQueuedBeforeTheFirstStep() {
        assertThat(StepProgress.of(state(ReinstallPhase.VALIDATING, 0, Map.of())).text()).isEqualTo("validating");
        StepProgress queued = StepProgress.of(ReinstallState.newBuilder(state(ReinstallPhase.QUEUED, 0, Map.of()))
                .setQueuePosition(3).build());
        assertThat(queued.text()).isEqualTo("queued (#3)");
        assertThat(queued.step()).isZero();
        assertThat(queued.steps()).extracting(StepProgress.Step::status).containsOnly("pending");
    }

    @Test
    void shouldShowTheStepInProgressWithTheDoneOnesBeforeIt() {
        StepProgress progress = StepProgress.of(state(ReinstallPhase.INSTALLING, 0, phases(
                "CREATING_REINSTALL_KEY", 0, "CREATING_PXE_CONFIG", 1, "SETTING_BOOT_PXE", 5, "REBOOTING", 9, "INSTALLING", 10)));

        assertThat(progress.step()).isEqualTo(5);
        assertThat(progress.text()).isEqualTo("5/9 install started (stage 1)");
        assertThat(progress.steps()).extracting(StepProgress.Step::status).containsExactly(
                "done", "done", "done", "done", "in progress", "pending", "pending", "pending", "pending");
        assertThat(progress.steps().get(3).startedAt()).isEqualTo(T0.plusSeconds(9));
        assertThat(progress.steps().get(3).endedAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(progress.steps().get(4).running()).isTrue();
        assertThat(progress.steps().get(4).endedAt()).isNull();
    }

    @Test
    void shouldMarkTheFailedStepTheSkippedOnesAndTheCleanupWhileItRunsAndOnceItEnded() {
        Map<String, Long> times = phases("CREATING_REINSTALL_KEY", 0, "CREATING_PXE_CONFIG", 1, "SETTING_BOOT_PXE", 5,
                "REBOOTING", 9, "SETTING_BOOT_DISK", 70);
        ReinstallState cleaning = ReinstallState.newBuilder(state(ReinstallPhase.SETTING_BOOT_DISK, 0, times))
                .setFailureKind(FailureKind.DEADLINE).setFailurePhase(ReinstallPhase.REBOOTING).build();

        StepProgress during = StepProgress.of(cleaning);
        assertThat(during.cleaningUp()).isTrue();
        assertThat(during.text()).isEqualTo("7/9 boot from disk (cleanup)");
        assertThat(during.steps()).extracting(StepProgress.Step::status).containsExactly(
                "done", "done", "done", "failed", "skipped", "skipped", "cleanup, in progress", "pending", "pending");

        Map<String, Long> ended = new HashMap<>(times);
        ended.put("CLEARING_PXE_CONFIG", T0.plusSeconds(80).toEpochMilli());
        StepProgress after = StepProgress.of(ReinstallState.newBuilder(cleaning).setPhase(ReinstallPhase.FAILED)
                .setPhaseTimes(ended).setFinishedAt(T0.plusSeconds(90)).build());
        assertThat(after.text()).isEqualTo("failed in 4/9 reboot");
        assertThat(after.cleaningUp()).isFalse();
        assertThat(after.steps()).extracting(StepProgress.Step::status).containsExactly(
                "done", "done", "done", "failed", "skipped", "skipped", "cleanup", "skipped", "cleanup");
        assertThat(after.steps().get(8).endedAt()).isEqualTo(T0.plusSeconds(90));
    }

    @Test
    void shouldSayDoneForACompletedReinstallAndSkippedForStepsThatNeverBegan() {
        StepProgress progress = StepProgress.of(ReinstallState.newBuilder(state(ReinstallPhase.COMPLETED, 5, phases(
                "CREATING_REINSTALL_KEY", 0, "CREATING_PXE_CONFIG", 1, "SETTING_BOOT_PXE", 5, "REBOOTING", 9, "INSTALLING", 10,
                "SETTING_BOOT_DISK", 60, "CLEARING_PXE_CONFIG", 65)))
                .setStageTimes(new HashMap<>(Map.of("1", T0.plusSeconds(20).toEpochMilli()))).setFinishedAt(T0.plusSeconds(70)).build());

        assertThat(progress.step()).isEqualTo(9);
        assertThat(progress.text()).isEqualTo("9/9 done");
        assertThat(progress.steps()).extracting(StepProgress.Step::status).containsExactly(
                "done", "done", "done", "done", "done", "done", "done", "skipped", "done");
        assertThat(progress.steps()).extracting(StepProgress.Step::label).startsWith("reinstall key", "PXE config");
    }

    @Test
    void shouldServeItAsTheStatesProgress() {
        Map<String, Object> view = StateView.of(state(ReinstallPhase.REBOOTING, 0, phases("CREATING_REINSTALL_KEY", 0,
                "CREATING_PXE_CONFIG", 1, "SETTING_BOOT_PXE", 5, "REBOOTING", 9)));

        @SuppressWarnings("unchecked")
        Map<String, Object> progress = (Map<String, Object>) view.get("progress");
        assertThat(progress).containsEntry("step", 4).containsEntry("of", 9).containsEntry("text", "4/9 reboot");
        assertThat((List<?>) progress.get("steps")).hasSize(9);
    }

    private static ReinstallState state(ReinstallPhase phase, int stage, Map<String, Long> phaseTimes) {
        return ReinstallState.newBuilder()
                .setServerId(1001).setReinstallId("r").setRequestId("q").setAccount("default").setRequestedBy("t")
                .setPhase(phase).setInstallStage(stage).setOsId(101).setHostname("h.example.net")
                .setRequestedAt(T0).setUpdatedAt(T0)
                .setPhaseTimes(new HashMap<>(phaseTimes)).setStageTimes(new HashMap<>()).setAttempts(new HashMap<>())
                .build();
    }

    /** Phase name, seconds after T0, ... */
    private static Map<String, Long> phases(Object... pairs) {
        Map<String, Long> times = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            times.put((String) pairs[i], T0.plusSeconds((Integer) pairs[i + 1]).toEpochMilli());
        }
        return times;
    }
}
