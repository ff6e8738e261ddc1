package com.hostkey.reinstall.projector.dashboard;

import com.hostkey.reinstall.projector.ProjectorConfig;
import com.hostkey.reinstall.projector.StateQueryServer;
import com.hostkey.reinstall.projector.http.QueryApiSettings;
import com.hostkey.reinstall.projector.saga.AdmissionSettings;
import com.hostkey.reinstall.projector.saga.ReinstallTopology;
import com.hostkey.reinstall.projector.saga.SagaSettings;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.CancelReinstall;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReleaseServer;
import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's gatekeeping over real HTTP: the page without a token, data only with one, actions
 * only with an operator's write token, recorded as commands naming the operator. The streams
 * instance is never started, so data queries end in "not ready" (503); answers from running
 * instances are covered by DashboardBrowserIT.
 */
class DashboardRoutesTest {

    private static final String READ_TOKEN = QueryApiSettings.generateToken();
    private static final String WRITE_TOKEN = QueryApiSettings.generateToken();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private KafkaStreams streams;
    private StateQueryServer server;
    private MockProducer<String, ReinstallRequest> producer;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void setUp() throws IOException {
        ReinstallTopics topics = ReinstallTopics.create(
                Map.of(AvroSerde.SCHEMA_REGISTRY_URL, SchemaRegistryClient.MOCK_SCHEME + UUID.randomUUID()));
        Properties props = new ProjectorConfig("127.0.0.1:1", "mock://unused", "dashboard-test-" + UUID.randomUUID(),
                tmp.resolve("state").toString(), "127.0.0.1", 0, 1, SagaSettings.defaults(), AdmissionSettings.defaults(),
                Duration.ofSeconds(1), StepAuthenticator.of(Map.of("k1", StepAuthenticator.generateKey()), "k1")).streamsConfig(1);
        streams = new KafkaStreams(ReinstallTopology.build(topics, SagaSettings.defaults(), AdmissionSettings.defaults(),
                Duration.ofSeconds(1), StepAuthenticator.of(Map.of("k1", StepAuthenticator.generateKey()), "k1")), props);
        server = new StateQueryServer("127.0.0.1", 0, QueryApiSettings.ofTokens(List.of(READ_TOKEN))
                .withWriteTokens(Map.of("alice", WRITE_TOKEN)), 3);
        producer = new MockProducer<>(true, null, new StringSerializer(), topics.requests.valueSerde().serializer());
        server.operatorActions(new OperatorActions(producer, Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC)));
        server.serve(streams);
    }

    @AfterEach
    void tearDown() {
        server.close();
        streams.close(Duration.ofSeconds(5));
    }

    @Test
    void shouldServeThePageWithoutATokenUnderAStrictContentSecurityPolicy() throws Exception {
        for (String path : List.of("/", "/dashboard", "/dashboard/")) {
            HttpResponse<String> page = send("GET", path, null, null);
            assertThat(page.statusCode()).as(path).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
            assertThat(page.body()).contains("<title>Reinstall fleet</title>", "/dashboard/main.js");
        }
        HttpResponse<String> script = send("GET", "/dashboard/main.js", null, null);
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        assertThat(script.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")
                        .doesNotContain("unsafe-inline", "unsafe-eval"));
        assertThat(script.headers().firstValue("X-Frame-Options")).contains("DENY");
        assertThat(send("GET", "/dashboard/dashboard.css", null, null).headers().firstValue("Content-Type"))
                .contains("text/css; charset=utf-8");
    }

    @Test
    void shouldServeOnlyThePagesOwnFiles() throws Exception {
        for (String path : List.of("/dashboard/../logback.xml", "/dashboard/%2e%2e/logback.xml", "/dashboard/nope.js",
                "/dashboard/logback.xml", "/dashboard/Main.JS", "/dashboard/sub/main.js")) {
            assertThat(send("GET", path, null, null).statusCode()).as(path).isEqualTo(404);
        }
        assertThat(send("POST", "/", null, null).statusCode()).isEqualTo(405);
    }

    @Test
    void shouldAskATokenForEveryDataAndActionEndpoint() throws Exception {
        for (String path : List.of("/whoami", "/fleet/summary", "/reinstalls/1001/history")) {
            assertThat(send("GET", path, null, null).statusCode()).as(path).isEqualTo(401);
            assertThat(send("GET", path, "Bearer " + QueryApiSettings.generateToken(), null).statusCode()).as(path).isEqualTo(401);
        }
        for (String path : List.of("/reinstalls/1001/cancel", "/reinstalls/1001/release")) {
            assertThat(send("POST", path, null, null).statusCode()).as(path).isEqualTo(401);
            assertThat(send("POST", path, "Bearer " + QueryApiSettings.generateToken(), null).statusCode()).as(path).isEqualTo(401);
        }
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void shouldTellTheOperatorOfAWriteTokenAndNobodyForAReadToken() throws Exception {
        JsonNode reader = json(send("GET", "/whoami", "Bearer " + READ_TOKEN, null));
        assertThat(reader.path("operator").isNull()).isTrue();
        assertThat(reader.path("canWrite").asBoolean()).isFalse();

        JsonNode operator = json(send("GET", "/whoami", "Bearer " + WRITE_TOKEN, null));
        assertThat(operator.path("operator").asText()).isEqualTo("alice");
        assertThat(operator.path("canWrite").asBoolean()).isTrue();
    }

    @Test
    void shouldLetWriteTokensReadToo() throws Exception {
        assertThat(send("GET", "/reinstalls/1001", "Bearer " + WRITE_TOKEN, null).statusCode()).isEqualTo(503);
        assertThat(send("GET", "/reinstalls/1001/history", "Bearer " + WRITE_TOKEN, null).statusCode()).isEqualTo(503);
        assertThat(send("GET", "/fleet/summary", "Bearer " + READ_TOKEN, null).statusCode()).isEqualTo(503);
    }

    @Test
    void shouldForbidActionsToReadTokens() throws Exception {
        for (String action : List.of("cancel", "release")) {
            HttpResponse<String> response = send("POST", "/reinstalls/1001/" + action, "Bearer " + READ_TOKEN, "{}");
            assertThat(response.statusCode()).as(action).isEqualTo(403);
            assertThat(json(response).path("error").asText()).contains("write token");
        }
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void shouldPublishACancelIssuedByTheOperatorAndAnswerItsCommandId() throws Exception {
        HttpResponse<String> response = send("POST", "/reinstalls/1001/cancel", "Bearer " + WRITE_TOKEN,
                "{\"reason\": \"wrong OS\\nordered\"}");

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = json(response);
        assertThat(producer.history()).hasSize(1);
        ProducerRecord<String, ReinstallRequest> record = producer.history().get(0);
        assertThat(record.topic()).isEqualTo(ReinstallTopics.REQUESTS);
        assertThat(record.key()).isEqualTo("1001");
        ReinstallRequest command = record.value();
        assertThat(command.getServerId()).isEqualTo(1001);
        assertThat(command.getIssuedBy()).isEqualTo("dashboard:alice");
        assertThat(command.getIssuedAt()).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
        assertThat(command.getPayload()).isInstanceOf(CancelReinstall.class);
        assertThat(((CancelReinstall) command.getPayload()).getReason()).isEqualTo("wrong OS ordered");
        assertThat(body.path("commandId").asText()).isEqualTo(command.getCommandId());
        assertThat(body.path("issuedBy").asText()).isEqualTo("dashboard:alice");
        assertThat(response.body()).doesNotContain(WRITE_TOKEN);
    }

    @Test
    void shouldPublishAReleaseWithoutABody() throws Exception {
        HttpResponse<String> response = send("POST", "/reinstalls/42/release", "Bearer " + WRITE_TOKEN, null);

        assertThat(response.statusCode()).isEqualTo(202);
        ReinstallRequest command = producer.history().get(0).value();
        assertThat(command.getPayload()).isInstanceOf(ReleaseServer.class);
        assertThat(((ReleaseServer) command.getPayload()).getReason()).isNull();
        assertThat(command.getIssuedBy()).isEqualTo("dashboard:alice");
    }

    @Test
    void shouldRefuseMalformedActions() throws Exception {
        for (String body : List.of("not json", "[1]", "{\"reason\": 5}", "{\"reason\": \"x\", \"serverId\": 7}", "x".repeat(5000))) {
            assertThat(send("POST", "/reinstalls/1001/cancel", "Bearer " + WRITE_TOKEN, body).statusCode()).as(body).isEqualTo(400);
        }
        assertThat(send("GET", "/reinstalls/1001/cancel", "Bearer " + WRITE_TOKEN, null).statusCode()).isEqualTo(405);
        assertThat(send("POST", "/reinstalls/abc/cancel", "Bearer " + WRITE_TOKEN, null).statusCode()).isIn(400, 405);
        assertThat(send("POST", "/reinstalls/1001/reboot", "Bearer " + WRITE_TOKEN, null).statusCode()).isIn(400, 404, 405);
        assertThat(send("POST", "/fleet/summary", "Bearer " + WRITE_TOKEN, null).statusCode()).isEqualTo(405);
        assertThat(send("POST", "/reinstalls/1001", "Bearer " + WRITE_TOKEN, null).statusCode()).isEqualTo(405);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void shouldAnswer503WhenTheCommandCannotBePublished() throws Exception {
        producer.close();
        HttpResponse<String> response = send("POST", "/reinstalls/1001/cancel", "Bearer " + WRITE_TOKEN, null);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).contains("1");
    }

    @Test
    void shouldReadWriteTokensFromTheEnvironmentAndNeverPrintThem() throws Exception {
        Path file = tmp.resolve("write-tokens");
        Files.writeString(file, "alice:" + WRITE_TOKEN + "\nbob:" + READ_TOKEN + "x\n");
        QueryApiSettings settings = QueryApiSettings.fromEnv(new EnvSettings(Map.of("PROJECTOR_API_TOKENS", READ_TOKEN,
                "PROJECTOR_API_WRITE_TOKENS_FILE", file.toString())));

        assertThat(settings.writeTokens()).containsExactly(Map.entry("alice", WRITE_TOKEN), Map.entry("bob", READ_TOKEN + "x"));
        assertThat(settings.toString()).contains("alice", "bob").doesNotContain(WRITE_TOKEN, READ_TOKEN);
        assertThat(QueryApiSettings.fromEnv(new EnvSettings(Map.of("PROJECTOR_API_TOKENS", READ_TOKEN))).operatorActionsEnabled()).isFalse();

        assertThatThrownBy(() -> QueryApiSettings.fromEnv(new EnvSettings(Map.of("PROJECTOR_API_TOKENS", READ_TOKEN,
                "PROJECTOR_API_WRITE_TOKENS", WRITE_TOKEN)))).hasMessageContaining("operatorName:token").hasMessageNotContaining(WRITE_TOKEN);
        assertThatThrownBy(() -> QueryApiSettings.ofTokens(List.of(READ_TOKEN)).withWriteTokens(Map.of("alice", READ_TOKEN)))
                .hasMessageContaining("unique").hasMessageNotContaining(READ_TOKEN);
        assertThatThrownBy(() -> QueryApiSettings.ofTokens(List.of(READ_TOKEN)).withWriteTokens(Map.of("al ice", WRITE_TOKEN)))
                .hasMessageContaining("operator names");
        assertThatThrownBy(() -> QueryApiSettings.ofTokens(List.of(READ_TOKEN)).withWriteTokens(Map.of("alice", "short")))
                .hasMessageContaining("16-512").hasMessageNotContaining("short");
        assertThatThrownBy(() -> QueryApiSettings.fromEnv(new EnvSettings(Map.of("PROJECTOR_API_AUTH", "disabled",
                "PROJECTOR_API_WRITE_TOKENS", "alice:" + WRITE_TOKEN)))).hasMessageContaining("contradicts");
    }

    // ------------------------------------------------------------------ helpers

    private HttpResponse<String> send(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10));
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
