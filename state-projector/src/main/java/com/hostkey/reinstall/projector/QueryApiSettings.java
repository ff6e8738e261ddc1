package com.hostkey.reinstall.projector;

import com.hostkey.reinstall.schemas.runtime.EnvSettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who may read the query API, and over what. Printing an instance never shows a token or password.
 *
 * @param tokens       PROJECTOR_API_TOKENS (or PROJECTOR_API_TOKENS_FILE): the bearer tokens accepted, comma
 *                     or whitespace separated, several so they can be rotated one at a time; 16-512
 *                     characters of {@code A-Z a-z 0-9 - . _ ~ + /} (then optional {@code =} padding)
 * @param authDisabled PROJECTOR_API_AUTH=disabled: no token asked for. Development only; the server logs a
 *                     warning at start. Any other value than {@code required} (the default) or
 *                     {@code disabled} is refused
 * @param tls          PROJECTOR_TLS_KEYSTORE and friends: serve HTTPS (and forward over HTTPS); null for HTTP
 */
public record QueryApiSettings(List<String> tokens, boolean authDisabled, Tls tls) {

    static final int MIN_TOKEN_LENGTH = 16;
    static final int MAX_TOKEN_LENGTH = 512;
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");
    private static final SecureRandom RANDOM = new SecureRandom();

    public QueryApiSettings {
        tokens = List.copyOf(new LinkedHashSet<>(Objects.requireNonNull(tokens, "tokens")));
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            // Never the token itself in the message: it could be a real one with a typo.
            if (token.length() < MIN_TOKEN_LENGTH || token.length() > MAX_TOKEN_LENGTH) {
                throw new IllegalArgumentException("PROJECTOR_API_TOKENS entry " + (i + 1) + " must have "
                        + MIN_TOKEN_LENGTH + "-" + MAX_TOKEN_LENGTH + " characters, it has " + token.length());
            }
            if (!TOKEN.matcher(token).matches()) {
                throw new IllegalArgumentException("PROJECTOR_API_TOKENS entry " + (i + 1)
                        + " may hold only A-Z a-z 0-9 - . _ ~ + / and trailing =");
            }
        }
        if (authDisabled && !tokens.isEmpty()) {
            throw new IllegalArgumentException("PROJECTOR_API_AUTH=disabled contradicts the configured PROJECTOR_API_TOKENS: "
                    + "drop one of them");
        }
    }

    /** Bearer tokens required; plain HTTP. */
    public static QueryApiSettings ofTokens(List<String> tokens) {
        return new QueryApiSettings(tokens, false, null);
    }

    /** One random token, for tests and local runs that read it back from {@link #tokens()}. */
    public static QueryApiSettings withGeneratedToken() {
        return ofTokens(List.of(generateToken()));
    }

    /** No authentication at all: the development setting PROJECTOR_API_AUTH=disabled. */
    public static QueryApiSettings authDisabledForDevelopment() {
        return new QueryApiSettings(List.of(), true, null);
    }

    /** 32 random bytes, base64url: a token fit for PROJECTOR_API_TOKENS. */
    public static String generateToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The same, served over HTTPS. */
    public QueryApiSettings withTls(Tls settings) {
        return new QueryApiSettings(tokens, authDisabled, settings);
    }

    public boolean tlsEnabled() {
        return tls != null;
    }

    /**
     * Reads PROJECTOR_API_AUTH, PROJECTOR_API_TOKENS[_FILE] and PROJECTOR_TLS_*. A missing token is
     * reported through {@link EnvSettings#validate} with the other missing settings.
     */
    public static QueryApiSettings fromEnv(EnvSettings env) {
        String mode = env.optional("PROJECTOR_API_AUTH", "required");
        if (!mode.equals("required") && !mode.equals("disabled")) {
            throw new IllegalArgumentException("PROJECTOR_API_AUTH must be 'required' (default) or 'disabled', got '"
                    + mode.substring(0, Math.min(mode.length(), 16)) + "'");
        }
        List<String> tokens = new ArrayList<>();
        if (mode.equals("required")) {
            String spec = env.required("PROJECTOR_API_TOKENS",
                    "bearer tokens of the query API, comma-separated, or PROJECTOR_API_TOKENS_FILE; "
                            + "PROJECTOR_API_AUTH=disabled turns authentication off for development");
            if (spec != null) {
                for (String token : spec.split("[,\\s]+")) {
                    if (!token.isBlank()) {
                        tokens.add(token);
                    }
                }
            }
        } else if (env.optional("PROJECTOR_API_TOKENS", null) != null) {
            throw new IllegalArgumentException("PROJECTOR_API_AUTH=disabled contradicts the configured PROJECTOR_API_TOKENS: "
                    + "drop one of them");
        }
        return new QueryApiSettings(tokens, mode.equals("disabled"), Tls.fromEnv(env));
    }

    @Override
    public String toString() {
        return "QueryApiSettings[" + (authDisabled ? "auth=DISABLED" : "auth=bearer, tokens=" + tokens.size() + " (masked)")
                + ", " + (tls == null ? "http" : tls.toString()) + "]";
    }

    /**
     * HTTPS for the query API. Forwarding between instances trusts {@code truststore} when given,
     * else the certificates of the keystore itself (every instance presenting the same certificate);
     * either way the certificate must name the host the instances advertise (PROJECTOR_HTTP_HOST).
     *
     * @param keystore           PROJECTOR_TLS_KEYSTORE: PKCS12 with the server's key and certificate chain
     * @param keystorePassword   PROJECTOR_TLS_KEYSTORE_PASSWORD[_FILE]
     * @param truststore         PROJECTOR_TLS_TRUSTSTORE: PKCS12 of the certificates to trust when forwarding, optional
     * @param truststorePassword PROJECTOR_TLS_TRUSTSTORE_PASSWORD[_FILE], optional
     */
    public record Tls(Path keystore, String keystorePassword, Path truststore, String truststorePassword) {

        public Tls {
            Objects.requireNonNull(keystore, "keystore");
            Objects.requireNonNull(keystorePassword, "keystorePassword");
        }

        public Tls(Path keystore, String keystorePassword) {
            this(keystore, keystorePassword, null, null);
        }

        static Tls fromEnv(EnvSettings env) {
            String keystore = env.optional("PROJECTOR_TLS_KEYSTORE", null);
            if (keystore == null) {
                return null;
            }
            String password = env.required("PROJECTOR_TLS_KEYSTORE_PASSWORD",
                    "password of PROJECTOR_TLS_KEYSTORE, or PROJECTOR_TLS_KEYSTORE_PASSWORD_FILE");
            String truststore = env.optional("PROJECTOR_TLS_TRUSTSTORE", null);
            return new Tls(Path.of(keystore), password == null ? "" : password,
                    truststore == null ? null : Path.of(truststore), env.optional("PROJECTOR_TLS_TRUSTSTORE_PASSWORD", null));
        }

        @Override
        public String toString() {
            return "https keystore=" + keystore + (truststore == null ? "" : " truststore=" + truststore) + " (passwords masked)";
        }
    }
}
