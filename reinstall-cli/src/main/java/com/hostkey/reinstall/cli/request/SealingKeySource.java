package com.hostkey.reinstall.cli.request;

import com.hostkey.reinstall.cli.CliException;
import com.hostkey.reinstall.cli.ExitCode;
import com.hostkey.reinstall.schemas.secrets.SealingKeys;
import com.hostkey.reinstall.schemas.secrets.SecretSealer;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;

/**
 * The command handler's public sealing keys the CLI seals secrets to: its JWK Set, from
 * {@code --jwks FILE|URL} or {@code REINSTALL_SEALING_JWKS} (the {@code jwks.json} SealingKeygen
 * writes, or an http(s) URL such as the handler's {@code /.well-known/jwks.json}), sealed to the
 * set's first key (the handler's current one) unless {@code --key-id ID}
 * ({@code REINSTALL_SEALING_KEY_ID}) names another. The sealing itself is {@link SecretSealer}'s.
 */
public final class SealingKeySource {

    public static final String ENV_JWKS = "REINSTALL_SEALING_JWKS";
    public static final String ENV_KEY_ID = "REINSTALL_SEALING_KEY_ID";
    /** The PEM setting of earlier versions; no longer read, named in the error when set alone. */
    static final String RETIRED_ENV_PUBLIC_KEY = "REINSTALL_SEALING_PUBLIC_KEY";
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
    /** A JWK Set of a few RSA keys is a few KiB; anything far larger is not the handler's. */
    static final int MAX_JWKS_BYTES = 1 << 20;
    private static final String HOW = "give --jwks FILE|URL (or set " + ENV_JWKS + "): the jwks.json SealingKeygen writes beside"
            + " the keys, or the command handler's http://HANDLER:8081" + SealingKeys.JWKS_PATH + "; see the README";

    private SealingKeySource() {}

    /** Whether a key is configured at all (a dry run only mentions it). */
    public static boolean configured(String jwks, Map<String, String> env) {
        return present(jwks) || present(env.get(ENV_JWKS));
    }

    public static SecretSealer sealer(String jwksOption, String keyIdOption, Map<String, String> env) {
        String keyId = present(keyIdOption) ? keyIdOption.strip() : present(env.get(ENV_KEY_ID)) ? env.get(ENV_KEY_ID).strip() : null;
        String source = present(jwksOption) ? jwksOption.strip() : present(env.get(ENV_JWKS)) ? env.get(ENV_JWKS).strip() : null;
        String field = present(jwksOption) ? "--jwks" : ENV_JWKS;
        if (source == null) {
            String retired = present(env.get(RETIRED_ENV_PUBLIC_KEY))
                    ? " (" + RETIRED_ENV_PUBLIC_KEY + " is set, but PEM keys are no longer read: the handler's keys come as a JWK Set)" : "";
            throw CliException.config("--jwks", "no sealing key: the root password is sealed to the command handler's"
                    + " public key before it leaves this machine" + retired, HOW);
        }
        JWKSet set;
        try {
            set = JWKSet.parse(isUrl(source) ? fetch(source, field) : read(Path.of(source), field));
        } catch (ParseException e) {
            throw CliException.config(field, source + " is not a JWK Set (RFC 7517): " + e.getMessage(), HOW);
        }
        try {
            return SecretSealer.fromJwkSet(set, keyId);
        } catch (IllegalArgumentException e) {
            throw CliException.config(keyId == null ? field : "--key-id", source + ": " + e.getMessage(),
                    "seal to a key of the handler's JWK Set: drop --key-id to take its first (current) key");
        }
    }

    private static boolean isUrl(String source) {
        return source.startsWith("http://") || source.startsWith("https://");
    }

    private static String fetch(String url, String field) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw CliException.config(field, "'" + url + "' is not a URL: " + e.getMessage(), HOW);
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(FETCH_TIMEOUT)
                .header("Accept", SealingKeys.JWKS_CONTENT_TYPE + ", application/json").GET().build();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build()) {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                byte[] bytes = body.readNBytes(MAX_JWKS_BYTES + 1);
                if (response.statusCode() != 200) {
                    throw CliException.unavailable(url + " answered HTTP " + response.statusCode() + ", not the handler's JWK Set",
                            "check the URL: the command handler serves it at " + SealingKeys.JWKS_PATH + " on its HANDLER_HTTP_PORT", null);
                }
                if (bytes.length > MAX_JWKS_BYTES) {
                    throw CliException.config(field, url + " answered more than " + MAX_JWKS_BYTES + " bytes: not a JWK Set", HOW);
                }
                return new String(bytes, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw CliException.unavailable("cannot fetch the JWK Set from " + url + ": " + PasswordReader.reason(e),
                    "is the command handler up? or give the jwks.json file instead", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.unavailable("interrupted while fetching the JWK Set from " + url, null, e);
        }
    }

    private static String read(Path file, String field) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new CliException(ExitCode.NO_INPUT, field, "cannot read the JWK Set " + file + ": " + PasswordReader.reason(e),
                    "check the path and its permissions", e);
        }
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
