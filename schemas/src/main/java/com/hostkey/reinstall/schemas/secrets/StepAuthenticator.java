package com.hostkey.reinstall.schemas.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Authenticates step commands: the state projector signs every record it writes to
 * reinstall-steps, and the command handler acts only on records whose signature it can verify.
 * Broker ACLs are the first guard (only the projector may write the topic); this is the second,
 * for stacks that run without ACLs and for ACLs that are misconfigured.
 *
 * <p>The signature is the header {@value #HEADER}: {@code v1:<key id>:<base64url HMAC-SHA256>}, the
 * MAC taken over {@code "reinstall-step-v1" 0x00 <topic> 0x00 <the record's value bytes>} exactly
 * as written (Confluent wire format, schema id included), so nothing in the value can change
 * without the key. The record key is not covered: the handler requires it to equal the value's
 * server id, which is.
 *
 * <p>Keys are random secrets of at least 32 bytes held only by the projector and the handlers,
 * named by key id so they rotate like the sealing keys: the handlers learn the new key first
 * ({@code STEP_AUTH_KEYS} lists both), then the projector signs with it
 * ({@code STEP_AUTH_SIGNING_KEY}), then the old one is dropped.
 */
public final class StepAuthenticator {

    public static final String HEADER = "reinstall-step-auth";
    private static final String VERSION = "v1";
    private static final String ALGORITHM = "HmacSHA256";
    private static final int MIN_KEY_BYTES = 32;
    private static final byte[] CONTEXT = "reinstall-step-v1".getBytes(StandardCharsets.UTF_8);

    private final Map<String, SecretKeySpec> keys;
    private final String signingKeyId;

    private StepAuthenticator(Map<String, byte[]> keys, String signingKeyId) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no step authentication key given");
        }
        Map<String, SecretKeySpec> specs = new LinkedHashMap<>();
        keys.forEach((id, secret) -> {
            if (id.isBlank() || id.contains(":")) {
                throw new IllegalArgumentException("step key id '" + id + "' must be non-empty and contain no ':'");
            }
            if (secret.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("step key '" + id + "' has " + secret.length + " bytes; at least "
                        + MIN_KEY_BYTES + " are needed");
            }
            specs.put(id, new SecretKeySpec(secret, ALGORITHM));
        });
        if (signingKeyId != null && !specs.containsKey(signingKeyId)) {
            throw new IllegalArgumentException("the signing step key '" + signingKeyId + "' is not among the keys "
                    + specs.keySet());
        }
        this.keys = Map.copyOf(specs);
        this.signingKeyId = signingKeyId;
    }

    /** Signs with {@code signingKeyId} and verifies with any of {@code keys} (id → secret). */
    public static StepAuthenticator of(Map<String, byte[]> keys, String signingKeyId) {
        return new StepAuthenticator(keys, signingKeyId);
    }

    /** Verifies only (the command handler): it never signs. */
    public static StepAuthenticator verifier(Map<String, byte[]> keys) {
        return new StepAuthenticator(keys, null);
    }

    /**
     * Reads {@code keyId=path,keyId=path} (the {@code STEP_AUTH_KEYS} form): each file holds one key,
     * base64 (standard or URL-safe), surrounding whitespace ignored.
     */
    public static Map<String, byte[]> readKeys(String spec) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq <= 0 || eq == trimmed.length() - 1) {
                throw new IllegalArgumentException("step key entries are keyId=path, got '" + trimmed + "'");
            }
            String id = trimmed.substring(0, eq).trim();
            Path file = Path.of(trimmed.substring(eq + 1).trim());
            try {
                keys.put(id, decode(Files.readString(file).trim()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read step key '" + id + "' from " + file, e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("step key '" + id + "' in " + file + " is not base64");
            }
        }
        return keys;
    }

    /** A new random key, 32 bytes. */
    public static byte[] generateKey() {
        byte[] key = new byte[MIN_KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return key;
    }

    /** Writes {@code <keyId>.step.key} (base64, owner-only) into dir and returns its path. */
    public static Path writeKey(byte[] key, Path dir, String keyId) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(keyId + ".step.key");
            Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // Non-POSIX file systems keep their default permissions.
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds the signature of {@code value}, written to {@code topic}, to {@code headers} (replacing any). */
    public void sign(String topic, Headers headers, byte[] value) {
        if (signingKeyId == null) {
            throw new IllegalStateException("this authenticator only verifies");
        }
        String mac = Base64.getUrlEncoder().withoutPadding().encodeToString(mac(keys.get(signingKeyId), topic, value));
        headers.remove(HEADER);
        headers.add(HEADER, (VERSION + ":" + signingKeyId + ":" + mac).getBytes(StandardCharsets.UTF_8));
    }

    /** Why a record is not authentic, or empty when it is. The reasons name no secret. */
    public Optional<String> refusal(String topic, Headers headers, byte[] value) {
        Header header = headers.lastHeader(HEADER);
        if (header == null || header.value() == null) {
            return Optional.of("no " + HEADER + " header: not written by the state projector");
        }
        String[] parts = new String(header.value(), StandardCharsets.UTF_8).split(":", 3);
        if (parts.length != 3 || !VERSION.equals(parts[0])) {
            return Optional.of("malformed " + HEADER + " header");
        }
        SecretKeySpec key = keys.get(parts[1]);
        if (key == null) {
            return Optional.of("signed with unknown step key '" + printable(parts[1]) + "'");
        }
        byte[] presented;
        try {
            presented = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            return Optional.of("malformed " + HEADER + " header");
        }
        if (value == null || !MessageDigest.isEqual(presented, mac(key, topic, value))) {
            return Optional.of("signature does not match (step key '" + parts[1] + "')");
        }
        return Optional.empty();
    }

    /** A serializer that signs what {@code inner} writes: the projector's sink for reinstall-steps. */
    public <T> Serializer<T> signing(Serializer<T> inner) {
        StepAuthenticator self = this;
        return new Serializer<>() {
            @Override
            public void configure(Map<String, ?> configs, boolean isKey) {
                inner.configure(configs, isKey);
            }

            @Override
            public byte[] serialize(String topic, T data) {
                throw new IllegalStateException("a signed step needs the record's headers");
            }

            @Override
            public byte[] serialize(String topic, Headers headers, T data) {
                byte[] bytes = inner.serialize(topic, headers, data);
                self.sign(topic, headers, bytes);
                return bytes;
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    private static byte[] mac(SecretKeySpec key, String topic, byte[] value) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(CONTEXT);
            mac.update((byte) 0);
            mac.update(topic.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(value);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available", e);
        }
    }

    private static byte[] decode(String text) {
        return text.contains("-") || text.contains("_") ? Base64.getUrlDecoder().decode(text) : Base64.getDecoder().decode(text);
    }

    private static String printable(String text) {
        String cut = text.length() > 40 ? text.substring(0, 40) : text;
        return cut.replaceAll("[^A-Za-z0-9._-]", "?");
    }
}
