package com.hostkey.reinstall.cli.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fields of the projector's {@code GET /reinstalls/{serverId}} answer the CLI shows, read
 * leniently: a missing or unknown field is null (or empty), never an error, so the CLI keeps
 * working while the projector's view grows. {@link #json()} keeps the whole answer for --json.
 *
 * @param phase      null when the projector names a phase this CLI does not know ({@link #phaseName()} has it)
 * @param stageTimes installer stage (1-5) to the instant it was reached
 * @param optionalJenkinsTasks null when the projector does not say (older versions)
 * @param skippedJenkinsTasks optional tasks that failed and were skipped
 * @param consecutiveFailures failed reinstalls in a row (quarantine), null when not reported
 * @param progress   where it stands in the nine steps, as the projector works it out; null from a
 *                   projector that does not serve it
 */
public record ReinstallStateView(
        long serverId,
        String reinstallId,
        String requestId,
        String account,
        String phaseName,
        ReinstallPhase phase,
        int installStage,
        Long osId,
        String osName,
        String serverType,
        String location,
        String hostname,
        List<String> jenkinsTasks,
        List<String> optionalJenkinsTasks,
        List<String> skippedJenkinsTasks,
        Instant requestedAt,
        Instant updatedAt,
        Instant finishedAt,
        Map<Integer, Instant> stageTimes,
        String failureKind,
        String failureMessage,
        Integer queuePosition,
        boolean cancelRequested,
        Integer consecutiveFailures,
        StepProgressView progress,
        JsonNode json) {

    public static ReinstallStateView from(JsonNode node) {
        String phaseName = text(node, "phase");
        Map<Integer, Instant> stageTimes = new TreeMap<>();
        node.path("stageTimes").properties().forEach(e -> {
            Instant at = instant(e.getValue());
            try {
                if (at != null) {
                    stageTimes.put(Integer.parseInt(e.getKey()), at);
                }
            } catch (NumberFormatException notAStage) {
                // a key this CLI does not understand: shown in --json, ignored here
            }
        });
        List<String> tasks = new ArrayList<>();
        node.path("jenkinsTasks").forEach(t -> tasks.add(t.asText()));
        List<String> skippedTasks = new ArrayList<>();
        node.path("skippedJenkinsTasks").forEach(t -> skippedTasks.add(t.asText()));
        List<String> optionalTasks = null;
        if (node.path("optionalJenkinsTasks").isArray()) {
            optionalTasks = new ArrayList<>();
            for (JsonNode t : node.get("optionalJenkinsTasks")) {
                optionalTasks.add(t.asText());
            }
        }
        JsonNode failures = node.path("quarantine").path("consecutiveFailures");
        return new ReinstallStateView(
                node.path("serverId").asLong(0),
                text(node, "reinstallId"),
                text(node, "requestId"),
                text(node, "account"),
                phaseName,
                phaseOf(phaseName),
                node.path("installStage").asInt(0),
                node.hasNonNull("osId") ? node.get("osId").asLong() : null,
                text(node, "osName"),
                text(node, "serverType"),
                text(node, "location"),
                text(node, "hostname"),
                Collections.unmodifiableList(tasks),
                optionalTasks == null ? null : Collections.unmodifiableList(optionalTasks),
                Collections.unmodifiableList(skippedTasks),
                instant(node.get("requestedAt")),
                instant(node.get("updatedAt")),
                instant(node.get("finishedAt")),
                Collections.unmodifiableMap(stageTimes),
                text(node, "failureKind"),
                text(node, "failureMessage"),
                node.hasNonNull("queuePosition") ? node.get("queuePosition").asInt() : null,
                node.path("cancelRequested").asBoolean(false),
                failures.isNumber() ? failures.asInt() : null,
                StepProgressView.from(node.get("progress")),
                node);
    }

    public boolean isTerminal() {
        return phase == ReinstallPhase.COMPLETED || phase == ReinstallPhase.FAILED
                || phase == ReinstallPhase.CANCELLED || phase == ReinstallPhase.REJECTED;
    }

    private static ReinstallPhase phaseOf(String name) {
        if (name == null) {
            return null;
        }
        try {
            return ReinstallPhase.valueOf(name);
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /** ISO-8601 text or epoch milliseconds. */
    static Instant instant(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isNumber()) {
            return Instant.ofEpochMilli(value.asLong());
        }
        try {
            return Instant.parse(value.asText());
        } catch (DateTimeParseException notIso) {
            return null;
        }
    }
}
