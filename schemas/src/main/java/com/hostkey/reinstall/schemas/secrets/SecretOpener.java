package com.hostkey.reinstall.schemas.secrets;

import com.hostkey.reinstall.schemas.avro.SealedSecret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Opens {@link SealedSecret}s with the private keys it holds, by key id (several ids during a key
 * rotation). Only the command handler has one, and it opens a secret only for the call that needs
 * it.
 */
public final class SecretOpener {

    private final Map<String, PrivateKey> privateKeys;

    public SecretOpener(Map<String, PrivateKey> privateKeys) {
        this.privateKeys = Map.copyOf(privateKeys);
    }

    public String open(SealedSecret sealed) {
        PrivateKey key = privateKeys.get(sealed.getKeyId());
        if (key == null) {
            throw new CannotOpenException("no private key for key id " + sealed.getKeyId());
        }
        if (!SecretSealer.ALGORITHM.equals(sealed.getAlgorithm())) {
            throw new CannotOpenException("unsupported algorithm " + sealed.getAlgorithm());
        }
        try {
            Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
            rsa.init(Cipher.UNWRAP_MODE, key, SecretSealer.OAEP);
            Key dataKey = rsa.unwrap(bytes(sealed.getWrappedKey()), "AES", Cipher.SECRET_KEY);

            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.DECRYPT_MODE, dataKey, new GCMParameterSpec(SecretSealer.GCM_TAG_BITS, bytes(sealed.getIv())));
            aes.updateAAD(sealed.getKeyId().getBytes(StandardCharsets.UTF_8));
            return new String(aes.doFinal(bytes(sealed.getCiphertext())), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            // The exception text carries no secret material, only the failing step.
            throw new CannotOpenException("sealed secret with key id " + sealed.getKeyId() + " does not open: " + e.getClass().getSimpleName());
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    /** The secret was sealed to a key this process does not hold, or was tampered with. */
    public static final class CannotOpenException extends RuntimeException {
        public CannotOpenException(String message) {
            super(message);
        }
    }
}
