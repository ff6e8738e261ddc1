package com.hostkey.reinstall.schemas.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sealing keys as a JWK Set: public members only, the current key first, rotation keeps the others. */
class SealingKeysJwksTest {

    private static final KeyPair OLD = SealingKeys.generate();
    private static final KeyPair NEW = SealingKeys.generate();
    static final List<String> PRIVATE_MEMBERS = List.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

    @Test
    void shouldListThePublicKeysOfThePrivateKeysCurrentFirst() throws Exception {
        Map<String, PrivateKey> keys = new LinkedHashMap<>();
        keys.put("k-old", OLD.getPrivate());
        keys.put("k-new", NEW.getPrivate());

        JWKSet set = JWKSet.parse(SealingKeys.publicJwkSet(keys, "k-new").toString(false));

        assertThat(set.getKeys()).extracting(JWK::getKeyID).containsExactly("k-new", "k-old");
        assertThat(set.getKeys()).allSatisfy(jwk -> {
            assertThat(jwk.isPrivate()).isFalse();
            assertThat(jwk.getKeyUse()).isEqualTo(KeyUse.ENCRYPTION);
            assertThat(jwk.getAlgorithm().getName()).isEqualTo("RSA-OAEP-256");
        });
        assertThat(set.getKeys().getFirst().toRSAKey().toRSAPublicKey()).isEqualTo(NEW.getPublic());
        assertNoPrivateMember(SealingKeys.publicJwkSet(keys, "k-new").toString(false));
        assertThat(SecretSealer.fromJwkSet(set, null).keyId()).isEqualTo("k-new");
        assertThat(SecretSealer.fromJwkSet(set, "k-old").keyId()).isEqualTo("k-old");
    }

    @Test
    void shouldRefuseACurrentKeyItDoesNotHold() {
        assertThatThrownBy(() -> SealingKeys.publicJwkSet(Map.of("k1", OLD.getPrivate()), "k9"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'k9'");
    }

    @Test
    void shouldPutANewKeyFirstAndKeepTheOthersInTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(SealingKeys.JWKS_FILE);
        SealingKeys.addToJwkSet(file, "k-old", OLD.getPublic());
        SealingKeys.addToJwkSet(file, "k-new", NEW.getPublic());
        SealingKeys.addToJwkSet(file, "k-new", NEW.getPublic());

        JWKSet set = JWKSet.parse(Files.readString(file));
        assertThat(set.getKeys()).extracting(JWK::getKeyID).containsExactly("k-new", "k-old");
        assertThat(set.getKeys()).allSatisfy(jwk -> assertThat(jwk.getKeyType().getValue()).isEqualTo("RSA"));
        assertNoPrivateMember(Files.readString(file));
    }

    @Test
    void shouldNotOverwriteAFileThatIsNoJwkSet(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve(SealingKeys.JWKS_FILE), "not json");
        assertThatThrownBy(() -> SealingKeys.addToJwkSet(file, "k1", OLD.getPublic()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a JWK Set");
        assertThat(Files.readString(file)).isEqualTo("not json");
    }

    static void assertNoPrivateMember(String jwksJson) throws Exception {
        JsonNode keys = new ObjectMapper().readTree(jwksJson).get("keys");
        assertThat(keys.size()).isPositive();
        keys.forEach(key -> {
            List<String> members = new java.util.ArrayList<>();
            key.fieldNames().forEachRemaining(members::add);
            assertThat(members).containsAll(List.of("kty", "use", "alg", "kid", "n", "e")).doesNotContainAnyElementsOf(PRIVATE_MEMBERS);
        });
    }
}
