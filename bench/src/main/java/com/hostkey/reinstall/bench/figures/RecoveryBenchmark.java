package com.hostkey.reinstall.bench.figures;

import com.hostkey.reinstall.testkit.ServiceProcess;
import com.hostkey.invapi.simulator.AuditEntry;
import com.hostkey.invapi.simulator.SimulatorConfig;
import com.hostkey.reinstall.bench.BenchContext;
import com.hostkey.reinstall.bench.Benchmark;
import com.hostkey.reinstall.bench.Measurement;
import com.hostkey.reinstall.bench.MetricSpec;
import com.hostkey.reinstall.bench.Profile;
import com.hostkey.reinstall.bench.infra.BenchStack;
import com.hostkey.reinstall.bench.infra.ReinstallRequests;
import com.hostkey.reinstall.bench.infra.SimulatedClockMapping;
import com.hostkey.reinstall.bench.infra.TopicTail;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.avro.ReinstallEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * Figure 5, recovery after SIGKILL. The services run as processes with the fast-failover settings the
 * project documents (static membership for all three: PROJECTOR_INSTANCE_ID, HANDLER_INSTANCE_ID and
 * POLLER_INSTANCE_ID as BenchStack sets them; KAFKA_SESSION_TIMEOUT_MS=10000 for all). Set-up: the
 * projector folds N ReinstallServer requests with no handler running, so each
 * ends at its 15 s command-answer deadline and the store holds N servers' states; then a trickle of
 * 10 new requests per second keeps deadlines falling due. Each run SIGKILLs the projector, starts it
 * at once with the same state directory, and measures from the new process's launch until (a) a
 * query for a random one of the N servers answers 200 and (b) the first DeadlineExceeded event is
 * readable (read_committed). Then handler and poller join (the trickle's reinstalls now run), and
 * each of them is SIGKILLed and restarted, measuring until its first Hostkey call (the simulator's
 * record) and its first event.
 */
public final class RecoveryBenchmark implements Benchmark {

    private static final Duration GIVE_UP = Duration.ofMinutes(3);
    /** New requests per second while the runs measure: each ends at its 15 s deadline unless a handler answers. */
    private static final int TRICKLE_PER_SECOND = 10;

    @Override
    public int figure() {
        return 5;
    }

    @Override
    public String title() {
        return "Recovery";
    }

    @Override
    public String targetText() {
        return "after SIGKILL of the projector holding state for 100,000 servers, <= 10 s until it serves queries and resumes "
                + "deadlines; the same for handler and poller restarts";
    }

    @Override
    public List<MetricSpec> metrics(Profile profile) {
        return List.of(
                MetricSpec.atMost("projector.queries", "s", "projector: launch to first query answered", 10),
                MetricSpec.atMost("projector.deadlines", "s", "projector: launch to first deadline fired", 10),
                MetricSpec.atMost("handler.firstCall", "s", "handler: launch to first Hostkey call", 10),
                MetricSpec.info("handler.firstEvent", "s", "handler: launch to first outcome event"),
                MetricSpec.atMost("poller.firstCheck", "s", "poller: launch to first eq_callback check", 10),
                MetricSpec.info("poller.firstEvent", "s", "poller: launch to first stage/callback event"),
                MetricSpec.info("servers", "count", "servers in the projector's state"),
                MetricSpec.info("loadSeconds", "s", "set-up: N requests folded and ended at their deadline"));
    }

    @Override
    public Map<String, Object> parameters(Profile profile) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("servers", profile.integer("fig5.servers"));
        p.put("services", "3 processes, -Xmx256m, KAFKA_SESSION_TIMEOUT_MS=10000, PROJECTOR/HANDLER/POLLER_INSTANCE_ID set");
        p.put("deadlines", "SAGA_COMMAND_ANSWER_SECONDS=15 while no handler runs");
        return p;
    }

    @Override
    public Trial open(BenchContext context) throws Exception {
        return new RecoveryTrial(context);
    }

    /** An event as the tail saw it. */
    private record Seen(long receivedAtMillis, String source, String type) {}

    private static final class RecoveryTrial implements Trial {
        private final BenchContext context;
        private final int servers;
        private final BenchStack stack;
        private final TopicTail<ReinstallEvent> events;
        private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        private volatile long watchFrom = Long.MAX_VALUE;
        private final double loadSeconds;
        private final Random random = new Random(5);
        private final Thread trickle;
        private volatile long nextTrickleServer;
        private long lastTrickleServer;

        RecoveryTrial(BenchContext context) throws Exception {
            this.context = context;
            servers = context.profile().integer("fig5.servers");
            stack = new BenchStack(context, "fig5", new BenchStack.Options()
                    .simulator(SimulatorConfig.builder().timeScale(10).generatedFleet(servers + trickleServers(context.profile())))
                    .services(BenchStack.PROJECTOR)
                    .env(BenchStack.PROJECTOR, "KAFKA_SESSION_TIMEOUT_MS", "10000")
                    .env(BenchStack.HANDLER, "KAFKA_SESSION_TIMEOUT_MS", "10000")
                    .env(BenchStack.POLLER, "KAFKA_SESSION_TIMEOUT_MS", "10000")
                    .env(BenchStack.PROJECTOR, "SAGA_COMMAND_ANSWER_SECONDS", "15")
                    .env(BenchStack.PROJECTOR, "SAGA_RETRY_BACKOFF_SECONDS", "1")
                    .env(BenchStack.PROJECTOR, "SAGA_MAX_RETRY_BACKOFF_SECONDS", "2")
                    .env(BenchStack.POLLER, "POLLER_INTERVAL_MS", "2000")
                    .env(BenchStack.POLLER, "POLLER_MAX_REQUESTS_PER_SECOND", "1000")
                    .env(BenchStack.POLLER, "HOSTKEY_RATE_LIMIT_RPS", "1000")
                    .env(BenchStack.HANDLER, "HOSTKEY_RATE_LIMIT_RPS", "1000"));
            events = new TopicTail<>(stack.bootstrapServers(), ReinstallTopics.EVENTS, stack.topics.events.valueSerde().deserializer(), r -> {
                if (r.record().timestamp() >= watchFrom) {
                    ReinstallEvent e = r.record().value();
                    seen.add(new Seen(r.receivedAtMillis(), e.getSource(), e.getPayload().getClass().getSimpleName()));
                }
            });
            context.log("fig5: the projector folds " + servers + " reinstall requests");
            long start = System.nanoTime();
            ReinstallRequests requests = new ReinstallRequests(stack.sealer, "bench-fig5");
            Set<String> ended = ConcurrentHashMap.newKeySet();
            try (TopicTail<ReinstallCompletion> completions = new TopicTail<>(stack.bootstrapServers(), ReinstallTopics.COMPLETIONS,
                    stack.topics.completions.valueSerde().deserializer(), r -> ended.add(r.record().value().getRequestId()))) {
                for (int from = 0; from < servers; from += 10_000) {
                    stack.submit(requests.reinstalls(BenchStack.firstServerId() + from, Math.min(10_000, servers - from), "fig5"));
                }
                // No handler answers: every request ends at its 15 s command deadline, leaving N terminal states.
                long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
                while (ended.size() < servers) {
                    if (System.nanoTime() > deadline || completions.failure() != null) {
                        throw new IllegalStateException("only " + ended.size() + " of " + servers + " requests ended within 30 minutes"
                                + (completions.failure() == null ? "" : " (" + completions.failure() + ")"));
                    }
                    Thread.sleep(500);
                }
            }
            loadSeconds = (System.nanoTime() - start) / 1e9;
            context.log(String.format("fig5: %d requests folded and ended in %.1f s; a trickle of %d requests/s keeps deadlines due",
                    servers, loadSeconds, TRICKLE_PER_SECOND));
            nextTrickleServer = BenchStack.firstServerId() + servers;
            lastTrickleServer = nextTrickleServer + trickleServers(context.profile()) - 1;
            trickle = Thread.ofPlatform().name("bench-fig5-trickle").daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted() && nextTrickleServer <= lastTrickleServer) {
                    long server = nextTrickleServer++;
                    stack.submit(List.of(requests.reinstall(server, "fig5-trickle-" + server)));
                    try {
                        Thread.sleep(1000 / TRICKLE_PER_SECOND);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            Thread.sleep(20_000);
        }

        static int trickleServers(Profile profile) {
            return TRICKLE_PER_SECOND * (profile.runs() * 200 + 600);
        }

        @Override
        public Measurement run(int index) throws Exception {
            Measurement m = new Measurement().put("servers", servers).put("loadSeconds", loadSeconds);
            restartProjector(m);
            if (index == 1) {
                // The set-up's requests ended long ago; a handler deployed now starts with what comes next.
                stack.skipBacklog(BenchStack.HANDLER_GROUP, ReinstallTopics.STEPS);
            }
            context.log("fig5: handler and poller join");
            stack.start(BenchStack.HANDLER);
            stack.start(BenchStack.POLLER);
            Thread.sleep(10_000);
            restartWorker(m, BenchStack.HANDLER, "handler", e -> !e.module().equals("eq_callback"), "command-handler");
            restartWorker(m, BenchStack.POLLER, "poller", e -> e.module().equals("eq_callback"), "stage-poller");
            // Without a handler the reinstalls go back to missing their command deadlines; after 20 s some
            // are overdue whenever the next run kills the projector, so its first timer pass has work.
            stack.service(BenchStack.HANDLER).close();
            stack.service(BenchStack.POLLER).close();
            Thread.sleep(20_000);
            return m;
        }

        /** SIGKILL, immediate restart, then the time to the first Hostkey call and the first event of the new process. */
        private void restartWorker(Measurement m, String service, String metric, Predicate<AuditEntry> itsCall, String source)
                throws Exception {
            ServiceProcess process = stack.service(service);
            awaitActivity(itsCall, Duration.ofSeconds(60));
            watchFrom = Long.MAX_VALUE;
            seen.clear();
            process.kill();
            stack.simulator.clearAudit();
            process.start();
            Instant launched = process.startedAt();
            watchFrom = launched.toEpochMilli();
            Double call = null;
            Double event = null;
            long giveUp = System.nanoTime() + GIVE_UP.toNanos();
            while ((call == null || event == null) && System.nanoTime() < giveUp) {
                if (call == null) {
                    SimulatedClockMapping clock = new SimulatedClockMapping(stack.simulator);
                    call = stack.simulator.audit().stream().filter(itsCall)
                            .map(e -> clock.toWallMillis(e.at()))
                            .filter(t -> t >= launched.toEpochMilli())
                            .min(Double::compare)
                            .map(t -> (t - launched.toEpochMilli()) / 1000.0)
                            .orElse(null);
                }
                if (event == null) {
                    event = first(s -> source.equals(s.source())).map(s -> secondsSince(launched, s.receivedAtMillis())).orElse(null);
                }
                Thread.sleep(50);
            }
            m.put(metric + (metric.equals("poller") ? ".firstCheck" : ".firstCall"), call == null ? Double.NaN : call);
            m.put(metric + ".firstEvent", event == null ? Double.NaN : event);
            if (call == null || event == null) {
                m.note(service + " did not resume within " + GIVE_UP.toSeconds() + " s (call " + call + ", event " + event + ")");
            }
            stack.awaitReady(service, Duration.ofSeconds(60));
        }

        private void restartProjector(Measurement m) throws Exception {
            ServiceProcess projector = stack.service(BenchStack.PROJECTOR);
            String server = String.valueOf(BenchStack.firstServerId() + random.nextInt(servers));
            watchFrom = Long.MAX_VALUE;
            seen.clear();
            projector.kill();
            projector.start();
            Instant launched = projector.startedAt();
            watchFrom = launched.toEpochMilli();
            Double queries = null;
            Double deadlines = null;
            long giveUp = System.nanoTime() + GIVE_UP.toNanos();
            while ((queries == null || deadlines == null) && System.nanoTime() < giveUp) {
                if (queries == null && stack.queryStatus("/reinstalls/" + server) == 200) {
                    queries = secondsSince(launched, System.currentTimeMillis());
                }
                if (deadlines == null) {
                    deadlines = first(s -> s.type().equals("DeadlineExceeded")).map(s -> secondsSince(launched, s.receivedAtMillis())).orElse(null);
                }
                Thread.sleep(50);
            }
            m.put("projector.queries", queries == null ? Double.NaN : queries);
            m.put("projector.deadlines", deadlines == null ? Double.NaN : deadlines);
            if (queries == null || deadlines == null) {
                m.note("projector did not recover within " + GIVE_UP.toSeconds() + " s (queries " + queries + ", deadlines " + deadlines + ")");
            }
            stack.awaitReady(BenchStack.PROJECTOR, Duration.ofSeconds(60));
        }

        /** Waits until the service is busy (a call of its kind within the last 2 s), so a restart has work waiting. */
        private void awaitActivity(Predicate<AuditEntry> itsCall, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                SimulatedClockMapping clock = new SimulatedClockMapping(stack.simulator);
                long recent = System.currentTimeMillis() - 2000;
                if (stack.simulator.audit().stream().filter(itsCall).anyMatch(e -> clock.toWallMillis(e.at()) >= recent)) {
                    return;
                }
                stack.simulator.clearAudit();
                Thread.sleep(500);
            }
        }

        private Optional<Seen> first(Predicate<Seen> what) {
            return seen.stream().filter(what).findFirst();
        }

        private static double secondsSince(Instant launched, long millis) {
            return (millis - launched.toEpochMilli()) / 1000.0;
        }

        @Override
        public void close() {
            trickle.interrupt();
            events.close();
            stack.close();
        }
    }
}
