package com.hostkey.reinstall.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.schemas.avro.AdmissionEntry;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A registry that asks for credentials and serves over TLS, as Confluent Cloud or a secured Apicurio does. */
class RegistryAccessTest {

    private static final String USER_INFO = "svc-reinstall:s3cret-Pa55";
    private static final String TOKEN = "tok-" + "x".repeat(20);

    private final AtomicReference<String> seenAuthorization = new AtomicReference<>();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void shouldSendBasicCredentialsUnderConfluentsSettingNames() throws Exception {
        String url = start(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), "Basic "
                + Base64.getEncoder().encodeToString(USER_INFO.getBytes(StandardCharsets.UTF_8)));
        RegistryAccess access = RegistryAccess.fromConfig(url, Map.of(RegistryAccess.BASIC_AUTH_SOURCE, "USER_INFO",
                RegistryAccess.BASIC_AUTH_USER_INFO, USER_INFO));

        assertThat(new SchemaRegistryClient(access).byId(7)).isEqualTo(AdmissionEntry.getClassSchema());
        assertThat(access.toString()).contains("basic (svc-reinstall)").doesNotContain("s3cret");
    }

    @Test
    void shouldSendABearerTokenAndSayWhichSettingToCheckWhenRefused() throws Exception {
        String url = start(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), "Bearer " + TOKEN);

        RegistryAccess good = RegistryAccess.fromConfig(url, Map.of(RegistryAccess.BEARER_TOKEN, TOKEN));
        assertThat(new SchemaRegistryClient(good).byId(7)).isEqualTo(AdmissionEntry.getClassSchema());
        assertThat(seenAuthorization.get()).isEqualTo("Bearer " + TOKEN);

        RegistryAccess wrong = RegistryAccess.fromConfig(url, Map.of(RegistryAccess.BEARER_TOKEN, "tok-wrong-wrong-wrong"));
        assertThatThrownBy(() -> new SchemaRegistryClient(wrong).byId(7)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("refused the credentials (HTTP 401)").hasMessageContaining(RegistryAccess.BEARER_TOKEN)
                .hasMessageNotContaining("tok-wrong");
    }

    @Test
    void shouldNotBlameTheRecordWhenTheRegistryAnswersWithAPageInsteadOfASchema() throws Exception {
        // Seen in figure 3's recording: a registry under load answered an HTML page, and the poller
        // dead-lettered 400 valid poll targets; their reinstalls failed ten minutes later.
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] page = "<html><body>Service Unavailable</body></html>".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, page.length);
                exchange.getResponseBody().write(page);
            }
        });
        server.start();
        var deserializer = AvroSerde.of(AdmissionEntry.class,
                Map.of(AvroSerde.SCHEMA_REGISTRY_URL, "http://127.0.0.1:" + server.getAddress().getPort()), false).deserializer();

        SerializationException registryDown = org.junit.jupiter.api.Assertions.assertThrows(SerializationException.class,
                () -> deserializer.deserialize("reinstall-admissions", new byte[] {0, 0, 0, 0, 9, 2}));
        SerializationException notWireFormat = org.junit.jupiter.api.Assertions.assertThrows(SerializationException.class,
                () -> deserializer.deserialize("reinstall-admissions", new byte[] {'{', '}'}));

        assertThat(AvroSerde.blamesTheRecord(registryDown)).as(registryDown.getMessage()).isFalse();
        assertThat(AvroSerde.blamesTheRecord(notWireFormat)).isTrue();
    }

    @Test
    void shouldRefuseSettingsItWouldOtherwiseIgnore() {
        assertThatThrownBy(() -> RegistryAccess.fromConfig("http://r", Map.of(RegistryAccess.BASIC_AUTH_SOURCE, "SASL_INHERIT")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("USER_INFO");
        assertThatThrownBy(() -> RegistryAccess.fromConfig("http://r", Map.of(RegistryAccess.BASIC_AUTH_USER_INFO, USER_INFO,
                RegistryAccess.BEARER_TOKEN, TOKEN))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> RegistryAccess.fromConfig("http://r", Map.of(RegistryAccess.BASIC_AUTH_USER_INFO, "no-colon")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user:password");
    }

    @Test
    void shouldTrustAnHttpsRegistryByTheGivenTrustStore(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("registry.p12");
        Path truststore = dir.resolve("trust.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "registry", "-keyalg", "EC", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit");
        Path cert = dir.resolve("registry.crt");
        run(keytool, "-exportcert", "-alias", "registry", "-keystore", keystore.toString(), "-storepass", "changeit", "-rfc",
                "-file", cert.toString());
        run(keytool, "-importcert", "-noprompt", "-alias", "registry", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", truststore.toString(), "-storepass", "trustpass");

        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(keystore.toFile())) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "changeit".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keyManagers.getKeyManagers(), null, null);
        https.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        String url = start(https, null).replace("http://", "https://");

        assertThatThrownBy(() -> new SchemaRegistryClient(RegistryAccess.open(url)).byId(7))
                .as("the JDK's trust does not know this certificate").isInstanceOf(SerializationException.class);
        RegistryAccess trusted = RegistryAccess.fromConfig(url, Map.of(RegistryAccess.TRUSTSTORE_LOCATION, truststore.toString(),
                RegistryAccess.TRUSTSTORE_PASSWORD, "trustpass"));
        assertThat(new SchemaRegistryClient(trusted).byId(7)).isEqualTo(AdmissionEntry.getClassSchema());
    }

    /** Serves schema id 7 to requests with {@code expected} as their Authorization (any when null); 401 otherwise. */
    private String start(HttpServer http, String expected) {
        server = http;
        server.createContext("/", exchange -> answer(exchange, expected));
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void answer(HttpExchange exchange, String expected) throws java.io.IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            seenAuthorization.set(authorization);
            boolean allowed = expected == null || expected.equals(authorization);
            String body = allowed && exchange.getRequestURI().getPath().equals("/schemas/ids/7")
                    ? "{\"schema\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(AdmissionEntry.getClassSchema().toString()) + "}"
                    : "{\"error_code\":401,\"message\":\"Unauthorized\"}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(allowed ? 200 : 401, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
