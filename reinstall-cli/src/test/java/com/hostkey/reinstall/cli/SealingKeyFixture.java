package com.hostkey.reinstall.cli;

import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretOpener;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;

/** The command handler's sealing keys for the whole test run (generating one takes a while): a current and a previous one. */
public final class SealingKeyFixture {

    public static final String KEY_ID = "test-key-2";
    public static final String PREVIOUS_KEY_ID = "test-key-1";
    private static final KeyPair PAIR = SealingKeys.generate();
    private static final KeyPair PREVIOUS = SealingKeys.generate();

    private SealingKeyFixture() {}

    /** Writes the handler's {@code jwks.json} into dir, as SealingKeygen does (the current key first); answers its path. */
    public static Path jwksIn(Path dir) {
        Path jwks = dir.resolve(SealingKeys.JWKS_FILE);
        SealingKeys.addToJwkSet(jwks, PREVIOUS_KEY_ID, PREVIOUS.getPublic());
        SealingKeys.addToJwkSet(jwks, KEY_ID, PAIR.getPublic());
        return jwks;
    }

    /** Opens a sealed secret as the handler holding both keys would. */
    public static String open(String sealed) {
        return new SecretOpener(Map.of(KEY_ID, PAIR.getPrivate(), PREVIOUS_KEY_ID, PREVIOUS.getPrivate())).open(sealed);
    }

    /** The kid a sealed secret names. */
    public static String keyIdOf(String sealed) {
        try {
            return com.nimbusds.jose.JWEObject.parse(sealed).getHeader().getKeyID();
        } catch (java.text.ParseException e) {
            throw new AssertionError("not a JWE compact string", e);
        }
    }
}
