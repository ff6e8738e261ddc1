package com.hostkey.reinstall.schemas.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.schemas.avro.SealedSecret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretSealerTest {

    private static final KeyPair PAIR = SealingKeys.generate();

    @Test
    void shouldOpenWhatWasSealedWithTheMatchingPrivateKey() {
        SealedSecret sealed = new SecretSealer("k1", PAIR.getPublic()).seal("Sup3r%Secret");
        assertThat(new SecretOpener(Map.of("k1", PAIR.getPrivate())).open(sealed)).isEqualTo("Sup3r%Secret");
    }

    @Test
    void shouldNotCarryThePlaintextInTheSealedRecord() throws Exception {
        SealedSecret sealed = new SecretSealer("k1", PAIR.getPublic()).seal("Sup3r%Secret");
        assertThat(new String(sealed.toByteBuffer().array(), StandardCharsets.ISO_8859_1)).doesNotContain("Sup3r%Secret");
    }

    @Test
    void shouldRefuseAnUnknownKeyId() {
        SealedSecret sealed = new SecretSealer("k2", PAIR.getPublic()).seal("Sup3r%Secret");
        assertThatThrownBy(() -> new SecretOpener(Map.of("k1", PAIR.getPrivate())).open(sealed))
                .isInstanceOf(SecretOpener.CannotOpenException.class)
                .hasMessageContaining("no private key for key id k2");
    }

    @Test
    void shouldRefuseATamperedCiphertextWithoutRevealingIt() {
        SealedSecret sealed = new SecretSealer("k1", PAIR.getPublic()).seal("Sup3r%Secret");
        ByteBuffer ciphertext = sealed.getCiphertext().duplicate();
        byte[] bytes = new byte[ciphertext.remaining()];
        ciphertext.get(bytes);
        bytes[0] ^= 1;
        sealed.setCiphertext(ByteBuffer.wrap(bytes));
        assertThatThrownBy(() -> new SecretOpener(Map.of("k1", PAIR.getPrivate())).open(sealed))
                .isInstanceOf(SecretOpener.CannotOpenException.class)
                .hasMessageNotContaining("Sup3r");
    }

    @Test
    void shouldRoundTripKeysThroughPemFiles(@TempDir Path dir) throws Exception {
        SealingKeys.writePair(PAIR, dir, "k1");
        SecretSealer sealer = SecretSealer.fromPem("k1", Files.readString(dir.resolve("k1.pub.pem")));
        SecretOpener opener = new SecretOpener(Map.of("k1", SealingKeys.parsePrivateKey(Files.readString(dir.resolve("k1.key.pem")))));
        assertThat(opener.open(sealer.seal("Ünïcode-Pässword9%"))).isEqualTo("Ünïcode-Pässword9%");
        assertThat(Files.getPosixFilePermissions(dir.resolve("k1.key.pem")).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
    }
}
