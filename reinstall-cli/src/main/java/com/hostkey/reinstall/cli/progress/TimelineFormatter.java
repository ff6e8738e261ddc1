package com.hostkey.reinstall.cli.progress;

import com.hostkey.reinstall.schemas.ReinstallStep;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A server's event history as a timeline: grouped by reinstall (in order of first appearance),
 * each event with the time since the previous one and since the reinstall's first, described as
 * watch describes it. Pure.
 */
public final class TimelineFormatter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String NO_REINSTALL = "(no reinstall)";

    private TimelineFormatter() {}

    public record Entry(ReinstallEvent event, EventDescription description, Duration sincePrevious, Duration sinceStart) {}

    /** One reinstall's events in time order. */
    public record Timeline(String reinstallId, List<Entry> entries) {

        public Instant first() {
            return entries.getFirst().event().getOccurredAt();
        }

        public Duration total() {
            return entries.getLast().sinceStart();
        }
    }

    /** Groups the events by reinstall and orders each group by time (stable, so ties keep the log's order). */
    public static List<Timeline> group(List<ReinstallEvent> events) {
        Map<String, List<ReinstallEvent>> byReinstall = new LinkedHashMap<>();
        for (ReinstallEvent event : events) {
            String id = event.getReinstallId() == null ? NO_REINSTALL : event.getReinstallId();
            byReinstall.computeIfAbsent(id, k -> new ArrayList<>()).add(event);
        }
        List<Timeline> timelines = new ArrayList<>();
        byReinstall.forEach((id, group) -> {
            List<ReinstallEvent> sorted = group.stream().sorted(Comparator.comparing(ReinstallEvent::getOccurredAt)).toList();
            Instant start = sorted.getFirst().getOccurredAt();
            Instant previous = start;
            List<Entry> entries = new ArrayList<>();
            for (ReinstallEvent event : sorted) {
                entries.add(new Entry(event, EventDescription.of(event), Duration.between(previous, event.getOccurredAt()),
                        Duration.between(start, event.getOccurredAt())));
                previous = event.getOccurredAt();
            }
            timelines.add(new Timeline(id, List.copyOf(entries)));
        });
        return timelines;
    }

    public static List<String> lines(List<Timeline> timelines) {
        List<String> lines = new ArrayList<>();
        for (Timeline timeline : timelines) {
            if (!lines.isEmpty()) {
                lines.add("");
            }
            int count = timeline.entries().size();
            lines.add("Reinstall " + timeline.reinstallId() + "  " + count + (count == 1 ? " event" : " events") + " over "
                    + Durations.format(timeline.total()) + ", from " + TIME.format(timeline.first()) + " UTC");
            lines.add(String.format(Locale.ROOT, "  %-23s %9s %9s  %s", "TIME (UTC)", "PREVIOUS", "TOTAL", "EVENT"));
            for (Entry entry : timeline.entries()) {
                lines.add(String.format(Locale.ROOT, "  %-23s %9s %9s  %s", TIME.format(entry.event().getOccurredAt()),
                        Durations.offset(entry.sincePrevious(), 9).strip(), Durations.offset(entry.sinceStart(), 9).strip(),
                        entry.description().line()));
            }
        }
        return lines;
    }

    public static List<Map<String, Object>> json(List<Timeline> timelines) {
        List<Map<String, Object>> json = new ArrayList<>();
        for (Timeline timeline : timelines) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("reinstallId", NO_REINSTALL.equals(timeline.reinstallId()) ? null : timeline.reinstallId());
            group.put("firstAt", timeline.first().toString());
            group.put("totalMs", timeline.total().toMillis());
            List<Map<String, Object>> events = new ArrayList<>();
            for (Entry entry : timeline.entries()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("eventId", entry.event().getEventId());
                e.put("occurredAt", entry.event().getOccurredAt().toString());
                e.put("sincePreviousMs", entry.sincePrevious().toMillis());
                e.put("sinceStartMs", entry.sinceStart().toMillis());
                e.put("type", EventDescription.typeOf(entry.event()));
                e.put("step", entry.description().step().map(ReinstallStep::number).orElse(null));
                e.put("level", entry.description().level().name());
                e.put("description", entry.description().text());
                e.put("source", entry.event().getSource());
                e.put("commandId", entry.event().getCommandId());
                events.add(e);
            }
            group.put("events", events);
            json.add(group);
        }
        return json;
    }
}
