package com.hostkey.reinstall.cli.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.CliRun;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.state.ReinstallStateView;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusListCommandTest {

    private static final String INSTALLING = """
            {"serverId": 1001, "reinstallId": "r-1", "requestId": "order-1", "account": "default", "phase": "INSTALLING",
             "installStage": 3, "osId": 101, "osName": "Ubuntu 22.04", "serverType": "bm", "location": "NL",
             "hostname": "web1.example.net", "jenkinsTasks": ["agent"], "requestedAt": "2026-11-24T10:00:00Z",
             "updatedAt": "2026-11-24T10:01:00Z", "finishedAt": null,
             "stepTimes": {"CREATING_REINSTALL_KEY": "2026-11-24T10:00:01Z", "CREATING_PXE_CONFIG": "2026-11-24T10:00:02Z",
               "SETTING_BOOT_PXE": "2026-11-24T10:00:05Z", "REBOOTING": "2026-11-24T10:00:07Z", "INSTALLING": "2026-11-24T10:00:08Z"},
             "stageTimes": {"1": "2026-11-24T10:00:20Z", "2": "2026-11-24T10:00:30Z", "3": "2026-11-24T10:00:40Z"},
             "failureKind": null, "failureMessage": null, "quarantine": {"consecutiveFailures": 2}, "someNewField": 7}
            """;

    private final CliRun cli = new CliRun();

    private static ReinstallStateView view(String json) throws Exception {
        return ReinstallStateView.from(new ObjectMapper().readTree(json));
    }

    @Test
    void shouldShowTheStateWithTheNineSteps() throws Exception {
        cli.connectors.states.put(1001L, view(INSTALLING));

        CliRun.Result result = cli.run("status", "1001");

        assertThat(result.code()).isZero();
        assertThat(result.out()).contains("Server 1001: INSTALLING, installer stage 3/5")
                .contains("reinstall    r-1  (request order-1, account default)")
                .contains("OS           101 (Ubuntu 22.04), hostname web1.example.net")
                .contains("failures     2 in a row")
                .containsPattern("\\[x] 2 PXE config\\s+3\\.0s")
                .containsPattern("\\[>] 6 installer stages 2-5\\s+1m20s\\s+stages 1 2 3 \\. \\.");
        assertThat(cli.connectors.projector).isEqualTo(URI.create("http://127.0.0.1:8083"));
    }

    @Test
    void shouldPassTheProjectorsAnswerThroughAsJson() throws Exception {
        cli.connectors.states.put(1001L, view(INSTALLING));
        cli.env.put("REINSTALL_PROJECTOR_URL", "https://projector.example:8443");
        cli.env.put("REINSTALL_API_TOKEN", "t0ken");

        CliRun.Result result = cli.run("status", "1001", "--json");

        assertThat(result.code()).isZero();
        assertThat(result.json().get("phase").asText()).isEqualTo("INSTALLING");
        assertThat(result.json().get("someNewField").asInt()).isEqualTo(7);
        assertThat(cli.connectors.projector).isEqualTo(URI.create("https://projector.example:8443"));
        assertThat(cli.connectors.token).isEqualTo("t0ken");
    }

    @Test
    void shouldPreferTheTokenOptionOverTheEnvironment() throws Exception {
        cli.connectors.states.put(1001L, view(INSTALLING));
        cli.env.put("REINSTALL_API_TOKEN", "from-env");

        cli.run("status", "1001", "--token", "from-option", "--projector", "http://p:1");

        assertThat(cli.connectors.token).isEqualTo("from-option");
        assertThat(cli.connectors.projector).isEqualTo(URI.create("http://p:1"));
    }

    @Test
    void shouldReadTheTokenFromAFile(@TempDir Path dir) throws Exception {
        cli.connectors.states.put(1001L, view(INSTALLING));
        cli.env.put("REINSTALL_API_TOKEN_FILE", Files.writeString(dir.resolve("token"), "from-file\n").toString());

        cli.run("status", "1001");

        assertThat(cli.connectors.token).isEqualTo("from-file");
    }

    @Test
    void shouldSayWhenTheProjectorKnowsNoReinstall() {
        CliRun.Result result = cli.run("status", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(result.err()).contains("knows no reinstall for server 1001").contains("reinstall list");
    }

    @Test
    void shouldPassOnTheProjectorsErrorsWithTheirExitCode() {
        cli.connectors.statesFailure = new CliException(ExitCode.PERMISSION, "--token", "the state projector refused the request (HTTP 401)",
                "give an API token with --token or REINSTALL_API_TOKEN", null);

        CliRun.Result result = cli.run("status", "1001");

        assertThat(result.code()).isEqualTo(ExitCode.PERMISSION);
        assertThat(result.err()).contains("HTTP 401").contains("field: --token");
    }

    @Test
    void shouldRefuseAProjectorUrlThatIsNotHttp() {
        CliRun.Result result = cli.run("status", "1001", "--projector", "ftp://x");

        assertThat(result.code()).isEqualTo(ExitCode.USAGE);
        assertThat(result.err()).contains("'ftp://x' is not an http(s) URL");
    }

    @Test
    void shouldListWithPhaseAndLocationFilters() throws Exception {
        cli.connectors.listAnswer = List.of(view(INSTALLING));

        CliRun.Result result = cli.run("list", "--phase", "installing", "--phase", "QUEUED,rebooting", "--location", "NL");

        assertThat(result.code()).isZero();
        assertThat(cli.connectors.listedPhases).containsExactlyInAnyOrder(ReinstallPhase.INSTALLING, ReinstallPhase.QUEUED,
                ReinstallPhase.REBOOTING);
        assertThat(cli.connectors.listedLocation).isEqualTo("NL");
        assertThat(result.out()).contains("SERVER     PHASE").containsPattern("1001\\s+INSTALLING\\s+3/5\\s+101 Ubuntu 22.04\\s+NL\\s+web1.example.net\\s+40.0s ago")
                .contains("1 reinstall");
    }

    @Test
    void shouldListOnlyReinstallsInProgressWithActive() {
        CliRun.Result result = cli.run("list", "--active", "--json");

        assertThat(result.code()).isZero();
        assertThat(cli.connectors.listedPhases).doesNotContain(ReinstallPhase.COMPLETED, ReinstallPhase.FAILED, ReinstallPhase.CANCELLED,
                ReinstallPhase.REJECTED).hasSize(EnumSet.allOf(ReinstallPhase.class).size() - 4);
        assertThat(result.json().isArray()).isTrue();
        assertThat(result.json()).isEmpty();
    }
}
