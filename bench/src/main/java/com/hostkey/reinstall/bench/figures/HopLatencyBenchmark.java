package com.hostkey.reinstall.bench.figures;

import com.hostkey.invapi.simulator.SimulatorConfig;
import com.hostkey.reinstall.bench.BenchContext;
import com.hostkey.reinstall.bench.Benchmark;
import com.hostkey.reinstall.bench.Measurement;
import com.hostkey.reinstall.bench.MetricSpec;
import com.hostkey.reinstall.bench.Profile;
import com.hostkey.reinstall.bench.Stats;
import com.hostkey.reinstall.bench.infra.BenchStack;
import com.hostkey.reinstall.bench.infra.KafkaRoundTrip;
import com.hostkey.reinstall.bench.infra.ReinstallRequests;
import com.hostkey.reinstall.bench.infra.RecordingProxy;
import com.hostkey.reinstall.bench.infra.TopicTail;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.AdmissionGranted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.StepCommand;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import java.util.Collections;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figure 1, hop latency: the time from the simulator sending the answer that ends step k of a
 * server's saga to it receiving the call of step k+1 (handler -> event -> projector -> command ->
 * handler, or poller -> event -> projector -> command -> handler), measured by a recording proxy
 * in front of the simulator, with a steady number of reinstalls in flight (a closed loop: each
 * completion submits the next server; the first ones are staggered over one install so steps do not
 * march in lockstep). Limit, measured during the same window on the same broker: a plain
 * produce -> consume -> produce -> consume round trip.
 */
public final class HopLatencyBenchmark implements Benchmark {

    @Override
    public int figure() {
        return 1;
    }

    @Override
    public String title() {
        return "Hop latency";
    }

    @Override
    public String targetText() {
        return "with 100 reinstalls in flight and exactly_once_v2: hop p50 <= 40 ms, p99 <= 150 ms, the hop into eq/reinstall "
                + "(through admission) no slower than the median of the other calls' hops; reported against a plain "
                + "produce-consume-produce-consume round trip on the same broker";
    }

    @Override
    public List<MetricSpec> metrics(Profile profile) {
        return List.of(
                MetricSpec.atMost("hop.p50", "ms", "hop p50", 40),
                MetricSpec.atMost("hop.p99", "ms", "hop p99", 150),
                MetricSpec.atMost("firstHop.ratio", "x", "eq/reinstall hop p50 / median of the other calls' hop p50", 1.0),
                MetricSpec.info("hop.max", "ms", "hop max"),
                MetricSpec.info("limit.p50", "ms", "limit: plain round trip p50"),
                MetricSpec.info("limit.p99", "ms", "limit: plain round trip p99"),
                MetricSpec.info("ratio.p50", "x", "hop p50 / limit p50"),
                MetricSpec.info("ratio.p99", "x", "hop p99 / limit p99"),
                MetricSpec.info("hops", "count", "hops measured"),
                MetricSpec.info("inFlight", "count", "reinstalls in flight (mean)"));
    }

    @Override
    public Map<String, Object> parameters(Profile profile) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("inFlight", profile.integer("fig1.inFlight"));
        p.put("windowSeconds", profile.integer("fig1.windowSeconds"));
        p.put("timeScale", profile.decimal("fig1.timeScale"));
        p.put("pollIntervalMs", profile.integer("fig1.pollIntervalMs"));
        p.put("limitSamples", profile.integer("fig1.limitSamples"));
        p.put("services", "3 processes, -Xmx256m");
        return p;
    }

    @Override
    public Trial open(BenchContext context) throws Exception {
        return new HopTrial(context);
    }

    private static final class HopTrial implements Trial {
        private final BenchContext context;
        private final BenchStack stack;
        private final TopicTail<ReinstallCompletion> completions;
        /** When each server's events and commands became visible to a read_committed reader here. */
        private final TopicTail<ReinstallEvent> eventTail;
        private final TopicTail<StepCommand> commandTail;
        private final Map<Long, List<Long>> eventsSeen = new ConcurrentHashMap<>();
        private final Map<Long, List<Long>> commandsSeen = new ConcurrentHashMap<>();
        /**
         * When the projector decided each command, on the clock of {@link #commandsSeen}: its record's
         * timestamp (the decision's wall clock, same host) moved back from when it became visible here.
         */
        private final Map<Long, List<Long>> commandsDecided = new ConcurrentHashMap<>();
        /** Admissions so far: from a saga task's reserve (no round trip to the owner), or granted by the owner. */
        private final AtomicLong admittedFromReserve = new AtomicLong();
        private final AtomicLong admittedByOwner = new AtomicLong();
        private final ReinstallRequests requests;
        private final int inFlight;
        private final Duration window;
        private final int limitSamples;
        private final AtomicLong nextServer = new AtomicLong(BenchStack.firstServerId());
        private final long lastServer;
        private final Set<String> outstanding = ConcurrentHashMap.newKeySet();
        private final AtomicInteger completed = new AtomicInteger();
        private final AtomicInteger notCompleted = new AtomicInteger();

        HopTrial(BenchContext context) throws Exception {
            this.context = context;
            Profile profile = context.profile();
            inFlight = profile.integer("fig1.inFlight");
            window = Duration.ofSeconds(profile.integer("fig1.windowSeconds"));
            limitSamples = profile.integer("fig1.limitSamples");
            double timeScale = profile.decimal("fig1.timeScale");
            Duration installReal = Duration.ofMillis((long) (SimulatorConfig.DEFAULT_STAGE_OFFSETS.getLast().toMillis() / timeScale));
            // Enough servers that every one is reinstalled once: generous, servers are cheap in the simulator.
            long perSecond = Math.max(1, inFlight * 1000L / Math.max(1000, installReal.toMillis()));
            int fleet = (int) (inFlight * 4 + perSecond * 4 * (installReal.toSeconds() + window.toSeconds() * (profile.runs() + 1)));
            lastServer = BenchStack.firstServerId() + fleet - 1;
            String interval = String.valueOf(profile.integer("fig1.pollIntervalMs"));
            stack = new BenchStack(context, "fig1", new BenchStack.Options()
                    .simulator(SimulatorConfig.builder().timeScale(timeScale).generatedFleet(fleet))
                    .proxy(true)
                    .env(BenchStack.POLLER, "POLLER_INTERVAL_MS", interval)
                    .env(BenchStack.POLLER, "POLLER_MAX_REQUESTS_PER_SECOND", "500")
                    .env(BenchStack.POLLER, "HOSTKEY_RATE_LIMIT_RPS", "500")
                    .env(BenchStack.HANDLER, "HOSTKEY_RATE_LIMIT_RPS", "500"));
            requests = new ReinstallRequests(stack.sealer, "bench-fig1");
            eventTail = new TopicTail<>(stack.bootstrapServers(), ReinstallTopics.EVENTS,
                    stack.topics.events.valueSerde().deserializer(), r -> {
                        seen(eventsSeen, r.record().value().getServerId());
                        if (r.record().value().getPayload() instanceof AdmissionGranted granted) {
                            (granted.getFromReserve() ? admittedFromReserve : admittedByOwner).incrementAndGet();
                        }
                    });
            commandTail = new TopicTail<>(stack.bootstrapServers(), ReinstallTopics.STEPS,
                    stack.topics.steps.valueSerde().deserializer(), r -> {
                        long serverId = r.record().value().getServerId();
                        long decidedAgo = Math.max(0, r.receivedAtMillis() - r.record().timestamp());
                        synchronized (commandsSeen) {
                            seen(commandsSeen, serverId);
                            commandsDecided.computeIfAbsent(serverId, x -> Collections.synchronizedList(new ArrayList<>()))
                                    .add(System.nanoTime() - decidedAgo * 1_000_000);
                        }
                    });
            completions = new TopicTail<>(stack.bootstrapServers(), ReinstallTopics.COMPLETIONS,
                    stack.topics.completions.valueSerde().deserializer(), received -> onCompletion(received.record().value()));
            // Stagger the first reinstalls over one install, so steps of different servers interleave.
            context.log("fig1: starting " + inFlight + " reinstalls staggered over " + installReal.toSeconds() + " s (warm-up)");
            long gapMillis = installReal.toMillis() / inFlight;
            for (int i = 0; i < inFlight; i++) {
                submitNext();
                Thread.sleep(gapMillis);
            }
            // The windows measure the steady state: the first wave (every service's first hundred runs of
            // every step, its JIT's warm-up) ends before the first window opens.
            long warmUpEnd = System.nanoTime() + 4 * installReal.toNanos();
            while (completed.get() + notCompleted.get() < inFlight && System.nanoTime() < warmUpEnd) {
                Thread.sleep(200);
            }
            context.log("fig1: warm-up over, " + completed.get() + " completed and " + notCompleted.get() + " ended otherwise");
        }

        private static void seen(Map<Long, List<Long>> arrivals, long serverId) {
            arrivals.computeIfAbsent(serverId, s -> Collections.synchronizedList(new ArrayList<>())).add(System.nanoTime());
        }

        /**
         * Where a hop's time goes, from when the server's next event and then its next command became
         * visible here (read_committed, so after their transactions committed): the answer until its
         * event is visible (handler or poller), the event until the next command is visible (projector),
         * the command until its call reaches Hostkey (handler). The projector's segment is split at the
         * command's record timestamp (its decision, millisecond wall clock): until the decision (the
         * event's way into the projector and its processing), then until visible (its transaction).
         */
        private String segments(List<HopAnalysis.Hop> hops) {
            List<Double> toEvent = new ArrayList<>();
            List<Double> toCommand = new ArrayList<>();
            List<Double> toDecision = new ArrayList<>();
            List<Double> decisionToVisible = new ArrayList<>();
            List<Double> toCall = new ArrayList<>();
            for (HopAnalysis.Hop hop : hops) {
                long concluded = hop.requestNanos() - (long) (hop.millis() * 1e6);
                long event = firstBetween(eventsSeen.get(hop.serverId()), concluded, hop.requestNanos());
                if (event < 0) {
                    continue;
                }
                synchronized (commandsSeen) {
                    List<Long> seen = commandsSeen.get(hop.serverId());
                    int index = firstIndexBetween(seen, event, hop.requestNanos());
                    if (index >= 0) {
                        long command = seen.get(index);
                        long decided = commandsDecided.get(hop.serverId()).get(index);
                        toEvent.add((event - concluded) / 1e6);
                        toCommand.add((command - event) / 1e6);
                        toDecision.add((decided - event) / 1e6);
                        decisionToVisible.add((command - decided) / 1e6);
                        toCall.add((hop.requestNanos() - command) / 1e6);
                    }
                }
            }
            Stats a = Stats.of(toEvent);
            Stats b = Stats.of(toCommand);
            Stats d = Stats.of(toDecision);
            Stats e = Stats.of(decisionToVisible);
            Stats c = Stats.of(toCall);
            return String.format(Locale.ROOT, "hop segments p50/p99 ms (n=%d): answer to event visible %.1f/%.1f;"
                    + " event to command visible %.1f/%.1f (to its decision %.1f/%.1f, decision to visible %.1f/%.1f);"
                    + " command to call %.1f/%.1f", toEvent.size(),
                    a.percentile(50), a.percentile(99), b.percentile(50), b.percentile(99), d.percentile(50), d.percentile(99),
                    e.percentile(50), e.percentile(99), c.percentile(50), c.percentile(99));
        }

        private static long firstBetween(List<Long> arrivals, long from, long to) {
            if (arrivals == null) {
                return -1;
            }
            synchronized (arrivals) {
                int index = firstIndexBetween(arrivals, from, to);
                return index < 0 ? -1 : arrivals.get(index);
            }
        }

        /** The index of the first arrival within [from, to], or -1; the caller holds the list's lock. */
        private static int firstIndexBetween(List<Long> arrivals, long from, long to) {
            if (arrivals == null) {
                return -1;
            }
            for (int i = 0; i < arrivals.size(); i++) {
                long at = arrivals.get(i);
                if (at >= from && at <= to) {
                    return i;
                }
            }
            return -1;
        }

        private void onCompletion(ReinstallCompletion completion) {
            if (outstanding.remove(completion.getRequestId())) {
                if (completion.getOutcome() instanceof ReinstallCompleted) {
                    completed.incrementAndGet();
                } else {
                    notCompleted.incrementAndGet();
                }
                submitNext();
            }
        }

        private void submitNext() {
            long server = nextServer.getAndIncrement();
            if (server > lastServer) {
                return;
            }
            String requestId = "fig1-" + server;
            outstanding.add(requestId);
            stack.submit(List.of(requests.reinstall(server, requestId)));
        }

        @Override
        public Measurement run(int index) throws Exception {
            long start = System.nanoTime();
            CompletableFuture<List<Double>> limit = CompletableFuture.supplyAsync(() -> {
                try {
                    return KafkaRoundTrip.measure(stack.bootstrapServers(), limitSamples, 20);
                } catch (Exception e) {
                    throw new IllegalStateException("round-trip limit failed: " + e.getMessage(), e);
                }
            });
            List<Integer> inFlightSamples = new ArrayList<>();
            long end = start + window.toNanos();
            while (System.nanoTime() < end) {
                inFlightSamples.add(outstanding.size());
                Thread.sleep(500);
            }
            List<Double> limitTimes = limit.get();
            List<RecordingProxy.Exchange> exchanges = stack.proxy.exchanges();
            List<HopAnalysis.Hop> hops = HopAnalysis.hops(exchanges).stream()
                    .filter(h -> h.requestNanos() >= start && h.requestNanos() <= end).toList();
            Stats hop = Stats.of(hops.stream().map(HopAnalysis.Hop::millis).toList());
            Stats rt = Stats.of(limitTimes);
            Measurement m = new Measurement()
                    .put("hop.p50", hop.percentile(50))
                    .put("hop.p99", hop.percentile(99))
                    .put("hop.max", hop.max())
                    .put("limit.p50", rt.percentile(50))
                    .put("limit.p99", rt.percentile(99))
                    .put("ratio.p50", hop.percentile(50) / rt.percentile(50))
                    .put("ratio.p99", hop.percentile(99) / rt.percentile(99))
                    .put("firstHop.ratio", HopAnalysis.firstHopRatio(hops))
                    .put("hops", hop.count())
                    .put("inFlight", Stats.of(inFlightSamples).mean());
            Map<String, List<Double>> byCall = HopAnalysis.millisByCall(hops);
            List<String> perCall = new ArrayList<>();
            byCall.forEach((call, values) -> perCall.add(String.format(Locale.ROOT, "%s p50 %.1f p99 %.1f (n=%d)", call,
                    Stats.of(values).percentile(50), Stats.of(values).percentile(99), values.size())));
            m.note("hop by next call: " + String.join("; ", perCall));
            m.note(segments(hops));
            // Per next call: hops after a handler's answer (eq/reinstall after validation, create_pxe after
            // eq/reinstall) wait for its transaction; the others start at a callback answer the poller publishes.
            byCall.keySet().forEach(call -> m.note(call + " " + segments(hops.stream().filter(h -> h.call().equals(call)).toList())));
            m.note("admissions so far: from a saga task's reserve " + admittedFromReserve.get() + ", granted by the owner "
                    + admittedByOwner.get());
            m.note("reinstalls completed so far " + completed.get() + ", ended otherwise " + notCompleted.get());
            if (nextServer.get() > lastServer) {
                m.note("fleet exhausted: in-flight count fell during the window");
            }
            return m;
        }

        @Override
        public void close() {
            completions.close();
            eventTail.close();
            commandTail.close();
            stack.close();
        }
    }
}
