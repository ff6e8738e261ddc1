package com.hostkey.reinstall.cli.progress;

import static com.hostkey.reinstall.cli.ProjectorJson.at;
import static com.hostkey.reinstall.cli.ProjectorJson.completed;
import static com.hostkey.reinstall.cli.ProjectorJson.failedInReboot;
import static com.hostkey.reinstall.cli.ProjectorJson.installing;
import static com.hostkey.reinstall.cli.ProjectorJson.state;
import static com.hostkey.reinstall.cli.ProjectorJson.validating;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.cli.ProjectorJson;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressFormatterTest {

    private static ReinstallStateView view(ProjectorJson.State state) throws Exception {
        return ReinstallStateView.from(new ObjectMapper().readTree(state.json()));
    }

    @Test
    void shouldDrawTheBarInProportion() {
        assertThat(ProgressFormatter.bar(0, 10)).isEqualTo("[----------]");
        assertThat(ProgressFormatter.bar(0.44, 10)).isEqualTo("[####------]");
        assertThat(ProgressFormatter.bar(1, 10)).isEqualTo("[##########]");
    }

    @Test
    void shouldCountTheStepsBeforeTheProjectorsCurrentOneAndTheStagesReached() throws Exception {
        assertThat(ProgressFormatter.percent(null)).isZero();
        assertThat(ProgressFormatter.percent(view(validating(1, "r", "q")))).isZero();
        assertThat(ProgressFormatter.percent(view(installing(1, "r", "q").installStage(4)))).isEqualTo(63); // (5 + 3/4) / 9
        assertThat(ProgressFormatter.percent(view(failedInReboot(1, "r", "q")))).isEqualTo(33);
        assertThat(ProgressFormatter.percent(view(completed(1, "r", "q")))).isEqualTo(100);
    }

    @Test
    void shouldListTheProjectorsStepsWithMarksTimesStagesAndTasks() throws Exception {
        ReinstallStateView view = view(installing(1001, "r-1", "q-1").tasks(List.of("agent"), List.of("extras")).skipped("extras"));

        List<String> table = ProgressFormatter.table(view, at(45));

        assertThat(table.getFirst()).isEqualTo("Server 1001  reinstall r-1  Ubuntu 22.04 (bm, NL)");
        assertThat(table.get(1)).contains("[############--------]  58%").contains("5/9 steps done").contains("elapsed 45.0s");
        assertThat(table.get(2)).isEqualTo("  progress: 6/9 installer stages 2-5");
        assertThat(table).anyMatch(l -> l.matches("\\s+\\[x] 1 reinstall key\\s+1\\.0s"));
        assertThat(table).anyMatch(l -> l.matches("\\s+\\[>] 6 installer stages 2-5\\s+25\\.0s\\s+stages 1 2 \\. \\. \\."));
        assertThat(table).anyMatch(l -> l.matches("\\s+\\[ ] 8 Jenkins tasks\\s+tasks agent, extras, skipped extras"));
        assertThat(table).anyMatch(l -> l.matches("\\s+\\[ ] 9 clear PXE config"));
        assertThat(table).noneMatch(l -> l.contains("Outcome"));
    }

    @Test
    void shouldShowCleanupAndTheFailureAsTheProjectorSaysThem() throws Exception {
        List<String> table = ProgressFormatter.table(view(failedInReboot(1001, "r-1", "q-1")), at(100));

        assertThat(table).anyMatch(l -> l.matches("\\s+\\[!] 4 reboot\\s+23\\.0s"));
        assertThat(table).anyMatch(l -> l.matches("\\s+\\[-] 5 install started \\(stage 1\\)"));
        assertThat(table).anyMatch(l -> l.matches("\\s+\\[x] 9 clear PXE config\\s+5\\.0s\\s+cleanup"));
        assertThat(table).anyMatch(l -> l.matches("\\s+\\[-] 8 Jenkins tasks\\s+none requested"));
        assertThat(table.getLast()).isEqualTo("  Outcome: FAILED in 4/9 reboot (AUTH): the reboot was refused");
    }

    @Test
    void shouldShowAStatusItDoesNotKnowInWords() throws Exception {
        ReinstallStateView view = view(state(1001, "r-1", "q-1").phase("REBOOTING").progress(4, "4/9 reboot")
                .steps("done", "done", "done", "paused by operator", "pending", "pending", "pending", "pending", "pending")
                .starts(1.0, 2.0, 5.0, 7.0, null, null, null, null, null));

        assertThat(ProgressFormatter.table(view, at(10))).anyMatch(l -> l.matches("\\s+\\[\\?] 4 reboot\\s+paused by operator"));
    }

    @Test
    void shouldSayWhenTheProjectorServesNoProgress() throws Exception {
        ReinstallStateView view = ReinstallStateView.from(new ObjectMapper().readTree("{\"serverId\": 1, \"phase\": \"REBOOTING\"}"));

        assertThat(ProgressFormatter.table(view, at(10))).contains("  progress: REBOOTING")
                .anyMatch(l -> l.contains("serves no step progress"));
        assertThat(ProgressFormatter.percent(view)).isZero();
    }

    @Test
    void shouldFormatDurationsShortly() {
        assertThat(Durations.format(Duration.ofMillis(4400))).isEqualTo("4.4s");
        assertThat(Durations.format(Duration.ofSeconds(723))).isEqualTo("12m03s");
        assertThat(Durations.format(Duration.ofMinutes(62))).isEqualTo("1h02m");
        assertThat(Durations.offset(Duration.ofMillis(1200), 8)).isEqualTo("   +1.2s");
    }
}
