package com.hostkey.reinstall.schemas.secrets;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEDecrypter;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.crypto.impl.BaseJWEProvider;
import com.nimbusds.jose.crypto.impl.ContentCryptoProvider;
import com.nimbusds.jose.crypto.impl.RSA_OAEP_SHA2;
import com.nimbusds.jose.crypto.opts.CipherMode;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;

/**
 * Opens sealed secrets (JWE compact strings, see {@link SecretSealer}) with the private keys it
 * holds, by {@code kid} (several during a key rotation). Only the command handler has one, and it
 * opens a secret only for the call that needs it.
 *
 * <p>It accepts exactly what {@link SecretSealer} makes and refuses everything else with a
 * {@link CannotOpenException} naming the {@link CannotOpenException.Reason}: a string that is not a
 * JWE compact serialization, a header without {@code kid} or naming a key it does not hold, any
 * {@code alg} but RSA-OAEP-256 or {@code enc} but A256GCM (no algorithm confusion: {@code none},
 * {@code dir}, RSA1_5 never reach a decrypter), a {@code zip} header (no decompression of
 * untrusted input), any {@code crit} header (it understands no extension), and a secret that does
 * not decrypt (a tampered part, or sealed to another key under the same id). The messages carry no
 * secret material and do not tell a failed key unwrap from a failed GCM tag (no padding oracle).
 *
 * <p>The RSA unwrap of a secret's content key is the costly part (RSA-3072: a few milliseconds of
 * CPU; figure 2's profile had the handler spend 70 % of its CPU in it), and a reinstall opens the
 * same sealed secret twice: to validate it and for create_pxe. So the unwrapped AES content keys of
 * recent secrets are kept, by {@code kid} and the SHA-256 of the JWE encrypted key, for a short time
 * and a bounded number. This widens nothing: the private key that unwraps every content key is in
 * the same memory, a content key opens only the one ciphertext sealed with it, and AES-GCM still
 * authenticates every opening, header included (Nimbus' {@link ContentCryptoProvider#decrypt}, with
 * the protected header as AAD: a tampered ciphertext or header fails whatever key is cached).
 * Plaintexts are never kept.
 */
public final class SecretOpener {

    /** Content keys kept: enough for the reinstalls in flight between validation and create_pxe. */
    static final int DATA_KEY_CACHE_SIZE = 20_000;
    static final Duration DATA_KEY_TTL = Duration.ofMinutes(30);
    /** A sealed secret longer than this is refused unread: a password or script is far smaller. */
    static final int MAX_SEALED_CHARS = 1 << 20;
    /** Five base64url parts joined by dots: a header, then encrypted key, IV, ciphertext (empty for an empty secret), tag. */
    private static final Pattern JWE_COMPACT =
            Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+");

    private final Map<String, PrivateKey> privateKeys;
    private final Clock clock;
    private final Map<String, CachedKey> dataKeys = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CachedKey> eldest) {
            return size() > DATA_KEY_CACHE_SIZE;
        }
    };
    private final AtomicLong unwraps = new AtomicLong();

    private record CachedKey(SecretKey key, Instant expiresAt) {}

    public SecretOpener(Map<String, PrivateKey> privateKeys) {
        this(privateKeys, Clock.systemUTC());
    }

    SecretOpener(Map<String, PrivateKey> privateKeys, Clock clock) {
        this.privateKeys = Map.copyOf(privateKeys);
        this.clock = clock;
    }

    /**
     * Whether {@code value} has the shape of a JWE compact string, the only form a sealed secret
     * takes. For whoever carries sealed secrets without opening them (the state projector): a
     * plaintext sent by mistake is refused before it is stored anywhere. Opening checks far more.
     */
    public static boolean isJweCompact(String value) {
        return value != null && value.length() <= MAX_SEALED_CHARS && JWE_COMPACT.matcher(value).matches();
    }

    /** The secret in a JWE compact string. */
    public String open(String sealed) {
        if (sealed == null || sealed.length() > MAX_SEALED_CHARS) {
            throw new CannotOpenException(CannotOpenException.Reason.MALFORMED,
                    sealed == null ? "no sealed secret" : "a sealed secret of " + sealed.length() + " characters is too long");
        }
        if (!isJweCompact(sealed)) {
            throw new CannotOpenException(CannotOpenException.Reason.MALFORMED,
                    "not a JWE compact string (five base64url parts joined by dots, the first a JSON header)");
        }
        JWEObject jwe;
        try {
            jwe = JWEObject.parse(sealed);
        } catch (ParseException | RuntimeException e) {
            // Untrusted input: whatever the parser throws is a refusal, not a crash. Not Nimbus' message:
            // a JSON error may quote what it read, and the string may be a plaintext sent by mistake.
            throw new CannotOpenException(CannotOpenException.Reason.MALFORMED,
                    "not a JWE compact string (five base64url parts joined by dots, the first a JSON header)");
        }
        JWEHeader header = jwe.getHeader();
        String kid = header.getKeyID();
        if (!SecretSealer.ALGORITHM.equals(header.getAlgorithm())) {
            throw new CannotOpenException(CannotOpenException.Reason.ALGORITHM_REFUSED,
                    "alg " + printable(String.valueOf(header.getAlgorithm())) + " is refused; only " + SecretSealer.ALGORITHM + " is accepted");
        }
        if (!SecretSealer.ENCRYPTION.equals(header.getEncryptionMethod())) {
            throw new CannotOpenException(CannotOpenException.Reason.ALGORITHM_REFUSED,
                    "enc " + printable(String.valueOf(header.getEncryptionMethod())) + " is refused; only " + SecretSealer.ENCRYPTION + " is accepted");
        }
        if (header.getCompressionAlgorithm() != null) {
            throw new CannotOpenException(CannotOpenException.Reason.COMPRESSION_REFUSED, "a zip header is refused");
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw new CannotOpenException(CannotOpenException.Reason.CRITICAL_HEADER_REFUSED,
                    "crit " + printable(String.valueOf(header.getCriticalParams())) + " names a header this handler does not understand");
        }
        if (kid == null || kid.isBlank()) {
            throw new CannotOpenException(CannotOpenException.Reason.NO_KEY_ID, "no kid header: the handler picks its private key by it");
        }
        PrivateKey key = privateKeys.get(kid);
        if (key == null) {
            throw new CannotOpenException(CannotOpenException.Reason.UNKNOWN_KEY,
                    "no private key for kid '" + printable(kid) + "'; this handler holds " + privateKeys.keySet().stream().sorted().toList());
        }
        try {
            jwe.decrypt(new CachingDecrypter(kid, key));
        } catch (JOSEException | IllegalStateException e) {
            // One message for a failed unwrap and a failed tag: the difference would be an oracle.
            throw new CannotOpenException(CannotOpenException.Reason.DOES_NOT_OPEN,
                    "the secret sealed to kid '" + printable(kid) + "' does not open: tampered, or sealed to another key under that id");
        }
        return new String(jwe.getPayload().toBytes(), StandardCharsets.UTF_8);
    }

    /**
     * Decrypts one JWE: the content key from the cache or unwrapped with the private key (and
     * cached), then Nimbus' content decryption, which authenticates ciphertext and header.
     */
    private final class CachingDecrypter extends BaseJWEProvider implements JWEDecrypter {
        private final String kid;
        private final PrivateKey key;

        CachingDecrypter(String kid, PrivateKey key) {
            super(Set.of(SecretSealer.ALGORITHM), Set.of(SecretSealer.ENCRYPTION));
            this.kid = kid;
            this.key = key;
        }

        @Override
        public byte[] decrypt(JWEHeader header, Base64URL encryptedKey, Base64URL iv, Base64URL cipherText, Base64URL authTag,
                              byte[] aad) throws JOSEException {
            if (encryptedKey == null || iv == null || authTag == null) {
                throw new JOSEException("a part of the JWE is missing");
            }
            SecretKey cek = contentKey(encryptedKey.decode());
            return ContentCryptoProvider.decrypt(header, aad, encryptedKey, iv, cipherText, authTag, cek, getJCAContext());
        }

        private SecretKey contentKey(byte[] encryptedKey) throws JOSEException {
            String id = kid + ":" + HexFormat.of().formatHex(sha256(encryptedKey));
            Instant now = clock.instant();
            synchronized (dataKeys) {
                CachedKey cached = dataKeys.get(id);
                if (cached != null && now.isBefore(cached.expiresAt())) {
                    return cached.key();
                }
            }
            SecretKey cek = RSA_OAEP_SHA2.decryptCEK(key, encryptedKey, 256, CipherMode.WRAP_UNWRAP,
                    getJCAContext().getKeyEncryptionProvider());
            if (cek.getEncoded() == null || cek.getEncoded().length != SecretSealer.ENCRYPTION.cekBitLength() / 8) {
                throw new JOSEException("content key of the wrong length");
            }
            unwraps.incrementAndGet();
            synchronized (dataKeys) {
                dataKeys.put(id, new CachedKey(cek, now.plus(DATA_KEY_TTL)));
            }
            return cek;
        }
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

    /** A header value as it may appear in a message: bounded, and nothing but plain characters. */
    private static String printable(String text) {
        String value = String.valueOf(text);
        String cut = value.length() > 60 ? value.substring(0, 60) + "..." : value;
        return cut.replaceAll("[^A-Za-z0-9 ._:,=+/\\[\\]-]", "?");
    }

    /** The secret was sealed to a key this process does not hold, not as {@link SecretSealer} seals, or was tampered with. */
    public static final class CannotOpenException extends RuntimeException {

        /** Why a sealed secret was refused. */
        public enum Reason {
            /** Not a JWE compact string (or none, or far too long). */
            MALFORMED,
            /** The header has no {@code kid}. */
            NO_KEY_ID,
            /** The {@code kid} names no private key this handler holds. */
            UNKNOWN_KEY,
            /** {@code alg} is not RSA-OAEP-256 or {@code enc} not A256GCM. */
            ALGORITHM_REFUSED,
            /** A {@code zip} header. */
            COMPRESSION_REFUSED,
            /** A {@code crit} header (no extension is understood). */
            CRITICAL_HEADER_REFUSED,
            /** The content key does not unwrap or the ciphertext does not authenticate. */
            DOES_NOT_OPEN
        }

        private final Reason reason;

        public CannotOpenException(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }
}
