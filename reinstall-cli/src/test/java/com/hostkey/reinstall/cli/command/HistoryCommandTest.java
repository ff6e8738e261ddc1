package com.hostkey.reinstall.cli.command;

import static com.hostkey.reinstall.cli.ProjectorJson.history;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.hostkey.reinstall.cli.CliRun;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.ProjectorJson;
import org.junit.jupiter.api.Test;

class HistoryCommandTest {

    private final CliRun cli = new CliRun(); // no Kafka settings: history reads the projector

    private ProjectorJson.History twoReinstalls() {
        return history(1001).throughStage2("r-1", "q-1")
                .entry(35, "CancelReinstall", null, 0, "WARN", "cancel requested: wrong OS by cli:ops")
                .entry(500, "ReinstallServer", "r-2", 0, "INFO", "reinstall requested: OS 102, hostname web1.example.net, request q-2")
                .entry(500.5, "ReinstallValidated", "r-2", 0, "INFO", "validated: Debian 12 fits this server (bm, NL)");
    }

    @Test
    void shouldPrintTheProjectorsTimelineByReinstallWithTheTimeBetweenEntries() {
        cli.connectors.projector.server(1001).then(null, twoReinstalls().json());

        CliRun.Result result = cli.run("history", "1001");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(result.out()).contains("Reinstall r-1  13 entries over 35.0s, from 2026-11-24 10:00:00.000 UTC")
                .contains("Reinstall r-2  2 entries over 0.5s")
                .containsPattern("2026-11-24 10:00:30.000\\s+\\+10\\.0s\\s+\\+30\\.0s\\s+6/9 installer stage 2/5: Stage 2")
                .containsPattern("\\+5\\.0s\\s+\\+35\\.0s\\s+WARN: cancel requested: wrong OS by cli:ops")
                .doesNotContain("older ones are gone");
        assertThat(cli.connectors.kafkaSettings).isNull();
    }

    @Test
    void shouldNarrowToOneReinstallWithReinstall() {
        cli.connectors.projector.server(1001).then(null, twoReinstalls().json());

        CliRun.Result result = cli.run("history", "1001", "--reinstall", "r-2");

        assertThat(result.code()).isZero();
        assertThat(result.out()).contains("Reinstall r-2").doesNotContain("Reinstall r-1").doesNotContain("Stage 2");
        assertThat(cli.run("history", "1001", "--reinstall", "r-9").code()).isEqualTo(ExitCode.NOT_FOUND);
    }

    @Test
    void shouldAnswerScriptsWithTheDocumentedJson() {
        cli.connectors.projector.server(1001).then(null, twoReinstalls().json());

        CliRun.Result result = cli.run("history", "1001", "--reinstall", "r-1", "--json");

        assertThat(result.code()).isZero();
        JsonNode timelines = result.json();
        assertThat(timelines).hasSize(1);
        assertThat(timelines.get(0).get("reinstallId").asText()).isEqualTo("r-1");
        assertThat(timelines.get(0).get("totalMs").asLong()).isEqualTo(35_000);
        JsonNode stage2 = timelines.get(0).get("entries").get(11);
        assertThat(stage2.get("id").asText()).isEqualTo("r-1#11");
        assertThat(stage2.get("type").asText()).isEqualTo("InstallStageReached");
        assertThat(stage2.get("step").asInt()).isEqualTo(6);
        assertThat(stage2.get("level").asText()).isEqualTo("INFO");
        assertThat(stage2.get("sincePreviousMs").asLong()).isEqualTo(10_000);
        assertThat(stage2.get("summary").asText()).isEqualTo("installer stage 2/5: Stage 2");
        assertThat(timelines.get(0).get("entries").get(12).get("summary").asText()).startsWith("cancel requested");
    }

    @Test
    void shouldSayWhenTheProjectorKeepsAServersLastEntriesOnly() {
        ProjectorJson.History full = history(1001);
        for (int i = 0; i < HistoryCommand.KEPT; i++) {
            full.entry(i, "HostkeyCallFailed", "r-1", 2, "WARN", "Hostkey call eq/create_pxe failed (TRANSIENT): HTTP 503");
        }
        cli.connectors.projector.server(1001).then(null, full.json());

        assertThat(cli.run("history", "1001").out()).contains("keeps a server's last 100 entries: older ones are gone");
    }

    @Test
    void shouldSayWhenTheProjectorKeepsNoHistory() {
        CliRun.Result result = cli.run("history", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(result.err()).contains("keeps no history for server 1001");
    }
}
