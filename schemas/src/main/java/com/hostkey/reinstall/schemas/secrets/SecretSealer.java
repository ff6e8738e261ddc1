package com.hostkey.reinstall.schemas.secrets;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.List;

/**
 * Seals a secret (root password, post-install script) to the command handler's public key as a JWE
 * in compact serialization (RFC 7516): protected header
 * {@code {"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"<key id>"}}, a fresh AES-256-GCM content key
 * per secret wrapped with RSA-OAEP (SHA-256), the plaintext the secret in UTF-8. Nothing else: no
 * {@code zip}, no {@code crit}, no {@code typ}/{@code cty} (the Avro field says what the string is).
 * Any JOSE library produces the same (jwcrypto, go-jose, jose for Node.js); this is Nimbus JOSE+JWT's
 * {@link RSAEncrypter}.
 *
 * <p>A producer needs only the handler's public key: its JWK Set ({@code jwks.json} written by
 * SealingKeygen, or the handler's {@code GET /.well-known/jwks.json}). The rule: seal to the first
 * key of the set ({@link #fromJwkSet}); the handler still opens every key id it lists, so a rotation
 * needs no producer to move in step. Only the handler, holding the private key, opens a secret
 * ({@link SecretOpener}).
 */
public final class SecretSealer {

    /** The one key management algorithm sealed secrets use (and the only one the opener accepts). */
    public static final JWEAlgorithm ALGORITHM = JWEAlgorithm.RSA_OAEP_256;
    /** The one content encryption the sealed secrets use (and the only one the opener accepts). */
    public static final EncryptionMethod ENCRYPTION = EncryptionMethod.A256GCM;
    /** RSA moduli below this are refused: NIST's floor for RSA today. */
    static final int MIN_KEY_BITS = 2048;

    private final String keyId;
    private final RSAEncrypter encrypter;

    public SecretSealer(String keyId, PublicKey publicKey) {
        if (keyId == null || keyId.isBlank()) {
            throw new IllegalArgumentException("a sealing key needs a key id: the command handler picks its private key by it");
        }
        if (!(publicKey instanceof RSAPublicKey rsa)) {
            throw new IllegalArgumentException("sealing key '" + keyId + "' is not an RSA public key");
        }
        if (rsa.getModulus().bitLength() < MIN_KEY_BITS) {
            throw new IllegalArgumentException("sealing key '" + keyId + "' has " + rsa.getModulus().bitLength()
                    + " bits; at least " + MIN_KEY_BITS + " are needed");
        }
        this.keyId = keyId;
        this.encrypter = new RSAEncrypter(rsa);
    }

    /** From a PEM public key (X.509 SubjectPublicKeyInfo) and the key id the handler knows it by. */
    public static SecretSealer fromPem(String keyId, String publicKeyPem) {
        return new SecretSealer(keyId, SealingKeys.parsePublicKey(publicKeyPem));
    }

    /**
     * From one JWK of the handler's set: an RSA key with a {@code kid}, meant for encryption
     * ({@code use} {@code enc} or absent) with RSA-OAEP-256 ({@code alg} that or absent).
     */
    public static SecretSealer fromJwk(JWK jwk) {
        String kid = jwk.getKeyID();
        if (!(jwk instanceof RSAKey rsa)) {
            throw new IllegalArgumentException("JWK '" + kid + "' is " + jwk.getKeyType() + ", not RSA");
        }
        if (jwk.getKeyUse() != null && !KeyUse.ENCRYPTION.equals(jwk.getKeyUse())) {
            throw new IllegalArgumentException("JWK '" + kid + "' is for use '" + jwk.getKeyUse().identifier() + "', not 'enc'");
        }
        if (jwk.getAlgorithm() != null && !ALGORITHM.getName().equals(jwk.getAlgorithm().getName())) {
            throw new IllegalArgumentException("JWK '" + kid + "' is for alg " + jwk.getAlgorithm() + ", not " + ALGORITHM);
        }
        try {
            return new SecretSealer(kid, rsa.toRSAPublicKey());
        } catch (JOSEException e) {
            throw new IllegalArgumentException("JWK '" + kid + "' is not a usable RSA public key", e);
        }
    }

    /**
     * From the handler's JWK Set: the key named {@code keyId}, or, without one, the first key of the
     * set (the handler lists its current key first).
     */
    public static SecretSealer fromJwkSet(JWKSet set, String keyId) {
        List<JWK> keys = set.getKeys();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("the JWK Set holds no key");
        }
        if (keyId == null) {
            return fromJwk(keys.getFirst());
        }
        JWK chosen = set.getKeyByKeyId(keyId);
        if (chosen == null) {
            throw new IllegalArgumentException("the JWK Set holds no key '" + keyId + "'; it holds "
                    + keys.stream().map(JWK::getKeyID).toList());
        }
        return fromJwk(chosen);
    }

    public String keyId() {
        return keyId;
    }

    /** The secret as a JWE compact string. */
    public String seal(CharSequence secret) {
        byte[] plain = secret.toString().getBytes(StandardCharsets.UTF_8);
        try {
            JWEObject jwe = new JWEObject(new JWEHeader.Builder(ALGORITHM, ENCRYPTION).keyID(keyId).build(), new Payload(plain));
            jwe.encrypt(encrypter);
            return jwe.serialize();
        } catch (JOSEException e) {
            // Nimbus' messages name the step, never the plaintext.
            throw new IllegalStateException("cannot seal a secret with key " + keyId + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }
}
