package com.hostkey.reinstall.schemas.secrets;

import com.hostkey.reinstall.schemas.avro.SealedSecret;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Opens {@link SealedSecret}s with the private keys it holds, by key id (several ids during a key
 * rotation). Only the command handler has one, and it opens a secret only for the call that needs
 * it.
 *
 * <p>The RSA unwrap of a secret's data key is the costly part (RSA-3072: a few milliseconds of CPU;
 * figure 2's profile had the handler spend 70 % of its CPU in it), and a reinstall opens the same
 * sealed secret twice: to validate it and for create_pxe. So the unwrapped AES data keys of recent
 * secrets are kept, by key id and the SHA-256 of the wrapped key, for a short time and a bounded
 * number. This widens nothing: the private key that unwraps every data key is in the same memory,
 * a data key opens only the one ciphertext sealed with it, and AES-GCM still authenticates every
 * opening (a tampered ciphertext fails whatever key is cached). Plaintexts are never kept.
 */
public final class SecretOpener {

    /** Data keys kept: enough for the reinstalls in flight between validation and create_pxe. */
    static final int DATA_KEY_CACHE_SIZE = 20_000;
    static final Duration DATA_KEY_TTL = Duration.ofMinutes(30);

    private final Map<String, PrivateKey> privateKeys;
    private final Clock clock;
    private final Map<String, CachedKey> dataKeys = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CachedKey> eldest) {
            return size() > DATA_KEY_CACHE_SIZE;
        }
    };
    private final AtomicLong unwraps = new AtomicLong();

    private record CachedKey(Key key, Instant expiresAt) {}

    public SecretOpener(Map<String, PrivateKey> privateKeys) {
        this(privateKeys, Clock.systemUTC());
    }

    SecretOpener(Map<String, PrivateKey> privateKeys, Clock clock) {
        this.privateKeys = Map.copyOf(privateKeys);
        this.clock = clock;
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
            Key dataKey = dataKey(sealed, key);
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.DECRYPT_MODE, dataKey, new GCMParameterSpec(SecretSealer.GCM_TAG_BITS, bytes(sealed.getIv())));
            aes.updateAAD(sealed.getKeyId().getBytes(StandardCharsets.UTF_8));
            return new String(aes.doFinal(bytes(sealed.getCiphertext())), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            // The exception text carries no secret material, only the failing step.
            throw new CannotOpenException("sealed secret with key id " + sealed.getKeyId() + " does not open: " + e.getClass().getSimpleName());
        }
    }

    /** The secret's AES data key: from the cache, or unwrapped with the private key (and cached). */
    private Key dataKey(SealedSecret sealed, PrivateKey key) throws GeneralSecurityException {
        byte[] wrapped = bytes(sealed.getWrappedKey());
        String id = sealed.getKeyId() + ":" + HexFormat.of().formatHex(sha256(wrapped));
        Instant now = clock.instant();
        synchronized (dataKeys) {
            CachedKey cached = dataKeys.get(id);
            if (cached != null && now.isBefore(cached.expiresAt())) {
                return cached.key();
            }
        }
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
        rsa.init(Cipher.UNWRAP_MODE, key, SecretSealer.OAEP);
        Key dataKey = rsa.unwrap(wrapped, "AES", Cipher.SECRET_KEY);
        unwraps.incrementAndGet();
        synchronized (dataKeys) {
            dataKeys.put(id, new CachedKey(dataKey, now.plus(DATA_KEY_TTL)));
        }
        return dataKey;
    }

    /** RSA unwraps made so far (for tests of the cache). */
    long unwraps() {
        return unwraps.get();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
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
