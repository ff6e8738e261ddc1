package com.hostkey.reinstall.cli;

import com.hostkey.reinstall.schemas.avro.SealedSecret;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretOpener;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;

/** One RSA key pair for the whole test run (generating one takes a while). */
public final class SealingKeyFixture {

    public static final String KEY_ID = "test-key-1";
    private static final KeyPair PAIR = SealingKeys.generate();

    private SealingKeyFixture() {}

    /** Writes {@code test-key-1.pub.pem} into dir; answers its path. */
    public static Path publicKeyIn(Path dir) {
        SealingKeys.writePair(PAIR, dir, KEY_ID);
        return dir.resolve(KEY_ID + ".pub.pem");
    }

    public static String open(SealedSecret sealed) {
        return new SecretOpener(Map.of(KEY_ID, PAIR.getPrivate())).open(sealed);
    }
}
