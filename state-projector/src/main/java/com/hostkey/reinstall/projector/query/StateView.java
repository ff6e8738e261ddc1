package com.hostkey.reinstall.projector.query;

import com.hostkey.reinstall.projector.saga.StepProgress;
import com.hostkey.reinstall.schemas.ReinstallStep;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reinstall state as the query API serves it ({@code GET /reinstalls/{serverId}}, each entry of
 * {@code GET /reinstalls}): a plain JSON map, so it travels between instances as it is. Sealed
 * secrets and Hostkey keys are never part of it.
 */
public final class StateView {

    private StateView() {}

    /** The public view of a state: everything but the sealed secrets and the Hostkey keys. */
    public static Map<String, Object> of(ReinstallState state) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("serverId", state.getServerId());
        view.put("reinstallId", state.getReinstallId());
        view.put("requestId", state.getRequestId());
        view.put("account", state.getAccount());
        view.put("requestedBy", state.getRequestedBy());
        view.put("phase", state.getPhase().name());
        view.put("installStage", state.getInstallStage());
        view.put("osId", state.getOsId());
        view.put("osName", state.getOsName());
        view.put("serverType", state.getServerType());
        view.put("location", state.getLocation());
        view.put("hostname", state.getHostname());
        view.put("partitionScheme", state.getPartitionScheme() == null ? null : state.getPartitionScheme().name());
        view.put("jenkinsTasks", state.getJenkinsTasks());
        view.put("optionalJenkinsTasks", state.getOptionalJenkinsTasks());
        view.put("skippedJenkinsTasks", state.getSkippedJenkinsTasks());
        view.put("nextJenkinsTask", state.getNextJenkinsTask());
        view.put("queuePosition", state.getQueuePosition());
        view.put("requestedAt", state.getRequestedAt().toString());
        view.put("admittedAt", iso(state.getAdmittedAt()));
        view.put("updatedAt", state.getUpdatedAt().toString());
        view.put("finishedAt", iso(state.getFinishedAt()));
        view.put("deadlineKind", state.getDeadlineKind() == null ? null : state.getDeadlineKind().name());
        view.put("deadlineAt", iso(state.getDeadlineAt()));
        view.put("reinstallDeadlineAt", iso(state.getReinstallDeadlineAt()));
        view.put("retryAt", iso(state.getRetryAt()));
        view.put("stepAttempt", state.getStepAttempt());
        view.put("attempts", state.getAttempts());
        view.put("phaseTimes", isoTimes(state.getPhaseTimes()));
        view.put("stageTimes", isoTimes(state.getStageTimes()));
        view.put("cancelRequested", state.getCancelRequested());
        view.put("failureKind", state.getFailureKind() == null ? null : state.getFailureKind().name());
        view.put("failurePhase", state.getFailurePhase() == null ? null : state.getFailurePhase().name());
        view.put("failureMessage", state.getFailureMessage());
        view.put("ignoredEvents", state.getIgnoredEvents());
        Map<String, Object> quarantine = new LinkedHashMap<>();
        quarantine.put("consecutiveFailures", state.getConsecutiveFailures());
        view.put("quarantine", quarantine);
        view.put("progress", progressView(StepProgress.of(state)));
        return view;
    }

    /** The view with the quarantine verdict: at {@code quarantineAfter} failures in a row new requests are refused. */
    static Map<String, Object> of(ReinstallState state, int quarantineAfter) {
        Map<String, Object> view = of(state);
        @SuppressWarnings("unchecked")
        Map<String, Object> quarantine = (Map<String, Object>) view.get("quarantine");
        quarantine.put("quarantined", state.getConsecutiveFailures() >= quarantineAfter);
        quarantine.put("after", quarantineAfter);
        return view;
    }

    /** Where the reinstall stands in the nine steps, as the query API serves it. */
    private static Map<String, Object> progressView(StepProgress progress) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("step", progress.step());
        view.put("of", ReinstallStep.COUNT);
        view.put("text", progress.text());
        view.put("cleaningUp", progress.cleaningUp());
        List<Map<String, Object>> list = new ArrayList<>();
        for (StepProgress.Step each : progress.steps()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("step", each.step());
            item.put("label", each.label());
            item.put("status", each.status());
            item.put("startedAt", each.startedAt() == null ? null : each.startedAt().toString());
            item.put("endedAt", each.endedAt() == null ? null : each.endedAt().toString());
            item.put("running", each.running());
            list.add(item);
        }
        view.put("steps", list);
        return view;
    }

    private static String iso(Instant at) {
        return at == null ? null : at.toString();
    }

    private static Map<String, String> isoTimes(Map<String, Long> times) {
        Map<String, String> iso = new LinkedHashMap<>();
        times.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> iso.put(e.getKey(), Instant.ofEpochMilli(e.getValue()).toString()));
        return iso;
    }
}
