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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The servers' timelines, in two halves that never meet: what is kept and how it is worded.
 *
 * <p><b>Kept</b> ({@link #of(ReinstallEvent)}, {@link #of(ReinstallRequest)}, when the history store
 * is written): the facts of one event or upstream request, by field name, from an allow-list of its
 * fields. Sealed secrets, SSH keys, callback URLs, reinstall keys and callback keys are never on it;
 * free text (Hostkey's messages, reasons) is cut to one line of {@value #MAX_TEXT} characters.
 *
 * <p><b>Worded</b> ({@link #render(HistoryEntry)}, when the history is read): the step of the nine the
 * fact belongs to, how alarming it is and one line of words. Wording lives only here, so changing
 * it changes old entries too. Entries written before facts were kept carry their own words, which
 * are shown as they are. Pure.
 */
public final class TimelineEntries {

    static final int MAX_TEXT = 240;
    /** How many entries a server's timeline keeps; the oldest go first. */
    public static final int MAX_ENTRIES = 100;

    private TimelineEntries() {}

    /** An entry as read: the step it belongs to (1-9, 0 for none), its level and its line of words. */
    public record Line(int step, HistoryLevel level, String summary) {}

    // ------------------------------------------------------------------ kept

    /** An upstream request (reinstall, cancel, release) as an entry; empty for a payload the timeline does not show. */
    static Optional<HistoryEntry> of(ReinstallRequest command) {
        Object payload = command.getPayload();
        Facts facts = new Facts();
        switch (payload) {
            case ReinstallServer r -> facts.put("osId", r.getOsId()).put("hostname", r.getHostname()).put("requestId", r.getRequestId())
                    .put("jenkinsTasks", String.join(", ", r.getJenkinsTasks()))
                    .put("optionalJenkinsTasks", String.join(", ", r.getOptionalJenkinsTasks()));
            case CancelReinstall c -> facts.put("targetRequestId", c.getTargetRequestId()).put("reason", c.getReason());
            case ReleaseServer r -> facts.put("targetRequestId", r.getTargetRequestId()).put("reason", r.getReason());
            default -> {
                return Optional.empty();
            }
        }
        return Optional.of(HistoryEntry.newBuilder()
                .setId(command.getCommandId())
                .setAt(command.getIssuedAt())
                .setType(payload.getClass().getSimpleName())
                .setReinstallId(payload instanceof ReinstallServer r
                        ? ReinstallIds.forRequest(command.getServerId(), r.getRequestId()) : null)
                .setSource(cut(command.getIssuedBy()))
                .setFacts(facts.map)
                .build());
    }

    /** An event of reinstall-events as an entry. */
    static HistoryEntry of(ReinstallEvent event) {
        Object payload = event.getPayload();
        Facts facts = new Facts();
        switch (payload) {
            case ReinstallValidated v -> facts.put("osName", v.getOsName()).put("serverType", v.getServerType())
                    .put("location", v.getLocation())
                    .put("checked", v.getChecked().isEmpty() ? null : String.join(", ", v.getChecked()))
                    .put("notChecked", v.getNotChecked().isEmpty() ? null : v.getNotChecked().stream()
                            .map(u -> u.getCheck() + " (" + u.getWhy() + ")").collect(java.util.stream.Collectors.joining(", ")));
            case ValidationFailed f -> facts.put("reason", f.getReason()).put("field", f.getField()).put("message", f.getMessage());
            case RequestRejected r -> facts.put("requestId", r.getRequestId()).put("reason", r.getReason()).put("message", r.getMessage());
            case ReinstallQueued q -> facts.put("position", q.getPosition());
            case AdmissionGranted g -> facts.put("waitedMillis", g.getWaitedMillis()).put("fromReserve", g.getFromReserve() ? true : null);
            case ActionAccepted a -> facts.put("action", a.getAction())
                    .put("detail", a.getAction() == AsyncActionKind.JENKINS_TASK ? a.getDetail() : null);
            case ActionCompleted c -> facts.put("action", c.getAction());
            case ActionFailed f -> facts.put("action", f.getAction()).put("reason", f.getReason());
            case InstallStageReached s -> facts.put("stage", s.getStage()).put("scope", s.getScope()).put("observed", s.getObserved());
            case InstallFailed f -> facts.put("lastStage", f.getLastStage()).put("reason", f.getReason());
            case HostkeyCallFailed f -> facts.put("call", f.getCall()).put("errorClass", f.getErrorClass()).put("message", f.getMessage())
                    .put("refusal", f.getRefusal()).put("retryAfterMillis", f.getRetryAfterMillis());
            case StepRetryScheduled r -> facts.put("attempt", r.getAttempt()).put("phase", r.getPhase()).put("retryAt", r.getRetryAt())
                    .put("reason", r.getReason());
            case DeadlineExceeded d -> facts.put("deadline", d.getDeadline()).put("phase", d.getPhase()).put("message", d.getMessage());
            case CallbackKeyVanished v -> facts.put("action", v.getAction());
            case JenkinsTaskSkipped s -> facts.put("taskId", s.getTaskId()).put("reason", s.getReason());
            case StepExpired x -> facts.put("call", x.getCall()).put("notAfter", x.getNotAfter());
            case RequestDuplicate d -> facts.put("requestId", d.getRequestId());
            case ServerReleased r -> facts.put("consecutiveFailures", r.getConsecutiveFailures()).put("reason", r.getReason());
            default -> { } // ReinstallKeyCreated and the rest: the type is the whole fact
        }
        return HistoryEntry.newBuilder()
                .setId(event.getEventId())
                .setAt(event.getOccurredAt())
                .setType(payload.getClass().getSimpleName())
                .setReinstallId(event.getReinstallId())
                .setSource(cut(event.getSource()))
                .setFacts(facts.map)
                .build();
    }

    /** The allow-listed fields of one payload, as one-line text; absent values are left out. */
    private static final class Facts {
        private final Map<String, String> map = new LinkedHashMap<>();

        Facts put(String name, Object value) {
            if (value != null) {
                map.put(name, cut(value.toString()));
            }
            return this;
        }
    }

    // ------------------------------------------------------------------ worded

    /** The entry as the timeline shows it. */
    public static Line render(HistoryEntry entry) {
        if (entry.getSummary() != null) {
            return new Line(entry.getStep(), entry.getLevel(), entry.getSummary());
        }
        Map<String, String> f = entry.getFacts();
        String issuer = entry.getSource() == null ? "" : " by " + entry.getSource();
        return cut(switch (entry.getType()) {
            case "ReinstallServer" -> info(0, "reinstall requested: OS " + f.get("osId") + ", hostname " + f.get("hostname")
                    + ", request " + f.get("requestId") + list(", tasks ", f.get("jenkinsTasks"))
                    + list(", optional ", f.get("optionalJenkinsTasks")) + issuer);
            case "CancelReinstall" -> new Line(0, HistoryLevel.WARN, "cancel requested" + target(f) + reason(f) + issuer);
            case "ReleaseServer" -> info(0, "release from quarantine requested" + target(f) + reason(f) + issuer);
            case "ReinstallValidated" -> f.get("notChecked") == null
                    ? info(0, "validated: " + f.get("osName") + " fits this server" + where(f.get("serverType"), f.get("location")))
                    : warn(0, "validated: " + f.get("osName") + " fits this server" + where(f.get("serverType"), f.get("location"))
                            + "; not checked, left to Hostkey: " + f.get("notChecked"));
            case "ValidationFailed" -> error(0, "rejected by validation: " + f.get("reason")
                    + (f.get("field") == null ? "" : " (" + f.get("field") + ")") + ": " + f.get("message"));
            case "RequestRejected" -> error(0, "request " + f.get("requestId") + " refused: " + f.get("reason") + ": " + f.get("message"));
            case "ReinstallQueued" -> info(0, "queued for an admission slot, position " + f.get("position"));
            case "AdmissionGranted" -> info(0, "admitted" + ("true".equals(f.get("fromReserve")) ? " from the projector task's reserve"
                    : waited(f.get("waitedMillis"))));
            case "ReinstallKeyCreated" -> info(ReinstallStep.REINSTALL_KEY.number(), "reinstall key created");
            case "ActionAccepted" -> action(f).map(a -> info(stepOf(a), label(a)
                    + (a == AsyncActionKind.JENKINS_TASK && f.get("detail") != null ? " " + f.get("detail") : "") + ": requested"))
                    .orElseGet(() -> unknown(entry));
            case "ActionCompleted" -> action(f).map(a -> info(stepOf(a), label(a) + ": done")).orElseGet(() -> unknown(entry));
            case "ActionFailed" -> action(f).map(a -> error(stepOf(a), label(a) + ": FAILED: " + f.get("reason")))
                    .orElseGet(() -> unknown(entry));
            case "InstallStageReached" -> info(stageStep(f.get("stage")), "installer stage " + f.get("stage") + "/5"
                    + (f.get("scope") == null ? "" : ": " + f.get("scope")) + ("false".equals(f.get("observed")) ? " (inferred)" : ""));
            case "InstallFailed" -> error(stepOf(ReinstallPhase.INSTALLING, stage(f.get("lastStage"))), "install FAILED after stage " + f.get("lastStage") + ": " + f.get("reason"));
            case "HostkeyCallFailed" -> warn(0, "Hostkey call " + f.get("call") + " failed (" + f.get("errorClass")
                    + (f.get("refusal") == null ? "" : ", " + f.get("refusal")) + "): " + f.get("message")
                    + (f.get("retryAfterMillis") == null ? "" : "; Hostkey asked to wait " + waitSeconds(f.get("retryAfterMillis")) + " s"));
            case "StepRetryScheduled" -> warn(phaseStep(f.get("phase")), "retry " + f.get("attempt") + " of " + f.get("phase")
                    + " scheduled at " + f.get("retryAt") + ": " + f.get("reason"));
            case "DeadlineExceeded" -> warn(phaseStep(f.get("phase")), "deadline " + f.get("deadline") + " passed in " + f.get("phase")
                    + ": " + f.get("message"));
            case "CallbackKeyVanished" -> {
                Optional<AsyncActionKind> action = action(f);
                yield warn(action.map(TimelineEntries::stepOf).orElse(ReinstallStep.INSTALLER_STAGES.number()), "callback key of "
                        + action.map(TimelineEntries::label).orElse("the install") + " vanished (probably done; reconciling)");
            }
            case "JenkinsTaskSkipped" -> warn(ReinstallStep.JENKINS_TASKS.number(), "optional task " + f.get("taskId")
                    + " failed and was skipped: " + f.get("reason"));
            case "StepExpired" -> warn(0, f.get("call") + " not started: the step reached the command handler after "
                    + f.get("notAfter") + " (no call was made)");
            case "RequestDuplicate" -> info(0, "request " + f.get("requestId") + " seen before: acknowledged, nothing started");
            case "ServerReleased" -> info(0, "quarantine lifted (" + f.get("consecutiveFailures") + " failures in a row reset)"
                    + reason(f));
            default -> unknown(entry);
        });
    }

    private static Line info(int step, String text) {
        return new Line(step, HistoryLevel.INFO, text);
    }

    private static Line warn(int step, String text) {
        return new Line(step, HistoryLevel.WARN, text);
    }

    private static Line error(int step, String text) {
        return new Line(step, HistoryLevel.ERROR, text);
    }

    /** A type this version does not word (written by a newer one): its name. */
    private static Line unknown(HistoryEntry entry) {
        return info(0, entry.getType());
    }

    private static Line cut(Line line) {
        return new Line(line.step(), line.level(), cut(line.summary()));
    }

    private static Optional<AsyncActionKind> action(Map<String, String> facts) {
        return Arrays.stream(AsyncActionKind.values()).filter(a -> a.name().equals(facts.get("action"))).findFirst();
    }

    private static int phaseStep(String phase) {
        return Arrays.stream(ReinstallPhase.values()).filter(p -> p.name().equals(phase)).findFirst()
                .map(p -> stepOf(p, 0)).orElse(0);
    }

    private static int stageStep(String stage) {
        return ReinstallStep.ofStage(stage(stage)).number();
    }

    private static int stage(String stage) {
        return stage == null || !stage.matches("\\d{1,2}") ? 0 : Integer.parseInt(stage);
    }

    private static long waitSeconds(String millis) {
        return Duration.ofMillis(Long.parseLong(millis)).toSeconds();
    }

    private static String waited(String millis) {
        long waited = millis == null ? 0 : Long.parseLong(millis);
        return waited > 0 ? " after " + Duration.ofMillis(waited).toSeconds() + " s in the queue" : "";
    }

    private static String list(String prefix, String items) {
        return items == null || items.isEmpty() ? "" : prefix + items;
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

    private static String target(Map<String, String> facts) {
        return facts.get("targetRequestId") == null ? "" : " for request " + facts.get("targetRequestId");
    }

    private static String reason(Map<String, String> facts) {
        String reason = facts.get("reason");
        return reason == null || reason.isBlank() ? "" : ": " + reason;
    }

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
