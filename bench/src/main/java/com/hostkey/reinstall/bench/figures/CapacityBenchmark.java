package com.hostkey.reinstall.bench.figures;

import com.hostkey.invapi.simulator.SimulatorConfig;
import com.hostkey.reinstall.bench.BenchContext;
import com.hostkey.reinstall.bench.Benchmark;
import com.hostkey.reinstall.bench.Measurement;
import com.hostkey.reinstall.bench.MetricSpec;
import com.hostkey.reinstall.bench.Profile;
import com.hostkey.reinstall.bench.Stats;
import com.hostkey.reinstall.bench.infra.BenchStack;
import com.hostkey.reinstall.bench.infra.ReinstallRequests;
import com.hostkey.reinstall.bench.infra.TopicTail;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallFailed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Figure 2, capacity: reinstalls completed per second through the whole pipeline (three service
 * processes, one broker, the simulator) with Hostkey answering at once and installs taking no time
 * (action delays and stage offsets zero: the time scale at its limit). Each run submits a fresh
 * batch of servers at once and waits until every one has its completion record, or nothing has
 * completed for two minutes (the rest count as stuck). The rate judged is the whole batch over the
 * time from its submission to its last completion; with fewer servers than the admission cap the
 * batch moves in lockstep and completes in a burst, so the p10-p90 rate is shown only for context.
 */
public final class CapacityBenchmark implements Benchmark {

    private static final Duration STALL = Duration.ofMinutes(2);

    @Override
    public int figure() {
        return 2;
    }

    @Override
    public String title() {
        return "Capacity";
    }

    @Override
    public String targetText() {
        return ">= 100 reinstalls/s sustained over 10,000 servers with the simulator at zero latency and maximum time scale, "
                + "none lost or stuck; Hostkey calls/s and events/s alongside";
    }

    @Override
    public List<MetricSpec> metrics(Profile profile) {
        return List.of(
                MetricSpec.atLeast("rate", "/s", "reinstalls completed per second, submit to last completion", 100),
                MetricSpec.atMost("lostOrStuck", "count", "reinstalls lost or stuck", 0),
                MetricSpec.info("rate.p10p90", "/s", "completions per second between the 10th and 90th percentile"),
                MetricSpec.info("failed", "count", "reinstalls ended other than completed"),
                MetricSpec.info("hostkeyCalls", "/s", "Hostkey calls per second"),
                MetricSpec.info("events", "/s", "events written per second"),
                MetricSpec.info("callsPerReinstall", "count", "Hostkey calls per reinstall"),
                MetricSpec.info("latency.p50", "s", "one reinstall, submit to completion, p50"),
                MetricSpec.info("seconds", "s", "batch wall time"));
    }

    @Override
    public Map<String, Object> parameters(Profile profile) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("servers", profile.integer("fig2.servers"));
        p.put("simulator", "action delay 0, stage offsets 0 (installs take no time)");
        p.put("poller", "interval 500 ms, budget 5000 req/s");
        p.put("admission", profile.integer("fig2.maxActive") + " active, " + profile.integer("fig2.maxActivePerLocation")
                + " per location (defaults 500, 200)");
        p.put("services", "3 processes, -Xmx256m");
        return p;
    }

    @Override
    public Trial open(BenchContext context) throws Exception {
        return new CapacityTrial(context);
    }

    private static final class CapacityTrial implements Trial {
        private final BenchContext context;
        private final int servers;
        private final BenchStack stack;
        private final ReinstallRequests requests;
        private final Map<String, Long> completedAt = new ConcurrentHashMap<>();
        private final Map<String, String> outcomes = new ConcurrentHashMap<>();
        private final AtomicLong duplicates = new AtomicLong();
        private final AtomicLong events = new AtomicLong();
        private final TopicTail<ReinstallCompletion> completions;
        private final TopicTail<byte[]> eventTail;
        private long nextServer = BenchStack.firstServerId();

        CapacityTrial(BenchContext context) throws Exception {
            this.context = context;
            Profile profile = context.profile();
            servers = profile.integer("fig2.servers");
            int warmup = Math.min(200, Math.max(20, servers / 10));
            int fleet = warmup + servers * profile.runs();
            stack = new BenchStack(context, "fig2", new BenchStack.Options()
                    .simulator(SimulatorConfig.builder().timeScale(1).generatedFleet(fleet).actionDelay(Duration.ZERO)
                            .stageOffsets(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO))
                    .env(BenchStack.PROJECTOR, "ADMISSION_MAX_ACTIVE", profile.sizes().get("fig2.maxActive"))
                    .env(BenchStack.PROJECTOR, "ADMISSION_MAX_ACTIVE_PER_LOCATION", profile.sizes().get("fig2.maxActivePerLocation"))
                    .env(BenchStack.POLLER, "POLLER_INTERVAL_MS", "500")
                    .env(BenchStack.POLLER, "POLLER_MAX_REQUESTS_PER_SECOND", "5000")
                    .env(BenchStack.POLLER, "HOSTKEY_RATE_LIMIT_RPS", "5000")
                    .env(BenchStack.HANDLER, "HOSTKEY_RATE_LIMIT_RPS", "5000"));
            requests = new ReinstallRequests(stack.sealer, "bench-fig2");
            completions = new TopicTail<>(stack.bootstrapServers(), ReinstallTopics.COMPLETIONS,
                    stack.topics.completions.valueSerde().deserializer(), received -> {
                        ReinstallCompletion c = received.record().value();
                        if (completedAt.putIfAbsent(c.getRequestId(), received.receivedAtMillis()) != null) {
                            duplicates.incrementAndGet();
                        }
                        outcomes.put(c.getRequestId(), describe(c));
                    });
            eventTail = new TopicTail<>(stack.bootstrapServers(), ReinstallTopics.EVENTS, new ByteArrayDeserializer(),
                    received -> events.incrementAndGet());
            context.log("fig2: warm-up batch of " + warmup);
            batch(warmup, "fig2-warmup");
        }

        private static String describe(ReinstallCompletion c) {
            return switch (c.getOutcome()) {
                case ReinstallCompleted done -> "COMPLETED";
                case ReinstallFailed f -> "FAILED " + f.getKind() + " in " + f.getPhase();
                default -> c.getOutcome().getClass().getSimpleName();
            };
        }

        /** Submits {@code count} fresh servers and waits for them; returns their request ids and submit time. */
        private Batch batch(int count, String prefix) throws Exception {
            long first = nextServer;
            nextServer += count;
            List<String> ids = new ArrayList<>(count);
            for (long s = first; s < first + count; s++) {
                ids.add(prefix + "-" + s);
            }
            long submitted = System.currentTimeMillis();
            stack.submit(requests.reinstalls(first, count, prefix));
            long lastProgress = System.nanoTime();
            long done = 0;
            while (true) {
                long now = ids.stream().filter(completedAt::containsKey).count();
                if (now == count) {
                    break;
                }
                if (now > done) {
                    done = now;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                    break;
                }
                Thread.sleep(200);
            }
            return new Batch(ids, submitted);
        }

        private record Batch(List<String> ids, long submittedAtMillis) {}

        @Override
        public Measurement run(int index) throws Exception {
            stack.simulator.clearAudit();
            long eventsBefore = events.get();
            long duplicatesBefore = duplicates.get();
            Batch batch = batch(servers, "fig2-run" + index);
            List<Long> times = new ArrayList<>();
            int failed = 0;
            Map<String, Integer> failures = new TreeMap<>();
            for (String id : batch.ids()) {
                Long at = completedAt.get(id);
                if (at != null) {
                    times.add(at);
                    String outcome = outcomes.get(id);
                    if (!"COMPLETED".equals(outcome)) {
                        failed++;
                        failures.merge(outcome, 1, Integer::sum);
                    }
                }
            }
            Collections.sort(times);
            int missing = batch.ids().size() - times.size();
            long last = times.isEmpty() ? System.currentTimeMillis() : times.getLast();
            double seconds = (last - batch.submittedAtMillis()) / 1000.0;
            Measurement m = new Measurement();
            if (times.size() >= 10) {
                int p10 = (int) Math.floor(times.size() * 0.1);
                int p90 = (int) Math.ceil(times.size() * 0.9) - 1;
                double span = (times.get(p90) - times.get(p10)) / 1000.0;
                m.put("rate.p10p90", span > 0 ? (p90 - p10) / span : Double.NaN);
            }
            long calls = stack.simulator.audit().size();
            List<Double> latencies = times.stream().map(t -> (t - batch.submittedAtMillis()) / 1000.0).toList();
            m.put("lostOrStuck", missing + (duplicates.get() - duplicatesBefore))
                    .put("rate", times.size() / seconds)
                    .put("failed", failed)
                    .put("hostkeyCalls", calls / seconds)
                    .put("events", (events.get() - eventsBefore) / seconds)
                    .put("callsPerReinstall", (double) calls / Math.max(1, times.size()))
                    .put("latency.p50", Stats.of(latencies).percentile(50))
                    .put("seconds", seconds);
            if (!failures.isEmpty()) {
                m.note("outcomes other than completed: " + failures);
            }
            if (missing > 0) {
                m.note(missing + " reinstalls without a completion after " + STALL.toSeconds() + " s without progress");
            }
            return m;
        }

        @Override
        public void close() {
            completions.close();
            eventTail.close();
            stack.close();
        }
    }
}
