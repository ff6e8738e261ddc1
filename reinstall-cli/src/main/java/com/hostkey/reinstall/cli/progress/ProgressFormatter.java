package com.hostkey.reinstall.cli.progress;

import com.hostkey.reinstall.schemas.ReinstallStep;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link ProgressModel}: the progress bar, the table of the nine steps with the time
 * spent in each, and the same as a JSON-ready map. ASCII only, so it survives any terminal and log.
 */
public final class ProgressFormatter {

    public static final int BAR_WIDTH = 20;

    private ProgressFormatter() {}

    /** {@code [#########-----------]}. */
    public static String bar(double fraction, int width) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    /** {@code [#########-----------]  44%}. */
    public static String barWithPercent(ProgressModel model) {
        return bar(model.fraction(), BAR_WIDTH) + String.format(Locale.ROOT, " %3d%%", percent(model));
    }

    public static int percent(ProgressModel model) {
        return (int) Math.floor(model.fraction() * 100);
    }

    /** The reinstall in one line: server, reinstall id, OS and where. */
    public static String header(ProgressModel model) {
        StringBuilder line = new StringBuilder("Server ").append(model.serverId());
        model.reinstallId().ifPresent(id -> line.append("  reinstall ").append(id));
        model.osName().ifPresent(os -> line.append("  ").append(os));
        List<String> where = new ArrayList<>();
        model.serverType().ifPresent(where::add);
        model.location().ifPresent(where::add);
        if (!where.isEmpty()) {
            line.append(" (").append(String.join(", ", where)).append(')');
        }
        return line.toString();
    }

    /** The whole view: header, bar, validation and queue, the nine steps, then the outcome or the last problem. */
    public static List<String> table(ProgressModel model, Instant now) {
        List<String> lines = new ArrayList<>();
        lines.add(header(model));
        Duration total = model.startedAt().map(start -> Duration.between(start, model.finishedAt().orElse(now))).orElse(null);
        lines.add("  " + barWithPercent(model) + "  " + model.stepsDone() + "/" + ReinstallStep.COUNT + " steps"
                + (total == null ? "" : "  elapsed " + Durations.format(total))
                + (model.retries() == 0 ? "" : "  retries " + model.retries()));
        String admission = model.queuePosition().map(p -> "queued, position " + p).orElse("");
        lines.add("  validation: " + model.validation().name().toLowerCase(Locale.ROOT) + (admission.isEmpty() ? "" : "  " + admission));
        boolean inferred = false;
        for (StepView step : model.steps()) {
            Duration elapsed = step.elapsed(now);
            String detail = step.detail();
            inferred |= detail.contains("*");
            lines.add(String.format(Locale.ROOT, "  %s %d %-26s %8s  %s", step.status().mark(), step.step().number(),
                    step.step().label(), elapsed == null ? "" : Durations.format(elapsed), detail).stripTrailing());
        }
        if (inferred) {
            lines.add("  (* stage inferred from a later one: the check skipped it)");
        }
        if (model.outcomeDescription().isPresent()) {
            lines.add("  Outcome: " + model.outcomeDescription().get().text());
        } else {
            model.lastProblem().ifPresent(problem -> lines.add("  Last problem: " + problem.text()));
        }
        return lines;
    }

    /** The view as a JSON-ready map (for --json). */
    public static Map<String, Object> json(ProgressModel model, Instant now) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("serverId", model.serverId());
        json.put("reinstallId", model.reinstallId().orElse(null));
        json.put("requestId", model.requestId().orElse(null));
        json.put("outcome", model.outcome().map(Enum::name).orElse(null));
        json.put("outcomeMessage", model.outcomeDescription().map(EventDescription::text).orElse(null));
        json.put("percent", percent(model));
        json.put("stepsDone", model.stepsDone());
        json.put("running", model.running().map(ReinstallStep::number).orElse(null));
        json.put("startedAt", model.startedAt().map(Instant::toString).orElse(null));
        json.put("finishedAt", model.finishedAt().map(Instant::toString).orElse(null));
        json.put("elapsedMs", model.startedAt().map(start -> Duration.between(start, model.finishedAt().orElse(now)).toMillis()).orElse(null));
        json.put("osName", model.osName().orElse(null));
        json.put("serverType", model.serverType().orElse(null));
        json.put("location", model.location().orElse(null));
        json.put("validation", model.validation().name());
        json.put("queuePosition", model.queuePosition().orElse(null));
        json.put("retries", model.retries());
        json.put("compensating", model.compensating());
        json.put("skippedJenkinsTasks", model.skippedTasks());
        json.put("lastProblem", model.lastProblem().map(EventDescription::text).orElse(null));
        List<Map<String, Object>> steps = new ArrayList<>();
        for (StepView step : model.steps()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("step", step.step().number());
            s.put("name", step.step().label());
            s.put("status", step.status().name());
            s.put("startedAt", step.startedAt() == null ? null : step.startedAt().toString());
            s.put("finishedAt", step.finishedAt() == null ? null : step.finishedAt().toString());
            Duration elapsed = step.elapsed(now);
            s.put("elapsedMs", elapsed == null ? null : elapsed.toMillis());
            s.put("cleanup", step.cleanup());
            s.put("detail", step.detail().isEmpty() ? null : step.detail());
            steps.add(s);
        }
        json.put("steps", steps);
        List<Map<String, Object>> stages = new ArrayList<>();
        for (StageView stage : model.stages()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("stage", stage.stage());
            s.put("reachedAt", stage.reached() ? stage.reachedAt().toString() : null);
            s.put("observed", stage.reached() ? stage.observed() : null);
            stages.add(s);
        }
        json.put("stages", stages);
        return json;
    }
}
