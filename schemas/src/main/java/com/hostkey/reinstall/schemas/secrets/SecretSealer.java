package com.hostkey.reinstall.schemas.secrets;

import com.hostkey.reinstall.schemas.avro.SealedSecret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

/**
 * Seals a secret (root password, post-install script) to the command handler's public key with the
 * JDK's own crypto: a fresh AES-256-GCM key encrypts the secret, RSA-OAEP (SHA-256) wraps that key.
 * A producer needs only the public key; only the handler, holding the private key, can open it.
 */
public final class SecretSealer {

    public static final String ALGORITHM = "RSA-OAEP-256+A256GCM";
    static final OAEPParameterSpec OAEP = new OAEPParameterSpec(
            "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
    static final int GCM_TAG_BITS = 128;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String keyId;
    private final PublicKey publicKey;

    public SecretSealer(String keyId, PublicKey publicKey) {
        this.keyId = keyId;
        this.publicKey = publicKey;
    }

    public static SecretSealer fromPem(String keyId, String publicKeyPem) {
        return new SecretSealer(keyId, SealingKeys.parsePublicKey(publicKeyPem));
    }

    public String keyId() {
        return keyId;
    }

    public SealedSecret seal(CharSequence secret) {
        byte[] plain = secret.toString().getBytes(StandardCharsets.UTF_8);
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, RANDOM);
            SecretKey dataKey = generator.generateKey();
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);

            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, dataKey, new GCMParameterSpec(GCM_TAG_BITS, iv));
            aes.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
            byte[] ciphertext = aes.doFinal(plain);

            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
            rsa.init(Cipher.WRAP_MODE, publicKey, OAEP);
            byte[] wrapped = rsa.wrap(dataKey);

            return SealedSecret.newBuilder()
                    .setKeyId(keyId)
                    .setAlgorithm(ALGORITHM)
                    .setWrappedKey(ByteBuffer.wrap(wrapped))
                    .setIv(ByteBuffer.wrap(iv))
                    .setCiphertext(ByteBuffer.wrap(ciphertext))
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot seal a secret with key " + keyId + ": " + e.getMessage(), e);
        } finally {
            java.util.Arrays.fill(plain, (byte) 0);
        }
    }
}
