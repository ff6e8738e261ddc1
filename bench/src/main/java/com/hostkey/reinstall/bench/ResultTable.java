package com.hostkey.reinstall.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a harness run as a markdown table ({@code results.md}) and as JSON ({@code results.json}):
 * per figure every metric's median, spread (min - max over the runs), target and verdict, the
 * parameters, notes and the command that reproduces it, and the machine it ran on.
 */
public final class ResultTable {

    private final Profile profile;
    private final Map<String, Object> machine;
    private final String startedAt;
    private final double seconds;
    private final List<FigureResult> figures;

    public ResultTable(Profile profile, Map<String, Object> machine, String startedAt, double seconds, List<FigureResult> figures) {
        this.profile = profile;
        this.machine = new LinkedHashMap<>(machine);
        this.startedAt = startedAt;
        this.seconds = seconds;
        this.figures = List.copyOf(figures);
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.md"), markdown());
        Files.writeString(dir.resolve("results.json"), json());
    }

    /** The summary table alone (what docs/benchmarks.md embeds). */
    public String summary() {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Profile **%s** (%d runs per figure), started %s, %.0f s in all.%n%n",
                profile.name(), profile.runs(), startedAt, seconds));
        md.append("Machine: ").append(machineLine()).append("\n\n");
        md.append("| # | figure | metric | target | median | spread (min - max) | verdict |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (FigureResult figure : figures) {
            boolean first = true;
            if (figure.metrics().isEmpty()) {
                md.append(String.format("| %d | %s | - | %s | - | - | %s |%n", figure.figure(), figure.title(),
                        escape(figure.targetText()), verdict(figure.verdict())));
            }
            for (MetricResult metric : figure.metrics()) {
                MetricSpec spec = metric.spec();
                String target = spec.target() == null ? "" : spec.target().symbol() + " " + number(spec.target().value());
                String verdict = metric.met() == null ? "" : metric.met() ? "met" : "**not met**";
                md.append(String.format("| %s | %s | %s (%s) | %s | %s | %s - %s | %s |%n",
                        first ? String.valueOf(figure.figure()) : "", first ? figure.title() : "",
                        escape(spec.description()), spec.unit(), target, number(metric.median()),
                        number(metric.min()), number(metric.max()), verdict));
                first = false;
            }
            if (figure.error() != null) {
                md.append(String.format("| | | error | | | | %s |%n", escape(shorten(figure.error(), 160))));
            }
        }
        return md.toString();
    }

    public String markdown() {
        StringBuilder md = new StringBuilder("# Benchmark results\n\n");
        md.append(summary()).append('\n');
        for (FigureResult figure : figures) {
            md.append(String.format(Locale.ROOT, "## Figure %d: %s (%s)%n%n", figure.figure(), figure.title(), verdict(figure.verdict())));
            md.append("Target: ").append(figure.targetText()).append("\n\n");
            md.append("Parameters: ");
            List<String> params = new ArrayList<>();
            figure.parameters().forEach((k, v) -> params.add(k + "=" + v));
            md.append(String.join(", ", params)).append("\n\n");
            md.append(String.format(Locale.ROOT, "Runs: %d, %.0f s with set-up.%n%n", figure.runs(), figure.seconds()));
            md.append("| metric | unit | per run | median |\n|---|---|---|---|\n");
            for (MetricResult metric : figure.metrics()) {
                List<String> runs = metric.values().stream().map(ResultTable::number).toList();
                md.append(String.format("| %s (`%s`) | %s | %s | %s |%n", escape(metric.spec().description()), metric.spec().name(),
                        metric.spec().unit(), String.join(", ", runs), number(metric.median())));
            }
            md.append('\n');
            if (!figure.notes().isEmpty()) {
                md.append("Notes:\n\n");
                figure.notes().forEach(note -> md.append("- ").append(note).append('\n'));
                md.append('\n');
            }
            if (figure.error() != null) {
                md.append("Error: `").append(shorten(figure.error(), 600)).append("`\n\n");
            }
            md.append("Reproduce: `").append(figure.reproduce()).append("`\n\n");
        }
        return md.toString();
    }

    public String json() throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("profile", profile.name());
        root.put("runsPerFigure", profile.runs());
        root.put("startedAt", startedAt);
        root.put("seconds", Math.round(seconds));
        root.put("machine", machine);
        root.put("sizes", profile.sizes());
        List<Map<String, Object>> list = new ArrayList<>();
        for (FigureResult figure : figures) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("figure", figure.figure());
            f.put("title", figure.title());
            f.put("target", figure.targetText());
            f.put("verdict", figure.verdict().name());
            f.put("parameters", figure.parameters());
            f.put("runs", figure.runs());
            f.put("seconds", Math.round(figure.seconds()));
            List<Map<String, Object>> metrics = new ArrayList<>();
            for (MetricResult metric : figure.metrics()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", metric.spec().name());
                m.put("description", metric.spec().description());
                m.put("unit", metric.spec().unit());
                m.put("median", finite(metric.median()));
                m.put("min", finite(metric.min()));
                m.put("max", finite(metric.max()));
                m.put("values", metric.values().stream().map(ResultTable::finite).toList());
                if (metric.spec().target() != null) {
                    m.put("target", metric.spec().target().symbol() + " " + number(metric.spec().target().value()));
                    m.put("met", metric.met());
                }
                metrics.add(m);
            }
            f.put("metrics", metrics);
            f.put("notes", figure.notes());
            if (figure.error() != null) {
                f.put("error", figure.error());
            }
            f.put("reproduce", figure.reproduce());
            list.add(f);
        }
        root.put("figures", list);
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
    }

    private String machineLine() {
        Object end = machine.get("loadAverageAtEnd");
        return String.format("%s cores, %s GB RAM, %s; %s; %s; load average %s at start%s",
                machine.get("cores"), machine.get("ramGb"), machine.get("cpu"), machine.get("jdk"), machine.get("os"),
                machine.get("loadAverageAtStart"), end == null ? "" : ", " + end + " at end");
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private static String verdict(FigureResult.Verdict verdict) {
        return switch (verdict) {
            case MET -> "met";
            case NOT_MET -> "not met";
            case FAILED -> "failed";
            case NO_TARGET -> "no target";
        };
    }

    /** Three significant digits or so; "-" for a value not measured. */
    static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "-";
        }
        double abs = Math.abs(value);
        if (abs >= 100 || value == Math.rint(value) && abs < 1e15) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (abs >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        if (abs >= 0.1) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static String escape(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "...";
    }
}
