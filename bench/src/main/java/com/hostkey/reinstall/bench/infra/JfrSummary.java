package com.hostkey.reinstall.bench.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises JFR recordings: the methods most often on top of the stack in execution samples (self
 * time), and the project's own methods most often anywhere on the stack (total time).
 */
public final class JfrSummary {

    private static final int TOP = 12;

    private JfrSummary() {}

    /** Summarises every {@code fig<N>-*.jfr} in {@code dir} into a text file beside it; returns one note per file. */
    public static List<String> summarizeFigure(Path dir, int figure) throws IOException {
        List<String> notes = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.getFileName().toString().startsWith("fig" + figure + "-")
                    && p.getFileName().toString().endsWith(".jfr")).sorted().toList();
        }
        for (Path file : files) {
            String text = summarize(file);
            Path out = dir.resolve(file.getFileName().toString().replace(".jfr", "-top-frames.txt"));
            Files.writeString(out, text);
            notes.add("JFR " + file.getFileName() + " (" + out.getFileName() + "): " + text.lines().skip(1).limit(5)
                    .map(String::strip).reduce((a, b) -> a + "; " + b).orElse("no samples"));
        }
        return notes;
    }

    public static String summarize(Path recording) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> projectTotal = new HashMap<>();
        int samples = 0;
        double processCpu = 0;
        double machineCpu = 0;
        int cpuReadings = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                if (event.getEventType().getName().equals("jdk.CPULoad")) {
                    processCpu += event.getFloat("jvmUser") + event.getFloat("jvmSystem");
                    machineCpu += event.getFloat("machineTotal");
                    cpuReadings++;
                    continue;
                }
                if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                self.merge(name(stack.getFrames().getFirst()), 1, Integer::sum);
                stack.getFrames().stream().map(JfrSummary::name).filter(n -> n.startsWith("com.hostkey")).distinct()
                        .forEach(n -> projectTotal.merge(n, 1, Integer::sum));
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "%s: %d execution samples; CPU of this JVM %.2f cores, of the machine %.2f of %d cores (mean of %d readings); top frames (self):%n",
                recording.getFileName(), samples, cpuReadings == 0 ? Double.NaN : processCpu / cpuReadings * cores,
                cpuReadings == 0 ? Double.NaN : machineCpu / cpuReadings * cores, cores, cpuReadings));
        append(out, self, samples);
        out.append("project methods on the stack (total):\n");
        append(out, projectTotal, samples);
        return out.toString();
    }

    private static void append(StringBuilder out, Map<String, Integer> counts, int samples) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(TOP)
                .forEach(e -> out.append(String.format(Locale.ROOT, "  %5.1f%% %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getKey())));
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }
}
