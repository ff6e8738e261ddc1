package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.projector.http.QueryApiSettings;
import com.hostkey.reinstall.projector.saga.AdmissionSettings;
import com.hostkey.reinstall.projector.saga.ReinstallTopology;
import com.hostkey.reinstall.projector.saga.SagaSettings;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import static org.assertj.core.api.Assertions.assertThat;

import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.schemas.avro.ReinstallCompleted;
import com.hostkey.reinstall.schemas.avro.ReinstallCompletion;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.schemas.serde.SchemaRegistryClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The projector's /metrics and /ready on the query port: no token, Prometheus text, never a server id. */
class ProjectorOperationsEndpointsTest {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private KafkaStreams streams;
    private ProjectorMetrics metrics;
    private StateQueryServer server;

    @BeforeEach
    void setUp() throws Exception {
        metrics = ProjectorMetrics.create();
        ReinstallTopics topics = ReinstallTopics.create(
                Map.of(AvroSerde.SCHEMA_REGISTRY_URL, SchemaRegistryClient.MOCK_SCHEME + UUID.randomUUID()));
        Properties props = new ProjectorConfig("127.0.0.1:1", "mock://unused", "metrics-test-" + UUID.randomUUID(),
                System.getProperty("java.io.tmpdir") + "/projector-metrics-" + UUID.randomUUID(), "127.0.0.1", 0, 1,
                SagaSettings.defaults(), AdmissionSettings.defaults(), Duration.ofSeconds(1), StepAuthenticator.of(Map.of("k1", StepAuthenticator.generateKey()), "k1")).streamsConfig(1);
        // Never started: the instance stays CREATED, so it is not ready.
        streams = new KafkaStreams(ReinstallTopology.build(topics, SagaSettings.defaults(), AdmissionSettings.defaults(),
                Duration.ofSeconds(1), StepAuthenticator.of(Map.of("k1", StepAuthenticator.generateKey()), "k1"), metrics.saga()), props);
        metrics.bind(streams);
        server = new StateQueryServer("127.0.0.1", 0, QueryApiSettings.withGeneratedToken(), 3);
        server.metrics(metrics::scrape);
        server.serve(streams);
    }

    @AfterEach
    void tearDown() {
        server.close();
        streams.close(Duration.ofSeconds(5));
        metrics.close();
    }

    @Test
    void shouldServeMetricsWithoutATokenAfterACompletion() throws Exception {
        metrics.saga().completed(ReinstallCompletion.newBuilder()
                .setReinstallId("r-1").setRequestId("req-1").setServerId(25250).setAccount("default").setOsId(101)
                .setHostname("srv.example.net").setOsName("Ubuntu 22.04").setServerType("bm").setLocation("NL")
                .setRequestedAt(Instant.parse("2026-11-24T10:00:00Z")).setFinishedAt(Instant.parse("2026-11-24T10:20:00Z"))
                .setStepTimes(Map.of("VALIDATING", Instant.parse("2026-11-24T10:00:00Z").toEpochMilli(),
                        "INSTALLING", Instant.parse("2026-11-24T10:02:00Z").toEpochMilli(),
                        "COMPLETED", Instant.parse("2026-11-24T10:20:00Z").toEpochMilli()))
                .setStageTimes(Map.of("1", Instant.parse("2026-11-24T10:03:00Z").toEpochMilli()))
                .setOutcome(ReinstallCompleted.newBuilder().setJenkinsTasks(List.of()).build())
                .build());

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(response.body())
                .contains("reinstall_completions_total{outcome=\"completed\",reason=\"none\",service=\"state-projector\"} 1")
                .contains("reinstall_step_duration_seconds_sum{location=\"NL\",os=\"Ubuntu 22.04\",server_type=\"bm\","
                        + "service=\"state-projector\",step=\"INSTALLING\"} 1080")
                .contains("reinstall_stage_duration_seconds_count{")
                .contains("reinstalls_in_flight{phase=\"INSTALLING\",service=\"state-projector\"} 0")
                .contains("reinstalls_in_flight{phase=\"QUEUED\",service=\"state-projector\"} 0")
                .contains("state_projector_streams_running{service=\"state-projector\"} 0")
                .contains("kafka_")
                .contains("jvm_memory_used_bytes")
                .doesNotContain("25250")
                .doesNotContain("reinstalls_in_flight{phase=\"COMPLETED\"");
    }

    @Test
    void shouldNotBeReadyBeforeTheStreamsInstanceRuns() throws Exception {
        HttpResponse<String> ready = get("/ready");

        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("NOT_READY").contains("CREATED");
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
