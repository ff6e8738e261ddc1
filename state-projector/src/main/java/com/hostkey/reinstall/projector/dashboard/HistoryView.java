package com.hostkey.reinstall.projector.dashboard;

import com.hostkey.reinstall.projector.saga.TimelineEntries;
import com.hostkey.reinstall.projector.saga.TimelineStore;
import com.hostkey.reinstall.schemas.avro.HistoryEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A server's timeline as {@code GET /reinstalls/{serverId}/history} serves it: its entries as
 * {@link TimelineStore#timeline} reads them, oldest first, each worded now from its stored facts
 * ({@link TimelineEntries#render}): a one-line summary without secrets or keys.
 */
public final class HistoryView {

    private HistoryView() {}

    /**
     * The answer: {@code {"serverId", "count", "keeps", "entries": [{"id", "at", "type", "reinstallId", "step", "level",
     * "summary", "source"}]}}; {@code keeps} is how many entries the store keeps per server (the oldest go first).
     */
    public static Map<String, Object> of(long serverId, List<HistoryEntry> timeline) {
        List<Map<String, Object>> entries = new ArrayList<>(timeline.size());
        for (HistoryEntry entry : timeline) {
            TimelineEntries.Line line = TimelineEntries.render(entry);
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", entry.getId());
            view.put("at", entry.getAt().toString());
            view.put("type", entry.getType());
            view.put("reinstallId", entry.getReinstallId());
            view.put("step", line.step());
            view.put("level", line.level().name());
            view.put("summary", line.summary());
            view.put("source", entry.getSource());
            entries.add(view);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("serverId", serverId);
        answer.put("count", entries.size());
        answer.put("keeps", TimelineEntries.MAX_ENTRIES);
        answer.put("entries", entries);
        return answer;
    }
}
