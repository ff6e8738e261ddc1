package com.hostkey.reinstall.bench;

import com.hostkey.reinstall.bench.figures.CapacityBenchmark;
import com.hostkey.reinstall.bench.figures.CurlScriptBenchmark;
import com.hostkey.reinstall.bench.figures.FootprintBenchmark;
import com.hostkey.reinstall.bench.figures.HopLatencyBenchmark;
import com.hostkey.reinstall.bench.figures.PollerScaleBenchmark;
import com.hostkey.reinstall.bench.figures.ProjectorThroughputBenchmark;
import com.hostkey.reinstall.bench.figures.RecoveryBenchmark;
import com.hostkey.reinstall.bench.infra.JfrSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the benchmark figures of issue 8 and writes {@code results.md}, {@code results.json} and the
 * summary block of docs/benchmarks.md.
 *
 * <pre>
 * BenchMain [--profile quick|full] [--only 1,3] [--runs N] [--set fig2.servers=500 ...]
 *           [--root DIR] [--results DIR] [--docs FILE | --no-docs] [--jfr] [--jars DIR]
 * </pre>
 * Exit status 0 when every figure ran (met or not), 1 when one failed to run, 2 on bad arguments.
 */
public final class BenchMain {

    private static final Logger log = LoggerFactory.getLogger(BenchMain.class);

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.err.println("usage: BenchMain [--profile quick|full] [--only 1,3] [--runs N] [--set KEY=VALUE]... "
                    + "[--root DIR] [--results DIR] [--docs FILE | --no-docs] [--jfr]");
            System.exit(2);
            return;
        }
        System.exit(run(options));
    }

    static List<Benchmark> figures() {
        return List.of(new HopLatencyBenchmark(), new CapacityBenchmark(), new ProjectorThroughputBenchmark(),
                new PollerScaleBenchmark(), new RecoveryBenchmark(), new FootprintBenchmark(), new CurlScriptBenchmark());
    }

    static int run(Options options) throws Exception {
        // On Ctrl-C, no service process or registry of this harness outlives it.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ProcessHandle.current().descendants()
                .forEach(ProcessHandle::destroyForcibly), "bench-children"));
        Profile profile = options.profile;
        Instant started = Instant.now();
        Map<String, Object> machine = MachineInfo.describe();
        List<FigureResult> results = new ArrayList<>();
        boolean failed = false;
        try (BenchContext context = new BenchContext(profile, options.root, options.results, options.jfr, options.jars)) {
            context.log("profile " + profile.name() + ", " + profile.runs() + " runs per figure, machine " + machine);
            for (Benchmark figure : figures()) {
                if (!options.only.isEmpty() && !options.only.contains(figure.figure())) {
                    continue;
                }
                FigureResult result = runFigure(context, figure, options);
                failed |= result.error() != null;
                results.add(result);
                context.log("figure " + figure.figure() + " " + result.verdict() + (result.error() == null ? "" : ": " + result.error()));
                write(options, profile, machine, started, results, false);
            }
        }
        write(options, profile, machine, started, results, true);
        System.out.println();
        System.out.println(new ResultTable(profile, machine, started.truncatedTo(ChronoUnit.SECONDS).toString(),
                Duration.between(started, Instant.now()).toMillis() / 1000.0, results).summary());
        return failed ? 1 : 0;
    }

    private static void write(Options options, Profile profile, Map<String, Object> machine, Instant started,
                              List<FigureResult> results, boolean last) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>(machine);
        m.put("loadAverageAtEnd", MachineInfo.loadAverage());
        ResultTable table = new ResultTable(profile, m, started.truncatedTo(ChronoUnit.SECONDS).toString(),
                Duration.between(started, Instant.now()).toMillis() / 1000.0, results);
        table.write(options.results);
        if (last && options.docs != null) {
            DocsUpdater.update(options.docs, profile.name(), table.summary());
        }
    }

    private static FigureResult runFigure(BenchContext context, Benchmark figure, Options options) {
        Profile profile = context.profile();
        Instant start = Instant.now();
        List<Measurement> runs = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String error = null;
        Recording recording = null;
        context.log("figure " + figure.figure() + ": " + figure.title() + " " + figure.parameters(profile));
        try {
            if (context.jfr()) {
                recording = new Recording(Configuration.getConfiguration("profile"));
                recording.setName("fig" + figure.figure() + "-harness");
                recording.start();
            }
            try (Benchmark.Trial trial = figure.open(context)) {
                for (int i = 1; i <= profile.runs(); i++) {
                    Measurement m = trial.run(i);
                    runs.add(m);
                    context.log("figure " + figure.figure() + " run " + i + ": " + m);
                    for (String note : m.notes()) {
                        notes.add("run " + i + ": " + note);
                    }
                }
            }
        } catch (Exception | AssertionError e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
            log.error("figure {} failed", figure.figure(), e);
        } finally {
            if (recording != null) {
                try {
                    Path dir = Files.createDirectories(context.resultsDir().resolve("jfr"));
                    Path file = dir.resolve("fig" + figure.figure() + "-harness.jfr");
                    recording.dump(file);
                    recording.close();
                    notes.addAll(JfrSummary.summarizeFigure(dir, figure.figure()));
                } catch (Exception e) {
                    notes.add("JFR summary failed: " + e);
                }
            }
        }
        List<MetricResult> metrics = new ArrayList<>();
        for (MetricSpec spec : figure.metrics(profile)) {
            metrics.add(MetricResult.of(spec, runs.stream().map(r -> r.value(spec.name())).toList()));
        }
        String reproduce = "bench/run.sh --profile " + profile.name() + " --only " + figure.figure();
        return new FigureResult(figure.figure(), figure.title(), figure.targetText(), figure.parameters(profile), metrics,
                notes, runs.size(), Duration.between(start, Instant.now()).toMillis() / 1000.0, error, reproduce);
    }

    /** The command line. */
    record Options(Profile profile, Set<Integer> only, Path root, Path results, Path docs, boolean jfr, Path jars) {

        static Options parse(String[] args) {
            String profileName = "quick";
            Set<Integer> only = new LinkedHashSet<>();
            int runs = 0;
            Map<String, String> sizes = new LinkedHashMap<>();
            Path root = Path.of(".");
            Path results = null;
            Path docs = null;
            boolean noDocs = false;
            boolean jfr = false;
            Path jars = null;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--profile" -> profileName = value(args, ++i, arg);
                    case "--only" -> {
                        for (String n : value(args, ++i, arg).split(",")) {
                            only.add(Integer.parseInt(n.trim()));
                        }
                    }
                    case "--runs" -> runs = Integer.parseInt(value(args, ++i, arg));
                    case "--set" -> {
                        String[] kv = value(args, ++i, arg).split("=", 2);
                        if (kv.length != 2) {
                            throw new IllegalArgumentException("--set needs KEY=VALUE");
                        }
                        sizes.put(kv[0].trim(), kv[1].trim());
                    }
                    case "--root" -> root = Path.of(value(args, ++i, arg));
                    case "--results" -> results = Path.of(value(args, ++i, arg));
                    case "--docs" -> docs = Path.of(value(args, ++i, arg));
                    case "--no-docs" -> noDocs = true;
                    case "--jfr" -> jfr = true;
                    case "--jars" -> jars = Path.of(value(args, ++i, arg));
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            Profile profile = Profile.named(profileName).with(sizes, runs);
            if (results == null) {
                results = root.resolve("bench").resolve("results");
            }
            if (docs == null && !noDocs) {
                docs = root.resolve("docs").resolve("benchmarks.md");
            }
            return new Options(profile, only, root, results, noDocs ? null : docs, jfr, jars);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }
}
