package com.hostkey.reinstall.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How to reach a schema registry that asks for credentials, read from the serde settings under the
 * names Confluent's clients use, so a producer or consumer configured for Confluent Cloud or a
 * secured Apicurio works unchanged:
 * <ul>
 *   <li>{@value #BASIC_AUTH_USER_INFO} ({@code user:password}), sent as HTTP basic authentication
 *       ({@value #BASIC_AUTH_SOURCE} {@code USER_INFO}, the default when user info is set);</li>
 *   <li>{@value #BEARER_TOKEN}, sent as {@code Authorization: Bearer} ({@value #BEARER_SOURCE}
 *       {@code STATIC_TOKEN});</li>
 *   <li>{@value #TRUSTSTORE_LOCATION}, {@value #TRUSTSTORE_PASSWORD}, {@value #TRUSTSTORE_TYPE}
 *       (default PKCS12): the certificates an {@code https} registry is trusted by, instead of the
 *       JDK's.</li>
 * </ul>
 * Secrets never appear in {@link #toString()} or in an error message.
 */
public record RegistryAccess(String url, String userInfo, String bearerToken, String truststore, String truststorePassword,
                             String truststoreType) {

    public static final String BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    public static final String BEARER_SOURCE = "bearer.auth.credentials.source";
    public static final String BEARER_TOKEN = "bearer.auth.token";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";

    public RegistryAccess {
        if (userInfo != null && bearerToken != null) {
            throw new IllegalArgumentException("schema registry: set either " + BASIC_AUTH_USER_INFO + " or " + BEARER_TOKEN + ", not both");
        }
        if (userInfo != null && !userInfo.contains(":")) {
            throw new IllegalArgumentException("schema registry: " + BASIC_AUTH_USER_INFO + " must be user:password");
        }
    }

    /** No credentials, the JDK's trust. */
    public static RegistryAccess open(String url) {
        return new RegistryAccess(url, null, null, null, null, null);
    }

    /** From serde settings (Confluent's names); unknown sources are refused rather than ignored. */
    public static RegistryAccess fromConfig(String url, Map<String, ?> config) {
        String basicSource = text(config, BASIC_AUTH_SOURCE);
        if (basicSource != null && !basicSource.equals("USER_INFO")) {
            throw new IllegalArgumentException("schema registry: only " + BASIC_AUTH_SOURCE + "=USER_INFO is supported, got " + basicSource);
        }
        String bearerSource = text(config, BEARER_SOURCE);
        if (bearerSource != null && !bearerSource.equals("STATIC_TOKEN")) {
            throw new IllegalArgumentException("schema registry: only " + BEARER_SOURCE + "=STATIC_TOKEN is supported, got " + bearerSource);
        }
        return new RegistryAccess(url, text(config, BASIC_AUTH_USER_INFO), text(config, BEARER_TOKEN), text(config, TRUSTSTORE_LOCATION),
                text(config, TRUSTSTORE_PASSWORD), Optional.ofNullable(text(config, TRUSTSTORE_TYPE)).orElse("PKCS12"));
    }

    /** The {@code Authorization} header value, if any. */
    Optional<String> authorization() {
        if (userInfo != null) {
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
        }
        return Optional.ofNullable(bearerToken).map(token -> "Bearer " + token);
    }

    /** The TLS context trusting {@link #truststore()}, or empty for the JDK's default. */
    Optional<SSLContext> sslContext() {
        if (truststore == null) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(Path.of(truststore))) {
            KeyStore store = KeyStore.getInstance(truststoreType);
            store.load(in, truststorePassword == null ? null : truststorePassword.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return Optional.of(context);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("schema registry: cannot read the trust store " + truststore + " (" + truststoreType + "): "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /** One shared client per registry and identity: the URL and a digest of the credentials. */
    String identity() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {userInfo, bearerToken, truststore, truststorePassword, truststoreType}) {
                sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return url + '\u0000' + HexFormat.of().formatHex(sha.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "RegistryAccess[url=" + url + ", auth=" + (userInfo != null ? "basic (" + userInfo.substring(0, userInfo.indexOf(':')) + ")"
                : bearerToken != null ? "bearer" : "none") + ", truststore=" + (truststore == null ? "JDK default" : truststore) + "]";
    }

    private static String text(Map<String, ?> config, String key) {
        Object value = config.get(key);
        return value == null || value.toString().isBlank() ? null : value.toString().strip();
    }
}
