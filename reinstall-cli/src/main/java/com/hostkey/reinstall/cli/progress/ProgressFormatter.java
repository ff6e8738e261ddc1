package com.hostkey.reinstall.cli.progress;

import com.hostkey.reinstall.cli.state.ReinstallStateView;
import com.hostkey.reinstall.cli.state.StepProgressView;
import com.hostkey.reinstall.schemas.ReinstallStep;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a reinstall's state as the state projector serves it: the progress bar, the table of the
 * nine steps with the time spent in each, the outcome. Presentation only: which step the reinstall
 * is in, each step's status and the words for them are the projector's ({@code progress}); the
 * installer's stages and the Jenkins tasks come from the same state. ASCII only, so it survives any
 * terminal and log.
 */
public final class ProgressFormatter {

    public static final int BAR_WIDTH = 20;
    /** The installer reports five stages (1 started ... 5 online), all within steps 5 and 6. */
    private static final int INSTALLER_STAGES = 5;

    private ProgressFormatter() {}

    /** {@code [#########-----------]}. */
    public static String bar(double fraction, int width) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    /** {@code [#########-----------]  44%}; 0% while there is no state to show. */
    public static String barWithPercent(ReinstallStateView view) {
        int percent = percent(view);
        return bar(percent / 100.0, BAR_WIDTH) + String.format(Locale.ROOT, " %3d%%", percent);
    }

    /**
     * How far the reinstall got: the steps before the projector's current (or last) step, and within
     * the installer's stages the ones reached; 100 once completed, 0 without a state.
     */
    public static int percent(ReinstallStateView view) {
        if (view == null) {
            return 0;
        }
        if (view.phase() == ReinstallPhase.COMPLETED) {
            return 100;
        }
        StepProgressView progress = view.progress();
        if (progress == null || progress.step() <= 0 || progress.of() <= 0) {
            return 0;
        }
        double passed = progress.step() - 1;
        if (progress.step() == ReinstallStep.INSTALLER_STAGES.number()) {
            passed += Math.max(0, view.installStage() - 1) / (double) (INSTALLER_STAGES - 1);
        }
        return (int) Math.floor(Math.min(1.0, passed / progress.of()) * 100);
    }

    /** The projector's words for where the reinstall stands ("5/9 install started (stage 1)"), else its phase. */
    public static String where(ReinstallStateView view) {
        return view.progress() != null && view.progress().text() != null ? view.progress().text() : view.phaseName();
    }

    /** "FAILED in 4/9 reboot (AUTH): the key was refused": the phase, the step it ended in, the failure. */
    public static String outcome(ReinstallStateView view) {
        StringBuilder text = new StringBuilder(String.valueOf(view.phaseName()));
        StepProgressView progress = view.progress();
        if (view.phase() != ReinstallPhase.COMPLETED && progress != null && progress.step() > 0) {
            progress.steps().stream().filter(s -> s.step() == progress.step()).findFirst()
                    .ifPresent(s -> text.append(" in ").append(s.step()).append('/').append(progress.of()).append(' ').append(s.label()));
        }
        if (view.failureKind() != null) {
            text.append(" (").append(view.failureKind()).append(')');
        }
        if (view.failureMessage() != null) {
            text.append(": ").append(view.failureMessage());
        }
        return text.toString();
    }

    /** The reinstall in one line: server, reinstall id, OS and where. */
    public static String header(ReinstallStateView view) {
        StringBuilder line = new StringBuilder("Server ").append(view.serverId());
        if (view.reinstallId() != null) {
            line.append("  reinstall ").append(view.reinstallId());
        }
        if (view.osName() != null) {
            line.append("  ").append(view.osName());
        }
        List<String> where = new ArrayList<>();
        if (view.serverType() != null) {
            where.add(view.serverType());
        }
        if (view.location() != null) {
            where.add(view.location());
        }
        if (!where.isEmpty()) {
            line.append(" (").append(String.join(", ", where)).append(')');
        }
        return line.toString();
    }

    /** The whole view: header, bar, where it stands, the nine steps, then the outcome or the failure being cleaned up after. */
    public static List<String> table(ReinstallStateView view, Instant now) {
        List<String> lines = new ArrayList<>();
        lines.add(header(view));
        StepProgressView progress = view.progress();
        Duration total = view.requestedAt() == null ? null
                : Duration.between(view.requestedAt(), view.finishedAt() != null ? view.finishedAt() : now);
        long done = progress == null ? 0 : progress.steps().stream().filter(s -> StepStatus.of(s.status()) == StepStatus.DONE).count();
        lines.add("  " + barWithPercent(view) + "  " + done + "/" + (progress == null ? ReinstallStep.COUNT : progress.of()) + " steps done"
                + (total == null ? "" : "  elapsed " + Durations.format(total)));
        lines.add("  progress: " + where(view));
        if (progress == null) {
            lines.add("  (this state projector serves no step progress: it predates it)");
        } else {
            for (StepProgressView.Step step : progress.steps()) {
                StepStatus status = StepStatus.of(step.status());
                List<String> detail = new ArrayList<>();
                String note = status == StepStatus.OTHER ? String.valueOf(step.status()) : status.note();
                if (!note.isEmpty()) {
                    detail.add(note);
                }
                String more = detail(view, step.step());
                if (!more.isEmpty()) {
                    detail.add(more);
                }
                Duration elapsed = step.elapsed(now);
                lines.add(String.format(Locale.ROOT, "  %s %d %-26s %8s  %s", status.mark(), step.step(), step.label(),
                        elapsed == null ? "" : Durations.format(elapsed), String.join("; ", detail)).stripTrailing());
            }
        }
        if (view.isTerminal()) {
            lines.add("  Outcome: " + outcome(view));
        } else if (view.failureKind() != null || view.failureMessage() != null) {
            lines.add("  Failure: " + (view.failureKind() == null ? "" : view.failureKind() + ": ")
                    + (view.failureMessage() == null ? "" : view.failureMessage()) + " (cleaning up)");
        }
        return lines;
    }

    /** The installer's stages reached (step 6) and the Jenkins tasks of the request (step 8). */
    private static String detail(ReinstallStateView view, int step) {
        if (step == ReinstallStep.INSTALLER_STAGES.number()) {
            Map<Integer, Instant> reached = view.stageTimes();
            if (reached.isEmpty()) {
                return "";
            }
            StringBuilder stages = new StringBuilder("stages");
            for (int n = 1; n <= INSTALLER_STAGES; n++) {
                stages.append(' ').append(reached.containsKey(n) ? String.valueOf(n) : ".");
            }
            return stages.toString();
        }
        if (step == ReinstallStep.JENKINS_TASKS.number()) {
            List<String> tasks = new ArrayList<>(view.jenkinsTasks());
            if (view.optionalJenkinsTasks() != null) {
                tasks.addAll(view.optionalJenkinsTasks());
            }
            if (tasks.isEmpty()) {
                return view.optionalJenkinsTasks() == null ? "" : "none requested";
            }
            return "tasks " + String.join(", ", tasks)
                    + (view.skippedJenkinsTasks().isEmpty() ? "" : ", skipped " + String.join(", ", view.skippedJenkinsTasks()));
        }
        return "";
    }
}
