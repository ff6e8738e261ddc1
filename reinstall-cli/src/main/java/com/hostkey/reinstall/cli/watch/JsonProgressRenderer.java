package com.hostkey.reinstall.cli.watch;

import com.hostkey.reinstall.schemas.ReinstallStep;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.kafka.FeedItem;
import com.hostkey.reinstall.cli.progress.ProgressChange;
import com.hostkey.reinstall.cli.progress.ProgressFormatter;
import com.hostkey.reinstall.cli.progress.ProgressModel;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON lines, one object per line, for scripts:
 * <ul>
 *   <li>{@code {"type":"watching","serverId":..,"progress":{..}}} once per server;</li>
 *   <li>{@code {"type":"event","serverId":..,"at":..,"step":5,"level":"INFO","description":..,"percent":44}} per fact;</li>
 *   <li>{@code {"type":"heartbeat",...}}, {@code {"type":"unreadable",...}};</li>
 *   <li>{@code {"type":"outcome","serverId":..,"outcome":"COMPLETED|FAILED|CANCELLED|REJECTED|TIMEOUT","exitCode":0,"progress":{..}}}
 *       once per server at the end.</li>
 * </ul>
 * {@code progress} is {@link ProgressFormatter#json}: the nine steps with status and times, the five stages.
 */
public final class JsonProgressRenderer implements ProgressRenderer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintWriter out;

    public JsonProgressRenderer(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void started(List<ProgressModel> models, Instant now) {
        for (ProgressModel model : models) {
            Map<String, Object> line = line("watching", model.serverId());
            line.put("progress", ProgressFormatter.json(model, now));
            print(line);
        }
    }

    @Override
    public void changed(ProgressModel model, ProgressChange change, Instant now) {
        Map<String, Object> line = line("event", model.serverId());
        line.put("at", change.at() == null ? null : change.at().toString());
        line.put("reinstallId", model.reinstallId().orElse(null));
        line.put("step", change.description().step().map(ReinstallStep::number).orElse(null));
        line.put("level", change.description().level().name());
        line.put("description", change.description().text());
        line.put("percent", ProgressFormatter.percent(model));
        line.put("finished", change.finished());
        print(line);
    }

    @Override
    public void heartbeat(ProgressModel model, Instant now) {
        Map<String, Object> line = line("heartbeat", model.serverId());
        line.put("at", now.toString());
        line.put("running", model.running().map(ReinstallStep::number).orElse(null));
        line.put("percent", ProgressFormatter.percent(model));
        print(line);
    }

    @Override
    public void unreadable(FeedItem.Unreadable item) {
        Map<String, Object> line = line("unreadable", item.serverId());
        line.put("topic", item.topic());
        line.put("partition", item.partition());
        line.put("offset", item.offset());
        line.put("reason", item.reason());
        print(line);
    }

    @Override
    public void finished(List<ProgressModel> models, Set<Long> timedOut, Duration timeout, Instant now) {
        for (ProgressModel model : models) {
            Map<String, Object> line = line("outcome", model.serverId());
            boolean late = timedOut.contains(model.serverId());
            line.put("outcome", late ? "TIMEOUT" : model.outcome().map(Enum::name).orElse("TIMEOUT"));
            line.put("exitCode", late ? ExitCode.TIMEOUT : model.outcome().map(o -> o.exitCode()).orElse(ExitCode.TIMEOUT));
            line.put("progress", ProgressFormatter.json(model, now));
            print(line);
        }
    }

    private static Map<String, Object> line(String type, long serverId) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", type);
        line.put("serverId", serverId);
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
