package com.hostkey.reinstall.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultTableTest {

    private static FigureResult hopFigure(double... p50s) {
        List<Double> values = java.util.Arrays.stream(p50s).boxed().toList();
        return new FigureResult(1, "Hop latency", "p50 <= 40 ms", Map.of("inFlight", 100),
                List.of(MetricResult.of(MetricSpec.atMost("hop.p50", "ms", "hop p50", 40), values),
                        MetricResult.of(MetricSpec.info("limit.p50", "ms", "limit p50"), List.of(5.0, 6.0, 7.0))),
                List.of("run 1: a note"), values.size(), 12.3, null, "bench/run.sh --profile quick --only 1");
    }

    @Test
    void shouldJudgeTheMedianOfTheRunsAgainstTheTarget() {
        assertThat(hopFigure(30, 50, 35).verdict()).isEqualTo(FigureResult.Verdict.MET);
        assertThat(hopFigure(30, 50, 45).verdict()).isEqualTo(FigureResult.Verdict.NOT_MET);
        assertThat(hopFigure(30, 50, 45).metrics().getFirst().median()).isEqualTo(45);
    }

    @Test
    void shouldWriteMedianSpreadTargetAndMachineAsMarkdownAndJson(@TempDir Path dir) throws Exception {
        ResultTable table = new ResultTable(Profile.quick(), Map.of("cores", 2, "ramGb", 23.5, "cpu", "x", "jdk", "25",
                "os", "Linux", "loadAverageAtStart", "1.0 1.0 1.0"), "2026-11-24T00:00:00Z", 60, List.of(hopFigure(30, 50, 35)));

        table.write(dir);

        String md = Files.readString(dir.resolve("results.md"));
        assertThat(md).contains("| 1 | Hop latency | hop p50 (ms) | <= 40 | 35 | 30 - 50 | met |")
                .contains("2 cores, 23.5 GB RAM")
                .contains("Reproduce: `bench/run.sh --profile quick --only 1`");
        String json = Files.readString(dir.resolve("results.json"));
        assertThat(json).contains("\"verdict\" : \"MET\"").contains("\"median\" : 35.0").contains("\"values\" : [ 30.0, 50.0, 35.0 ]");
    }

    @Test
    void shouldReplaceOnlyItsOwnProfileBlockInTheDocs(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("benchmarks.md");
        Files.writeString(page, "# Benchmarks\n\nhand-written\n\n<!-- bench:results:full:start -->\nold full\n<!-- bench:results:full:end -->\n");

        DocsUpdater.update(page, "quick", "new quick");
        DocsUpdater.update(page, "quick", "newer quick");

        assertThat(Files.readString(page)).contains("hand-written").contains("old full").contains("newer quick")
                .doesNotContain("new quick\n");
    }
}
