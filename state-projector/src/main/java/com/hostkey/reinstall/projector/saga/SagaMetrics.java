package com.hostkey.reinstall.projector.saga;

import com.hostkey.reinstall.projector.saga.ReinstallStateMachine.Decision;
import com.hostkey.reinstall.schemas.avro.DeadlineExceeded;
import com.hostkey.reinstall.schemas.avro.ReinstallCancelled;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallFailed;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallRejected;
import com.hostkey.reinstall.schemas.avro.StepRetryScheduled;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the saga decided, as metrics (Prometheus names; every series also carries
 * {@code service="state-projector"}):
 *
 * <ul>
 *   <li>{@code reinstall_completions_total{outcome, reason}}: terminal records on reinstall-completions;
 *       {@code outcome} is completed, failed, cancelled or rejected, {@code reason} the failure kind or
 *       rejection reason ({@code none} otherwise);</li>
 *   <li>{@code reinstall_duration_seconds{outcome, os, server_type, location}}: request to completion;</li>
 *   <li>{@code reinstall_step_duration_seconds{step, os, server_type, location}}: time spent in each
 *       phase (a step and its wait), from the completion's step times;</li>
 *   <li>{@code reinstall_stage_duration_seconds{stage, os, server_type, location}}: each installer stage,
 *       from the completion's stage times;</li>
 *   <li>{@code reinstall_deadline_expiries_total{deadline, phase}}: deadlines that expired;</li>
 *   <li>{@code reinstall_retries_total{phase}}: step retries scheduled after transient failures;</li>
 *   <li>{@code reinstall_admissions_total{by}}: reinstalls admitted, {@code by} the saga task's
 *       {@code reserve} (no round trip to the admission owner) or the {@code owner} (docs/saga.md).</li>
 * </ul>
 * Never tagged by server id. Counted when the processor forwards the decision, so a record
 * reprocessed after an aborted transaction counts again: read these as rates, not as ledgers (the
 * completions topic is the ledger).
 */
public final class SagaMetrics {

    /** Histogram buckets of steps, stages and whole reinstalls: seconds (simulated) to hours (real). */
    private static final Duration[] DURATION_BUCKETS = {
        Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30),
        Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10),
        Duration.ofMinutes(20), Duration.ofMinutes(30), Duration.ofMinutes(45), Duration.ofHours(1),
        Duration.ofMinutes(90), Duration.ofHours(2), Duration.ofHours(4)
    };

    private final MeterRegistry registry;

    public SagaMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** Metrics nobody reads: for tests and embedded use. */
    public static SagaMetrics disabled() {
        return new SagaMetrics(new CompositeMeterRegistry());
    }

    /** A reinstall admitted: from its saga task's reserve, or granted by the admission owner. */
    void admitted(boolean fromReserve) {
        Counter.builder("reinstall.admissions")
                .description("Reinstalls admitted, by the saga task's reserve or the admission owner")
                .tags("by", fromReserve ? "reserve" : "owner")
                .register(registry)
                .increment();
    }

    /** Counts what one applied decision carries: deadline expiries, retries and the completion. */
    void decided(Decision decision) {
        for (Object event : decision.events()) {
            switch (event) {
                case DeadlineExceeded expired -> Counter.builder("reinstall.deadline.expiries")
                        .description("Deadlines that expired, by the wait they bounded and the phase")
                        .tags("deadline", expired.getDeadline().name(), "phase", expired.getPhase().name())
                        .register(registry)
                        .increment();
                case StepRetryScheduled retry -> Counter.builder("reinstall.retries")
                        .description("Step retries scheduled after transient failures, by phase")
                        .tags("phase", retry.getPhase().name())
                        .register(registry)
                        .increment();
                default -> { }
            }
        }
        decision.completion().ifPresent(this::completed);
    }

    public void completed(ReinstallCompletion completion) {
        String outcome;
        String reason;
        switch (completion.getOutcome()) {
            case ReinstallCompleted c -> { outcome = "completed"; reason = "none"; }
            case ReinstallFailed f -> { outcome = "failed"; reason = f.getKind().name(); }
            case ReinstallCancelled c -> { outcome = "cancelled"; reason = "none"; }
            case ReinstallRejected r -> { outcome = "rejected"; reason = r.getReason().name(); }
            default -> { outcome = "unknown"; reason = "none"; }
        }
        Counter.builder("reinstall.completions")
                .description("Terminal records on reinstall-completions, by outcome and reason")
                .tags("outcome", outcome, "reason", reason)
                .register(registry)
                .increment();

        Tags where = Tags.of("os", orUnknown(completion.getOsName()), "server_type", orUnknown(completion.getServerType()),
                "location", orUnknown(completion.getLocation()));
        long finishedAt = completion.getFinishedAt().toEpochMilli();
        record("reinstall.duration", "From the request to the completion record", where.and("outcome", outcome),
                finishedAt - completion.getRequestedAt().toEpochMilli());

        List<Map.Entry<String, Long>> steps = sortedByTime(completion.getStepTimes());
        for (int i = 0; i < steps.size(); i++) {
            String step = steps.get(i).getKey();
            if (isTerminal(step)) {
                continue;
            }
            long end = i + 1 < steps.size() ? steps.get(i + 1).getValue() : finishedAt;
            record("reinstall.step.duration", "Time spent in each step (phase), by OS, server type and location",
                    where.and("step", step), end - steps.get(i).getValue());
        }

        List<Map.Entry<String, Long>> stages = sortedByTime(completion.getStageTimes());
        for (int i = 0; i < stages.size(); i++) {
            long start = stages.get(i).getValue();
            // The last stage lasts until the next step begins (the installer said it is done).
            long end = i + 1 < stages.size() ? stages.get(i + 1).getValue()
                    : steps.stream().mapToLong(Map.Entry::getValue).filter(t -> t > start).min().orElse(finishedAt);
            record("reinstall.stage.duration", "Time spent in each installer stage, by OS, server type and location",
                    where.and("stage", stages.get(i).getKey()), end - start);
        }
    }

    private void record(String name, String description, Tags tags, long millis) {
        Timer.builder(name)
                .description(description)
                .tags(tags)
                .serviceLevelObjectives(DURATION_BUCKETS)
                .register(registry)
                .record(Duration.ofMillis(Math.max(0, millis)));
    }

    /** Entries ordered by time; ties (the same millisecond) by name, so the order is stable. */
    private static List<Map.Entry<String, Long>> sortedByTime(Map<String, Long> times) {
        return times.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .toList();
    }

    private static boolean isTerminal(String step) {
        try {
            return ReinstallStateMachine.isTerminal(ReinstallPhase.valueOf(step));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String orUnknown(String value) {
        return value == null || value.isBlank() ? "unknown" : value;
    }
}
