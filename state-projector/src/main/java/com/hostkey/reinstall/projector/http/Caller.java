package com.hostkey.reinstall.projector.http;

/**
 * Who is asking, as the {@link Authenticator} found from the request's {@code Authorization}
 * header. Endpoints that need a token see only a {@link Reader} or an {@link Operator}; a
 * {@link Refused} caller is answered 401 before any endpoint sees the request. Printing a caller
 * never shows its token.
 */
public sealed interface Caller {

    /**
     * May read: a read token, or anybody while authentication is disabled for development.
     *
     * @param token the token presented, carried when forwarding to another instance; null when authentication is disabled
     */
    record Reader(String token) implements Caller {
        @Override
        public String toString() {
            return token == null ? "Reader[authentication disabled]" : "Reader[token masked]";
        }
    }

    /**
     * May read and act (cancel, release): an operator's write token.
     *
     * @param name  the operator named with the token in PROJECTOR_API_WRITE_TOKENS, recorded on every command it issues
     * @param token the token presented, carried when forwarding to another instance
     */
    record Operator(String name, String token) implements Caller {
        @Override
        public String toString() {
            return "Operator[" + name + ", token masked]";
        }
    }

    /** No usable credential: answered 401 with the reason's {@code WWW-Authenticate} challenge. */
    record Refused(Reason reason) implements Caller {}

    /** Why a caller was refused, and what the 401 says. */
    enum Reason {
        /** No Authorization header: the client should send a token. */
        MISSING("Bearer realm=\"reinstall-state\"", "missing bearer token"),
        /** A header that is not one well-formed bearer token, or a token nobody configured. */
        INVALID("Bearer realm=\"reinstall-state\", error=\"invalid_token\"", "invalid bearer token");

        private final String challenge;
        private final String message;

        Reason(String challenge, String message) {
            this.challenge = challenge;
            this.message = message;
        }

        /** The {@code WWW-Authenticate} header of the 401 (RFC 6750). */
        public String challenge() {
            return challenge;
        }

        /** The error message of the 401's body. */
        public String message() {
            return message;
        }
    }

    /** The token to carry when asking another instance on this caller's behalf; null when authentication is disabled. */
    default String token() {
        throw new IllegalStateException("a refused caller reaches no endpoint");
    }
}
