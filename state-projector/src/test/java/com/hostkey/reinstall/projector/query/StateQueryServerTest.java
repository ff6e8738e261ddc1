package com.hostkey.reinstall.projector.query;

import com.hostkey.reinstall.projector.ProjectorConfig;
import com.hostkey.reinstall.projector.StateQueryServer;
import com.hostkey.reinstall.projector.http.BadRequest;
import com.hostkey.reinstall.projector.http.QueryApiSettings;
import com.hostkey.reinstall.projector.http.QueryTls;
import com.hostkey.reinstall.projector.saga.AdmissionSettings;
import com.hostkey.reinstall.projector.saga.ReinstallTopology;
import com.hostkey.reinstall.projector.saga.SagaSettings;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.DeadlineKind;
import com.hostkey.reinstall.schemas.avro.ReinstallPhase;
import com.hostkey.reinstall.schemas.avro.ReinstallState;
import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query API's gatekeeping over real HTTP(S): tokens, methods, parameters, error bodies. The
 * streams instance is never started, so every valid query ends in "not ready" (503); answers from
 * running instances and forwarding between them are covered by the system tests.
 */
class StateQueryServerTest {

    private static final String TOKEN = QueryApiSettings.generateToken();
    private static final String SECOND_TOKEN = QueryApiSettings.generateToken();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private KafkaStreams streams;
    private StateQueryServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void setUp() throws IOException {
        streams = idleStreams();
        server = start(QueryApiSettings.ofTokens(List.of(TOKEN, SECOND_TOKEN)));
    }

    @AfterEach
    void tearDown() {
        server.close();
        streams.close(Duration.ofSeconds(5));
    }

    @Test
    void shouldAnswerHealthWithoutATokenUpUntilStreamsStops() throws Exception {
        HttpResponse<String> starting = get("/health", null);
        assertThat(starting.statusCode()).as("not started yet is not dead").isEqualTo(200);
        assertThat(json(starting).path("status").asText()).isEqualTo("UP");
        assertThat(get("/ready", null).statusCode()).as("but not ready").isEqualTo(503);

        streams.close(Duration.ofSeconds(5));
        HttpResponse<String> stopped = get("/health", null);
        assertThat(stopped.statusCode()).isEqualTo(503);
        assertThat(json(stopped).path("status").asText()).isEqualTo("DOWN");
    }

    @Test
    void shouldRefuseEveryOtherEndpointWithoutAValidToken() throws Exception {
        for (String path : List.of("/reinstalls", "/reinstalls/1001", "/reinstalls?phase=NOPE", "/reinstalls/abc", "/elsewhere")) {
            for (String authorization : new String[] {null, "Bearer " + TOKEN.substring(1), "Bearer " + TOKEN + "x",
                    "Basic " + TOKEN, TOKEN, "Bearer", "Bearer " + TOKEN + " " + TOKEN}) {
                HttpResponse<String> response = send("GET", path, authorization);
                assertThat(response.statusCode()).as("%s with %s", path, authorization).isEqualTo(401);
                assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
                assertThat(json(response).path("status").asInt()).isEqualTo(401);
                assertThat(response.body()).doesNotContain(TOKEN.substring(1, 10));
            }
        }
    }

    @Test
    void shouldAcceptEveryConfiguredTokenWhateverTheSchemesCase() throws Exception {
        assertThat(get("/reinstalls/1001", TOKEN).statusCode()).isEqualTo(503);
        assertThat(get("/reinstalls/1001", SECOND_TOKEN).statusCode()).isEqualTo(503);
        assertThat(send("GET", "/reinstalls/1001", "bearer " + TOKEN).statusCode()).isEqualTo(503);
    }

    @Test
    void shouldAnswerNotReadyWithRetryAfterWhileTheStateIsNotQueryable() throws Exception {
        for (String path : List.of("/reinstalls/1001", "/reinstalls", "/reinstalls?phase=INSTALLING&phase=QUEUED&location=NL&limit=5",
                "/reinstalls?local=true", "/reinstalls/1001?local=true")) {
            HttpResponse<String> response = get(path, TOKEN);
            assertThat(response.statusCode()).as(path).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).contains("1");
            assertThat(json(response).path("error").asText()).contains("retry");
        }
    }

    @Test
    void shouldBeReadOnly() throws Exception {
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE")) {
            HttpResponse<String> response = send(method, "/reinstalls/1001", "Bearer " + TOKEN);
            assertThat(response.statusCode()).as(method).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).contains("GET, HEAD");
            assertThat(send(method, "/reinstalls/1001", null).statusCode()).as("%s without token", method).isEqualTo(401);
        }
        assertThat(send("POST", "/health", null).statusCode()).isEqualTo(405);
        HttpResponse<String> head = send("HEAD", "/reinstalls/1001", "Bearer " + TOKEN);
        assertThat(head.statusCode()).isEqualTo(503);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void shouldRefuseInvalidParametersWithoutEchoingThem() throws Exception {
        String script = "%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E";
        for (String path : List.of(
                "/reinstalls/abc", "/reinstalls/-5", "/reinstalls/1234567890123456789", "/reinstalls/12%2034", "/reinstalls/1/2",
                "/reinstalls/" + script,
                "/reinstalls?phase=NOPE", "/reinstalls?phase=installing", "/reinstalls?phase=" + script,
                "/reinstalls?location=ABCDEFGHIJKLMNOPQ", "/reinstalls?location=N%20L", "/reinstalls?location=" + script,
                "/reinstalls?location=NL&location=US",
                "/reinstalls?limit=0", "/reinstalls?limit=1001", "/reinstalls?limit=abc", "/reinstalls?limit=-1", "/reinstalls?limit=99999",
                "/reinstalls?limit=5&limit=6", "/reinstalls?local=maybe", "/reinstalls?" + script + "=1", "/reinstalls?sort=phase",
                "/reinstalls?phase=" + "A".repeat(3000),
                "/reinstalls/1001?phase=INSTALLING", "/reinstalls/1001?local=yes")) {
            HttpResponse<String> response = get(path, TOKEN);
            assertThat(response.statusCode()).as(path).isEqualTo(400);
            JsonNode body = json(response);
            assertThat(body.path("status").asInt()).isEqualTo(400);
            assertThat(body.path("error").asText()).as(path).hasSizeLessThan(400)
                    .doesNotContain("<script", "cookie", "Exception", "\tat ", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        }
    }

    @Test
    void shouldAnswerUnknownResourcesWith404() throws Exception {
        // "/" is the dashboard's page (DashboardRoutesTest).
        for (String path : List.of("/reinstall", "/reinstalls/", "/admin", "/" + "x".repeat(300))) {
            HttpResponse<String> response = get(path, TOKEN);
            assertThat(response.statusCode()).as(path).isIn(400, 404);
            assertThat(response.body()).doesNotContain("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        }
        assertThat(get("/admin", TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldNotAskForATokenWhenAuthenticationIsDisabledForDevelopment() throws Exception {
        server.close();
        server = start(QueryApiSettings.authDisabledForDevelopment());

        assertThat(get("/reinstalls/1001", null).statusCode()).isEqualTo(503);
    }

    @Test
    void shouldRefuseToStartWithoutAnyToken() {
        assertThatThrownBy(() -> new StateQueryServer("127.0.0.1", 0, new QueryApiSettings(List.of(), false, null), 3))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("PROJECTOR_API_TOKENS")
                .hasMessageContaining("PROJECTOR_API_AUTH=disabled");
    }

    @Test
    void shouldReadTokensFromTheEnvironmentOrAFileAndFailNamingWhatIsMissing() throws Exception {
        EnvSettings none = new EnvSettings(Map.of());
        QueryApiSettings.fromEnv(none);
        assertThatThrownBy(() -> none.validate("state-projector")).hasMessageContaining("PROJECTOR_API_TOKENS");

        EnvSettings two = new EnvSettings(Map.of("PROJECTOR_API_TOKENS", TOKEN + ", " + SECOND_TOKEN));
        assertThat(QueryApiSettings.fromEnv(two).tokens()).containsExactly(TOKEN, SECOND_TOKEN);

        Path file = tmp.resolve("api-tokens");
        Files.writeString(file, TOKEN + "\n" + SECOND_TOKEN + "\n");
        assertThat(QueryApiSettings.fromEnv(new EnvSettings(Map.of("PROJECTOR_API_TOKENS_FILE", file.toString()))).tokens())
                .containsExactly(TOKEN, SECOND_TOKEN);

        assertThat(QueryApiSettings.fromEnv(new EnvSettings(Map.of("PROJECTOR_API_AUTH", "disabled"))).authDisabled()).isTrue();
        assertThatThrownBy(() -> QueryApiSettings.fromEnv(new EnvSettings(Map.of("PROJECTOR_API_AUTH", "off"))))
                .hasMessageContaining("PROJECTOR_API_AUTH");
        assertThatThrownBy(() -> QueryApiSettings.fromEnv(new EnvSettings(Map.of("PROJECTOR_API_AUTH", "disabled",
                "PROJECTOR_API_TOKENS", TOKEN)))).hasMessageContaining("contradicts");
        assertThatThrownBy(() -> QueryApiSettings.ofTokens(List.of("short-secret-1")))
                .hasMessageContaining("16-512").hasMessageNotContaining("short-secret-1");
        assertThatThrownBy(() -> QueryApiSettings.ofTokens(List.of("has a space inside it!")))
                .hasMessageNotContaining("space inside");
    }

    @Test
    void shouldNeverPrintTokensOrPasswords() {
        Properties sasl = new Properties();
        sasl.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"kafka-secret-42\";");
        QueryApiSettings settings = QueryApiSettings.ofTokens(List.of(TOKEN))
                .withTls(new QueryApiSettings.Tls(tmp.resolve("ks.p12"), "keystore-secret-42"));
        ProjectorConfig config = new ProjectorConfig("b:9092", "http://r", "app", "/tmp/x", "127.0.0.1", 0, 1, SagaSettings.defaults(),
                AdmissionSettings.defaults(), Duration.ofSeconds(1), StepAuthenticator.of(Map.of("k1", StepAuthenticator.generateKey()), "k1")).withQueryApi(settings).withClientSecurity(sasl);

        assertThat(settings.toString() + config).doesNotContain(TOKEN, "keystore-secret-42", "kafka-secret-42")
                .contains("sasl.jaas.config", "masked");
        assertThat(config.streamsConfig(1).getProperty("sasl.jaas.config")).contains("kafka-secret-42");
    }

    @Test
    void shouldServeHttpsWhenAKeystoreIsConfigured() throws Exception {
        Path keystore = tmp.resolve("projector.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "projector", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", "test-pass", "-keypass", "test-pass")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        QueryApiSettings.Tls tls = new QueryApiSettings.Tls(keystore, "test-pass");
        server.close();
        server = start(QueryApiSettings.ofTokens(List.of(TOKEN)).withTls(tls));
        HttpClient https = HttpClient.newBuilder().sslContext(QueryTls.clientContext(tls)).build();

        assertThat(server.scheme()).isEqualTo("https");
        HttpResponse<String> anonymous = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port()
                + "/reinstalls/1001")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<String> withToken = https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port()
                + "/reinstalls/1001")).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withToken.statusCode()).isEqualTo(503);
        assertThatThrownBy(() -> get("/health", null)).as("plain HTTP is not served").isInstanceOf(IOException.class);
    }

    @Test
    void shouldShowQuarantineDeadlinesAndAttemptsButNoSecretsOrHostkeyKeys() throws Exception {
        String[] parts = {"eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiazEifQ", "V1JBUFBFREtFWQ", "SVZJVklW",
                "Q0lQSEVSVEVYVA", "VEFHVEFH"};
        String sealed = String.join(".", parts);
        Instant now = Instant.parse("2026-11-24T10:00:00Z");
        ReinstallState state = ReinstallState.newBuilder()
                .setServerId(1001).setReinstallId("r-1").setRequestId("req-1").setAccount("default").setRequestedBy("upstream")
                .setPhase(ReinstallPhase.AWAITING_BOOT_PXE).setOsId(101).setHostname("srv.example.net")
                .setRootPassword(sealed).setPostInstallScript(sealed).setReinstallKey("MASTERKEY-123")
                .setPendingCallbackKey("CALLBACKKEY-456").setSshKey("ssh-ed25519 AAAA")
                .setRequestedAt(now).setUpdatedAt(now).setQueuePosition(0).setConsecutiveFailures(2)
                .setDeadlineKind(DeadlineKind.ACTION_CALLBACK).setDeadlineAt(now.plusSeconds(600))
                .setSkippedJenkinsTasks(List.of("optional-task")).setAttempts(new HashMap<>(Map.of("SETTING_BOOT_PXE", 2)))
                .build();

        String view = JSON.writeValueAsString(StateView.of(state, 3));

        assertThat(view).doesNotContain(parts).doesNotContain("MASTERKEY", "CALLBACKKEY", "rootPassword", "postInstallScript",
                "ssh-ed25519");
        JsonNode json = JSON.readTree(view);
        assertThat(json.path("quarantine").path("consecutiveFailures").asInt()).isEqualTo(2);
        assertThat(json.path("quarantine").path("quarantined").asBoolean()).isFalse();
        assertThat(json.path("deadlineKind").asText()).isEqualTo("ACTION_CALLBACK");
        assertThat(json.path("deadlineAt").asText()).isEqualTo("2026-11-24T10:10:00Z");
        assertThat(json.path("skippedJenkinsTasks").get(0).asText()).isEqualTo("optional-task");
        assertThat(json.path("attempts").path("SETTING_BOOT_PXE").asInt()).isEqualTo(2);
        assertThat(json.path("queuePosition").asInt()).isZero();
        assertThat(JSON.readTree(JSON.writeValueAsString(StateView.of(state, 2))).path("quarantine").path("quarantined")
                .asBoolean()).isTrue();
    }

    @Test
    void shouldForwardExactlyTheValidatedQueryToOtherInstances() {
        ReinstallQuery query = ReinstallQuery.forList("phase=QUEUED&phase=INSTALLING&location=NL&limit=7");

        assertThat(query.forwardQuery()).isEqualTo("phase=QUEUED&phase=INSTALLING&location=NL&limit=7&local=true");
        assertThat(ReinstallQuery.forList(query.forwardQuery())).isEqualTo(new ReinstallQuery(query.phases(), "NL", 7, true));
        assertThat(ReinstallQuery.forList(null).limit()).isEqualTo(100);
        assertThatThrownBy(() -> ReinstallQuery.forList("phase=%ZZ")).isInstanceOf(BadRequest.class)
                .hasMessageContaining("percent-encoding");
    }

    // ------------------------------------------------------------------ helpers

    private StateQueryServer start(QueryApiSettings settings) throws IOException {
        StateQueryServer started = new StateQueryServer("127.0.0.1", 0, settings, 3);
        started.serve(streams);
        return started;
    }

    /** A streams instance of the real topology that is never started: every store query is "not ready". */
    private static KafkaStreams idleStreams() {
        ReinstallTopics topics = ReinstallTopics.create(
                Map.of(AvroSerde.SCHEMA_REGISTRY_URL, SchemaRegistryClient.MOCK_SCHEME + UUID.randomUUID()));
        Properties props = new ProjectorConfig("127.0.0.1:1", "mock://unused", "query-test-" + UUID.randomUUID(),
                System.getProperty("java.io.tmpdir") + "/projector-query-" + UUID.randomUUID(), "127.0.0.1", 0, 1,
                SagaSettings.defaults(), AdmissionSettings.defaults(), Duration.ofSeconds(1), StepAuthenticator.of(Map.of("k1", StepAuthenticator.generateKey()), "k1")).streamsConfig(1);
        return new KafkaStreams(ReinstallTopology.build(topics, SagaSettings.defaults(), AdmissionSettings.defaults(),
                Duration.ofSeconds(1), StepAuthenticator.of(Map.of("k1", StepAuthenticator.generateKey()), "k1")), props);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return send("GET", path, token == null ? null : "Bearer " + token);
    }

    private HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return JSON.readTree(response.body());
    }
}
