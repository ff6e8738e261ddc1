package com.hostkey.reinstall.projector.http;

import com.hostkey.reinstall.projector.http.Caller.Operator;
import com.hostkey.reinstall.projector.http.Caller.Reader;
import com.hostkey.reinstall.projector.http.Caller.Reason;
import com.hostkey.reinstall.projector.http.Caller.Refused;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who is asking: {@code Authorization: Bearer <token>} checked against the read tokens and the
 * operators' write tokens of {@link QueryApiSettings}, the one place that decides it. Only SHA-256
 * digests of the tokens are held, and the presented token's digest is compared in constant time
 * with every one of them on every request, so neither the time taken nor an early exit tells how
 * much of a guess was right, or whether it came close to a read or a write token.
 */
final class Authenticator {

    private static final Pattern BEARER = Pattern.compile("^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9._~+/-]+=*) *$");
    private static final int MAX_HEADER_LENGTH = 7 + QueryApiSettings.MAX_TOKEN_LENGTH + 8;
    private static final Refused MISSING = new Refused(Reason.MISSING);
    private static final Refused INVALID = new Refused(Reason.INVALID);

    /** A configured token's digest; {@code operator} is null for a read token. */
    private record Known(String operator, byte[] digest) {}

    private final boolean disabled;
    private final List<Known> known;

    /** @throws IllegalStateException when no read token is configured and authentication is not explicitly disabled */
    Authenticator(QueryApiSettings settings) {
        if (!settings.authDisabled() && settings.tokens().isEmpty()) {
            throw new IllegalStateException("Refusing to start the query API without a bearer token: set PROJECTOR_API_TOKENS "
                    + "(or PROJECTOR_API_TOKENS_FILE), or PROJECTOR_API_AUTH=disabled for development");
        }
        this.disabled = settings.authDisabled();
        List<Known> digests = new ArrayList<>();
        settings.tokens().forEach(token -> digests.add(new Known(null, sha256(token))));
        settings.writeTokens().forEach((operator, token) -> digests.add(new Known(operator, sha256(token))));
        this.known = List.copyOf(digests);
    }

    /** @param authorization every Authorization header of the request (null or empty when none) */
    Caller authenticate(List<String> authorization) {
        if (disabled) {
            return new Reader(null);
        }
        if (authorization == null || authorization.isEmpty()) {
            return MISSING;
        }
        if (authorization.size() > 1 || authorization.get(0).length() > MAX_HEADER_LENGTH) {
            return INVALID;
        }
        Matcher bearer = BEARER.matcher(authorization.get(0));
        if (!bearer.matches()) {
            return INVALID;
        }
        String presented = bearer.group(1);
        byte[] digest = sha256(presented);
        boolean reader = false;
        String operator = null;
        for (Known token : known) {
            if (MessageDigest.isEqual(token.digest(), digest)) {
                if (token.operator() == null) {
                    reader = true;
                } else {
                    operator = token.operator();
                }
            }
        }
        if (operator != null) {
            return new Operator(operator, presented);
        }
        return reader ? new Reader(presented) : INVALID;
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
