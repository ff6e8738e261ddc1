package com.hostkey.reinstall.projector.query;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks {@code Authorization: Bearer <token>} against the configured tokens. Only SHA-256 digests
 * of the tokens are held, and every digest is compared in constant time, all of them on every
 * request, so neither the time taken nor an early exit tells how much of a guess was right.
 */
final class BearerTokens {

    private static final Pattern BEARER = Pattern.compile("^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9._~+/-]+=*) *$");
    private static final int MAX_HEADER_LENGTH = 7 + QueryApiSettings.MAX_TOKEN_LENGTH + 8;

    /** What a request's credentials came to; {@code token} is set only for {@link Outcome#ACCEPTED}. */
    record Verdict(Outcome outcome, String token) {}

    enum Outcome { ACCEPTED, MISSING, MALFORMED, REJECTED, AUTH_DISABLED }

    private final boolean disabled;
    private final List<byte[]> digests;

    BearerTokens(QueryApiSettings settings) {
        this.disabled = settings.authDisabled();
        this.digests = settings.tokens().stream().map(BearerTokens::sha256).toList();
    }

    boolean disabled() {
        return disabled;
    }

    /** @param authorization every Authorization header of the request (null or empty when none) */
    Verdict check(List<String> authorization) {
        if (disabled) {
            return new Verdict(Outcome.AUTH_DISABLED, null);
        }
        if (authorization == null || authorization.isEmpty()) {
            return new Verdict(Outcome.MISSING, null);
        }
        if (authorization.size() > 1 || authorization.get(0).length() > MAX_HEADER_LENGTH) {
            return new Verdict(Outcome.MALFORMED, null);
        }
        Matcher bearer = BEARER.matcher(authorization.get(0));
        if (!bearer.matches()) {
            return new Verdict(Outcome.MALFORMED, null);
        }
        String presented = bearer.group(1);
        byte[] digest = sha256(presented);
        boolean match = false;
        for (byte[] known : digests) {
            match |= MessageDigest.isEqual(known, digest);
        }
        return match ? new Verdict(Outcome.ACCEPTED, presented) : new Verdict(Outcome.REJECTED, null);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
