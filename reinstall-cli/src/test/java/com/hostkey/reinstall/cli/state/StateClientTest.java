package com.hostkey.reinstall.cli.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.cli.ProjectorJson;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real HTTP server in the test JVM; no projector needed. */
class StateClientTest {

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String body = "{}";

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestURI().toString());
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private StateClient client(String token) {
        return new StateClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"), token, Duration.ofSeconds(5));
    }

    @Test
    void shouldReadOneServersStateAndSendTheBearerToken() {
        body = """
                {"serverId": 1001, "reinstallId": "r-1", "phase": "QUEUED", "queuePosition": 2, "jenkinsTasks": ["a"],
                 "requestedAt": "2026-11-24T10:00:00Z", "stepTimes": {"VALIDATING": "2026-11-24T10:00:00Z"}}
                """;

        Optional<ReinstallStateView> state = client("s3cret").reinstall(1001);

        assertThat(requests).containsExactly("/reinstalls/1001");
        assertThat(authorizations).containsExactly("Bearer s3cret");
        assertThat(state).get().satisfies(s -> {
            assertThat(s.phase()).isEqualTo(ReinstallPhase.QUEUED);
            assertThat(s.queuePosition()).isEqualTo(2);
            assertThat(s.jenkinsTasks()).containsExactly("a");
            assertThat(s.requestedAt()).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
            assertThat(s.optionalJenkinsTasks()).isNull();
        });
    }

    @Test
    void shouldReadTheProjectorsStepProgressWithTheState() {
        body = ProjectorJson.failedInReboot(1001, "r-1", "q-1").skipped("extras").json();

        ReinstallStateView state = client("t").reinstall(1001).orElseThrow();

        assertThat(state.skippedJenkinsTasks()).containsExactly("extras");
        StepProgressView progress = state.progress();
        assertThat(progress.step()).isEqualTo(4);
        assertThat(progress.of()).isEqualTo(9);
        assertThat(progress.text()).isEqualTo("failed in 4/9 reboot");
        assertThat(progress.steps()).hasSize(9);
        assertThat(progress.steps().get(3)).isEqualTo(new StepProgressView.Step(4, "reboot", "failed", ProjectorJson.at(7),
                ProjectorJson.at(30), false));
        assertThat(progress.steps().get(6).status()).isEqualTo("cleanup");
        assertThat(progress.running()).isEmpty();
    }

    @Test
    void shouldReadAServersHistoryOldestFirstWithTheToken() {
        body = ProjectorJson.history(1001).entry(1, "ReinstallValidated", "r-1", 0, "INFO", "validated")
                .entryWithoutId(2, "CancelReinstall", null, 0, "WARN", "cancel requested by ops").json();

        List<HistoryEntryView> history = client("s3cret").history(1001);

        assertThat(requests).containsExactly("/reinstalls/1001/history");
        assertThat(authorizations).containsExactly("Bearer s3cret");
        assertThat(history).extracting(HistoryEntryView::summary).containsExactly("validated", "cancel requested by ops");
        assertThat(history.getFirst().id()).isEqualTo("r-1#0");
        assertThat(history.getFirst().at()).isEqualTo(ProjectorJson.at(1));
        assertThat(history.getFirst().identity()).isEqualTo("id:r-1#0");
        assertThat(history.get(1).id()).isNull();
        assertThat(history.get(1).reinstallId()).isNull();
        assertThat(history.get(1).isInfo()).isFalse();
        assertThat(history.get(1).identity()).isEqualTo(ProjectorJson.at(2) + "|CancelReinstall|cancel requested by ops");
    }

    @Test
    void shouldAnswerNoHistoryForA404AndRefuseAWrongToken() {
        status = 404;
        body = "{\"error\": \"no history known for server 1001\", \"status\": 404}";
        assertThat(client(null).history(1001)).isEmpty();

        status = 401;
        body = "{\"error\": \"invalid bearer token\", \"status\": 401}";
        assertThatThrownBy(() -> client("wrong").history(1001))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.PERMISSION));
    }

    @Test
    void shouldSendNoAuthorizationWithoutAToken() {
        client(null).reinstall(1001);

        assertThat(authorizations).containsExactly("null");
    }

    @Test
    void shouldAnswerEmptyForAServerWithoutReinstall() {
        status = 404;
        body = "{\"error\": \"no reinstall known for server 1001\"}";

        assertThat(client(null).reinstall(1001)).isEmpty();
    }

    @Test
    void shouldSendTheFiltersAndStillFilterTheAnswerItself() {
        body = """
                {"reinstalls": [
                  {"serverId": 1, "phase": "INSTALLING", "location": "NL"},
                  {"serverId": 2, "phase": "COMPLETED", "location": "NL"},
                  {"serverId": 3, "phase": "QUEUED", "location": "US"},
                  {"serverId": 4, "phase": "QUEUED", "location": "nl"}
                ], "count": 4}
                """;

        List<ReinstallStateView> states = client("t").list(EnumSet.of(ReinstallPhase.QUEUED, ReinstallPhase.INSTALLING), "NL", 100);

        assertThat(requests).containsExactly("/reinstalls?phase=QUEUED&phase=INSTALLING&location=NL&limit=100");
        assertThat(states).extracting(ReinstallStateView::serverId).containsExactly(1L, 4L);
    }

    @Test
    void shouldAcceptABareArrayAsTheList() {
        body = "[{\"serverId\": 1, \"phase\": \"COMPLETED\"}, {\"serverId\": 2, \"phase\": \"SOMETHING_NEW\"}]";

        List<ReinstallStateView> states = client(null).list(Set.of(), null, 10);

        assertThat(states).extracting(ReinstallStateView::phaseName).containsExactly("COMPLETED", "SOMETHING_NEW");
        assertThat(states.get(1).phase()).isNull();
    }

    @Test
    void shouldTellAMissingTokenFromAWrongOne() {
        status = 401;
        body = "{\"error\": \"missing bearer token\", \"status\": 401}";

        assertThatThrownBy(() -> client(null).reinstall(1))
                .isInstanceOfSatisfying(CliException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.PERMISSION);
                    assertThat(e.getMessage()).contains("HTTP 401: missing bearer token");
                    assertThat(e.hint()).contains("give an API token with --token or REINSTALL_API_TOKEN");
                });
        assertThatThrownBy(() -> client("wrong").reinstall(1))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.hint()).contains("check the token"));
    }

    @Test
    void shouldAskToRetryWhenTheProjectorIsNotReady() {
        status = 503;
        body = "{\"error\": \"state store not ready, retry shortly\"}";

        assertThatThrownBy(() -> client(null).reinstall(1))
                .isInstanceOfSatisfying(CliException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
                    assertThat(e.hint()).isEqualTo("retry shortly");
                });
    }

    @Test
    void shouldSayWhenNothingListensAtTheUrl() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        StateClient nobody = new StateClient(URI.create("http://127.0.0.1:" + port), null, Duration.ofSeconds(2));

        assertThatThrownBy(() -> nobody.reinstall(1))
                .isInstanceOfSatisfying(CliException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("refused the connection");
                    assertThat(e.hint()).contains("--projector (or REINSTALL_PROJECTOR_URL)");
                });
    }

    @Test
    void shouldSayWhenTheAnswerIsNotJson() {
        body = "<html>hello</html>";

        assertThatThrownBy(() -> client(null).reinstall(1))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.getMessage()).contains("not JSON"));
    }
}
