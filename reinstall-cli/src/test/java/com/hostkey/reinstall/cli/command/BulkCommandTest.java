package com.hostkey.reinstall.cli.command;

import static com.hostkey.reinstall.cli.ProjectorJson.completed;
import static com.hostkey.reinstall.cli.ProjectorJson.state;
import static com.hostkey.reinstall.cli.ProjectorJson.validating;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.CliRun;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.SealingKeyFixture;
import com.hostkey.reinstall.schemas.ReinstallIds;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BulkCommandTest {

    private static final String PASSWORD = "Rz7kQ2mVx9pL%q";

    @TempDir
    Path dir;

    private final CliRun cli = new CliRun().withKafka();
    private Path jwks;

    @BeforeEach
    void setUp() {
        jwks = SealingKeyFixture.jwksIn(dir);
        cli.stdin = PASSWORD + "\n";
    }

    private CliRun.Result bulk(Path file, String... extra) {
        List<String> args = new ArrayList<>(List.of("bulk", file.toString(), "--jwks", jwks.toString(), "--password-stdin"));
        args.addAll(List.of(extra));
        return cli.run(args.toArray(String[]::new));
    }

    private Path csv(String content) throws Exception {
        return Files.writeString(dir.resolve("servers.csv"), content);
    }

    @Test
    void shouldSubmitTheValidRowsAndReportTheInvalidOnesWithTheirReason() throws Exception {
        Path file = csv("""
                server,os,hostname,tasks,request_id
                1001,101,web1.example.net,agent,order-1
                1002,101,web_2,,order-2
                1003,101,web3.example.net,,order-3
                abc,101,web4.example.net,,
                """);

        CliRun.Result result = bulk(file);

        assertThat(result.code()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(cli.connectors.published).extracting(c -> c.getServerId()).containsExactly(1001L, 1003L);
        ReinstallServer first = (ReinstallServer) cli.connectors.published.getFirst().getPayload();
        assertThat(first.getRequestId()).isEqualTo("order-1");
        assertThat(first.getJenkinsTasks()).containsExactly("agent");
        assertThat(SealingKeyFixture.open(first.getRootPassword())).isEqualTo(PASSWORD);
        assertThat(result.out()).contains("LINE   SERVER     RESULT")
                .containsPattern("2\\s+1001\\s+submitted\\s+order-1")
                .containsPattern("3\\s+1002\\s+invalid\\s+hostname: hostname contains '_' at position 4")
                .containsPattern("5\\s+-\\s+invalid\\s+server: server must be a positive whole number")
                .contains("2 submitted, 2 invalid");
    }

    @Test
    void shouldPublishNothingWithAllOrNothingWhenARowIsInvalid() throws Exception {
        Path file = csv("server,os,hostname\n1001,101,web1.example.net\n1002,101,-bad-\n");

        CliRun.Result result = bulk(file, "--all-or-nothing");

        assertThat(result.code()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(cli.connectors.published).isEmpty();
        assertThat(result.out()).contains("not submitted: --all-or-nothing").contains("1 invalid, 1 not submitted");
    }

    @Test
    void shouldCheckEveryRowAndPublishNothingOnADryRun() throws Exception {
        Path file = csv("server,os,hostname\n1001,101,web1.example.net\n1002,101,web2.example.net\n");

        CliRun.Result result = cli.run("bulk", file.toString(), "--dry-run", "--password-stdin");

        assertThat(result.code()).as(result.err()).isZero();
        assertThat(cli.connectors.published).isEmpty();
        assertThat(result.out()).contains("2 valid (dry run: nothing published)");
    }

    @Test
    void shouldUseEachRowsPasswordFileAndAskForNoSharedPassword() throws Exception {
        Files.writeString(dir.resolve("pw1"), "Other-Pass-1x\n");
        Path file = csv("server,os,hostname,password_file\n1001,101,web1.example.net,pw1\n1002,101,web2.example.net,missing\n");
        cli.stdin = "";

        CliRun.Result result = cli.run("bulk", file.toString(), "--jwks", jwks.toString());

        assertThat(result.code()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(SealingKeyFixture.open(((ReinstallServer) cli.connectors.published.getFirst().getPayload()).getRootPassword()))
                .isEqualTo("Other-Pass-1x");
        assertThat(result.out()).containsPattern("1002\\s+invalid\\s+password_file: cannot read the password file .*missing: no such file");
    }

    @Test
    void shouldReportWhichRowsWentOutWhenPublishingFailsPartWay() throws Exception {
        Path file = csv("server,os,hostname\n1001,101,a.example.net\n1002,101,b.example.net\n1003,101,c.example.net\n");
        cli.connectors.failPublishAfter = 1;
        cli.connectors.publishFailure = CliException.unavailable("Kafka at 127.0.0.1:29092 did not answer within 15s", "check it", null);

        CliRun.Result result = bulk(file);

        assertThat(result.code()).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(result.out()).containsPattern("1001\\s+submitted").containsPattern("1002\\s+not submitted\\s+not submitted: Kafka")
                .containsPattern("1003\\s+not submitted\\s+not submitted: publishing stopped after an error")
                .contains("1 submitted, 2 not submitted");
        assertThat(result.err()).contains("did not answer within 15s");
    }

    @Test
    void shouldSummariseAsJsonForScripts() throws Exception {
        Path file = Files.writeString(dir.resolve("servers.json"), """
                [{"server": 1001, "os": 101, "hostname": "web1.example.net", "request_id": "r1"},
                 {"server": 1002, "os": 101, "hostname": "bad_name"}]
                """);

        CliRun.Result result = bulk(file, "--json");

        assertThat(result.code()).isEqualTo(ExitCode.INVALID_INPUT);
        JsonNode json = result.json();
        assertThat(json.get("submitted").asInt()).isEqualTo(1);
        assertThat(json.get("invalid").asInt()).isEqualTo(1);
        JsonNode rows = json.get("rows");
        assertThat(rows.get(0).get("status").asText()).isEqualTo("SUBMITTED");
        assertThat(rows.get(0).get("reinstallId").asText()).isEqualTo(ReinstallIds.forRequest(1001, "r1"));
        assertThat(rows.get(0).get("offset").asLong()).isZero();
        assertThat(rows.get(1).get("status").asText()).isEqualTo("INVALID");
        assertThat(rows.get(1).get("field").asText()).isEqualTo("hostname");
    }

    @Test
    void shouldFailTheWholeFileWhenAColumnIsUnknown() throws Exception {
        Path file = csv("server,os,hostname,colour\n1001,101,a.example.net,red\n");

        CliRun.Result result = bulk(file);

        assertThat(result.code()).isEqualTo(ExitCode.INVALID_INPUT);
        assertThat(result.err()).contains("unknown column 'colour'").contains("known columns:");
        assertThat(cli.connectors.published).isEmpty();
    }

    @Test
    void shouldWatchEverySubmittedReinstallAndExitWithTheWorstOutcome() throws Exception {
        Path file = csv("server,os,hostname,request_id\n1001,101,a.example.net,q1\n1002,101,b.example.net,q2\n");
        String one = ReinstallIds.forRequest(1001, "q1");
        String two = ReinstallIds.forRequest(1002, "q2");
        cli.connectors.projector.server(1001).then(null, null).then(validating(1001, one, "q1").json(), null)
                .then(completed(1001, one, "q1").json(), null);
        cli.connectors.projector.server(1002).then(validating(1002, two, "q2").json(), null)
                .then(state(1002, two, "q2").phase("CANCELLED").finished(3).progress(0, "before step 1").json(), null);

        CliRun.Result result = bulk(file, "--watch");

        assertThat(result.code()).as(result.out() + result.err()).isEqualTo(ExitCode.CANCELLED);
        assertThat(result.out()).contains("2 submitted").contains("Server 1001  reinstall " + one).contains("Outcome: COMPLETED")
                .contains("Server 1002  reinstall " + two).contains("Outcome: CANCELLED");
    }
}
