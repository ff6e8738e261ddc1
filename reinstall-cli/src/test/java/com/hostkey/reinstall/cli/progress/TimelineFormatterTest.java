package com.hostkey.reinstall.cli.progress;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.cli.Events;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TimelineFormatterTest {

    private final Events first = new Events(1001, "r-1", "req-1");
    private final Events second = new Events(1001, "r-2", "req-2");

    @Test
    void shouldGroupByReinstallAndMeasureTheTimeBetweenEvents() {
        List<ReinstallEvent> log = List.of(
                first.event(0.5, Events.validated()),
                first.event(1.5, Events.keyCreated()),
                first.event(1, Events.admitted()), // written late by another producer: ordered by time
                second.event(100, Events.validated()));

        List<TimelineFormatter.Timeline> timelines = TimelineFormatter.group(log);

        assertThat(timelines).extracting(TimelineFormatter.Timeline::reinstallId).containsExactly("r-1", "r-2");
        List<TimelineFormatter.Entry> entries = timelines.getFirst().entries();
        assertThat(entries).extracting(e -> EventDescription.typeOf(e.event()))
                .containsExactly("ReinstallValidated", "AdmissionGranted", "ReinstallKeyCreated");
        assertThat(entries).extracting(e -> e.sincePrevious().toMillis()).containsExactly(0L, 500L, 500L);
        assertThat(entries).extracting(e -> e.sinceStart().toMillis()).containsExactly(0L, 500L, 1000L);
        assertThat(timelines.getFirst().total().toMillis()).isEqualTo(1000);
    }

    @Test
    void shouldPrintOneLinePerEventWithTimeDurationsAndStep() {
        List<String> lines = TimelineFormatter.lines(TimelineFormatter.group(List.of(
                first.event(0, Events.validated()),
                first.event(2, Events.accepted(AsyncActionKind.CREATE_PXE)),
                first.event(74, Events.inferredStage(2)))));

        assertThat(lines.getFirst()).isEqualTo("Reinstall r-1  3 events over 1m14s, from 2026-11-24 10:00:00.000 UTC");
        assertThat(lines.get(2)).contains("2026-11-24 10:00:00.000").contains("+0.0s").contains("validated: Ubuntu 22.04 fits this server (bm, NL)");
        assertThat(lines.get(3)).contains("+2.0s").contains("2/9 PXE config: requested");
        assertThat(lines.get(4)).contains("+1m12s").contains("+1m14s").contains("6/9 installer stage 2/5 (inferred");
    }

    @Test
    void shouldGiveScriptsTheTimelineAsJson() {
        List<Map<String, Object>> json = TimelineFormatter.json(TimelineFormatter.group(List.of(
                first.event(0, Events.validated()),
                first.event(3, Events.stage(1)))));

        assertThat(json).hasSize(1);
        assertThat(json.getFirst()).containsEntry("reinstallId", "r-1").containsEntry("totalMs", 3000L);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events = (List<Map<String, Object>>) json.getFirst().get("events");
        assertThat(events.get(1)).containsEntry("type", "InstallStageReached").containsEntry("step", 5)
                .containsEntry("sincePreviousMs", 3000L).containsEntry("level", "INFO")
                .containsKeys("eventId", "occurredAt", "description", "source", "commandId");
    }
}
