package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.schemas.ReinstallIds;
import com.hostkey.reinstall.schemas.ReinstallStep;
import com.hostkey.reinstall.schemas.avro.ActionAccepted;
import com.hostkey.reinstall.schemas.avro.ActionCompleted;
import com.hostkey.reinstall.schemas.avro.ActionFailed;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.AsyncActionKind;
import com.hostkey.reinstall.schemas.avro.CallbackKeyVanished;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.DeadlineExceeded;
import com.hostkey.reinstall.schemas.avro.HistoryEntry;
import com.hostkey.reinstall.schemas.avro.HistoryLevel;
import com.hostkey.reinstall.schemas.avro.HostkeyCallFailed;
import com.hostkey.reinstall.schemas.avro.InstallFailed;
import com.hostkey.reinstall.schemas.avro.InstallStageReached;
import com.hostkey.reinstall.schemas.avro.JenkinsTaskSkipped;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import com.hostkey.reinstall.schemas.avro.ReinstallKeyCreated;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallQueued;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.avro.ReinstallValidated;
import com.hostkey.reinstall.schemas.avro.ReleaseServer;
import com.hostkey.reinstall.schemas.avro.RequestRejected;
import com.hostkey.reinstall.schemas.avro.ServerReleased;
import com.hostkey.reinstall.schemas.avro.StepExpired;
import com.hostkey.reinstall.schemas.avro.StepRetryScheduled;
import com.hostkey.reinstall.schemas.avro.RequestDuplicate;
import com.hostkey.reinstall.schemas.avro.ValidationFailed;
import java.time.Duration;
import java.util.Optional;

/**
 * One fact in words for the dashboard's timeline: the step of the nine it belongs to, one line of
 * text and how alarming it is. Pure. The summary is built from an allow-list of fields: sealed
 * secrets, SSH keys, callback URLs, reinstall keys and callback keys never enter it, and free text
 * (Hostkey's messages, reasons) is cut to {@value #MAX_TEXT} characters.
 */
public final class TimelineEntries {

    static final int MAX_TEXT = 240;

    private TimelineEntries() {}

    /** An upstream request (reinstall, cancel, release) as an entry. */
    static Optional<HistoryEntry> of(ReinstallRequest command) {
        Object payload = command.getPayload();
        String text = switch (payload) {
            case ReinstallServer r -> "reinstall requested: OS " + r.getOsId() + ", hostname " + r.getHostname()
                    + ", request " + r.getRequestId()
                    + (r.getJenkinsTasks().isEmpty() ? "" : ", tasks " + String.join(", ", r.getJenkinsTasks()))
                    + (r.getOptionalJenkinsTasks().isEmpty() ? "" : ", optional " + String.join(", ", r.getOptionalJenkinsTasks()));
            case CancelReinstall c -> "cancel requested" + target(c.getTargetRequestId()) + reason(c.getReason());
            case ReleaseServer r -> "release from quarantine requested" + target(r.getTargetRequestId()) + reason(r.getReason());
            default -> null;
        };
        if (text == null) {
            return Optional.empty();
        }
        return Optional.of(HistoryEntry.newBuilder()
                .setId(command.getCommandId())
                .setAt(command.getIssuedAt())
                .setType(payload.getClass().getSimpleName())
                .setReinstallId(payload instanceof ReinstallServer r
                        ? ReinstallIds.forRequest(command.getServerId(), r.getRequestId()) : null)
                .setStep(0)
                .setLevel(payload instanceof CancelReinstall ? HistoryLevel.WARN : HistoryLevel.INFO)
                .setSummary(cut(text + " by " + command.getIssuedBy()))
                .setSource(cut(command.getIssuedBy()))
                .build());
    }

    static HistoryEntry of(ReinstallEvent event) {
        Object payload = event.getPayload();
        int step = 0;
        HistoryLevel level = HistoryLevel.INFO;
        String text;
        switch (payload) {
            case ReinstallValidated v -> text = "validated: " + v.getOsName() + " fits this server"
                    + where(v.getServerType(), v.getLocation());
            case ValidationFailed f -> {
                level = HistoryLevel.ERROR;
                text = "rejected by validation: " + f.getReason() + (f.getField() == null ? "" : " (" + f.getField() + ")")
                        + ": " + f.getMessage();
            }
            case RequestRejected r -> {
                level = HistoryLevel.ERROR;
                text = "request " + r.getRequestId() + " refused: " + r.getReason() + ": " + r.getMessage();
            }
            case ReinstallQueued q -> text = "queued for an admission slot, position " + q.getPosition();
            case AdmissionGranted g -> text = "admitted" + (g.getWaitedMillis() > 0
                    ? " after " + Duration.ofMillis(g.getWaitedMillis()).toSeconds() + " s in the queue" : "");
            case ReinstallKeyCreated k -> {
                step = 1;
                text = "reinstall key created";
            }
            case ActionAccepted a -> {
                step = stepOf(a.getAction());
                text = label(a.getAction()) + (a.getAction() == AsyncActionKind.JENKINS_TASK && a.getDetail() != null
                        ? " " + a.getDetail() : "") + ": requested";
            }
            case ActionCompleted c -> {
                step = stepOf(c.getAction());
                text = label(c.getAction()) + ": done";
            }
            case ActionFailed f -> {
                step = stepOf(f.getAction());
                level = HistoryLevel.ERROR;
                text = label(f.getAction()) + ": FAILED: " + f.getReason();
            }
            case InstallStageReached s -> {
                step = s.getStage() <= 1 ? 5 : 6;
                text = "installer stage " + s.getStage() + "/5" + (s.getScope() == null ? "" : ": " + s.getScope())
                        + (s.getObserved() ? "" : " (inferred)");
            }
            case InstallFailed f -> {
                step = f.getLastStage() == 0 ? 5 : 6;
                level = HistoryLevel.ERROR;
                text = "install FAILED after stage " + f.getLastStage() + ": " + f.getReason();
            }
            case HostkeyCallFailed f -> {
                level = HistoryLevel.WARN;
                text = "Hostkey call " + f.getCall() + " failed (" + f.getErrorClass() + "): " + f.getMessage();
            }
            case StepRetryScheduled r -> {
                step = stepOf(r.getPhase(), 0);
                level = HistoryLevel.WARN;
                text = "retry " + r.getAttempt() + " of " + r.getPhase() + " scheduled at " + r.getRetryAt() + ": " + r.getReason();
            }
            case DeadlineExceeded d -> {
                step = stepOf(d.getPhase(), 0);
                level = HistoryLevel.WARN;
                text = "deadline " + d.getDeadline() + " passed in " + d.getPhase() + ": " + d.getMessage();
            }
            case CallbackKeyVanished v -> {
                step = v.getAction() == null ? 6 : stepOf(v.getAction());
                level = HistoryLevel.WARN;
                text = "callback key of " + (v.getAction() == null ? "the install" : label(v.getAction()))
                        + " vanished (probably done; reconciling)";
            }
            case JenkinsTaskSkipped s -> {
                step = 8;
                level = HistoryLevel.WARN;
                text = "optional task " + s.getTaskId() + " failed and was skipped: " + s.getReason();
            }
            case StepExpired x -> {
                level = HistoryLevel.WARN;
                text = x.getCall() + " not started: the step reached the command handler after " + x.getNotAfter()
                        + " (no call was made)";
            }
            case RequestDuplicate d -> text = "request " + d.getRequestId() + " seen before: acknowledged, nothing started";
            case ServerReleased r -> text = "quarantine lifted (" + r.getConsecutiveFailures() + " failures in a row reset)"
                    + reason(r.getReason());
            default -> text = payload.getClass().getSimpleName();
        }
        return HistoryEntry.newBuilder()
                .setId(event.getEventId())
                .setAt(event.getOccurredAt())
                .setType(payload.getClass().getSimpleName())
                .setReinstallId(event.getReinstallId())
                .setStep(step)
                .setLevel(level)
                .setSummary(cut(text))
                .setSource(cut(event.getSource()))
                .build();
    }

    /** The step (1-9) a phase is part of ({@link ReinstallStep}); 0 before and after the procedure. */
    static int stepOf(ReinstallPhase phase, int installStage) {
        return ReinstallStep.ofPhase(phase, installStage).map(ReinstallStep::number).orElse(0);
    }

    private static int stepOf(AsyncActionKind action) {
        return ReinstallStep.of(action).number();
    }

    /** The action's words: its step's label, but "Jenkins task" for the one task a callback is about. */
    private static String label(AsyncActionKind action) {
        return action == AsyncActionKind.JENKINS_TASK ? "Jenkins task" : ReinstallStep.of(action).label();
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

    private static String target(String requestId) {
        return requestId == null ? "" : " for request " + requestId;
    }

    private static String reason(String reason) {
        return reason == null || reason.isBlank() ? "" : ": " + reason;
    }

    /** At most {@value #MAX_TEXT} characters, control characters replaced: one line whatever came in. */
    /** {@code text} as one printable line of at most {@value #MAX_TEXT} code points (control characters blanked). */
    public static String cut(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_TEXT + 1));
        text.codePoints().limit(MAX_TEXT).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return text.codePointCount(0, text.length()) > MAX_TEXT ? out.append('…').toString() : out.toString();
    }
}
