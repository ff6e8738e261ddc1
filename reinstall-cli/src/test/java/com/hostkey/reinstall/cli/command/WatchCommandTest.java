package com.hostkey.reinstall.cli.command;

import static com.hostkey.reinstall.cli.ProjectorJson.completed;
import static com.hostkey.reinstall.cli.ProjectorJson.failedInReboot;
import static com.hostkey.reinstall.cli.ProjectorJson.history;
import static com.hostkey.reinstall.cli.ProjectorJson.installing;
import static com.hostkey.reinstall.cli.ProjectorJson.state;
import static com.hostkey.reinstall.cli.ProjectorJson.validating;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.CliRun;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.FakeProjector;
import com.hostkey.reinstall.cli.ProjectorJson;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** watch against a scripted projector: each round is what the projector answers at one refresh. */
class WatchCommandTest {

    private final CliRun cli = new CliRun(); // no Kafka settings: watch needs only the projector
    private final FakeProjector.Script server = cli.connectors.projector.server(1001);

    private static long count(String text, String part) {
        return text.lines().filter(line -> line.contains(part)).count();
    }

    @Test
    void shouldPrintEachEntryOnceAcrossRefreshesAndEndWhenTheProjectorShowsCompletion() {
        ProjectorJson.History history = history(1001).throughStage2("r-1", "q-1");
        String toStage2 = history.json();
        String toStage3 = history.entry(40, "InstallStageReached", "r-1", 6, "INFO", "installer stage 3/5: Stage 3").json();
        String all = history.entry(50, "InstallStageReached", "r-1", 6, "INFO", "installer stage 4/5: Stage 4")
                .entry(58, "InstallStageReached", "r-1", 6, "INFO", "installer stage 5/5: Stage 5")
                .entry(60, "ActionAccepted", "r-1", 9, "INFO", "clear PXE config: requested")
                .entry(61, "ActionCompleted", "r-1", 9, "INFO", "clear PXE config: done").json();
        server.then(installing(1001, "r-1", "q-1").json(), toStage2)
                .then(installing(1001, "r-1", "q-1").json(), toStage2)
                .then(installing(1001, "r-1", "q-1").installStage(3).stages(20, 30, 40).json(), toStage3)
                .then(installing(1001, "r-1", "q-1").installStage(3).stages(20, 30, 40).json(), toStage3)
                .then(completed(1001, "r-1", "q-1").json(), all);

        CliRun.Result result = cli.run("watch", "1001");

        assertThat(result.code()).as(result.out() + result.err()).isEqualTo(ExitCode.OK);
        String out = result.out();
        assertThat(out).contains("Watching a reinstall under way:").containsPattern("\\[>] 6 installer stages 2-5\\s+1m20s\\s+stages 1 2 \\. \\. \\.");
        assertThat(count(out, "installer stage 2/5: Stage 2")).as("joined past stage 2: the table shows it").isZero();
        assertThat(count(out, "6/9 installer stage 3/5: Stage 3")).isEqualTo(1);
        assertThat(count(out, "9/9 clear PXE config: done")).isEqualTo(1);
        assertThat(out).contains("100%     now 9/9 done").contains("Outcome: COMPLETED");
        assertThat(server.stateRequests).isEqualTo(5);
        assertThat(cli.waits.subList(0, 4)).containsOnly(Duration.ofSeconds(1));
        assertThat(cli.connectors.kafkaSettings).isNull();
    }

    @Test
    void shouldExitWithTheCodeOfEachOutcome() {
        record Case(String phase, int code, String outcome) {}
        for (Case c : List.of(
                new Case("FAILED", ExitCode.FAILED, "Outcome: FAILED in 4/9 reboot (AUTH): the reboot was refused"),
                new Case("CANCELLED", ExitCode.CANCELLED, "Outcome: CANCELLED in 5/9 install started (stage 1)"),
                new Case("REJECTED", ExitCode.REJECTED, "Outcome: REJECTED (VALIDATION): hostname contains '_'"),
                new Case("COMPLETED", ExitCode.OK, "Outcome: COMPLETED"))) {
            CliRun run = new CliRun();
            String ended = switch (c.phase()) {
                case "FAILED" -> failedInReboot(1001, "r-1", "q-1").json();
                case "CANCELLED" -> state(1001, "r-1", "q-1").phase("CANCELLED").finished(30).progress(5, "cancelled in 5/9 install started (stage 1)")
                        .steps("done", "done", "done", "done", "stopped", "skipped", "cleanup", "skipped", "cleanup")
                        .starts(1.0, 2.0, 5.0, 7.0, 8.0, null, 20.0, null, 25.0).json();
                case "REJECTED" -> state(1001, "r-1", "q-1").phase("REJECTED").finished(1).progress(0, "before step 1")
                        .failure("VALIDATION", "VALIDATING", "hostname contains '_'").json();
                default -> completed(1001, "r-1", "q-1").json();
            };
            run.connectors.projector.server(1001).then(validating(1001, "r-1", "q-1").json(), null).then(ended, null);

            CliRun.Result result = run.run("watch", "1001");

            assertThat(result.code()).as(c.phase()).isEqualTo(c.code());
            assertThat(result.out()).as(c.phase()).contains(c.outcome());
        }
    }

    @Test
    void shouldReportAReinstallThatAlreadyEndedAtOnce() {
        server.then(failedInReboot(1001, "r-0", "q-0").json(), history(1001).throughStage2("r-0", "q-0").json());

        CliRun.Result result = cli.run("watch", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.FAILED);
        assertThat(result.out()).contains("Outcome: FAILED in 4/9 reboot (AUTH): the reboot was refused")
                .containsPattern("\\[!] 4 reboot\\s+23\\.0s").containsPattern("\\[x] 7 boot from disk\\s+5\\.0s\\s+cleanup")
                .doesNotContain("reinstall key created");
        assertThat(server.stateRequests).isEqualTo(1);
        assertThat(cli.waits).isEmpty();
    }

    @Test
    void shouldGiveUpAtTheTimeoutSayingWhereTheReinstallStood() {
        server.then(installing(1001, "r-1", "q-1").json(), null);

        CliRun.Result result = cli.run("watch", "1001", "--timeout", "90s");

        assertThat(result.code()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(result.out()).contains("still in 6/9 installer stages 2-5 for 2m20s")
                .contains("TIMEOUT: no outcome within 1m30s").contains("'reinstall watch 1001'");
        assertThat(cli.waits.stream().reduce(Duration.ZERO, Duration::plus)).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void shouldPassOverAnEndedReinstallWithNext() {
        server.then(completed(1001, "r-0", "q-0").json(), history(1001).throughStage2("r-0", "q-0").json())
                .then(completed(1001, "r-0", "q-0").json(), null)
                .then(validating(1001, "r-1", "q-1").requested(100).json(),
                        history(1001).entry(100.5, "ReinstallValidated", "r-1", 0, "INFO", "validated: Debian 12 fits this server").json())
                .then(failedInReboot(1001, "r-1", "q-1").json(), null);

        CliRun.Result result = cli.run("watch", "1001", "--next");

        assertThat(result.code()).isEqualTo(ExitCode.FAILED);
        assertThat(result.out()).contains("Watching server 1001: waiting for its next reinstall")
                .contains("following reinstall r-1 (request q-1): validating")
                .contains("validated: Debian 12 fits this server").contains("reinstall r-1").doesNotContain("reinstall r-0");
    }

    @Test
    void shouldSurviveAProjectorThatIsBrieflyUnavailableWithOneWarning() {
        CliException notReady = CliException.unavailable("the state projector at http://127.0.0.1:8083 is not ready (HTTP 503: "
                + "state store not ready, retry shortly)", "retry shortly", null);
        server.then(installing(1001, "r-1", "q-1").json(), null)
                .thenFails(notReady).thenFails(notReady).thenFails(notReady)
                .then(completed(1001, "r-1", "q-1").json(), null);

        CliRun.Result result = cli.run("watch", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.OK);
        assertThat(result.out()).contains("Outcome: COMPLETED");
        assertThat(count(result.err(), "warning:")).isEqualTo(1);
        assertThat(result.err()).contains("not ready (HTTP 503").contains("asking again every 1.0s until the watch times out");
    }

    @Test
    void shouldStopAtOnceWhenTheProjectorRefusesTheToken() {
        server.then(installing(1001, "r-1", "q-1").json(), null)
                .thenFails(new CliException(ExitCode.PERMISSION, "--token", "the state projector at http://127.0.0.1:8083 refused the "
                        + "request (HTTP 401: invalid bearer token)", "check the token given with --token or REINSTALL_API_TOKEN"));

        CliRun.Result result = cli.run("watch", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.PERMISSION);
        assertThat(result.err()).contains("HTTP 401: invalid bearer token").contains("field: --token");
        assertThat(server.stateRequests).isEqualTo(2);
    }

    @Test
    void shouldWatchSeveralServersAndExitWithTheWorstOutcome() {
        server.then(validating(1001, "r-1", "q-1").json(), null).then(completed(1001, "r-1", "q-1").json(), null);
        cli.connectors.projector.server(1002).then(validating(1002, "r-2", "q-2").json(), null)
                .then(validating(1002, "r-2", "q-2").json(), null)
                .then(failedInReboot(1002, "r-2", "q-2").json(), null);

        CliRun.Result result = cli.run("watch", "1001", "1002");

        assertThat(result.code()).isEqualTo(ExitCode.FAILED);
        assertThat(result.out()).contains("Server 1001  reinstall r-1").contains("Server 1002  reinstall r-2")
                .contains("Outcome: COMPLETED").contains("Outcome: FAILED in 4/9 reboot");
        assertThat(server.stateRequests).as("an ended reinstall is not asked for again").isEqualTo(2);
    }

    @Test
    void shouldAskTheProjectorAtTheRefreshInterval() {
        server.then(validating(1001, "r-1", "q-1").json(), null).then(validating(1001, "r-1", "q-1").json(), null)
                .then(completed(1001, "r-1", "q-1").json(), null);

        CliRun.Result result = cli.run("watch", "1001", "--refresh", "5s");

        assertThat(result.code()).isZero();
        assertThat(cli.waits.subList(0, 2)).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThat(cli.run("watch", "1001", "--refresh", "10ms").code()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void shouldStreamOneJsonObjectPerChange() {
        ProjectorJson.History history = history(1001).entry(0, "ReinstallServer", "r-1", 0, "INFO", "reinstall requested: request q-1")
                .entry(0.5, "ReinstallValidated", "r-1", 0, "INFO", "validated: Ubuntu 22.04 fits this server (bm, NL)");
        String validated = history.json();
        String stage2 = history(1001).throughStage2("r-1", "q-1").json();
        server.then(validating(1001, "r-1", "q-1").json(), validated)
                .then(installing(1001, "r-1", "q-1").json(), stage2)
                .then(installing(1001, "r-1", "q-1").json(), stage2)
                .then(completed(1001, "r-1", "q-1").json(), history(1001).throughStage2("r-1", "q-1").toCompletion("r-1").json());

        CliRun.Result result = cli.run("watch", "1001", "--json");

        assertThat(result.code()).isZero();
        List<JsonNode> lines = result.jsonLines();
        assertThat(lines.getFirst().get("type").asText()).isEqualTo("watching");
        assertThat(lines.getFirst().get("joined").asBoolean()).isFalse();
        assertThat(lines.getFirst().get("state").get("progress").get("text").asText()).isEqualTo("validating");
        List<JsonNode> entries = lines.stream().filter(l -> l.get("type").asText().equals("entry")).toList();
        assertThat(entries).hasSize(19);
        assertThat(entries.stream().map(e -> e.get("entry").get("summary").asText()).distinct()).hasSize(19);
        assertThat(entries.get(11).get("entry").get("step").asInt()).isEqualTo(6);
        assertThat(lines).filteredOn(l -> l.get("type").asText().equals("progress")).extracting(l -> l.get("text").asText())
                .containsExactly("6/9 installer stages 2-5", "9/9 done");
        assertThat(lines).filteredOn(l -> l.get("type").asText().equals("progress")).first()
                .satisfies(l -> assertThat(l.get("percent").asInt()).isEqualTo(58));
        JsonNode outcome = lines.getLast();
        assertThat(outcome.get("type").asText()).isEqualTo("outcome");
        assertThat(outcome.get("outcome").asText()).isEqualTo("COMPLETED");
        assertThat(outcome.get("exitCode").asInt()).isZero();
        assertThat(outcome.get("state").get("progress").get("steps")).hasSize(9);
    }
}
