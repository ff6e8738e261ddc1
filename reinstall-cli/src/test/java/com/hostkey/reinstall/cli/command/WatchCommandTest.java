package com.hostkey.reinstall.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.CliRun;
import com.hostkey.reinstall.cli.Events;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import com.hostkey.reinstall.schemas.avro.FailureKind;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.RejectionReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchCommandTest {

    private final CliRun cli = new CliRun().withKafka();
    private final Events events = new Events(1001, "r-1", "q-1");

    private static ReinstallStateView view(String json) throws Exception {
        return ReinstallStateView.from(new ObjectMapper().readTree(json));
    }

    @Test
    void shouldFollowTheNextReinstallToCompletionAndExitZero() {
        cli.connectors.feed.thenAll(events.happyPath()).then(events.completion(70, Events.completedOutcome()));

        CliRun.Result result = cli.run("watch", "1001");

        assertThat(result.code()).as(result.out() + result.err()).isEqualTo(ExitCode.OK);
        assertThat(cli.connectors.feed.started).isTrue();
        assertThat(result.out()).contains("Watching server 1001: waiting for its next reinstall")
                .contains("5/9 installer stage 1/5").contains("[####################] 100%")
                .contains("Outcome: COMPLETED");
    }

    @Test
    void shouldExitWithTheCodeOfEachOutcome() {
        record Case(Object outcome, int code) {}
        for (Case c : List.of(
                new Case(Events.failedOutcome(FailureKind.INSTALL_FAILED, ReinstallPhase.INSTALLING), ExitCode.FAILED),
                new Case(Events.cancelledOutcome(ReinstallPhase.INSTALLING), ExitCode.CANCELLED),
                new Case(Events.rejectedOutcome(RejectionReason.QUARANTINED), ExitCode.REJECTED),
                new Case(Events.completedOutcome(), ExitCode.OK))) {
            CliRun run = new CliRun().withKafka();
            run.connectors.feed.then(events.event(1, Events.validated())).then(events.completion(5, c.outcome()));
            assertThat(run.run("watch", "1001").code()).as(c.outcome().getClass().getSimpleName()).isEqualTo(c.code());
        }
    }

    @Test
    void shouldGiveUpAtTheTimeoutWithItsOwnCode() {
        cli.connectors.feed.thenAll(events.throughInstall().subList(0, 10));

        CliRun.Result result = cli.run("watch", "1001", "--timeout", "90s");

        assertThat(result.code()).isEqualTo(ExitCode.TIMEOUT);
        assertThat(result.out()).contains("TIMEOUT: no outcome within 1m30s").contains("reinstall watch 1001");
    }

    @Test
    void shouldReportAReinstallThatAlreadyEndedWithoutKafka() throws Exception {
        cli.env.clear(); // no Kafka settings: not needed
        cli.connectors.states.put(1001L, view("""
                {"serverId": 1001, "reinstallId": "r-0", "phase": "REJECTED", "failureKind": "VALIDATION",
                 "failureMessage": "hostname contains '_'", "stepTimes": {}, "stageTimes": {}}
                """));

        CliRun.Result result = cli.run("watch", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.REJECTED);
        assertThat(result.out()).contains("Outcome: REJECTED (VALIDATION): hostname contains '_'");
        assertThat(cli.connectors.feed.started).isFalse();
    }

    @Test
    void shouldWaitForTheNextReinstallWhenAskedToIgnoreTheFinishedOne() throws Exception {
        cli.connectors.states.put(1001L, view("""
                {"serverId": 1001, "reinstallId": "r-0", "phase": "COMPLETED", "stepTimes": {}, "stageTimes": {}}
                """));
        Events old = new Events(1001, "r-0", "q-0");
        cli.connectors.feed.then(old.event(1, Events.released())).then(events.event(2, Events.validated()))
                .then(events.completion(3, Events.failedOutcome(FailureKind.AUTH, ReinstallPhase.CREATING_REINSTALL_KEY)));

        CliRun.Result result = cli.run("watch", "1001", "--next");

        assertThat(result.code()).isEqualTo(ExitCode.FAILED);
        assertThat(result.out()).contains("reinstall r-1").doesNotContain("quarantine lifted");
    }

    @Test
    void shouldStartFromTheStepsAlreadyDoneWhenTheProjectorKnowsThem() throws Exception {
        cli.connectors.states.put(1001L, view("""
                {"serverId": 1001, "reinstallId": "r-1", "phase": "INSTALLING", "installStage": 1,
                 "requestedAt": "2026-11-24T10:00:00Z",
                 "stepTimes": {"CREATING_REINSTALL_KEY": "2026-11-24T10:00:01Z", "CREATING_PXE_CONFIG": "2026-11-24T10:00:02Z",
                   "SETTING_BOOT_PXE": "2026-11-24T10:00:05Z", "REBOOTING": "2026-11-24T10:00:07Z", "INSTALLING": "2026-11-24T10:00:08Z"},
                 "stageTimes": {"1": "2026-11-24T10:00:20Z"}}
                """));
        cli.connectors.feed.then(events.event(20, Events.stage(1))) // already known: not repeated
                .then(events.event(30, Events.stage(2)))
                .then(events.completion(40, Events.cancelledOutcome(ReinstallPhase.INSTALLING)));

        CliRun.Result result = cli.run("watch", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.CANCELLED);
        assertThat(result.out()).contains("Watching a reinstall under way:").containsPattern("\\[x] 4 reboot")
                .doesNotContain("installer stage 1/5").contains("installer stage 2/5");
    }

    @Test
    void shouldStillWatchWhenTheProjectorIsDown() {
        cli.connectors.statesFailure = CliException.unavailable("the state projector at http://127.0.0.1:8083 refused the connection",
                null, null);
        cli.connectors.feed.then(events.completion(5, Events.completedOutcome()));

        CliRun.Result result = cli.run("watch", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.OK);
        assertThat(result.err()).contains("warning: the state projector").contains("following events from now on only");
    }

    @Test
    void shouldWatchSeveralServersAndExitWithTheWorstOutcome() {
        Events other = new Events(1002, "r-2", "q-2");
        cli.connectors.feed.then(events.completion(5, Events.completedOutcome()))
                .then(other.completion(6, Events.failedOutcome(FailureKind.DEADLINE, ReinstallPhase.QUEUED)));

        CliRun.Result result = cli.run("watch", "1001", "1002");

        assertThat(result.code()).isEqualTo(ExitCode.FAILED);
        assertThat(cli.connectors.feedServers).containsExactly(1001L, 1002L);
    }

    @Test
    void shouldStreamJsonLinesForScripts() {
        cli.connectors.feed.then(events.event(1, Events.validated()), events.event(20, Events.stage(1)))
                .then(events.completion(70, Events.completedOutcome()));

        CliRun.Result result = cli.run("watch", "1001", "--json");

        assertThat(result.code()).isZero();
        List<JsonNode> lines = result.jsonLines();
        assertThat(lines).extracting(l -> l.get("type").asText()).containsExactly("watching", "event", "event", "event", "outcome");
        assertThat(lines.get(2).get("step").asInt()).isEqualTo(5);
        assertThat(lines.get(2).get("description").asText()).isEqualTo("installer stage 1/5: Stage 1");
        assertThat(lines.get(3).get("finished").asBoolean()).isTrue();
        JsonNode outcome = lines.getLast();
        assertThat(outcome.get("outcome").asText()).isEqualTo("COMPLETED");
        assertThat(outcome.get("exitCode").asInt()).isZero();
        assertThat(outcome.get("progress").get("steps")).hasSize(9);
        assertThat(outcome.get("progress").get("stages")).hasSize(5);
    }
}
