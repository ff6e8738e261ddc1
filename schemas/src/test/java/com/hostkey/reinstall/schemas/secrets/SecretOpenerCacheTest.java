package com.hostkey.reinstall.schemas.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hostkey.reinstall.schemas.avro.SealedSecret;
import java.nio.ByteBuffer;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretOpenerCacheTest {

    private static final KeyPair PAIR = SealingKeys.generate();
    private static final SecretSealer SEALER = new SecretSealer("k1", PAIR.getPublic());

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T03:00:00Z"));
    private final SecretOpener opener = new SecretOpener(Map.of("k1", PAIR.getPrivate()), clock);

    @Test
    void shouldUnwrapTheDataKeyOfASecretOnlyOnceWhenItIsOpenedAgain() {
        SealedSecret sealed = SEALER.seal("Sup3r%Secret");
        assertThat(opener.open(sealed)).isEqualTo("Sup3r%Secret");
        assertThat(opener.open(sealed)).isEqualTo("Sup3r%Secret");
        assertThat(opener.unwraps()).isEqualTo(1);

        assertThat(opener.open(SEALER.seal("Sup3r%Secret"))).isEqualTo("Sup3r%Secret");
        assertThat(opener.unwraps()).as("another sealing has another data key").isEqualTo(2);
    }

    @Test
    void shouldStillRefuseATamperedCiphertextWhoseDataKeyIsCached() {
        SealedSecret sealed = SEALER.seal("Sup3r%Secret");
        opener.open(sealed);
        byte[] ciphertext = new byte[sealed.getCiphertext().remaining()];
        sealed.getCiphertext().duplicate().get(ciphertext);
        ciphertext[0] ^= 1;
        SealedSecret tampered = SealedSecret.newBuilder(sealed).setCiphertext(ByteBuffer.wrap(ciphertext)).build();

        assertThatThrownBy(() -> opener.open(tampered)).isInstanceOf(SecretOpener.CannotOpenException.class);
        assertThat(opener.unwraps()).isEqualTo(1);
    }

    @Test
    void shouldUnwrapAgainOnceTheCachedKeyExpired() {
        SealedSecret sealed = SEALER.seal("Sup3r%Secret");
        opener.open(sealed);
        clock.advance(SecretOpener.DATA_KEY_TTL.plusSeconds(1));
        assertThat(opener.open(sealed)).isEqualTo("Sup3r%Secret");
        assertThat(opener.unwraps()).isEqualTo(2);
    }

    @Test
    void shouldNotOpenWithACachedKeyOnceItsPrivateKeyIsGone() {
        SealedSecret sealed = SEALER.seal("Sup3r%Secret");
        opener.open(sealed);
        SecretOpener rotated = new SecretOpener(Map.of("k2", PAIR.getPrivate()), clock);
        assertThatThrownBy(() -> rotated.open(sealed)).isInstanceOf(SecretOpener.CannotOpenException.class);
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
