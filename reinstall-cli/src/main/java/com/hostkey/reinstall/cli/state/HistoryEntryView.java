package com.hostkey.reinstall.cli.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of the projector's {@code GET /reinstalls/{serverId}/history}: a fact about the server
 * in the projector's words. Read leniently like {@link ReinstallStateView}; {@link #json()} keeps
 * the entry as sent.
 *
 * @param id          the event's or request's id; null from a projector that does not send it
 * @param reinstallId null for a cancel or release request, which names no reinstall
 * @param step        the step of the nine it belongs to, 0 for none
 * @param level       INFO, WARN or ERROR
 */
public record HistoryEntryView(String id, Instant at, String type, String reinstallId, int step, String level, String summary,
                               String source, JsonNode json) {

    /**
     * What tells this entry from every other, so that a watch prints it once however often it asks:
     * the id, else (a projector that sends none) the time, type and words together.
     */
    public String identity() {
        return id != null ? "id:" + id : at + "|" + type + "|" + summary;
    }

    public boolean isInfo() {
        return level == null || level.equals("INFO");
    }

    /**
     * The entries of a history answer ({@code {"serverId", "count", "entries": [...]}}), oldest first
     * as sent. An entry without a readable time is left out: it could not be placed on a timeline.
     */
    public static List<HistoryEntryView> listFrom(JsonNode answer) {
        List<HistoryEntryView> entries = new ArrayList<>();
        for (JsonNode entry : answer.path("entries")) {
            Instant at = ReinstallStateView.instant(entry.get("at"));
            if (at == null) {
                continue;
            }
            entries.add(new HistoryEntryView(ReinstallStateView.text(entry, "id"), at, ReinstallStateView.text(entry, "type"),
                    ReinstallStateView.text(entry, "reinstallId"), entry.path("step").asInt(0), ReinstallStateView.text(entry, "level"),
                    ReinstallStateView.text(entry, "summary"), ReinstallStateView.text(entry, "source"), entry));
        }
        return List.copyOf(entries);
    }
}
