package com.hostkey.reinstall.cli.progress;

import static com.hostkey.reinstall.cli.ProjectorJson.history;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.cli.ProjectorJson;
import com.hostkey.reinstall.cli.state.HistoryEntryView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TimelineFormatterTest {

    private static List<HistoryEntryView> entries(ProjectorJson.History history) throws Exception {
        return HistoryEntryView.listFrom(new ObjectMapper().readTree(history.json()));
    }

    @Test
    void shouldGroupByReinstallAndMeasureTheTimeBetweenEntries() throws Exception {
        List<TimelineFormatter.Timeline> timelines = TimelineFormatter.group(entries(history(1001)
                .entry(0.5, "ReinstallValidated", "r-1", 0, "INFO", "validated")
                .entry(1.5, "ReinstallKeyCreated", "r-1", 1, "INFO", "reinstall key created")
                .entry(1, "AdmissionGranted", "r-1", 0, "INFO", "admitted") // filed late: ordered by time
                .entry(100, "ReinstallValidated", "r-2", 0, "INFO", "validated again")));

        assertThat(timelines).extracting(TimelineFormatter.Timeline::reinstallId).containsExactly("r-1", "r-2");
        List<TimelineFormatter.Entry> first = timelines.getFirst().entries();
        assertThat(first).extracting(e -> e.entry().type()).containsExactly("ReinstallValidated", "AdmissionGranted", "ReinstallKeyCreated");
        assertThat(first).extracting(e -> e.sincePrevious().toMillis()).containsExactly(0L, 500L, 500L);
        assertThat(first).extracting(e -> e.sinceStart().toMillis()).containsExactly(0L, 500L, 1000L);
        assertThat(timelines.getFirst().total().toMillis()).isEqualTo(1000);
    }

    @Test
    void shouldShowARequestThatNamesNoReinstallWithTheReinstallBeforeIt() throws Exception {
        List<TimelineFormatter.Timeline> timelines = TimelineFormatter.group(entries(history(1001)
                .entry(0, "ReleaseServer", null, 0, "INFO", "release from quarantine requested by ops")
                .entry(1, "ReinstallValidated", "r-1", 0, "INFO", "validated")
                .entry(2, "CancelReinstall", null, 0, "WARN", "cancel requested by ops")));

        assertThat(timelines).extracting(TimelineFormatter.Timeline::reinstallId).containsExactly(null, "r-1");
        assertThat(timelines.get(1).entries()).extracting(e -> e.entry().summary()).containsExactly("validated", "cancel requested by ops");
        assertThat(TimelineFormatter.lines(timelines).getFirst()).startsWith("Before any reinstall  1 entry over 0.0s");
    }

    @Test
    void shouldWordEachEntryWithItsStepAndLevelAsTheProjectorGaveThem() throws Exception {
        List<String> lines = TimelineFormatter.lines(TimelineFormatter.group(entries(history(1001)
                .entry(0, "ReinstallValidated", "r-1", 0, "INFO", "validated: Ubuntu 22.04 fits this server (bm, NL)")
                .entry(2, "ActionAccepted", "r-1", 2, "INFO", "PXE config: requested")
                .entry(74, "ActionFailed", "r-1", 4, "ERROR", "reboot: FAILED: no answer"))));

        assertThat(lines.getFirst()).isEqualTo("Reinstall r-1  3 entries over 1m14s, from 2026-11-24 10:00:00.000 UTC");
        assertThat(lines.get(2)).contains("2026-11-24 10:00:00.000").contains("+0.0s").endsWith("    validated: Ubuntu 22.04 fits this server (bm, NL)");
        assertThat(lines.get(3)).contains("+2.0s").endsWith("2/9 PXE config: requested");
        assertThat(lines.get(4)).contains("+1m12s").contains("+1m14s").endsWith("4/9 ERROR: reboot: FAILED: no answer");
    }

    @Test
    void shouldGiveScriptsTheTimelineAsJson() throws Exception {
        List<Map<String, Object>> json = TimelineFormatter.json(TimelineFormatter.group(entries(history(1001)
                .entry(0, "ReinstallValidated", "r-1", 0, "INFO", "validated")
                .entryWithoutId(3, "InstallStageReached", "r-1", 5, "INFO", "installer stage 1/5"))));

        assertThat(json).hasSize(1);
        assertThat(json.getFirst()).containsEntry("reinstallId", "r-1").containsEntry("totalMs", 3000L);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) json.getFirst().get("entries");
        assertThat(entries.get(0)).containsEntry("id", "r-1#0");
        assertThat(entries.get(1)).containsEntry("id", null).containsEntry("type", "InstallStageReached").containsEntry("step", 5)
                .containsEntry("sincePreviousMs", 3000L).containsEntry("level", "INFO").containsEntry("summary", "installer stage 1/5")
                .containsEntry("at", "2026-11-24T10:00:03Z").containsEntry("source", "test");
    }
}
