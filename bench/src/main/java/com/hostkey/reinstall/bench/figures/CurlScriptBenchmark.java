package com.hostkey.reinstall.bench.figures;

import com.hostkey.invapi.simulator.AuditEntry;
import com.hostkey.invapi.simulator.ServerSnapshot;
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
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Figure 7, against what a user would otherwise write: bench/scripts/curl-reinstall.sh (the seed's
 * documented flow in curl and jq, one process per server, {@code xargs -P} parallel) and the
 * orchestrator reinstall the same number of servers of the same simulator (same install time),
 * with the script's parallelism equal to the orchestrator's concurrency cap (ADMISSION_MAX_ACTIVE)
 * and the same eq_callback interval. Measured: wall time for the fleet and the Hostkey calls made
 * (the simulator's record), and the busiest second of calls of each. Runs alternate which goes
 * first.
 */
public final class CurlScriptBenchmark implements Benchmark {

    private static final String TASK = "monitoring-agent";
    private static final List<String> SIDES = List.of("orchestrator", "script");

    /**
     * The calls of the per-action breakdown, in the order of a reinstall. eq_callback checks are split
     * by key: the master key (named as {@code reinstall_key} in create_pxe) and the async actions' keys.
     */
    enum CallKind {
        LOGIN("login", "auth/login"),
        SHOW("show", "eq/show"),
        OS_LIST("osList", "os/list"),
        GET_TASKS("getTasks", "jenkins/get_tasks"),
        REINSTALL("reinstall", "eq/reinstall"),
        CREATE_PXE("createPxe", "eq/create_pxe"),
        BOOT_DEV("bootDev", "eq/boot_dev"),
        REBOOT("reboot", "eq/reboot"),
        RUN_TASK("runTask", "jenkins/run_task"),
        CLEAR_PXE("clearPxe", "eq/clear_pxe"),
        ACTION_CHECK("actionChecks", "eq_callback/check of action keys"),
        MASTER_CHECK("masterChecks", "eq_callback/check of the master key"),
        OTHER("other", "other calls");

        final String metric;
        final String label;

        CallKind(String metric, String label) {
            this.metric = metric;
            this.label = label;
        }

        static CallKind of(AuditEntry entry, Set<String> masterKeys) {
            String call = entry.call();
            if (call.equals("eq_callback/check")) {
                return masterKeys.contains(entry.params().get("key")) ? MASTER_CHECK : ACTION_CHECK;
            }
            for (CallKind kind : values()) {
                if (kind.label.equals(call)) {
                    return kind;
                }
            }
            return OTHER;
        }
    }

    /** Calls by kind and the eq_callback checks that learned nothing new, from one side's audit. */
    record CallBreakdown(Map<CallKind, Long> counts, long idleChecks, Map<String, Long> checkOutcomes, double masterCheckGapSeconds) {

        static CallBreakdown of(List<AuditEntry> entries) {
            Set<String> masterKeys = new java.util.HashSet<>();
            for (AuditEntry e : entries) {
                if (e.call().equals("eq/create_pxe") && e.params().get("reinstall_key") != null) {
                    masterKeys.add(e.params().get("reinstall_key"));
                }
            }
            Map<CallKind, Long> counts = new java.util.EnumMap<>(CallKind.class);
            Map<String, Long> outcomes = new java.util.TreeMap<>();
            Map<String, String> lastAnswer = new HashMap<>();
            Map<String, java.time.Instant> lastMasterCheck = new HashMap<>();
            double gapSeconds = 0;
            long gaps = 0;
            long idle = 0;
            for (AuditEntry e : entries.stream().sorted(java.util.Comparator.comparing(AuditEntry::at)).toList()) {
                CallKind kind = CallKind.of(e, masterKeys);
                counts.merge(kind, 1L, Long::sum);
                if (kind == CallKind.ACTION_CHECK || kind == CallKind.MASTER_CHECK) {
                    String key = e.params().get("key");
                    String answer = e.outcome() == null ? "" : e.outcome();
                    outcomes.merge((kind == CallKind.MASTER_CHECK ? "master " : "action ") + answer, 1L, Long::sum);
                    if (answer.equals("Not ready") || answer.equals(lastAnswer.get(key))) {
                        idle++;
                    }
                    lastAnswer.put(key, answer);
                    if (kind == CallKind.MASTER_CHECK) {
                        java.time.Instant previous = lastMasterCheck.put(key, e.at());
                        if (previous != null) {
                            gapSeconds += Duration.between(previous, e.at()).toMillis() / 1000.0;
                            gaps++;
                        }
                    }
                }
            }
            return new CallBreakdown(counts, idle, outcomes, gaps == 0 ? Double.NaN : gapSeconds / gaps);
        }

        long count(CallKind kind) {
            return counts.getOrDefault(kind, 0L);
        }
    }

    @Override
    public int figure() {
        return 7;
    }

    @Override
    public String title() {
        return "Orchestrator vs curl script";
    }

    @Override
    public String targetText() {
        return "on 1,000 servers with the same install time, parallelism and poll interval: the orchestrator finishes no later "
                + "than a curl + jq script (xargs -P) and makes no more Hostkey calls";
    }

    @Override
    public List<MetricSpec> metrics(Profile profile) {
        List<MetricSpec> headline = List.of(
                MetricSpec.atMost("timeRatio", "x", "orchestrator wall time / script wall time", 1.0),
                MetricSpec.atMost("callRatio", "x", "orchestrator calls / script calls", 1.0),
                MetricSpec.info("orchestrator.seconds", "s", "orchestrator: fleet wall time"),
                MetricSpec.info("script.seconds", "s", "script: fleet wall time"),
                MetricSpec.info("orchestrator.calls", "count", "orchestrator: Hostkey calls"),
                MetricSpec.info("script.calls", "count", "script: Hostkey calls"),
                MetricSpec.info("orchestrator.busiestSecond", "calls", "orchestrator: busiest second of calls"),
                MetricSpec.info("script.busiestSecond", "calls", "script: busiest second of calls"),
                MetricSpec.info("orchestrator.completed", "count", "orchestrator: servers reinstalled"),
                MetricSpec.info("script.completed", "count", "script: servers reinstalled"));
        List<MetricSpec> specs = new ArrayList<>(headline);
        for (CallKind kind : CallKind.values()) {
            for (String side : SIDES) {
                specs.add(MetricSpec.info(side + ".perServer." + kind.metric, "calls",
                        side + ": " + kind.label + " per server"));
            }
        }
        for (String side : SIDES) {
            specs.add(MetricSpec.info(side + ".perServer.idleChecks", "calls",
                    side + ": eq_callback checks that learned nothing (Not ready, or a stage already seen) per server"));
        }
        for (String side : SIDES) {
            specs.add(MetricSpec.info(side + ".masterCheckGap", "s",
                    side + ": mean simulated time between two checks of a master key (the interval: "
                            + profile.decimal("fig7.pollIntervalMs") * profile.decimal("fig7.timeScale") / 1000 + " s)"));
        }
        return specs;
    }

    @Override
    public Map<String, Object> parameters(Profile profile) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("servers", profile.integer("fig7.servers"));
        p.put("parallelism", profile.integer("fig7.parallelism"));
        p.put("timeScale", profile.decimal("fig7.timeScale"));
        p.put("pollIntervalMs", profile.integer("fig7.pollIntervalMs"));
        p.put("postInstallTask", TASK);
        return p;
    }

    @Override
    public Trial open(BenchContext context) throws Exception {
        return new RaceTrial(context);
    }

    private static final class RaceTrial implements Trial {
        private final BenchContext context;
        private final int servers;
        private final int parallelism;
        private final int intervalMs;
        private final BenchStack stack;
        private final ReinstallRequests requests;
        private final Map<String, Long> completedAt = new ConcurrentHashMap<>();
        private final Set<String> completedOk = ConcurrentHashMap.newKeySet();
        private final TopicTail<ReinstallCompletion> completions;
        private final Path script;
        private long nextServer = BenchStack.firstServerId();

        RaceTrial(BenchContext context) throws Exception {
            this.context = context;
            Profile profile = context.profile();
            servers = profile.integer("fig7.servers");
            parallelism = profile.integer("fig7.parallelism");
            intervalMs = profile.integer("fig7.pollIntervalMs");
            script = context.root().resolve("bench/scripts/curl-reinstall.sh");
            int warmup = Math.min(parallelism, 20);
            // The poller may check two keys per server at once (an action's and the master key).
            String budget = String.valueOf((int) Math.ceil(2.0 * parallelism * 1000 / intervalMs));
            stack = new BenchStack(context, "fig7", new BenchStack.Options()
                    .simulator(SimulatorConfig.builder().timeScale(profile.decimal("fig7.timeScale"))
                            .generatedFleet(warmup + 2 * servers * profile.runs()))
                    .env(BenchStack.PROJECTOR, "ADMISSION_MAX_ACTIVE", String.valueOf(parallelism))
                    .env(BenchStack.PROJECTOR, "ADMISSION_MAX_ACTIVE_PER_LOCATION", String.valueOf(parallelism))
                    .env(BenchStack.POLLER, "POLLER_INTERVAL_MS", String.valueOf(intervalMs))
                    .env(BenchStack.POLLER, "POLLER_MAX_REQUESTS_PER_SECOND", budget)
                    .env(BenchStack.POLLER, "HOSTKEY_RATE_LIMIT_RPS", budget)
                    .env(BenchStack.HANDLER, "HOSTKEY_RATE_LIMIT_RPS", budget)
                    // A session of an hour, in wall-clock time as in real use: the usual ttl=3600 is an hour of
                    // the simulator's clock, a minute here, so the handler's token expired while the script's
                    // side ran and the next side's first calls (eq/show of every validation) came back
                    // "Invalid hash" and were made twice: calls a real deployment does not make.
                    .env(BenchStack.HANDLER, "HOSTKEY_TOKEN_TTL_SECONDS",
                            String.valueOf((long) (3600 * profile.decimal("fig7.timeScale")))));
            requests = new ReinstallRequests(stack.sealer, "bench-fig7");
            completions = new TopicTail<>(stack.bootstrapServers(), ReinstallTopics.COMPLETIONS,
                    stack.topics.completions.valueSerde().deserializer(), r -> {
                        completedAt.putIfAbsent(r.record().value().getRequestId(), r.receivedAtMillis());
                        if (r.record().value().getOutcome() instanceof ReinstallCompleted) {
                            completedOk.add(r.record().value().getRequestId());
                        }
                    });
            context.log("fig7: orchestrator warm-up with " + warmup + " reinstalls");
            orchestrator(warmup, "fig7-warmup");
        }

        /** Reinstalls the next {@code count} servers with the orchestrator; returns {seconds, completed}. */
        private double[] orchestrator(int count, String prefix) throws Exception {
            long first = nextServer;
            nextServer += count;
            List<String> ids = new ArrayList<>();
            for (long s = first; s < first + count; s++) {
                ids.add(prefix + "-" + s);
            }
            long start = System.currentTimeMillis();
            stack.submit(requests.reinstalls(first, count, prefix));
            long deadline = System.nanoTime() + Duration.ofMinutes(60).toNanos();
            while (!ids.stream().allMatch(completedAt::containsKey) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            long last = ids.stream().map(completedAt::get).filter(java.util.Objects::nonNull).max(Long::compare).orElse(start);
            return new double[] {(last - start) / 1000.0, ids.stream().filter(completedOk::contains).count()};
        }

        /** Reinstalls the next {@code count} servers with the shell script under xargs -P. */
        private double[] script(int count) throws Exception {
            long first = nextServer;
            nextServer += count;
            Path list = Files.createTempFile(context.workDir(), "fig7-servers-", ".txt");
            List<String> lines = new ArrayList<>();
            for (long s = first; s < first + count; s++) {
                lines.add(s + " " + ReinstallRequests.osFor(s) + " " + ReinstallRequests.hostnameFor(s));
            }
            Files.write(list, lines);
            Path log = context.logDir().resolve("fig7-script.log");
            ProcessBuilder builder = new ProcessBuilder("xargs", "-P", String.valueOf(parallelism), "-L", "1", script.toString())
                    .redirectInput(list.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> env = builder.environment();
            env.put("INVAPI", stack.simulator.baseUrl());
            env.put("API_KEY", BenchStack.API_KEY);
            env.put("PIN", BenchStack.PIN);
            env.put("ROOT_PASS", "Bench7%Password");
            env.put("POLL_INTERVAL", String.valueOf(intervalMs / 1000.0));
            env.put("JENKINS_TASK", TASK);
            env.put("DISK_SCHEME", "LVM_RAID0");
            long start = System.currentTimeMillis();
            Process xargs = builder.start();
            if (!xargs.waitFor(60, TimeUnit.MINUTES)) {
                xargs.descendants().forEach(ProcessHandle::destroyForcibly);
                xargs.destroyForcibly();
            }
            double seconds = (System.currentTimeMillis() - start) / 1000.0;
            long done = 0;
            for (long s = first; s < first + count; s++) {
                ServerSnapshot server = stack.simulator.server(s);
                if (server.installsStarted() >= 1 && !server.pxeConfigPresent() && server.bootDevice().equals("disk")) {
                    done++;
                }
            }
            return new double[] {seconds, done};
        }

        @Override
        public Measurement run(int index) throws Exception {
            Map<String, double[]> result = new HashMap<>();
            Map<String, List<AuditEntry>> calls = new HashMap<>();
            for (String side : index % 2 == 1 ? List.of("orchestrator", "script") : List.of("script", "orchestrator")) {
                stack.simulator.clearAudit();
                context.log("fig7 run " + index + ": " + side);
                result.put(side, side.equals("script") ? script(servers) : orchestrator(servers, "fig7-run" + index));
                calls.put(side, stack.simulator.audit());
            }
            SimulatedClockMapping clock = new SimulatedClockMapping(stack.simulator);
            Measurement m = new Measurement();
            for (String side : List.of("orchestrator", "script")) {
                m.put(side + ".seconds", result.get(side)[0])
                        .put(side + ".completed", result.get(side)[1])
                        .put(side + ".calls", calls.get(side).size())
                        .put(side + ".busiestSecond", busiestSecond(calls.get(side), clock));
            }
            m.put("timeRatio", m.value("orchestrator.seconds") / m.value("script.seconds"))
                    .put("callRatio", m.value("orchestrator.calls") / m.value("script.calls"));
            for (String side : SIDES) {
                CallBreakdown breakdown = CallBreakdown.of(calls.get(side));
                for (CallKind kind : CallKind.values()) {
                    m.put(side + ".perServer." + kind.metric, (double) breakdown.count(kind) / servers);
                }
                m.put(side + ".perServer.idleChecks", (double) breakdown.idleChecks() / servers);
                m.put(side + ".masterCheckGap", breakdown.masterCheckGapSeconds());
                Map<String, Long> byLabel = new LinkedHashMap<>();
                breakdown.counts().forEach((kind, count) -> byLabel.put(kind.label, count));
                m.note(side + ": calls by kind " + byLabel + "; eq_callback answers " + breakdown.checkOutcomes()
                        + "; checks that learned nothing " + breakdown.idleChecks());
            }
            return m;
        }

        private static int busiestSecond(List<AuditEntry> entries, SimulatedClockMapping clock) {
            List<Double> times = new ArrayList<>(entries.stream().map(e -> clock.toWallMillis(e.at())).toList());
            times.sort(null);
            int best = 0;
            int lo = 0;
            for (int hi = 0; hi < times.size(); hi++) {
                while (times.get(hi) - times.get(lo) >= 1000) {
                    lo++;
                }
                best = Math.max(best, hi - lo + 1);
            }
            return best;
        }

        @Override
        public void close() {
            completions.close();
            stack.close();
        }
    }
}
