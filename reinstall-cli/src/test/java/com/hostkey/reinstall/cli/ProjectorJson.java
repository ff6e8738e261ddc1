package com.hostkey.reinstall.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.schemas.ReinstallStep;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state projector's answers as it sends them ({@code StateQueryServer.view} with its
 * {@code progress}, {@code DashboardRoutes.view} of a history), times in seconds after {@link #T0}.
 */
public final class ProjectorJson {

    public static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProjectorJson() {}

    public static Instant at(double seconds) {
        return T0.plusMillis((long) (seconds * 1000));
    }

    private static String iso(Double seconds) {
        return seconds == null ? null : at(seconds).toString();
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ states

    public static State state(long serverId, String reinstallId, String requestId) {
        return new State(serverId, reinstallId, requestId);
    }

    /** Validating, before any step. */
    public static State validating(long serverId, String reinstallId, String requestId) {
        return state(serverId, reinstallId, requestId).phase("VALIDATING").progress(0, "validating");
    }

    /** In the installer's stage 2: steps 1-5 done, 6 in progress. */
    public static State installing(long serverId, String reinstallId, String requestId) {
        return state(serverId, reinstallId, requestId).phase("INSTALLING").installStage(2)
                .progress(6, "6/9 installer stages 2-5")
                .steps("done", "done", "done", "done", "done", "in progress", "pending", "pending", "pending")
                .starts(1.0, 2.0, 5.0, 7.0, 8.0, 20.0, null, null, null).stages(20, 30);
    }

    /** Completed without Jenkins tasks at 62 s. */
    public static State completed(long serverId, String reinstallId, String requestId) {
        return state(serverId, reinstallId, requestId).phase("COMPLETED").installStage(5).finished(62).tasks(List.of(), List.of())
                .progress(9, "9/9 done")
                .steps("done", "done", "done", "done", "done", "done", "done", "skipped", "done")
                .starts(1.0, 2.0, 5.0, 7.0, 8.0, 20.0, 58.0, null, 60.0).stages(20, 30, 40, 50, 58);
    }

    /** Failed in step 4 (reboot) at 40 s, after cleaning up. */
    public static State failedInReboot(long serverId, String reinstallId, String requestId) {
        return state(serverId, reinstallId, requestId).phase("FAILED").finished(40)
                .failure("AUTH", "REBOOTING", "the reboot was refused")
                .progress(4, "failed in 4/9 reboot")
                .steps("done", "done", "done", "failed", "skipped", "skipped", "cleanup", "skipped", "cleanup")
                .starts(1.0, 2.0, 5.0, 7.0, null, null, 30.0, null, 35.0);
    }

    /** An answer of {@code GET /reinstalls/{serverId}}. */
    public static final class State {
        private final Map<String, Object> fields = new LinkedHashMap<>();
        private int step;
        private String text = "validating";
        private boolean cleaningUp;
        private String[] statuses = filled("pending");
        private Double[] starts = new Double[ReinstallStep.COUNT];
        private Double finished;

        private State(long serverId, String reinstallId, String requestId) {
            fields.put("serverId", serverId);
            fields.put("reinstallId", reinstallId);
            fields.put("requestId", requestId);
            fields.put("account", "default");
            fields.put("phase", "VALIDATING");
            fields.put("installStage", 0);
            fields.put("osId", 101);
            fields.put("osName", "Ubuntu 22.04");
            fields.put("serverType", "bm");
            fields.put("location", "NL");
            fields.put("hostname", "web1.example.net");
            fields.put("jenkinsTasks", List.of());
            fields.put("optionalJenkinsTasks", List.of());
            fields.put("skippedJenkinsTasks", List.of());
            fields.put("queuePosition", 0);
            fields.put("requestedAt", iso(0.0));
            fields.put("admittedAt", null);
            fields.put("updatedAt", iso(0.0));
            fields.put("finishedAt", null);
            fields.put("stepTimes", Map.of());
            fields.put("stageTimes", Map.of());
            fields.put("cancelRequested", false);
            fields.put("failureKind", null);
            fields.put("failurePhase", null);
            fields.put("failureMessage", null);
            fields.put("quarantine", Map.of("consecutiveFailures", 0, "quarantined", false, "after", 3));
        }

        private static String[] filled(String status) {
            String[] all = new String[ReinstallStep.COUNT];
            Arrays.fill(all, status);
            return all;
        }

        public State phase(String phase) {
            fields.put("phase", phase);
            return this;
        }

        public State installStage(int stage) {
            fields.put("installStage", stage);
            return this;
        }

        public State requested(double seconds) {
            fields.put("requestedAt", iso(seconds));
            return this;
        }

        public State updated(double seconds) {
            fields.put("updatedAt", iso(seconds));
            return this;
        }

        public State finished(double seconds) {
            finished = seconds;
            fields.put("finishedAt", iso(seconds));
            fields.put("updatedAt", iso(seconds));
            return this;
        }

        public State tasks(List<String> required, List<String> optional) {
            fields.put("jenkinsTasks", required);
            fields.put("optionalJenkinsTasks", optional);
            return this;
        }

        public State skipped(String... tasks) {
            fields.put("skippedJenkinsTasks", List.of(tasks));
            return this;
        }

        public State queuePosition(int position) {
            fields.put("queuePosition", position);
            return this;
        }

        public State failure(String kind, String phase, String message) {
            fields.put("failureKind", kind);
            fields.put("failurePhase", phase);
            fields.put("failureMessage", message);
            return this;
        }

        public State field(String name, Object value) {
            fields.put(name, value);
            return this;
        }

        /** The installer's stages reached, stage 1 first, at these seconds. */
        public State stages(double... seconds) {
            Map<String, String> stages = new LinkedHashMap<>();
            for (int i = 0; i < seconds.length; i++) {
                stages.put(String.valueOf(i + 1), iso(seconds[i]));
            }
            fields.put("stageTimes", stages);
            return this;
        }

        public State progress(int step, String text) {
            this.step = step;
            this.text = text;
            return this;
        }

        public State cleaningUp() {
            this.cleaningUp = true;
            return this;
        }

        /** The nine steps' statuses, in the projector's words. */
        public State steps(String... statuses) {
            this.statuses = statuses.clone();
            return this;
        }

        /** When each of the nine steps began (null: never); each ends when a later one began, or when the reinstall finished. */
        public State starts(Double... seconds) {
            this.starts = seconds.clone();
            return this;
        }

        public String json() {
            List<Map<String, Object>> steps = new ArrayList<>();
            for (ReinstallStep each : ReinstallStep.values()) {
                int i = each.ordinal();
                boolean running = statuses[i].equals("in progress") || statuses[i].equals("cleanup, in progress");
                Double end = null;
                for (int later = i + 1; later < starts.length && end == null && starts[i] != null; later++) {
                    end = starts[later];
                }
                if (end == null && starts[i] != null && !running) {
                    end = finished;
                }
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("step", each.number());
                s.put("label", each.label());
                s.put("status", statuses[i]);
                s.put("startedAt", iso(starts[i]));
                s.put("endedAt", running ? null : iso(end));
                s.put("running", running);
                steps.add(s);
            }
            Map<String, Object> progress = new LinkedHashMap<>();
            progress.put("step", step);
            progress.put("of", ReinstallStep.COUNT);
            progress.put("text", text);
            progress.put("cleaningUp", cleaningUp);
            progress.put("steps", steps);
            Map<String, Object> all = new LinkedHashMap<>(fields);
            all.put("progress", progress);
            return write(all);
        }
    }

    // ------------------------------------------------------------------ histories

    public static History history(long serverId) {
        return new History(serverId);
    }

    /** An answer of {@code GET /reinstalls/{serverId}/history}, oldest entry first. */
    public static final class History {
        private final long serverId;
        private final List<Map<String, Object>> entries = new ArrayList<>();

        private History(long serverId) {
            this.serverId = serverId;
        }

        /** An entry with an id made of its position, as the projector's event and command ids are unique. */
        public History entry(double seconds, String type, String reinstallId, int step, String level, String summary) {
            return add(reinstallId + "#" + entries.size(), seconds, type, reinstallId, step, level, summary);
        }

        /** An entry from a projector that sends no id. */
        public History entryWithoutId(double seconds, String type, String reinstallId, int step, String level, String summary) {
            return add(null, seconds, type, reinstallId, step, level, summary);
        }

        private History add(String id, double seconds, String type, String reinstallId, int step, String level, String summary) {
            Map<String, Object> entry = new LinkedHashMap<>();
            if (id != null) {
                entry.put("id", id);
            }
            entry.put("at", iso(seconds));
            entry.put("type", type);
            entry.put("reinstallId", reinstallId);
            entry.put("step", step);
            entry.put("level", level);
            entry.put("summary", summary);
            entry.put("source", "test");
            entries.add(entry);
            return this;
        }

        /** A reinstall from its request to stage 2, as the projector words it. */
        public History throughStage2(String reinstallId, String requestId) {
            return entry(0, "ReinstallServer", reinstallId, 0, "INFO", "reinstall requested: OS 101, hostname web1.example.net, request "
                    + requestId + " by cli:test")
                    .entry(0.5, "ReinstallValidated", reinstallId, 0, "INFO", "validated: Ubuntu 22.04 fits this server (bm, NL)")
                    .entry(1, "AdmissionGranted", reinstallId, 0, "INFO", "admitted")
                    .entry(1.5, "ReinstallKeyCreated", reinstallId, 1, "INFO", "reinstall key created")
                    .entry(2, "ActionAccepted", reinstallId, 2, "INFO", "PXE config: requested")
                    .entry(4, "ActionCompleted", reinstallId, 2, "INFO", "PXE config: done")
                    .entry(5, "ActionAccepted", reinstallId, 3, "INFO", "boot from PXE: requested")
                    .entry(6, "ActionCompleted", reinstallId, 3, "INFO", "boot from PXE: done")
                    .entry(7, "ActionAccepted", reinstallId, 4, "INFO", "reboot: requested")
                    .entry(10, "ActionCompleted", reinstallId, 4, "INFO", "reboot: done")
                    .entry(20, "InstallStageReached", reinstallId, 5, "INFO", "installer stage 1/5: Stage 1")
                    .entry(30, "InstallStageReached", reinstallId, 6, "INFO", "installer stage 2/5: Stage 2");
        }

        /** From stage 3 to the end of a completed reinstall without Jenkins tasks. */
        public History toCompletion(String reinstallId) {
            return entry(40, "InstallStageReached", reinstallId, 6, "INFO", "installer stage 3/5: Stage 3")
                    .entry(50, "InstallStageReached", reinstallId, 6, "INFO", "installer stage 4/5: Stage 4")
                    .entry(58, "InstallStageReached", reinstallId, 6, "INFO", "installer stage 5/5: Stage 5")
                    .entry(58.5, "ActionAccepted", reinstallId, 7, "INFO", "boot from disk: requested")
                    .entry(59, "ActionCompleted", reinstallId, 7, "INFO", "boot from disk: done")
                    .entry(60, "ActionAccepted", reinstallId, 9, "INFO", "clear PXE config: requested")
                    .entry(61, "ActionCompleted", reinstallId, 9, "INFO", "clear PXE config: done");
        }

        public String json() {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("serverId", serverId);
            answer.put("count", entries.size());
            answer.put("entries", entries);
            return write(answer);
        }
    }
}
