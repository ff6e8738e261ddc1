package com.hostkey.reinstall.schemas.secrets;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * RSA key pairs for sealing: PEM files (public: X.509 SubjectPublicKeyInfo; private: PKCS#8, what
 * the command handler reads) and the public keys as a JWK Set (RFC 7517), what producers seal to.
 * The one owner of what a sealing key's public JWK holds: {@code kty} RSA, {@code use} enc,
 * {@code alg} RSA-OAEP-256, {@code kid}, {@code n}, {@code e}, nothing private.
 */
public final class SealingKeys {

    /** The JWK Set file beside the PEM files. */
    public static final String JWKS_FILE = "jwks.json";
    /** Where the command handler serves its JWK Set, on its operations port (RFC 8615's well-known prefix). */
    public static final String JWKS_PATH = "/.well-known/jwks.json";
    /** The media type of a JWK Set (RFC 7517, section 8.5.1). */
    public static final String JWKS_CONTENT_TYPE = "application/jwk-set+json";

    private SealingKeys() {}

    public static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(3072);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code <keyId>.pub.pem} and {@code <keyId>.key.pem} (owner-only) into dir. */
    public static void writePair(KeyPair pair, Path dir, String keyId) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(keyId + ".pub.pem"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            Path privateFile = dir.resolve(keyId + ".key.pem");
            Files.writeString(privateFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            try {
                Files.setPosixFilePermissions(privateFile, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // Non-POSIX file systems keep their default permissions.
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The public JWK of a sealing key. */
    public static RSAKey publicJwk(String keyId, PublicKey publicKey) {
        if (!(publicKey instanceof RSAPublicKey rsa)) {
            throw new IllegalArgumentException("sealing key '" + keyId + "' is not an RSA key");
        }
        return new RSAKey.Builder(rsa).keyUse(KeyUse.ENCRYPTION).algorithm(SecretSealer.ALGORITHM).keyID(keyId).build();
    }

    /**
     * The public JWK Set of the private keys a command handler holds, its current key first, the
     * others after it in their order: producers seal to the first key. Only the public parts (the
     * modulus and public exponent of each private key) are in it.
     */
    public static JWKSet publicJwkSet(Map<String, PrivateKey> privateKeys, String currentKeyId) {
        if (!privateKeys.containsKey(currentKeyId)) {
            throw new IllegalArgumentException("the current sealing key '" + currentKeyId + "' is not among the keys "
                    + privateKeys.keySet());
        }
        List<JWK> keys = new ArrayList<>();
        keys.add(publicJwk(currentKeyId, publicKeyOf(currentKeyId, privateKeys.get(currentKeyId))));
        privateKeys.forEach((id, key) -> {
            if (!id.equals(currentKeyId)) {
                keys.add(publicJwk(id, publicKeyOf(id, key)));
            }
        });
        return new JWKSet(keys).toPublicJWKSet();
    }

    /**
     * Puts the public key first in the JWK Set file (creating it), keeping the keys already there
     * (a rotation: the handler opens them all until they are dropped) but any of the same id.
     *
     * @throws IllegalArgumentException when the file exists and is not a JWK Set
     */
    public static void addToJwkSet(Path jwksFile, String keyId, PublicKey publicKey) {
        try {
            List<JWK> keys = new ArrayList<>();
            keys.add(publicJwk(keyId, publicKey));
            if (Files.exists(jwksFile)) {
                for (JWK existing : JWKSet.parse(Files.readString(jwksFile)).getKeys()) {
                    if (!keyId.equals(existing.getKeyID())) {
                        keys.add(existing.toPublicJWK());
                    }
                }
            }
            Path parent = jwksFile.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Files.writeString(jwksFile, new JWKSet(keys).toString(true) + "\n");
        } catch (ParseException e) {
            throw new IllegalArgumentException(jwksFile + " is not a JWK Set: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The public key of an RSA private key (PKCS#8 keys carry the public exponent). */
    public static PublicKey publicKeyOf(String keyId, PrivateKey privateKey) {
        if (!(privateKey instanceof RSAPrivateCrtKey crt)) {
            throw new IllegalArgumentException("sealing key '" + keyId + "' is not an RSA private key with its CRT parameters");
        }
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is missing from this JVM", e);
        }
    }

    public static PublicKey parsePublicKey(String pem) {
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der(pem, "PUBLIC KEY")));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Not an RSA public key in PEM form", e);
        }
    }

    public static PrivateKey parsePrivateKey(String pem) {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der(pem, "PRIVATE KEY")));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Not an RSA private key in PKCS#8 PEM form");
        }
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] der(String pem, String type) {
        String body = pem.replace("-----BEGIN " + type + "-----", "")
                .replace("-----END " + type + "-----", "")
                .replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }
}
