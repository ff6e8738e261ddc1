package com.hostkey.reinstall.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.runtime.EnvSettings;
import com.hostkey.reinstall.runtime.OperationsHttpServer;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import com.hostkey.reinstall.schemas.secrets.StepAuthenticator;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The handler's public sealing keys at /.well-known/jwks.json, as a producer fetches them. */
class HandlerJwksEndpointTest {

    private static final List<String> PRIVATE_MEMBERS = List.of("d", "p", "q", "dp", "dq", "qi", "oth");
    private static final KeyPair OLD = SealingKeys.generate();
    private static final KeyPair NEW = SealingKeys.generate();

    @TempDir
    static Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void writeKeys() {
        SealingKeys.writePair(OLD, dir, "key-2026-05");
        SealingKeys.writePair(NEW, dir, "key-2026-11");
        StepAuthenticator.writeKey(StepAuthenticator.generateKey(), dir, "s1");
    }

    @Test
    void shouldServeThePublicKeysOfItsPrivateKeysTheLastListedFirst() throws Exception {
        HandlerConfig config = config(Map.of());

        HttpResponse<String> response = getJwks(config);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/jwk-set+json");
        JWKSet served = JWKSet.parse(response.body());
        assertThat(served.getKeys()).extracting(JWK::getKeyID).containsExactly("key-2026-11", "key-2026-05");
        assertThat(served.getKeys()).noneMatch(JWK::isPrivate);
        assertThat(served.getKeys().getFirst().toRSAKey().toRSAPublicKey()).isEqualTo(NEW.getPublic());
        assertNoPrivateMember(response.body());

        String sealed = SecretSealer.fromJwkSet(served, null).seal("Fetched7%Key");
        assertThat(config.secretOpener().open(sealed)).as("what a producer seals to the first key opens").isEqualTo("Fetched7%Key");
    }

    @Test
    void shouldPutTheCurrentKeyFirstWhenOneIsNamed() throws Exception {
        HandlerConfig config = config(Map.of("SEALING_CURRENT_KEY", "key-2026-05"));

        JWKSet served = JWKSet.parse(getJwks(config).body());

        assertThat(served.getKeys()).extracting(JWK::getKeyID).containsExactly("key-2026-05", "key-2026-11");
        assertThat(config.secretOpener().open(SecretSealer.fromJwkSet(served, "key-2026-11").seal("Other7%Key")))
                .as("the handler still opens every kid it lists").isEqualTo("Other7%Key");
    }

    @Test
    void shouldRefuseToStartWithACurrentKeyItDoesNotHold() {
        assertThatThrownBy(() -> config(Map.of("SEALING_CURRENT_KEY", "key-2027-01")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SEALING_CURRENT_KEY 'key-2027-01'").hasMessageContaining("key-2026-11");
    }

    private HandlerConfig config(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "SCHEMA_REGISTRY_URL", "http://127.0.0.1:1",
                "SEALING_PRIVATE_KEYS", "key-2026-05=" + dir.resolve("key-2026-05.key.pem") + ",key-2026-11="
                        + dir.resolve("key-2026-11.key.pem"),
                "STEP_AUTH_KEYS", "s1=" + dir.resolve("s1.step.key")));
        env.putAll(extra);
        return HandlerConfig.fromEnv(new EnvSettings(env));
    }

    private HttpResponse<String> getJwks(HandlerConfig config) throws Exception {
        try (OperationsHttpServer server = OperationsHttpServer.start(0, () -> "", () -> true, () -> true,
                CommandHandlerMain.documents(config))) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + SealingKeys.JWKS_PATH)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private static void assertNoPrivateMember(String body) throws Exception {
        JsonNode keys = new ObjectMapper().readTree(body).get("keys");
        assertThat(keys.size()).isEqualTo(2);
        for (JsonNode key : keys) {
            List<String> members = new ArrayList<>();
            key.fieldNames().forEachRemaining(members::add);
            assertThat(members).contains("kty", "use", "alg", "kid", "n", "e").doesNotContainAnyElementsOf(PRIVATE_MEMBERS);
            assertThat(key.get("kty").asText()).isEqualTo("RSA");
            assertThat(key.get("use").asText()).isEqualTo("enc");
            assertThat(key.get("alg").asText()).isEqualTo("RSA-OAEP-256");
        }
    }
}
