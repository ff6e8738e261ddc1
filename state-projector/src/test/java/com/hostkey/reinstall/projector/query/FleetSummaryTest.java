package com.hostkey.reinstall.projector.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.schemas.avro.DeadlineKind;
import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FleetSummaryTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:30:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldCountPhasesLocationsFailuresAndFinishesPerHourAcrossInstances() throws Exception {
        FleetSummary first = new FleetSummary(NOW, 3);
        first.count(state(1, ReinstallPhase.INSTALLING, "NL").build());
        first.count(state(2, ReinstallPhase.COMPLETED, "NL").setFinishedAt(NOW.minus(Duration.ofMinutes(10))).build());
        first.count(state(3, ReinstallPhase.FAILED, "US").setFailureKind(FailureKind.DEADLINE)
                .setFinishedAt(NOW.minus(Duration.ofHours(2))).setConsecutiveFailures(3).build());
        FleetSummary second = new FleetSummary(NOW, 3);
        second.count(state(4, ReinstallPhase.FAILED, null).setFailureKind(FailureKind.INSTALL_FAILED)
                .setFinishedAt(NOW.minus(Duration.ofMinutes(5))).build());
        second.count(state(5, ReinstallPhase.COMPLETED, "DE").setFinishedAt(NOW.minus(Duration.ofHours(30))).build());

        FleetSummary gathered = new FleetSummary(NOW, 3);
        for (FleetSummary share : List.of(first, second)) {
            // Shares travel between instances as JSON.
            gathered.add(JSON.readValue(JSON.writeValueAsBytes(share.share()), new TypeReference<Map<String, Object>>() {}));
        }
        Map<String, Object> answer = gathered.answer(2);

        assertThat(answer).containsEntry("total", 5L).containsEntry("active", 1L).containsEntry("quarantined", 1L)
                .containsEntry("instances", 2);
        assertThat(answer.get("byPhase")).isEqualTo(Map.of("INSTALLING", 1L, "COMPLETED", 2L, "FAILED", 2L));
        assertThat(((Map<?, ?>) answer.get("byPhase")).keySet().stream().map(String::valueOf).toList()).containsExactly("INSTALLING", "COMPLETED", "FAILED");
        assertThat(answer.get("byLocation")).isEqualTo(Map.of("NL", 2L, "US", 1L, "DE", 1L, "unknown", 1L));
        assertThat(answer.get("failuresByKind")).isEqualTo(Map.of("DEADLINE", 1L, "INSTALL_FAILED", 1L));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> hours = (List<Map<String, Object>>) answer.get("finishedPerHour");
        assertThat(hours).hasSize(24);
        assertThat(hours.get(23)).containsEntry("hour", "2026-11-24T10:00:00Z").containsEntry("finished", 2L)
                .containsEntry("COMPLETED", 1L).containsEntry("FAILED", 1L);
        assertThat(hours.get(21)).containsEntry("hour", "2026-11-24T08:00:00Z").containsEntry("finished", 1L);
        assertThat(hours.get(0)).containsEntry("hour", "2026-11-23T11:00:00Z").containsEntry("finished", 0L);
        assertThat(hours.stream().mapToLong(h -> (Long) h.get("finished")).sum()).as("30 h ago is out").isEqualTo(3);
    }

    @Test
    void shouldCallAWaitNearItsDeadlinePastEightyPercent() {
        Instant entered = NOW.minus(Duration.ofMinutes(9));
        ReinstallState waiting = state(1, ReinstallPhase.AWAITING_PXE_CONFIG, "NL")
                .setPhaseTimes(new HashMap<>(Map.of("AWAITING_PXE_CONFIG", entered.toEpochMilli())))
                .setDeadlineKind(DeadlineKind.ACTION_CALLBACK).setDeadlineAt(entered.plus(Duration.ofMinutes(10))).build();

        assertThat(FleetSummary.nearDeadline(waiting, NOW)).isTrue();
        assertThat(FleetSummary.nearDeadline(waiting, NOW.minus(Duration.ofMinutes(2)))).isFalse();

        // Installing: the wait restarts at every stage.
        ReinstallState installing = ReinstallState.newBuilder(waiting).setPhase(ReinstallPhase.INSTALLING).setInstallStage(2)
                .setPhaseTimes(new HashMap<>(Map.of("INSTALLING", NOW.minus(Duration.ofMinutes(50)).toEpochMilli())))
                .setStageTimes(new HashMap<>(Map.of("2", NOW.minus(Duration.ofMinutes(5)).toEpochMilli())))
                .setDeadlineAt(NOW.plus(Duration.ofMinutes(25))).build();
        assertThat(FleetSummary.nearDeadline(installing, NOW)).isFalse();

        FleetSummary summary = new FleetSummary(NOW, 3);
        summary.count(waiting);
        summary.count(installing);
        assertThat(summary.answer(1)).containsEntry("nearDeadline", 1L).containsEntry("active", 2L);
    }

    private static ReinstallState.Builder state(long server, ReinstallPhase phase, String location) {
        return ReinstallState.newBuilder().setServerId(server).setReinstallId("r-" + server).setRequestId("q-" + server)
                .setAccount("default").setRequestedBy("test").setPhase(phase).setOsId(101).setHostname("srv" + server)
                .setLocation(location).setRequestedAt(NOW.minus(Duration.ofHours(1))).setUpdatedAt(NOW);
    }
}
