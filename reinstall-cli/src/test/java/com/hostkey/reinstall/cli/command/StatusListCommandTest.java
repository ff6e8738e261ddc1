package com.hostkey.reinstall.cli.command;

import static com.hostkey.reinstall.cli.ProjectorJson.failedInReboot;
import static com.hostkey.reinstall.cli.ProjectorJson.installing;
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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusListCommandTest {

    private static final String INSTALLING = installing(1001, "r-1", "order-1").installStage(3).stages(20, 30, 40)
            .tasks(List.of("agent"), List.of()).updated(60).field("quarantine", Map.of("consecutiveFailures", 2))
            .field("someNewField", 7).json();

    private final CliRun cli = new CliRun();

    private static ReinstallStateView view(String json) throws Exception {
        return ReinstallStateView.from(new ObjectMapper().readTree(json));
    }

    @Test
    void shouldShowTheStateWithTheProjectorsNineSteps() {
        cli.connectors.projector.server(1001).then(INSTALLING, null);

        CliRun.Result result = cli.run("status", "1001");

        assertThat(result.code()).isZero();
        assertThat(result.out()).contains("Server 1001: INSTALLING, installer stage 3/5")
                .contains("reinstall    r-1  (request order-1, account default)")
                .contains("OS           101 (Ubuntu 22.04), hostname web1.example.net")
                .contains("failures     2 in a row")
                .contains("progress: 6/9 installer stages 2-5")
                .containsPattern("\\[x] 2 PXE config\\s+3\\.0s")
                .containsPattern("\\[>] 6 installer stages 2-5\\s+1m20s\\s+stages 1 2 3 \\. \\.")
                .containsPattern("\\[ ] 8 Jenkins tasks\\s+tasks agent");
        assertThat(cli.connectors.projectorUrl).isEqualTo(URI.create("http://127.0.0.1:8083"));
    }

    @Test
    void shouldShowTheOutcomeOfAnEndedReinstall() {
        cli.connectors.projector.server(1001).then(failedInReboot(1001, "r-1", "order-1").json(), null);

        CliRun.Result result = cli.run("status", "1001");

        assertThat(result.code()).isZero();
        assertThat(result.out()).contains("Server 1001: FAILED").contains("failure      AUTH: the reboot was refused")
                .containsPattern("\\[!] 4 reboot\\s+23\\.0s").contains("Outcome: FAILED in 4/9 reboot (AUTH): the reboot was refused");
    }

    @Test
    void shouldPassTheProjectorsAnswerThroughAsJson() throws Exception {
        cli.connectors.projector.server(1001).then(INSTALLING, null);
        cli.env.put("REINSTALL_PROJECTOR_URL", "https://projector.example:8443");
        cli.env.put("REINSTALL_API_TOKEN", "t0ken");

        CliRun.Result result = cli.run("status", "1001", "--json");

        assertThat(result.code()).isZero();
        assertThat(result.json().get("phase").asText()).isEqualTo("INSTALLING");
        assertThat(result.json().get("someNewField").asInt()).isEqualTo(7);
        assertThat(cli.connectors.projectorUrl).isEqualTo(URI.create("https://projector.example:8443"));
        assertThat(cli.connectors.token).isEqualTo("t0ken");
    }

    @Test
    void shouldPreferTheTokenOptionOverTheEnvironment() throws Exception {
        cli.connectors.projector.server(1001).then(INSTALLING, null);
        cli.env.put("REINSTALL_API_TOKEN", "from-env");

        cli.run("status", "1001", "--token", "from-option", "--projector", "http://p:1");

        assertThat(cli.connectors.token).isEqualTo("from-option");
        assertThat(cli.connectors.projectorUrl).isEqualTo(URI.create("http://p:1"));
    }

    @Test
    void shouldReadTheTokenFromAFile(@TempDir Path dir) throws Exception {
        cli.connectors.projector.server(1001).then(INSTALLING, null);
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
        cli.connectors.projector.failure = new CliException(ExitCode.PERMISSION, "--token", "the state projector refused the request (HTTP 401)",
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
        cli.connectors.projector.listAnswer = List.of(view(INSTALLING));

        CliRun.Result result = cli.run("list", "--phase", "installing", "--phase", "QUEUED,rebooting", "--location", "NL");

        assertThat(result.code()).isZero();
        assertThat(cli.connectors.projector.listedPhases).containsExactlyInAnyOrder(ReinstallPhase.INSTALLING, ReinstallPhase.QUEUED,
                ReinstallPhase.REBOOTING);
        assertThat(cli.connectors.projector.listedLocation).isEqualTo("NL");
        assertThat(result.out()).contains("SERVER     PHASE").containsPattern("1001\\s+INSTALLING\\s+3/5\\s+101 Ubuntu 22.04\\s+NL\\s+web1.example.net\\s+40.0s ago")
                .contains("1 reinstall");
    }

    @Test
    void shouldListOnlyReinstallsInProgressWithActive() {
        CliRun.Result result = cli.run("list", "--active", "--json");

        assertThat(result.code()).isZero();
        assertThat(cli.connectors.projector.listedPhases).doesNotContain(ReinstallPhase.COMPLETED, ReinstallPhase.FAILED, ReinstallPhase.CANCELLED,
                ReinstallPhase.REJECTED).hasSize(EnumSet.allOf(ReinstallPhase.class).size() - 4);
        assertThat(result.json().isArray()).isTrue();
        assertThat(result.json()).isEmpty();
    }
}
