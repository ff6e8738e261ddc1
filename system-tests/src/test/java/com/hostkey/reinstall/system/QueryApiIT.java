package com.hostkey.reinstall.system;

import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.projector.saga.AdmissionSettings;
import com.hostkey.reinstall.projector.ProjectorConfig;
import com.hostkey.reinstall.projector.http.QueryApiSettings;
import com.hostkey.reinstall.projector.saga.ReinstallTopology;
import com.hostkey.reinstall.projector.saga.SagaSettings;
import com.hostkey.reinstall.projector.StateProjector;
import com.hostkey.reinstall.schemas.ReinstallTopics;
import com.hostkey.reinstall.runtime.TopicProvisioner;
import com.hostkey.reinstall.schemas.avro.ReinstallRequest;
import com.hostkey.reinstall.schemas.avro.ReinstallServer;
import com.hostkey.reinstall.schemas.serde.AvroSerde;
import com.hostkey.reinstall.testkit.ApicurioRegistry;
import com.hostkey.reinstall.testkit.KafkaTestCluster;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The query API of two projector instances sharing the state, over HTTPS with a bearer token, as
 * an analyst uses it: fleet-wide listings gathered from both, single servers answered by either
 * (the other forwards, carrying the token, over HTTPS), and nothing without the token.
 */
class QueryApiIT {

    private static final int SERVERS = 12;
    private static final String TOKEN = QueryApiSettings.generateToken();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static KafkaTestCluster kafka;
    private static ApicurioRegistry registry;
    private static Path workDir;
    private static final List<StateProjector> projectors = new ArrayList<>();
    private static HttpClient https;

    @BeforeAll
    static void startTwoInstances() throws Exception {
        workDir = Files.createTempDirectory("query-api-it-");
        kafka = KafkaTestCluster.start(1);
        registry = ApicurioRegistry.start();
        try (Admin admin = kafka.admin()) {
            TopicProvisioner.ensureTopics(admin, 4, (short) 1);
        }
        Path keystore = selfSignedKeystore(workDir.resolve("projector.p12"), "it-pass");
        QueryApiSettings api = QueryApiSettings.ofTokens(List.of(TOKEN)).withTls(new QueryApiSettings.Tls(keystore, "it-pass"));
        String applicationId = "it-query-" + UUID.randomUUID().toString().substring(0, 8);
        StepAuthenticator stepAuth = StepAuthenticator.of(Map.of("it", StepAuthenticator.generateKey()), "it");
        for (String instance : List.of("a", "b")) {
            projectors.add(StateProjector.start(new ProjectorConfig(kafka.bootstrapServers(), registry.url(), applicationId,
                    workDir.resolve(instance).toString(), "127.0.0.1", 0, 1, SagaSettings.defaults(), AdmissionSettings.defaults(),
                    Duration.ofSeconds(1), stepAuth).withQueryApi(api)));
        }
        https = HttpClient.newBuilder().sslContext(trusting(keystore, "it-pass")).connectTimeout(Duration.ofSeconds(5)).build();

        await("both instances own part of the state").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> projectors.stream().allMatch(p -> p.streams().state() == KafkaStreams.State.RUNNING)
                        && projectors.get(0).streams().streamsMetadataForStore(ReinstallTopology.STATE_STORE).size() == 2);
        submitRequests();
        await("every request in the state").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    HttpResponse<String> all = get(0, "/reinstalls?limit=1000", TOKEN);
                    return all.statusCode() == 200 && JSON.readTree(all.body()).path("count").asInt() == SERVERS;
                });
    }

    @AfterAll
    static void stop() throws Exception {
        for (StateProjector projector : projectors) {
            projector.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldListTheWholeFleetNewestFirstFromEitherInstance() throws Exception {
        for (int instance = 0; instance < 2; instance++) {
            JsonNode all = JSON.readTree(get(instance, "/reinstalls?limit=1000", TOKEN).body());
            assertThat(all.path("count").asInt()).isEqualTo(SERVERS);
            assertThat(all.path("instances").asInt()).isEqualTo(2);
            List<Instant> updated = new ArrayList<>();
            all.path("reinstalls").forEach(r -> updated.add(Instant.parse(r.path("updatedAt").asText())));
            assertThat(updated).isSortedAccordingTo((x, y) -> y.compareTo(x));

            JsonNode newest = JSON.readTree(get(instance, "/reinstalls?limit=5", TOKEN).body());
            assertThat(newest.path("count").asInt()).isEqualTo(5);
            for (int i = 0; i < 5; i++) {
                assertThat(newest.path("reinstalls").get(i).path("serverId").asLong())
                        .isEqualTo(all.path("reinstalls").get(i).path("serverId").asLong());
            }
        }
    }

    @Test
    void shouldSplitTheFleetBetweenTheInstancesLocalListings() throws Exception {
        Set<Long> seen = new HashSet<>();
        int total = 0;
        for (int instance = 0; instance < 2; instance++) {
            JsonNode local = JSON.readTree(get(instance, "/reinstalls?local=true&limit=1000", TOKEN).body());
            assertThat(local.path("count").asInt()).as("instance %d holds part of the fleet", instance).isPositive();
            total += local.path("count").asInt();
            local.path("reinstalls").forEach(r -> seen.add(r.path("serverId").asLong()));
        }
        assertThat(total).isEqualTo(SERVERS);
        assertThat(seen).hasSize(SERVERS);
    }

    @Test
    void shouldFilterByPhaseAndLocation() throws Exception {
        assertThat(count("/reinstalls?phase=VALIDATING")).isEqualTo(SERVERS);
        assertThat(count("/reinstalls?phase=VALIDATING&phase=COMPLETED")).isEqualTo(SERVERS);
        assertThat(count("/reinstalls?phase=COMPLETED")).isZero();
        // Locations are known only once validated.
        assertThat(count("/reinstalls?location=NL")).isZero();
    }

    @Test
    void shouldAnswerEveryServerFromEitherInstanceForwardingWithTheToken() throws Exception {
        for (int server = 3001; server < 3001 + SERVERS; server++) {
            for (int instance = 0; instance < 2; instance++) {
                HttpResponse<String> response = get(instance, "/reinstalls/" + server, TOKEN);
                assertThat(response.statusCode()).as("server %d via instance %d", server, instance).isEqualTo(200);
                assertThat(JSON.readTree(response.body()).path("phase").asText()).isEqualTo("VALIDATING");
            }
        }
        assertThat(get(0, "/reinstalls/9999", TOKEN).statusCode()).isEqualTo(404);
        assertThat(get(1, "/reinstalls/9999", TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void shouldAnswerTheDashboardsHistoryAndFleetSummaryFromEitherInstance() throws Exception {
        // The timeline is written right after the state, by the same task: give it that moment.
        await("every request's timeline").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> get(0, "/reinstalls/" + (3000 + SERVERS) + "/history", TOKEN).statusCode() == 200);
        for (int instance = 0; instance < 2; instance++) {
            JsonNode summary = JSON.readTree(get(instance, "/fleet/summary", TOKEN).body());
            assertThat(summary.path("instances").asInt()).isEqualTo(2);
            assertThat(summary.path("total").asInt()).as("gathered from both instances").isEqualTo(SERVERS);
            assertThat(summary.path("byPhase").path("VALIDATING").asInt()).isEqualTo(SERVERS);
            assertThat(summary.path("finishedPerHour")).hasSize(24);
            for (int server = 3001; server < 3001 + SERVERS; server++) {
                HttpResponse<String> history = get(instance, "/reinstalls/" + server + "/history", TOKEN);
                assertThat(history.statusCode()).as("history of %d via instance %d", server, instance).isEqualTo(200);
                JsonNode entries = JSON.readTree(history.body()).path("entries");
                assertThat(entries.get(0).path("type").asText()).isEqualTo("ReinstallServer");
                assertThat(entries.get(0).path("summary").asText()).contains("srv" + server + ".example.net", "by it-query");
            }
        }
        assertThat(get(0, "/reinstalls/9999/history", TOKEN).statusCode()).isEqualTo(404);
        assertThat(get(1, "/fleet/summary", null).statusCode()).isEqualTo(401);
    }

    @Test
    void shouldRefuseWithoutTheTokenAndOverPlainHttp() throws Exception {
        for (int instance = 0; instance < 2; instance++) {
            assertThat(get(instance, "/reinstalls", null).statusCode()).isEqualTo(401);
            assertThat(get(instance, "/reinstalls/3001", QueryApiSettings.generateToken()).statusCode()).isEqualTo(401);
            assertThat(get(instance, "/reinstalls?local=true", null).statusCode()).isEqualTo(401);
            assertThat(get(instance, "/health", null).statusCode()).isEqualTo(200);
            int port = projectors.get(instance).queryPort();
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static int count(String path) throws Exception {
        HttpResponse<String> response = get(0, path, TOKEN);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return JSON.readTree(response.body()).path("count").asInt();
    }

    private static HttpResponse<String> get(int instance, String path, String token) throws Exception {
        StateProjector projector = projectors.get(instance);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(projector.queryScheme() + "://127.0.0.1:" + projector.queryPort() + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return https.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void submitRequests() throws Exception {
        ReinstallTopics topics = ReinstallTopics.create(Map.of(AvroSerde.SCHEMA_REGISTRY_URL, registry.url()));
        // No handler runs here: the projector carries a sealed secret as it came, so a JWE-shaped string serves.
        String sealed = "eyJhbGciOiJSU0EtT0FFUC0yNTYiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoiayJ9.AQ.Ag.Aw.BA";
        try (KafkaProducer<String, ReinstallRequest> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                topics.requests.valueSerde().serializer())) {
            for (int server = 3001; server < 3001 + SERVERS; server++) {
                producer.send(new ProducerRecord<>(ReinstallTopics.REQUESTS, String.valueOf(server), ReinstallRequest.newBuilder()
                        .setCommandId(UUID.randomUUID().toString())
                        .setServerId(server)
                        .setIssuedAt(Instant.now())
                        .setIssuedBy("it-query")
                        .setPayload(ReinstallServer.newBuilder().setRequestId("q-" + server).setOsId(101)
                                .setHostname("srv" + server + ".example.net").setRootPassword(sealed).build())
                        .build())).get();
                Thread.sleep(5); // distinct record timestamps, so "newest first" has one answer
            }
        }
    }

    /** A self-signed certificate for 127.0.0.1, made with the JDK's keytool. */
    private static Path selfSignedKeystore(Path keystore, String password) throws Exception {
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "projector", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        return keystore;
    }

    private static SSLContext trusting(Path keystore, String password) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            keys.load(in, password.toCharArray());
        }
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("projector", keys.getCertificate("projector"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
