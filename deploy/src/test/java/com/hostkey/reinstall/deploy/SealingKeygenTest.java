package com.hostkey.reinstall.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretOpener;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SealingKeygen's files, as the handler and a producer use them, through a key rotation. */
class SealingKeygenTest {

    @Test
    void shouldWriteTheKeysAndAJwkSetWithTheNewKeyFirst(@TempDir Path dir) throws Exception {
        SealingKeygen.generate(dir, "key-2026-05");
        Path jwks = SealingKeygen.generate(dir, "key-2026-11");

        assertThat(jwks).isEqualTo(dir.resolve("jwks.json"));
        JWKSet set = JWKSet.parse(Files.readString(jwks));
        assertThat(set.getKeys()).extracting(JWK::getKeyID).containsExactly("key-2026-11", "key-2026-05");
        for (JsonNode key : new ObjectMapper().readTree(Files.readString(jwks)).get("keys")) {
            List<String> members = new ArrayList<>();
            key.fieldNames().forEachRemaining(members::add);
            assertThat(members).containsExactlyInAnyOrder("kty", "use", "alg", "kid", "n", "e");
            assertThat(key.get("kty").asText()).isEqualTo("RSA");
            assertThat(key.get("use").asText()).isEqualTo("enc");
            assertThat(key.get("alg").asText()).isEqualTo("RSA-OAEP-256");
        }

        String sealed = SecretSealer.fromJwkSet(set, null).seal("Rotated7%Key");
        SecretOpener handler = new SecretOpener(Map.of(
                "key-2026-05", SealingKeys.parsePrivateKey(Files.readString(dir.resolve("key-2026-05.key.pem"))),
                "key-2026-11", SealingKeys.parsePrivateKey(Files.readString(dir.resolve("key-2026-11.key.pem")))));
        assertThat(handler.open(sealed)).isEqualTo("Rotated7%Key");
        assertThat(handler.open(SecretSealer.fromJwkSet(set, "key-2026-05").seal("Older7%Key"))).isEqualTo("Older7%Key");
    }

    @Test
    void shouldRefuseAKeyIdThatCannotNameAFile(@TempDir Path dir) {
        assertThatThrownBy(() -> SealingKeygen.generate(dir, "../escape")).isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("jwks.json")).doesNotExist();
    }
}
