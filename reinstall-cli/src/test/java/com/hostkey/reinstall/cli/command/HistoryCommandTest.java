package com.hostkey.reinstall.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.cli.CliRun;
import com.hostkey.reinstall.cli.Events;
import com.hostkey.reinstall.cli.ExitCode;
import org.junit.jupiter.api.Test;

class HistoryCommandTest {

    private final CliRun cli = new CliRun().withKafka();
    private final Events first = new Events(1001, "r-1", "q-1");
    private final Events second = new Events(1001, "r-2", "q-2");

    @Test
    void shouldPrintTheTimelineOfEveryReinstallOfTheServer() {
        cli.connectors.history.addAll(first.happyPath());
        cli.connectors.history.add(second.event(500, Events.validated()));
        cli.connectors.history.add(new Events(2002, "r-x", "q").event(1, Events.validated()));

        CliRun.Result result = cli.run("history", "1001");

        assertThat(result.code()).isZero();
        assertThat(result.out()).contains("Reinstall r-1  18 events over 1m04s").contains("Reinstall r-2  1 event over 0.0s")
                .contains("9/9 clear PXE config: done").doesNotContain("r-x");
        assertThat(cli.connectors.kafkaSettings.bootstrap()).isEqualTo("127.0.0.1:29092");
    }

    @Test
    void shouldNarrowToOneReinstallAndAnswerJson() {
        cli.connectors.history.addAll(first.happyPath());
        cli.connectors.history.add(second.event(500, Events.validated()));

        CliRun.Result result = cli.run("history", "1001", "--reinstall", "r-2", "--json");

        assertThat(result.code()).isZero();
        assertThat(result.json()).hasSize(1);
        assertThat(result.json().get(0).get("reinstallId").asText()).isEqualTo("r-2");
        assertThat(result.json().get(0).get("events").get(0).get("type").asText()).isEqualTo("ReinstallValidated");
    }

    @Test
    void shouldSayWhenTheServerHasNoEvents() {
        CliRun.Result result = cli.run("history", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(result.err()).contains("no events for server 1001 on reinstall-events");
    }
}
