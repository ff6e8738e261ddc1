package com.hostkey.reinstall.cli.progress;

import com.hostkey.reinstall.schemas.ReinstallStep;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.ActionFailed;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.CallbackKeyVanished;
import com.hostkey.reinstall.schemas.avro.DeadlineExceeded;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.InstallFailed;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.JenkinsTaskSkipped;
import com.hostkey.reinstall.schemas.avro.ReinstallCancelled;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallFailed;
import com.hostkey.reinstall.schemas.avro.ReinstallKeyCreated;
import com.hostkey.reinstall.schemas.avro.ReinstallQueued;
import com.hostkey.reinstall.schemas.avro.ReinstallRejected;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.schemas.avro.RequestRejected;
import com.hostkey.reinstall.schemas.avro.ServerReleased;
import com.hostkey.reinstall.schemas.avro.StepExpired;
import com.hostkey.reinstall.schemas.avro.StepRetryScheduled;
import com.hostkey.reinstall.schemas.avro.RequestDuplicate;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import java.time.Duration;
import java.util.Optional;

/**
 * One event (or completion) in words: the step it belongs to, one line of text and how alarming
 * it is. Shared by watch and history so both say the same thing about the same fact.
 *
 * @param step  the step of the nine, empty for validation, admission and notes
 * @param text  one line, without the step number
 * @param level INFO for progress, WARN for retries, deadlines and Hostkey errors, ERROR for failures
 */
public record EventDescription(Optional<ReinstallStep> step, String text, Level level) {

    public enum Level { INFO, WARN, ERROR }

    /** "5/9 installer stage 1/5: ..." or "   validated: ...", aligned on the step column. */
    public String line() {
        return step.map(ReinstallStep::position).orElse("   ") + " " + text;
    }

    /** The short name of the event's payload type, e.g. {@code ActionAccepted}. */
    public static String typeOf(ReinstallEvent event) {
        return event.getPayload().getClass().getSimpleName();
    }

    public static EventDescription of(ReinstallEvent event) {
        return switch (event.getPayload()) {
            case ReinstallValidated v -> info(null, "validated: " + v.getOsName() + " fits this server"
                    + where(v.getServerType(), v.getLocation()));
            case ValidationFailed f -> error(null, "rejected by validation: " + f.getReason()
                    + (f.getField() == null ? "" : " (" + f.getField() + ")") + ": " + f.getMessage());
            case RequestRejected r -> error(null, "request " + r.getRequestId() + " refused: " + r.getReason() + ": " + r.getMessage());
            case ReinstallQueued q -> info(null, "queued for an admission slot, position " + q.getPosition());
            case AdmissionGranted g -> info(null, "admitted" + (g.getWaitedMillis() > 0
                    ? " after " + Durations.format(Duration.ofMillis(g.getWaitedMillis())) + " in the queue" : ""));
            case ReinstallKeyCreated k -> info(ReinstallStep.REINSTALL_KEY, "reinstall key created");
            case ActionAccepted a -> info(ReinstallStep.of(a.getAction()), label(a.getAction(), a.getDetail()) + ": requested");
            case ActionCompleted c -> info(ReinstallStep.of(c.getAction()), label(c.getAction(), null) + ": done");
            case ActionFailed f -> error(ReinstallStep.of(f.getAction()), label(f.getAction(), null) + ": FAILED: " + f.getReason());
            case InstallStageReached s -> info(s.getStage() <= 1 ? ReinstallStep.INSTALL_STARTED : ReinstallStep.INSTALLER_STAGES,
                    "installer stage " + s.getStage() + "/5" + (s.getScope() == null ? "" : ": " + s.getScope())
                            + (s.getObserved() ? "" : " (inferred: the check skipped it)"));
            case InstallFailed f -> error(f.getLastStage() == 0 ? ReinstallStep.INSTALL_STARTED : ReinstallStep.INSTALLER_STAGES,
                    "install FAILED after stage " + f.getLastStage() + ": " + f.getReason());
            case HostkeyCallFailed f -> warn(null, "Hostkey call " + f.getCall() + " failed (" + f.getErrorClass() + "): " + f.getMessage());
            case StepRetryScheduled r -> warn(null, "retry " + r.getAttempt() + " of " + r.getPhase() + " at " + r.getRetryAt()
                    + ": " + r.getReason());
            case DeadlineExceeded d -> warn(null, "deadline " + d.getDeadline() + " passed in " + d.getPhase() + ": " + d.getMessage());
            case CallbackKeyVanished v -> warn(null, "callback key of " + (v.getAction() == null ? "the install" : v.getAction())
                    + " vanished (probably done; the system reconciles)");
            case JenkinsTaskSkipped s -> warn(ReinstallStep.JENKINS_TASKS, "optional task " + s.getTaskId() + " failed and was skipped: " + s.getReason());
            case StepExpired x -> warn(null, x.getCall() + " not started: the step reached the command handler after "
                    + x.getNotAfter() + " (no call was made)");
            case RequestDuplicate d -> info(null, "request " + d.getRequestId() + " seen before: acknowledged, nothing started");
            case ServerReleased r -> info(null, "quarantine lifted (" + r.getConsecutiveFailures() + " failures in a row reset)"
                    + (r.getReason() == null ? "" : ": " + r.getReason()));
            default -> info(null, typeOf(event));
        };
    }

    public static EventDescription of(ReinstallCompletion completion) {
        return switch (completion.getOutcome()) {
            case ReinstallCompleted c -> info(null, "COMPLETED" + (c.getJenkinsTasks().isEmpty() ? ""
                    : ", Jenkins tasks " + String.join(", ", c.getJenkinsTasks()))
                    + (completion.getSkippedJenkinsTasks().isEmpty() ? ""
                    : ", skipped " + String.join(", ", completion.getSkippedJenkinsTasks())));
            case ReinstallFailed f -> error(null, "FAILED in " + f.getPhase() + " (" + f.getKind() + "): " + f.getMessage());
            case ReinstallCancelled c -> warn(null, "CANCELLED in " + c.getPhase() + (c.getReason() == null ? "" : ": " + c.getReason()));
            case ReinstallRejected r -> error(null, "REJECTED: " + r.getReason() + (r.getField() == null ? "" : " (" + r.getField() + ")")
                    + ": " + r.getMessage());
            default -> info(null, completion.getOutcome().getClass().getSimpleName());
        };
    }

    private static String label(AsyncActionKind action, String detail) {
        return action == AsyncActionKind.JENKINS_TASK ? "Jenkins task" + (detail == null ? "" : " " + detail)
                : ReinstallStep.of(action).label();
    }

    private static String where(String serverType, String location) {
        if (serverType == null && location == null) {
            return "";
        }
        if (serverType == null || location == null) {
            return " (" + (serverType == null ? location : serverType) + ")";
        }
        return " (" + serverType + ", " + location + ")";
    }

    private static EventDescription info(ReinstallStep step, String text) {
        return new EventDescription(Optional.ofNullable(step), text, Level.INFO);
    }

    private static EventDescription warn(ReinstallStep step, String text) {
        return new EventDescription(Optional.ofNullable(step), text, Level.WARN);
    }

    private static EventDescription error(ReinstallStep step, String text) {
        return new EventDescription(Optional.ofNullable(step), text, Level.ERROR);
    }
}
