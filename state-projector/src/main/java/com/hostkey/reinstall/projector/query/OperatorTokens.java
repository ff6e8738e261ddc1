package com.hostkey.reinstall.projector.query;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises the write tokens of {@link QueryApiSettings#writeTokens()}: {@code Authorization:
 * Bearer <token>} naming an operator who may act (cancel, release) as well as read. Like
 * {@link BearerTokens}, only SHA-256 digests are held and every one of them is compared in
 * constant time on every request.
 */
final class OperatorTokens {

    private static final Pattern BEARER = Pattern.compile("^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9._~+/-]+=*) *$");
    private static final int MAX_HEADER_LENGTH = 7 + QueryApiSettings.MAX_TOKEN_LENGTH + 8;

    /** An operator who presented a write token; {@code token} is kept to forward the request to other instances. */
    record Operator(String name, String token) {
        @Override
        public String toString() {
            return "Operator[" + name + ", token masked]";
        }
    }

    private record Known(String name, byte[] digest) {}

    private final List<Known> known;

    OperatorTokens(Map<String, String> writeTokens) {
        this.known = writeTokens.entrySet().stream().map(e -> new Known(e.getKey(), sha256(e.getValue()))).toList();
    }

    /** The operator whose write token the request carries, or null (no token, a read token, a wrong one). */
    Operator check(List<String> authorization) {
        if (known.isEmpty() || authorization == null || authorization.size() != 1 || authorization.get(0).length() > MAX_HEADER_LENGTH) {
            return null;
        }
        Matcher bearer = BEARER.matcher(authorization.get(0));
        if (!bearer.matches()) {
            return null;
        }
        String presented = bearer.group(1);
        byte[] digest = sha256(presented);
        String match = null;
        for (Known operator : known) {
            if (MessageDigest.isEqual(operator.digest(), digest)) {
                match = operator.name();
            }
        }
        return match == null ? null : new Operator(match, presented);
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
