package com.hostkey.reinstall.projector.query;

import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fleet at a glance, counted over states: how many reinstalls are in each phase and location,
 * how many finished in each of the last {@value #HOURS} hours (by {@code finishedAt}) and with what
 * outcome, the failures by kind, the active ones, those past {@value #NEAR_DEADLINE_PERCENT}% of the
 * current wait's deadline and the quarantined servers.
 *
 * <p>Each instance counts its own states ({@link #share()}); the instance asked adds the shares
 * ({@link #add}) and renders the answer ({@link #answer}). Shares are plain JSON maps, so they
 * travel between instances as they are.
 */
public final class FleetSummary {

    static final int HOURS = 24;
    static final int NEAR_DEADLINE_PERCENT = 80;
    static final Set<ReinstallPhase> TERMINAL = EnumSet.of(ReinstallPhase.COMPLETED, ReinstallPhase.FAILED,
            ReinstallPhase.CANCELLED, ReinstallPhase.REJECTED);
    private static final String UNKNOWN_LOCATION = "unknown";

    private final Instant now;
    private final int quarantineAfter;
    private long total;
    private long active;
    private long nearDeadline;
    private long quarantined;
    private final Map<String, Long> byPhase = new TreeMap<>();
    private final Map<String, Long> byLocation = new TreeMap<>();
    private final Map<String, Long> failuresByKind = new TreeMap<>();
    /** Epoch millis of the hour's start -> outcome -> count. */
    private final Map<String, Map<String, Long>> finishedByHour = new TreeMap<>();

    public FleetSummary(Instant now, int quarantineAfter) {
        this.now = now;
        this.quarantineAfter = quarantineAfter;
    }

    /** Counts one state. */
    public void count(ReinstallState state) {
        total++;
        ReinstallPhase phase = state.getPhase();
        byPhase.merge(phase.name(), 1L, Long::sum);
        byLocation.merge(state.getLocation() == null ? UNKNOWN_LOCATION : state.getLocation(), 1L, Long::sum);
        if (!TERMINAL.contains(phase)) {
            active++;
            if (nearDeadline(state, now)) {
                nearDeadline++;
            }
        }
        if (phase == ReinstallPhase.FAILED) {
            failuresByKind.merge(state.getFailureKind() == null ? "UNKNOWN" : state.getFailureKind().name(), 1L, Long::sum);
        }
        if (state.getConsecutiveFailures() >= quarantineAfter) {
            quarantined++;
        }
        Instant finished = state.getFinishedAt();
        Instant firstHour = firstHour(now);
        if (finished != null && TERMINAL.contains(phase) && !finished.isBefore(firstHour) && !finished.isAfter(now.plus(Duration.ofHours(1)))) {
            String hour = String.valueOf(finished.truncatedTo(ChronoUnit.HOURS).toEpochMilli());
            finishedByHour.computeIfAbsent(hour, h -> new TreeMap<>()).merge(phase.name(), 1L, Long::sum);
        }
    }

    /**
     * Whether the wait in progress has used more than {@value #NEAR_DEADLINE_PERCENT}% of its
     * time: measured from when the phase (or, installing, the last stage) began to its deadline.
     */
    static boolean nearDeadline(ReinstallState state, Instant now) {
        if (state.getDeadlineAt() == null) {
            return false;
        }
        Long since = state.getPhaseTimes().get(state.getPhase().name());
        Long stage = state.getStageTimes().get(String.valueOf(state.getInstallStage()));
        if (state.getPhase() == ReinstallPhase.INSTALLING && stage != null && (since == null || stage > since)) {
            since = stage;
        }
        if (since == null) {
            return false;
        }
        long window = state.getDeadlineAt().toEpochMilli() - since;
        long used = now.toEpochMilli() - since;
        return window > 0 && used * 100 > window * NEAR_DEADLINE_PERCENT;
    }

    /** This instance's counts, as sent to the instance gathering them. */
    public Map<String, Object> share() {
        Map<String, Object> share = new LinkedHashMap<>();
        share.put("total", total);
        share.put("active", active);
        share.put("nearDeadline", nearDeadline);
        share.put("quarantined", quarantined);
        share.put("byPhase", byPhase);
        share.put("byLocation", byLocation);
        share.put("failuresByKind", failuresByKind);
        share.put("finishedByHour", finishedByHour);
        return share;
    }

    /** Adds another instance's {@link #share()}. */
    @SuppressWarnings("unchecked")
    public void add(Map<String, Object> share) {
        total += number(share.get("total"));
        active += number(share.get("active"));
        nearDeadline += number(share.get("nearDeadline"));
        quarantined += number(share.get("quarantined"));
        addCounts(byPhase, (Map<String, Object>) share.get("byPhase"));
        addCounts(byLocation, (Map<String, Object>) share.get("byLocation"));
        addCounts(failuresByKind, (Map<String, Object>) share.get("failuresByKind"));
        Map<String, Object> hours = (Map<String, Object>) share.get("finishedByHour");
        if (hours != null) {
            hours.forEach((hour, counts) -> addCounts(finishedByHour.computeIfAbsent(hour, h -> new TreeMap<>()),
                    (Map<String, Object>) counts));
        }
    }

    /** The answer of {@code GET /fleet/summary}: phases in the saga's order, the last {@value #HOURS} hours oldest first. */
    public Map<String, Object> answer(int instances) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("generatedAt", now.toString());
        answer.put("instances", instances);
        answer.put("total", total);
        answer.put("active", active);
        answer.put("nearDeadline", nearDeadline);
        answer.put("nearDeadlinePercent", NEAR_DEADLINE_PERCENT);
        answer.put("quarantined", quarantined);
        Map<String, Long> phases = new LinkedHashMap<>();
        for (ReinstallPhase phase : ReinstallPhase.values()) {
            Long count = byPhase.get(phase.name());
            if (count != null) {
                phases.put(phase.name(), count);
            }
        }
        answer.put("byPhase", phases);
        answer.put("byLocation", byLocation);
        answer.put("failuresByKind", failuresByKind);
        List<Map<String, Object>> perHour = new ArrayList<>();
        Instant hour = firstHour(now);
        for (int i = 0; i < HOURS; i++, hour = hour.plus(Duration.ofHours(1))) {
            Map<String, Long> counts = finishedByHour.getOrDefault(String.valueOf(hour.toEpochMilli()), Map.of());
            Map<String, Object> bucket = new LinkedHashMap<>();
            bucket.put("hour", hour.toString());
            bucket.put("finished", counts.values().stream().mapToLong(Long::longValue).sum());
            for (ReinstallPhase outcome : TERMINAL) {
                bucket.put(outcome.name(), counts.getOrDefault(outcome.name(), 0L));
            }
            perHour.add(bucket);
        }
        answer.put("finishedPerHour", perHour);
        return answer;
    }

    /** The start of the oldest of the {@value #HOURS} hourly buckets; the newest is the current hour. */
    private static Instant firstHour(Instant now) {
        return now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(HOURS - 1));
    }

    private static void addCounts(Map<String, Long> into, Map<String, Object> counts) {
        if (counts != null) {
            counts.forEach((key, count) -> into.merge(key, number(count), Long::sum));
        }
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0L;
    }
}
