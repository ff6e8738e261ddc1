package com.hostkey.reinstall.deploy;

import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import java.nio.file.Path;
import java.security.KeyPair;

/**
 * Makes a sealing key pair: {@code <dir>/<keyId>.key.pem} (PKCS#8, owner-only) for the command
 * handler's SEALING_PRIVATE_KEYS, {@code <dir>/<keyId>.pub.pem}, and the public key put first in
 * {@code <dir>/jwks.json}, the JWK Set producers seal to (RFC 7517: {@code kty} RSA, {@code use} enc,
 * {@code alg} RSA-OAEP-256, {@code kid}). Keys already in the set stay, after the new one: during a
 * rotation the handler opens them all (list both in SEALING_PRIVATE_KEYS), producers seal to the
 * first. The handler serves the same set, from its private keys, at {@code /.well-known/jwks.json}.
 * Usage: {@code SealingKeygen DIR KEY_ID}.
 */
public final class SealingKeygen {

    private SealingKeygen() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: SealingKeygen DIR KEY_ID");
            System.exit(2);
        }
        Path jwks = generate(Path.of(args[0]), args[1]);
        System.out.println("wrote " + Path.of(args[0]).resolve(args[1] + ".key.pem") + " (the handler's), its .pub.pem, and put it"
                + " first in " + jwks);
    }

    /** Writes the pair and updates the JWK Set; answers the set's path. */
    static Path generate(Path dir, String keyId) {
        if (keyId.isBlank() || !keyId.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("a key id is letters, digits, '.', '_' and '-' (it names files and the JWK's kid), got '"
                    + keyId + "'");
        }
        KeyPair pair = SealingKeys.generate();
        SealingKeys.writePair(pair, dir, keyId);
        Path jwks = dir.resolve(SealingKeys.JWKS_FILE);
        SealingKeys.addToJwkSet(jwks, keyId, pair.getPublic());
        return jwks;
    }
}
