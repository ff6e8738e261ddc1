package com.hostkey.reinstall.cli.watch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.progress.Durations;
import com.hostkey.reinstall.cli.progress.ProgressFormatter;
import com.hostkey.reinstall.cli.state.HistoryEntryView;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON lines for scripts, one object per line, each with {@code type}, {@code serverId} and
 * {@code reinstallId} (null until known). {@code state}, {@code progress} and {@code entry} are
 * the projector's own objects as it sent them ({@code GET /reinstalls/{serverId}} and its
 * {@code progress}, an entry of {@code GET /reinstalls/{serverId}/history}); {@code percent} is
 * the bar's.
 * <ul>
 *   <li>{@code {"type":"waiting","requestId":..}}: the first answer showed nothing to follow yet;</li>
 *   <li>{@code {"type":"watching","requestId":..,"joined":bool,"percent":..,"state":{..}}}: the
 *       reinstall followed is known ({@code joined}: it was already in the nine steps, or had ended, when the watch began;
 *       its earlier entries are not sent);</li>
 *   <li>{@code {"type":"entry","percent":..,"entry":{"id","at","type","step","level","summary",..}}}: one per history entry;</li>
 *   <li>{@code {"type":"progress","at":..,"phase":..,"text":..,"percent":..,"progress":{..}}}: the projector's progress moved;</li>
 *   <li>{@code {"type":"heartbeat","at":..,"phase":..,"text":..,"percent":..}}: nothing new for a while;</li>
 *   <li>{@code {"type":"outcome","requestId":..,"outcome":"COMPLETED|FAILED|CANCELLED|REJECTED|TIMEOUT|UNKNOWN",
 *       "exitCode":..,"message":..,"percent":..,"state":{..} or null}}: once per server at the end (UNKNOWN: the
 *       server went on to another reinstall before the watch saw this one end).</li>
 * </ul>
 */
public final class JsonProgressRenderer implements ProgressRenderer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;

    public JsonProgressRenderer(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void waiting(WatchedReinstall watched, Instant now) {
        Map<String, Object> line = line("waiting", watched);
        line.put("requestId", watched.requestId().orElse(null));
        print(line);
    }

    @Override
    public void following(WatchedReinstall watched, boolean joined, Instant now) {
        Map<String, Object> line = line("watching", watched);
        line.put("requestId", watched.requestId().orElse(null));
        line.put("joined", joined);
        line.put("percent", ProgressFormatter.percent(watched.state().orElse(null)));
        line.put("state", watched.state().map(ReinstallStateView::json).orElse(null));
        print(line);
    }

    @Override
    public void entry(WatchedReinstall watched, HistoryEntryView entry, Instant now) {
        Map<String, Object> line = line("entry", watched);
        line.put("percent", ProgressFormatter.percent(watched.state().orElse(null)));
        line.put("entry", entry.json());
        print(line);
    }

    @Override
    public void progressed(WatchedReinstall watched, Instant now) {
        ReinstallStateView state = watched.state().orElseThrow();
        Map<String, Object> line = line("progress", watched);
        line.put("at", now.toString());
        line.put("phase", state.phaseName());
        line.put("text", ProgressFormatter.where(state));
        line.put("percent", ProgressFormatter.percent(state));
        line.put("progress", state.json().get("progress"));
        print(line);
    }

    @Override
    public void heartbeat(WatchedReinstall watched, Instant now) {
        Map<String, Object> line = line("heartbeat", watched);
        line.put("at", now.toString());
        line.put("phase", watched.state().map(ReinstallStateView::phaseName).orElse(null));
        line.put("text", watched.state().map(ProgressFormatter::where).orElse(null));
        line.put("percent", ProgressFormatter.percent(watched.state().orElse(null)));
        print(line);
    }

    @Override
    public void finished(List<WatchedReinstall> all, Duration timeout, Instant now) {
        for (WatchedReinstall watched : all) {
            Map<String, Object> line = line("outcome", watched);
            boolean late = !watched.isEnded();
            line.put("requestId", watched.requestId().orElse(null));
            line.put("outcome", late ? "TIMEOUT" : watched.ending().orElseThrow().name());
            line.put("exitCode", late ? ExitCode.TIMEOUT : watched.ending().orElseThrow().exitCode());
            line.put("message", late ? "no outcome within " + Durations.format(timeout) : watched.ending().orElseThrow().text());
            line.put("percent", ProgressFormatter.percent(watched.state().orElse(null)));
            line.put("state", watched.state().map(ReinstallStateView::json).orElse(null));
            print(line);
        }
    }

    private static Map<String, Object> line(String type, WatchedReinstall watched) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", type);
        line.put("serverId", watched.serverId());
        line.put("reinstallId", watched.reinstallId().orElse(null));
        return line;
    }

    private void print(Map<String, Object> line) {
        try {
            out.println(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
    }
}
