package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.schemas.ReinstallStep;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a reinstall stands in Hostkey's nine steps ({@link ReinstallStep}), read from its state: the
 * step in progress (or the one it ended in), when each step began and ended, and each step's status.
 * The one place that turns phases, stages and failures into steps; the query API serves it as the
 * state's {@code progress}, and the dashboard and the CLI show it instead of working it out again.
 *
 * <p>Statuses: {@code pending}, {@code in progress}, {@code done}, {@code skipped} (never began, e.g.
 * Jenkins tasks when there were none); after a failure or a cancel the
 * interrupted step is {@code failed} or {@code stopped}, boot from disk and clear PXE are
 * {@code cleanup} (or {@code cleanup, in progress}), and the steps between are {@code skipped}.
 *
 * @param step       the step shown: in progress, or for an ended reinstall the one it ended in
 *                   (9 when completed); 0 when none was reached
 * @param text       "5/9 install started (stage 1)", "validating", "queued (#3)", "failed in 4/9 reboot"
 * @param cleaningUp the reinstall is booting from disk or clearing PXE after a failure or a cancel
 * @param steps      the nine steps in order
 */
public record StepProgress(int step, String text, boolean cleaningUp, List<Step> steps) {

    /**
     * One of the nine steps: its status, when it began and ended (null when it did not), and whether
     * it is the one the reinstall is in now.
     */
    public record Step(int step, String label, String status, Instant startedAt, Instant endedAt, boolean running) {}

    public static StepProgress of(ReinstallState state) {
        ReinstallPhase phase = state.getPhase();
        boolean terminal = ReinstallStateMachine.isTerminal(phase);
        List<Instant> starts = starts(state);
        int interrupted = ending(state) ? interruptedStep(state, starts) : 0;
        int current = terminal ? 0 : stepOf(phase, state.getInstallStage());
        boolean cleaningUp = (state.getFailurePhase() != null || state.getCancelRequested()) && !terminal
                && (current == ReinstallStep.BOOT_FROM_DISK.number() || current == ReinstallStep.CLEAR_PXE.number());
        int shown = current > 0 ? current : phase == ReinstallPhase.COMPLETED ? ReinstallStep.COUNT : interruptedStep(state, starts);
        List<Step> steps = new ArrayList<>(ReinstallStep.COUNT);
        for (ReinstallStep each : ReinstallStep.values()) {
            int n = each.number();
            Instant start = starts.get(n - 1);
            Instant end = null;
            for (int later = n; later < starts.size() && end == null; later++) {
                if (starts.get(later) != null && start != null && !starts.get(later).isBefore(start)) {
                    end = starts.get(later);
                }
            }
            if (end == null && terminal && n != current) {
                end = state.getFinishedAt();
            }
            steps.add(new Step(n, each.label(), status(state, n, start, interrupted, current, terminal), start,
                    n == current ? null : end, n == current));
        }
        return new StepProgress(shown, text(state, shown, cleaningUp), cleaningUp, List.copyOf(steps));
    }

    private static String status(ReinstallState state, int step, Instant start, int interrupted, int current, boolean terminal) {
        boolean cleanupStep = step == ReinstallStep.BOOT_FROM_DISK.number() || step == ReinstallStep.CLEAR_PXE.number();
        if (interrupted > 0 && step > interrupted) {
            if (cleanupStep && start != null) {
                return step == current ? "cleanup, in progress" : "cleanup";
            }
            return terminal || step < current ? "skipped" : "pending";
        }
        if (start == null) {
            return terminal ? "skipped" : "pending";
        }
        if (step == interrupted) {
            return state.getFailurePhase() != null || state.getPhase() == ReinstallPhase.FAILED ? "failed" : "stopped";
        }
        return step == current ? "in progress" : "done";
    }

    private static String text(ReinstallState state, int shown, boolean cleaningUp) {
        ReinstallPhase phase = state.getPhase();
        if (phase == ReinstallPhase.VALIDATING) {
            return "validating";
        }
        if (phase == ReinstallPhase.QUEUED) {
            return state.getQueuePosition() > 0 ? "queued (#" + state.getQueuePosition() + ")" : "queued";
        }
        if (shown == 0) {
            return ReinstallStateMachine.isTerminal(phase) ? "before step 1" : phase.name().toLowerCase(Locale.ROOT);
        }
        String label = ReinstallStep.values()[shown - 1].position() + " " + ReinstallStep.values()[shown - 1].label();
        if (ReinstallStateMachine.isTerminal(phase)) {
            if (phase == ReinstallPhase.COMPLETED) {
                return ReinstallStep.COUNT + "/" + ReinstallStep.COUNT + " done";
            }
            return (phase == ReinstallPhase.CANCELLED ? "cancelled" : phase.name().toLowerCase(Locale.ROOT)) + " in " + label;
        }
        return cleaningUp ? label + " (cleanup)" : label;
    }

    /** When each step began: the first entry into its first phase (step 6: installer stage 1). */
    private static List<Instant> starts(ReinstallState state) {
        List<Instant> starts = new ArrayList<>(ReinstallStep.COUNT);
        for (ReinstallStep each : ReinstallStep.values()) {
            Long millis = each == ReinstallStep.INSTALLER_STAGES ? state.getStageTimes().get("1")
                    : state.getPhaseTimes().get(each.firstPhase().name());
            starts.add(millis == null ? null : Instant.ofEpochMilli(millis));
        }
        return starts;
    }

    private static boolean ending(ReinstallState state) {
        return state.getPhase() == ReinstallPhase.FAILED || state.getPhase() == ReinstallPhase.CANCELLED
                || state.getFailurePhase() != null || state.getCancelRequested();
    }

    /**
     * The step a failure or a cancel interrupted, 0 when none began: the failed phase's step, or the
     * last step begun before the cleanup (boot from disk, clear PXE) took over.
     */
    private static int interruptedStep(ReinstallState state, List<Instant> starts) {
        if (state.getFailurePhase() != null) {
            int failed = stepOf(state.getFailurePhase(), state.getInstallStage());
            if (failed > 0) {
                return failed;
            }
        }
        // Before stage 5 boot from disk is cleanup; after it, only clear PXE is.
        int upTo = state.getInstallStage() < 5 ? ReinstallStep.INSTALLER_STAGES.number() : ReinstallStep.JENKINS_TASKS.number();
        for (int step = upTo; step >= 1; step--) {
            if (starts.get(step - 1) != null) {
                return step;
            }
        }
        return 0;
    }

    private static int stepOf(ReinstallPhase phase, int installStage) {
        return ReinstallStep.ofPhase(phase, installStage).map(ReinstallStep::number).orElse(0);
    }
}
