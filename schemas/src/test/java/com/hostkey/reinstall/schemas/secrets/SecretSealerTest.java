package com.hostkey.reinstall.schemas.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.schemas.secrets.SecretOpener.CannotOpenException;
import com.hostkey.reinstall.schemas.secrets.SecretOpener.CannotOpenException.Reason;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Sealed secrets as JWE compact strings: what the sealer writes, what the opener accepts and what it refuses. */
class SecretSealerTest {

    private static final KeyPair PAIR = SealingKeys.generate();
    private static final KeyPair OTHER = SealingKeys.generate();
    private static final String SECRET = "Sup3r%Secret";

    private final SecretSealer sealer = new SecretSealer("k1", PAIR.getPublic());
    private final SecretOpener opener = new SecretOpener(Map.of("k1", PAIR.getPrivate()));

    @Test
    void shouldOpenWhatWasSealedWithTheMatchingPrivateKey() {
        assertThat(opener.open(sealer.seal(SECRET))).isEqualTo(SECRET);
    }

    @Test
    void shouldWriteAJweCompactStringWithExactlyTheDocumentedHeader() {
        String sealed = sealer.seal(SECRET);

        assertThat(sealed.split("\\.", -1)).hasSize(5).allSatisfy(part -> assertThat(part).matches("[A-Za-z0-9_-]*"));
        ObjectNode header = JweParts.header(sealed);
        assertThat(header.properties()).extracting(Map.Entry::getKey).containsExactlyInAnyOrder("alg", "enc", "kid");
        assertThat(header.get("alg").asText()).isEqualTo("RSA-OAEP-256");
        assertThat(header.get("enc").asText()).isEqualTo("A256GCM");
        assertThat(header.get("kid").asText()).isEqualTo("k1");
        assertThat(sealed).doesNotContain(SECRET);
        assertThat(SecretOpener.isJweCompact(sealed)).isTrue();
        assertThat(SecretOpener.isJweCompact(new SecretSealer("k1", PAIR.getPublic()).seal(""))).as("an empty secret too").isTrue();
        assertThat(SecretOpener.isJweCompact(SECRET)).isFalse();
        assertThat(SecretOpener.isJweCompact("a.b.c.d")).isFalse();
        assertThat(SecretOpener.isJweCompact(null)).isFalse();
        assertThat(sealer.seal(SECRET)).as("a fresh content key and IV each time").isNotEqualTo(sealed);
    }

    @Test
    void shouldOpenEveryKeyItHoldsDuringARotation() {
        SecretSealer next = new SecretSealer("k2", OTHER.getPublic());
        SecretOpener both = new SecretOpener(Map.of("k1", PAIR.getPrivate(), "k2", OTHER.getPrivate()));

        assertThat(both.open(sealer.seal("old-key-secret1"))).isEqualTo("old-key-secret1");
        assertThat(both.open(next.seal("new-key-secret2"))).isEqualTo("new-key-secret2");
        refused(() -> opener.open(next.seal(SECRET)), Reason.UNKNOWN_KEY).hasMessageContaining("'k2'");
    }

    @Test
    void shouldRefuseAnUnknownKeyId() {
        refused(() -> opener.open(new SecretSealer("k2", PAIR.getPublic()).seal(SECRET)), Reason.UNKNOWN_KEY)
                .hasMessageContaining("no private key for kid 'k2'").hasMessageContaining("[k1]");
    }

    @Test
    void shouldRefuseASecretWithoutKeyId() {
        refused(() -> opener.open(JweParts.editHeader(sealer.seal(SECRET), h -> h.remove("kid"))), Reason.NO_KEY_ID);
    }

    @Test
    void shouldRefuseAKeyIdWhosePrivateKeyDoesNotMatch() {
        SecretOpener wrongKey = new SecretOpener(Map.of("k1", OTHER.getPrivate()));
        refused(() -> wrongKey.open(sealer.seal(SECRET)), Reason.DOES_NOT_OPEN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dir", "RSA-OAEP", "RSA1_5", "A256KW", "ECDH-ES"})
    void shouldRefuseAnyOtherKeyManagementAlgorithm(String alg) {
        refused(() -> opener.open(JweParts.editHeader(sealer.seal(SECRET), h -> h.put("alg", alg))), Reason.ALGORITHM_REFUSED)
                .hasMessageContaining("alg " + alg);
    }

    @ParameterizedTest
    @ValueSource(strings = {"A128GCM", "A192GCM", "A256CBC-HS512", "A128CBC-HS256"})
    void shouldRefuseAnyOtherContentEncryption(String enc) {
        refused(() -> opener.open(JweParts.editHeader(sealer.seal(SECRET), h -> h.put("enc", enc))), Reason.ALGORITHM_REFUSED)
                .hasMessageContaining("enc " + enc);
    }

    @Test
    void shouldRefuseAlgNoneAsNoJwe() {
        refused(() -> opener.open(JweParts.editHeader(sealer.seal(SECRET), h -> h.put("alg", "none"))), Reason.MALFORMED);
    }

    @Test
    void shouldRefuseACompressedSecret() {
        refused(() -> opener.open(JweParts.editHeader(sealer.seal(SECRET), h -> h.put("zip", "DEF"))), Reason.COMPRESSION_REFUSED);
    }

    @Test
    void shouldRefuseACriticalHeaderItDoesNotUnderstand() {
        Consumer<ObjectNode> crit = h -> {
            h.put("exp", 1);
            h.putArray("crit").add("exp");
        };
        refused(() -> opener.open(JweParts.editHeader(sealer.seal(SECRET), crit)), Reason.CRITICAL_HEADER_REFUSED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Sup3r%Secret", "a.b.c.d", "a.b.c.d.e", "e30.e30.e30.e30.e30", "....", "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.x.y.z"})
    void shouldRefuseWhatIsNoJweCompactString(String notJwe) {
        refused(() -> opener.open(notJwe), Reason.MALFORMED).hasMessageNotContaining("Sup3r");
    }

    @Test
    void shouldRefuseAnAbsurdlyLongString() {
        refused(() -> opener.open("a".repeat(SecretOpener.MAX_SEALED_CHARS + 1)), Reason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(ints = {JweParts.ENCRYPTED_KEY, JweParts.IV, JweParts.CIPHERTEXT, JweParts.TAG})
    void shouldRefuseATamperedPartWithoutRevealingTheSecret(int part) {
        refused(() -> opener.open(JweParts.flipBit(sealer.seal(SECRET), part)), Reason.DOES_NOT_OPEN)
                .hasMessageNotContaining("Sup3r");
    }

    @Test
    void shouldRefuseAHeaderChangedAfterSealingAsTheHeaderIsAuthenticated() {
        refused(() -> opener.open(JweParts.editHeader(sealer.seal(SECRET), h -> h.put("typ", "JWE"))), Reason.DOES_NOT_OPEN);
    }

    @Test
    void shouldRefuseARsaKeyTooShort() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        assertThatThrownBy(() -> new SecretSealer("weak", generator.generateKeyPair().getPublic()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2048");
    }

    @Test
    void shouldRoundTripKeysThroughPemFiles(@TempDir Path dir) throws Exception {
        SealingKeys.writePair(PAIR, dir, "k1");
        SecretSealer fromFile = SecretSealer.fromPem("k1", Files.readString(dir.resolve("k1.pub.pem")));
        SecretOpener fromKeyFile = new SecretOpener(Map.of("k1", SealingKeys.parsePrivateKey(Files.readString(dir.resolve("k1.key.pem")))));
        assertThat(fromKeyFile.open(fromFile.seal("Ünïcode-Pässword9%"))).isEqualTo("Ünïcode-Pässword9%");
        assertThat(Files.getPosixFilePermissions(dir.resolve("k1.key.pem")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call,
                                                                       Reason reason) {
        return assertThatThrownBy(call).isInstanceOf(CannotOpenException.class)
                .satisfies(e -> assertThat(((CannotOpenException) e).reason()).isEqualTo(reason))
                .hasMessageNotContaining(SECRET);
    }
}
