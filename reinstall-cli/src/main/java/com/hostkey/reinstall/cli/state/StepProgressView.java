package com.hostkey.reinstall.cli.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a reinstall stands in Hostkey's nine steps, as the state projector works it out and serves
 * it as the state's {@code progress}. The CLI shows it and never works it out again from events:
 * a second reading of the same facts drifts from the first.
 *
 * @param step       the step in progress, or for an ended reinstall the one it ended in (9 when
 *                   completed); 0 before step 1
 * @param of         how many steps there are
 * @param text       the projector's words for where it stands: "5/9 install started (stage 1)",
 *                   "queued (#3)", "failed in 4/9 reboot"
 * @param cleaningUp booting from disk or clearing PXE after a failure or a cancel
 * @param steps      the steps in order, as many as the projector sent
 */
public record StepProgressView(int step, int of, String text, boolean cleaningUp, List<Step> steps) {

    /**
     * One step as the projector sees it.
     *
     * @param status  the projector's word: pending, in progress, done, skipped, failed, stopped,
     *                cleanup, or "cleanup, in progress"
     * @param endedAt null while it runs, and for a step that never began
     * @param running the step the reinstall is in now
     */
    public record Step(int step, String label, String status, Instant startedAt, Instant endedAt, boolean running) {

        /** Time spent in the step up to its end, or up to {@code now} while it runs; null if it never began. */
        public Duration elapsed(Instant now) {
            if (startedAt == null) {
                return null;
            }
            Instant end = endedAt != null ? endedAt : running ? now : null;
            return end == null ? null : Duration.between(startedAt, end.isBefore(startedAt) ? startedAt : end);
        }
    }

    /** The step the reinstall is in now, if any. */
    public Optional<Step> running() {
        return steps.stream().filter(Step::running).findFirst();
    }

    /** The state's {@code progress}, or null when the projector sends none (a version before it served one). */
    static StepProgressView from(JsonNode progress) {
        if (progress == null || !progress.isObject()) {
            return null;
        }
        List<Step> steps = new ArrayList<>();
        for (JsonNode step : progress.path("steps")) {
            steps.add(new Step(step.path("step").asInt(0), ReinstallStateView.text(step, "label"), ReinstallStateView.text(step, "status"),
                    ReinstallStateView.instant(step.get("startedAt")), ReinstallStateView.instant(step.get("endedAt")),
                    step.path("running").asBoolean(false)));
        }
        return new StepProgressView(progress.path("step").asInt(0), progress.path("of").asInt(steps.size()),
                ReinstallStateView.text(progress, "text"), progress.path("cleaningUp").asBoolean(false), List.copyOf(steps));
    }
}
