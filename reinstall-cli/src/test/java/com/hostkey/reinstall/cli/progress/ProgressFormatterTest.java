package com.hostkey.reinstall.cli.progress;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.cli.Events;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressFormatterTest {

    @Test
    void shouldDrawTheBarInProportion() {
        assertThat(ProgressFormatter.bar(0, 10)).isEqualTo("[----------]");
        assertThat(ProgressFormatter.bar(0.44, 10)).isEqualTo("[####------]");
        assertThat(ProgressFormatter.bar(1, 10)).isEqualTo("[##########]");
    }

    @Test
    void shouldListTheNineStepsWithMarksTimesAndInferredStages() {
        Events events = new Events(1001, "r-1", "req-1");
        ProgressModel model = new ProgressModel(1001, "req-1", "r-1", List.of());
        events.throughInstall().subList(0, 10).forEach(model::apply);
        model.apply(events.event(40, Events.inferredStage(2)));
        model.apply(events.event(40, Events.stage(3)));

        List<String> table = ProgressFormatter.table(model, Events.at(45));

        assertThat(table.getFirst()).isEqualTo("Server 1001  reinstall r-1  Ubuntu 22.04 (bm, NL)");
        assertThat(table.get(1)).contains("[############--------]  61%").contains("5/9 steps").contains("elapsed 44.5s");
        assertThat(table).anyMatch(l -> l.matches("\\s+\\[x] 1 reinstall key\\s+0\\.5s"));
        assertThat(table).anyMatch(l -> l.matches("\\s+\\[>] 6 installer stages 2-5\\s+25\\.0s\\s+stages 1 2\\* 3 \\. \\."));
        assertThat(table).anyMatch(l -> l.matches("\\s+\\[ ] 9 clear PXE config"));
        assertThat(table).contains("  (* stage inferred from a later one: the check skipped it)");
    }

    @Test
    void shouldGiveScriptsEveryStepAndStageAsJson() {
        Events events = new Events(1001, "r-1", "req-1");
        ProgressModel model = new ProgressModel(1001, "req-1", "r-1", List.of());
        events.happyPath().forEach(model::apply);
        model.complete(events.completion(70, Events.completedOutcome()));

        Map<String, Object> json = ProgressFormatter.json(model, Events.at(80));

        assertThat(json).containsEntry("serverId", 1001L).containsEntry("outcome", "COMPLETED").containsEntry("percent", 100)
                .containsEntry("stepsDone", 9).containsEntry("elapsedMs", Duration.ofSeconds(70).toMillis());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) json.get("steps");
        assertThat(steps).hasSize(9);
        assertThat(steps.get(7)).containsEntry("step", 8).containsEntry("status", "SKIPPED");
        assertThat(steps.get(0)).containsEntry("status", "DONE").containsEntry("elapsedMs", 500L);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> stages = (List<Map<String, Object>>) json.get("stages");
        assertThat(stages).extracting(s -> s.get("observed")).containsOnly(true);
    }

    @Test
    void shouldFormatDurationsShortly() {
        assertThat(Durations.format(Duration.ofMillis(4400))).isEqualTo("4.4s");
        assertThat(Durations.format(Duration.ofSeconds(723))).isEqualTo("12m03s");
        assertThat(Durations.format(Duration.ofMinutes(62))).isEqualTo("1h02m");
        assertThat(Durations.offset(Duration.ofMillis(1200), 8)).isEqualTo("   +1.2s");
    }
}
