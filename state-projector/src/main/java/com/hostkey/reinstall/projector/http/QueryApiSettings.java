package com.hostkey.reinstall.projector.http;

import com.hostkey.reinstall.runtime.EnvSettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who may read the query API (and, with a write token, act through it), and over what. Printing an instance never shows a token or password.
 *
 * @param tokens       PROJECTOR_API_TOKENS (or PROJECTOR_API_TOKENS_FILE): the bearer tokens accepted, comma
 *                     or whitespace separated, several so they can be rotated one at a time; 16-512
 *                     characters of {@code A-Z a-z 0-9 - . _ ~ + /} (then optional {@code =} padding)
 * @param authDisabled PROJECTOR_API_AUTH=disabled: no token asked for. Development only; the server logs a
 *                     warning at start. Any other value than {@code required} (the default) or
 *                     {@code disabled} is refused
 * @param tls          PROJECTOR_TLS_KEYSTORE and friends: serve HTTPS (and forward over HTTPS); null for HTTP
 * @param writeTokens  PROJECTOR_API_WRITE_TOKENS (or PROJECTOR_API_WRITE_TOKENS_FILE): operator name to bearer
 *                     token, given as comma or whitespace separated {@code operatorName:token} pairs. These tokens
 *                     also read, and may cancel and release servers from the dashboard (its operator actions);
 *                     the operator's name is recorded in every command it issues. Empty: no operator actions
 */
public record QueryApiSettings(List<String> tokens, boolean authDisabled, Tls tls, Map<String, String> writeTokens) {

    static final int MIN_TOKEN_LENGTH = 16;
    static final int MAX_TOKEN_LENGTH = 512;
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");
    private static final Pattern OPERATOR = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
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
        writeTokens = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(writeTokens, "writeTokens")));
        validateWriteTokens(writeTokens, tokens, authDisabled);
    }

    /** Read tokens only: no operator actions. */
    public QueryApiSettings(List<String> tokens, boolean authDisabled, Tls tls) {
        this(tokens, authDisabled, tls, Map.of());
    }

    private static void validateWriteTokens(Map<String, String> writeTokens, List<String> readTokens, boolean authDisabled) {
        if (authDisabled && !writeTokens.isEmpty()) {
            throw new IllegalArgumentException("PROJECTOR_API_AUTH=disabled contradicts the configured PROJECTOR_API_WRITE_TOKENS: "
                    + "drop one of them");
        }
        Set<String> seen = new HashSet<>(readTokens);
        for (Map.Entry<String, String> entry : writeTokens.entrySet()) {
            String operator = entry.getKey();
            if (operator == null || !OPERATOR.matcher(operator).matches()) {
                throw new IllegalArgumentException("PROJECTOR_API_WRITE_TOKENS operator names must be 1-64 characters of "
                        + "A-Z a-z 0-9 . _ @ -");
            }
            String token = entry.getValue();
            // Never the token itself in the message, and the operator's name only: it is not a secret.
            if (token == null || token.length() < MIN_TOKEN_LENGTH || token.length() > MAX_TOKEN_LENGTH || !TOKEN.matcher(token).matches()) {
                throw new IllegalArgumentException("PROJECTOR_API_WRITE_TOKENS token of operator " + operator + " must have "
                        + MIN_TOKEN_LENGTH + "-" + MAX_TOKEN_LENGTH + " characters of A-Z a-z 0-9 - . _ ~ + / and trailing =");
            }
            if (!seen.add(token)) {
                throw new IllegalArgumentException("PROJECTOR_API_WRITE_TOKENS token of operator " + operator
                        + " is also a read token or another operator's: every write token must be unique");
            }
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
        return new QueryApiSettings(tokens, authDisabled, settings, writeTokens);
    }

    /** The same, with these operators' write tokens (operator name to token). */
    public QueryApiSettings withWriteTokens(Map<String, String> operatorTokens) {
        return new QueryApiSettings(tokens, authDisabled, tls, operatorTokens);
    }

    /** Whether any operator may act (cancel, release) through the API. */
    public boolean operatorActionsEnabled() {
        return !writeTokens.isEmpty();
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
        return new QueryApiSettings(tokens, mode.equals("disabled"), Tls.fromEnv(env), writeTokensFromEnv(env));
    }

    /** PROJECTOR_API_WRITE_TOKENS[_FILE]: {@code operatorName:token} pairs, comma or whitespace separated; optional. */
    static Map<String, String> writeTokensFromEnv(EnvSettings env) {
        String spec = env.optional("PROJECTOR_API_WRITE_TOKENS", null);
        Map<String, String> operators = new LinkedHashMap<>();
        if (spec == null) {
            return operators;
        }
        int index = 0;
        for (String pair : spec.split("[,\\s]+")) {
            if (pair.isBlank()) {
                continue;
            }
            index++;
            int colon = pair.indexOf(':');
            if (colon <= 0 || colon == pair.length() - 1) {
                throw new IllegalArgumentException("PROJECTOR_API_WRITE_TOKENS entry " + index + " must be operatorName:token");
            }
            String operator = pair.substring(0, colon);
            if (operators.putIfAbsent(operator, pair.substring(colon + 1)) != null) {
                throw new IllegalArgumentException("PROJECTOR_API_WRITE_TOKENS names operator entry " + index + " twice");
            }
        }
        return operators;
    }

    @Override
    public String toString() {
        return "QueryApiSettings[" + (authDisabled ? "auth=DISABLED" : "auth=bearer, tokens=" + tokens.size() + " (masked)")
                + ", " + (tls == null ? "http" : tls.toString())
                + (writeTokens.isEmpty() ? "" : ", operators=" + writeTokens.keySet() + " (write tokens masked)") + "]";
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
