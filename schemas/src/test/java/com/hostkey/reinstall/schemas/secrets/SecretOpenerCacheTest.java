package com.hostkey.reinstall.schemas.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The opener's content-key cache: one RSA unwrap per sealed secret, and GCM still checks every opening. */
class SecretOpenerCacheTest {

    private static final KeyPair PAIR = SealingKeys.generate();
    private static final SecretSealer SEALER = new SecretSealer("k1", PAIR.getPublic());

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T03:00:00Z"));
    private final SecretOpener opener = new SecretOpener(Map.of("k1", PAIR.getPrivate()), clock);

    @Test
    void shouldUnwrapTheDataKeyOfASecretOnlyOnceWhenItIsOpenedAgain() {
        String sealed = SEALER.seal("Sup3r%Secret");
        assertThat(opener.open(sealed)).isEqualTo("Sup3r%Secret");
        assertThat(opener.open(sealed)).isEqualTo("Sup3r%Secret");
        assertThat(opener.unwraps()).isEqualTo(1);

        assertThat(opener.open(SEALER.seal("Sup3r%Secret"))).isEqualTo("Sup3r%Secret");
        assertThat(opener.unwraps()).as("another sealing has another data key").isEqualTo(2);
    }

    @Test
    void shouldStillRefuseATamperedCiphertextWhoseDataKeyIsCached() {
        String sealed = SEALER.seal("Sup3r%Secret");
        opener.open(sealed);
        String tampered = JweParts.flipBit(sealed, JweParts.CIPHERTEXT);

        assertThatThrownBy(() -> opener.open(tampered)).isInstanceOf(SecretOpener.CannotOpenException.class);
        assertThat(opener.unwraps()).isEqualTo(1);
    }

    @Test
    void shouldStillRefuseAnEditedHeaderWhoseContentKeyIsCached() {
        String sealed = SEALER.seal("Sup3r%Secret");
        opener.open(sealed);

        assertThatThrownBy(() -> opener.open(JweParts.editHeader(sealed, h -> h.put("cty", "text/plain"))))
                .isInstanceOf(SecretOpener.CannotOpenException.class);
        assertThat(opener.unwraps()).isEqualTo(1);
    }

    @Test
    void shouldUnwrapOncePerKeyIdAndEncryptedKey() {
        SecretOpener both = new SecretOpener(Map.of("k1", PAIR.getPrivate(), "k2", PAIR.getPrivate()), clock);
        String underK1 = SEALER.seal("Sup3r%Secret");
        String underK2 = JweParts.editHeader(underK1, h -> h.put("kid", "k2"));

        assertThat(both.open(underK1)).isEqualTo("Sup3r%Secret");
        assertThatThrownBy(() -> both.open(underK2)).as("the header is authenticated").isInstanceOf(SecretOpener.CannotOpenException.class);
        assertThat(both.unwraps()).as("the same encrypted key under another kid is another cache entry").isEqualTo(2);
    }

    @Test
    void shouldUnwrapAgainOnceTheCachedKeyExpired() {
        String sealed = SEALER.seal("Sup3r%Secret");
        opener.open(sealed);
        clock.advance(SecretOpener.DATA_KEY_TTL.plusSeconds(1));
        assertThat(opener.open(sealed)).isEqualTo("Sup3r%Secret");
        assertThat(opener.unwraps()).isEqualTo(2);
    }

    @Test
    void shouldNotOpenWithACachedKeyOnceItsPrivateKeyIsGone() {
        String sealed = SEALER.seal("Sup3r%Secret");
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
