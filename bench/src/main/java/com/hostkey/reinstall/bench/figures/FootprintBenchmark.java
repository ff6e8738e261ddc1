package com.hostkey.reinstall.bench.figures;

import com.hostkey.reinstall.bench.MachineInfo;
import com.hostkey.invapi.simulator.SimulatorConfig;
import com.hostkey.reinstall.bench.BenchContext;
import com.hostkey.reinstall.bench.Benchmark;
import com.hostkey.reinstall.bench.Measurement;
import com.hostkey.reinstall.bench.MetricSpec;
import com.hostkey.reinstall.bench.Profile;
import com.hostkey.reinstall.bench.infra.BenchStack;
import com.hostkey.reinstall.bench.infra.JvmProbe;
import com.hostkey.reinstall.bench.infra.ReinstallRequests;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Figure 6, footprint: heap and RSS of each service process with N reinstalls in flight (admission
 * caps raised to N; installs take 12 minutes, real time, so every reinstall sits mid-install while
 * the runs measure). Heap is the live set after a full GC, read through JMX; the services run with
 * -Xmx1g here so that the measurement, not the cap, decides. Peak heap in use (garbage included)
 * and RSS are sampled while the reinstalls ramp up.
 */
public final class FootprintBenchmark implements Benchmark {

    private static final List<String> SERVICES = List.of(BenchStack.PROJECTOR, BenchStack.HANDLER, BenchStack.POLLER);

    @Override
    public int figure() {
        return 6;
    }

    @Override
    public String title() {
        return "Footprint";
    }

    @Override
    public String targetText() {
        return "heap of each service <= 256 MB with 10,000 reinstalls in flight (RSS reported alongside)";
    }

    @Override
    public List<MetricSpec> metrics(Profile profile) {
        return List.of(
                MetricSpec.atMost("projector.heap", "MB", "projector live heap", 256),
                MetricSpec.atMost("handler.heap", "MB", "handler live heap", 256),
                MetricSpec.atMost("poller.heap", "MB", "poller live heap", 256),
                MetricSpec.info("projector.rss", "MB", "projector RSS"),
                MetricSpec.info("handler.rss", "MB", "handler RSS"),
                MetricSpec.info("poller.rss", "MB", "poller RSS"),
                MetricSpec.info("projector.peakHeap", "MB", "projector peak heap in use during the ramp"),
                MetricSpec.info("handler.peakHeap", "MB", "handler peak heap in use during the ramp"),
                MetricSpec.info("poller.peakHeap", "MB", "poller peak heap in use during the ramp"),
                MetricSpec.info("inFlight", "count", "servers mid-install when measured"));
    }

    @Override
    public Map<String, Object> parameters(Profile profile) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("inFlight", profile.integer("fig6.inFlight"));
        p.put("services", "3 processes, -Xmx1g (deployed with -Xmx256m)");
        p.put("simulator", "time scale 1: installs take 12 min");
        return p;
    }

    @Override
    public Trial open(BenchContext context) throws Exception {
        return new FootprintTrial(context);
    }

    private static final class FootprintTrial implements Trial {
        private final BenchContext context;
        private final int inFlight;
        private final BenchStack stack;
        private final Map<String, Double> peakHeap = new HashMap<>();

        FootprintTrial(BenchContext context) throws Exception {
            this.context = context;
            inFlight = context.profile().integer("fig6.inFlight");
            String budget = String.valueOf(Math.max(100, inFlight / 10));
            stack = new BenchStack(context, "fig6", new BenchStack.Options()
                    .simulator(SimulatorConfig.builder().timeScale(1).generatedFleet(inFlight))
                    .jvmArgs("-Xmx1g")
                    .env(BenchStack.PROJECTOR, "ADMISSION_MAX_ACTIVE", String.valueOf(inFlight))
                    .env(BenchStack.PROJECTOR, "ADMISSION_MAX_ACTIVE_PER_LOCATION", String.valueOf(inFlight))
                    .env(BenchStack.POLLER, "POLLER_MAX_REQUESTS_PER_SECOND", budget)
                    .env(BenchStack.POLLER, "HOSTKEY_RATE_LIMIT_RPS", budget)
                    .env(BenchStack.HANDLER, "HOSTKEY_RATE_LIMIT_RPS", "2000"));
            stack.submit(new ReinstallRequests(stack.sealer, "bench-fig6").reinstalls(BenchStack.firstServerId(), inFlight, "fig6"));
            context.log("fig6: ramping up to " + inFlight + " reinstalls in flight");
            Map<String, JvmProbe> probes = new HashMap<>();
            try {
                for (String service : SERVICES) {
                    probes.put(service, JvmProbe.attach(stack.service(service).pid()));
                }
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                int installing = 0;
                int best = 0;
                long lastGrowth = System.nanoTime();
                while (System.nanoTime() < deadline && installing < inFlight * 0.98) {
                    for (String service : SERVICES) {
                        peakHeap.merge(service, probes.get(service).heapUsedMb(), Math::max);
                    }
                    installing = stack.simulator.invariantReport().serversInstalling().size();
                    if (installing > best) {
                        best = installing;
                        lastGrowth = System.nanoTime();
                    } else if (best > 0 && System.nanoTime() - lastGrowth > Duration.ofSeconds(60).toNanos()) {
                        // Stalled after growing. (Before the first install starts, 10,000 validations and
                        // key creations come first: that is not a stall.)
                        break;
                    }
                    Thread.sleep(2000);
                }
                context.log("fig6: " + installing + " servers mid-install");
            } finally {
                probes.values().forEach(JvmProbe::close);
            }
        }

        @Override
        public Measurement run(int index) throws Exception {
            Measurement m = new Measurement();
            for (String service : SERVICES) {
                try (JvmProbe probe = JvmProbe.attach(stack.service(service).pid())) {
                    m.put(service + ".heap", probe.liveHeapMb());
                }
                m.put(service + ".rss", MachineInfo.rssMb(stack.service(service).pid()));
                m.put(service + ".peakHeap", peakHeap.getOrDefault(service, Double.NaN));
            }
            int installing = stack.simulator.invariantReport().serversInstalling().size();
            m.put("inFlight", installing);
            if (installing < inFlight * 0.95) {
                m.note("only " + installing + " of " + inFlight + " servers were mid-install");
            }
            Thread.sleep(5000);
            return m;
        }

        @Override
        public void close() {
            stack.close();
        }
    }
}
