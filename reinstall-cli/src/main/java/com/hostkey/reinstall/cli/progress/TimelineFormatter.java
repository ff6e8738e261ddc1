package com.hostkey.reinstall.cli.progress;

import com.hostkey.reinstall.cli.state.HistoryEntryView;
import com.hostkey.reinstall.schemas.ReinstallStep;
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
 * A server's history, as the state projector serves it, shown as a timeline: grouped by reinstall
 * (in order of first appearance), each entry with the time since the previous one and since the
 * reinstall's first. A cancel or release request names no reinstall: it is shown with the reinstall
 * of the entry before it, the one it was aimed at. Presentation only: each entry's words, step and
 * level are the projector's. Pure.
 */
public final class TimelineFormatter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String NO_REINSTALL = "(no reinstall)";

    private TimelineFormatter() {}

    public record Entry(HistoryEntryView entry, Duration sincePrevious, Duration sinceStart) {}

    /** One reinstall's entries in time order; {@code reinstallId} null for requests before any reinstall. */
    public record Timeline(String reinstallId, List<Entry> entries) {

        public Instant first() {
            return entries.getFirst().entry().at();
        }

        public Duration total() {
            return entries.getLast().sinceStart();
        }
    }

    /** One entry in a line: "5/9 installer stage 1/5: Stage 1", "    WARN: Hostkey call ... failed". */
    public static String describe(HistoryEntryView entry) {
        String step = entry.step() > 0 ? entry.step() + "/" + ReinstallStep.COUNT : "   ";
        return step + " " + (entry.isInfo() ? "" : entry.level() + ": ") + entry.summary();
    }

    /** Groups the entries (oldest first, as served) by reinstall and orders each group by time (stable: ties keep the served order). */
    public static List<Timeline> group(List<HistoryEntryView> entries) {
        Map<String, List<HistoryEntryView>> byReinstall = new LinkedHashMap<>();
        String previous = null;
        for (HistoryEntryView entry : entries) {
            String id = entry.reinstallId() != null ? entry.reinstallId() : previous;
            byReinstall.computeIfAbsent(id == null ? NO_REINSTALL : id, k -> new ArrayList<>()).add(entry);
            previous = id;
        }
        List<Timeline> timelines = new ArrayList<>();
        byReinstall.forEach((id, group) -> {
            List<HistoryEntryView> sorted = group.stream().sorted(Comparator.comparing(HistoryEntryView::at)).toList();
            Instant start = sorted.getFirst().at();
            Instant before = start;
            List<Entry> timed = new ArrayList<>();
            for (HistoryEntryView entry : sorted) {
                timed.add(new Entry(entry, Duration.between(before, entry.at()), Duration.between(start, entry.at())));
                before = entry.at();
            }
            timelines.add(new Timeline(NO_REINSTALL.equals(id) ? null : id, List.copyOf(timed)));
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
            lines.add((timeline.reinstallId() == null ? "Before any reinstall" : "Reinstall " + timeline.reinstallId()) + "  "
                    + count + (count == 1 ? " entry" : " entries") + " over " + Durations.format(timeline.total())
                    + ", from " + TIME.format(timeline.first()) + " UTC");
            lines.add(String.format(Locale.ROOT, "  %-23s %9s %9s  %s", "TIME (UTC)", "PREVIOUS", "TOTAL", "ENTRY"));
            for (Entry entry : timeline.entries()) {
                lines.add(String.format(Locale.ROOT, "  %-23s %9s %9s  %s", TIME.format(entry.entry().at()),
                        Durations.offset(entry.sincePrevious(), 9).strip(), Durations.offset(entry.sinceStart(), 9).strip(),
                        describe(entry.entry())));
            }
        }
        return lines;
    }

    /**
     * The timelines for scripts: {@code [{"reinstallId", "firstAt", "totalMs", "entries": [{"id", "at",
     * "sincePreviousMs", "sinceStartMs", "type", "step", "level", "summary", "source"}]}]}; ids and
     * times as the projector sent them.
     */
    public static List<Map<String, Object>> json(List<Timeline> timelines) {
        List<Map<String, Object>> json = new ArrayList<>();
        for (Timeline timeline : timelines) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("reinstallId", timeline.reinstallId());
            group.put("firstAt", timeline.first().toString());
            group.put("totalMs", timeline.total().toMillis());
            List<Map<String, Object>> entries = new ArrayList<>();
            for (Entry entry : timeline.entries()) {
                HistoryEntryView e = entry.entry();
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("id", e.id());
                item.put("at", e.at().toString());
                item.put("sincePreviousMs", entry.sincePrevious().toMillis());
                item.put("sinceStartMs", entry.sinceStart().toMillis());
                item.put("type", e.type());
                item.put("step", e.step());
                item.put("level", e.level());
                item.put("summary", e.summary());
                item.put("source", e.source());
                entries.add(item);
            }
            group.put("entries", entries);
            json.add(group);
        }
        return json;
    }
}
